"""kvctl, the admin CLI, run as a subprocess against a live endpoint.

The binary is ``$KVCTL_BIN``, else ``kvctl`` next to ``$KVSERVER_BIN``, else the one in
``swift build --show-bin-path``. Item commands run against the session's server; backup,
restore and check start their own file-mode ``kvserver --data-dir``. ``stream tail`` runs
against a small fake of the DynamoDB Streams API (see ``FakeStreams``) unless the server
implements streams.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import REPO_ROOT, unique_name

LISTEN_RE = re.compile(r"listening on (http://\S+)")


def _find_binary(name: str) -> str:
    if name == "kvctl" and os.environ.get("KVCTL_BIN"):
        return os.environ["KVCTL_BIN"]
    if os.environ.get("KVSERVER_BIN"):
        candidate = Path(os.environ["KVSERVER_BIN"]).parent / name
        if candidate.exists():
            return str(candidate)
    bin_dir = subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO_ROOT,
                             capture_output=True, text=True, check=True).stdout.strip()
    return str(Path(bin_dir) / name)


@pytest.fixture(scope="session")
def kvctl_bin() -> str:
    binary = _find_binary("kvctl")
    if not os.access(binary, os.X_OK):
        pytest.fail(f"kvctl not built at {binary}: run `swift build`")
    return binary


class KVCtl:
    def __init__(self, binary: str, endpoint: str):
        self.binary = binary
        self.endpoint = endpoint

    def __call__(self, *args, check=True, input=None, timeout=120, endpoint=None):
        env = dict(os.environ)
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint or self.endpoint
        proc = subprocess.run([self.binary, *map(str, args)], env=env, input=input,
                              capture_output=True, text=True, timeout=timeout)
        if check:
            assert proc.returncode == 0, (
                f"kvctl {' '.join(map(str, args))} exited {proc.returncode}\n"
                f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
        return proc

    def lines(self, *args, **kwargs):
        return [json.loads(line) for line in self(*args, **kwargs).stdout.splitlines() if line]


@pytest.fixture(scope="module")
def kvctl(kvctl_bin, endpoint):
    return KVCtl(kvctl_bin, endpoint)


@pytest.fixture
def table(kvctl):
    """A fresh table pk:S / sk:N with a GSI on email; deleted afterwards."""
    name = unique_name("kvctl")
    kvctl("table", "create", name, "--hash", "pk:S", "--range", "sk:N",
          "--gsi", "byEmail:email:S", "--lsi", "byRank:rank:N")
    yield name
    kvctl("table", "delete", name, check=False)


# --------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------

def test_table_lifecycle(kvctl):
    name = unique_name("kvctl")
    created = kvctl.lines("table", "create", name, "--hash", "id:S", "--output", "jsonl")[0]
    assert created["TableName"] == name
    assert created["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert name in kvctl.lines("table", "list")
    assert name in json.loads(kvctl("table", "list", "--output", "json").stdout)
    described = json.loads(kvctl("table", "describe", name, "--output", "json").stdout)
    assert described["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    summary = kvctl("table", "describe", name, "--output", "table").stdout
    assert re.search(r"Key:\s+id \(S\)", summary)
    kvctl("table", "delete", name)
    assert name not in kvctl.lines("table", "list")


def test_global_options_before_the_subcommand(kvctl, endpoint):
    proc = kvctl("--endpoint", endpoint, "--output", "json", "table", "list", endpoint="http://127.0.0.1:9")
    assert isinstance(json.loads(proc.stdout), list)


def test_table_with_indexes(kvctl, table):
    described = json.loads(kvctl("table", "describe", table, "--output", "json").stdout)
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["byEmail"]
    assert [i["IndexName"] for i in described["LocalSecondaryIndexes"]] == ["byRank"]


def test_create_from_cloudformation_yaml(kvctl, tmp_path):
    suffix = unique_name("cfn")
    template = tmp_path / "template.yaml"
    template.write_text(f"""
Parameters:
  Suffix:
    Type: String
    Default: {suffix}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "orders-${{Suffix}}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
        - AttributeName: gsi1
          AttributeType: N
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
      GlobalSecondaryIndexes:
        - IndexName: gsi1
          KeySchema: [{{AttributeName: gsi1, KeyType: HASH}}]
          Projection: {{ProjectionType: KEYS_ONLY}}
      PointInTimeRecoverySpecification:
        PointInTimeRecoveryEnabled: !If [Prod, true, false]
""")
    proc = kvctl("table", "create", "--from", template, "--output", "json")
    created = json.loads(proc.stdout)
    try:
        assert created["TableName"] == f"orders-{suffix}"
        assert created["GlobalSecondaryIndexes"][0]["Projection"]["ProjectionType"] == "KEYS_ONLY"
        assert "PointInTimeRecoverySpecification" in proc.stderr  # noted as ignored
    finally:
        kvctl("table", "delete", created["TableName"], check=False)


def test_create_from_create_table_json_with_name_override(kvctl, tmp_path):
    name = unique_name("json")
    spec = tmp_path / "table.json"
    spec.write_text(json.dumps({
        "TableName": "ignored",
        "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "B"}],
        "KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST"}))
    created = json.loads(kvctl("table", "create", name, "--from", spec, "--output", "json").stdout)
    kvctl("table", "delete", name)
    assert created["TableName"] == name


# --------------------------------------------------------------------------
# items
# --------------------------------------------------------------------------

ITEM = ('{"pk": "a", "sk": 1, "email": "x@example.com", "price": 12345678901234567890.123, '
        '"tags": {"$ss": ["x", "y"]}, "scores": {"$ns": [1, 2.5]}, "raw": {"$b": "AAEC"}, '
        '"list": [1, "two", null, true], "map": {"nested": {"deep": false}}}')


def test_put_get_delete_plain_json(kvctl, table):
    kvctl("put", table, ITEM)
    got = kvctl("get", table, '{"pk": "a", "sk": 1}').stdout
    # Numbers keep every digit: they never go through a float.
    assert '"price":12345678901234567890.123' in got
    item = json.loads(got)
    assert item["tags"] == {"$ss": ["x", "y"]}
    assert sorted(item["scores"]["$ns"]) == [1, 2.5]
    assert item["raw"] == {"$b": "AAEC"}
    assert item["list"] == [1, "two", None, True]
    assert item["map"] == {"nested": {"deep": False}}
    raw = json.loads(kvctl("get", table, '{"pk": {"S": "a"}, "sk": {"N": "1"}}', "--raw").stdout)
    assert raw["pk"] == {"S": "a"} and raw["raw"] == {"B": "AAEC"}
    kvctl("delete", table, '{"pk": "a", "sk": 1}')
    missing = kvctl("get", table, '{"pk": "a", "sk": 1}', check=False)
    assert missing.returncode == 1 and missing.stdout == ""


def test_put_from_stdin_and_raw(kvctl, table):
    kvctl("put", table, "-", input='{"pk": "s", "sk": 2, "v": "stdin"}')
    kvctl("put", table, '{"pk": {"S": "r"}, "sk": {"N": "3"}, "v": {"S": "raw"}}', "--raw")
    assert kvctl.lines("get", table, '{"pk": "s", "sk": 2}')[0]["v"] == "stdin"
    assert kvctl.lines("get", table, '{"pk": "r", "sk": 3}')[0]["v"] == "raw"


def test_query_and_scan(kvctl, table, client):
    for i in range(12):
        client.put_item(TableName=table, Item={
            "pk": {"S": "q"}, "sk": {"N": str(i)}, "email": {"S": f"u{i % 3}@x"},
            "rank": {"N": str(100 - i)}})
    client.put_item(TableName=table, Item={"pk": {"S": "other"}, "sk": {"N": "0"}})
    items = kvctl.lines("query", table, "--where", "pk = :p AND sk > :s", "--values", '{":p": "q", ":s": 3}')
    assert [i["sk"] for i in items] == list(range(4, 12))
    desc = kvctl.lines("query", table, "--where", "pk = :p", "--values", '{":p": "q"}', "--desc", "--limit", "3")
    assert [i["sk"] for i in desc] == [11, 10, 9]
    by_email = kvctl.lines("query", table, "--index", "byEmail", "--where", "#e = :e",
                           "--names", '{"#e": "email"}', "--values", '{":e": "u1@x"}')
    assert sorted(i["sk"] for i in by_email) == [1, 4, 7, 10]
    by_rank = kvctl.lines("query", table, "--index", "byRank", "--where", "pk = :p AND #r < :r",
                          "--names", '{"#r": "rank"}', "--values", '{":p": "q", ":r": 92}')
    assert [i["rank"] for i in by_rank] == [89, 90, 91]
    assert len(kvctl.lines("scan", table)) == 13
    assert len(kvctl.lines("scan", table, "--limit", "5")) == 5
    filtered = kvctl.lines("scan", table, "--filter", "sk >= :s", "--values", '{":s": 10}')
    assert sorted(i["sk"] for i in filtered) == [10, 11]
    table_text = kvctl("scan", table, "--output", "table", "--limit", "2").stdout.splitlines()
    assert table_text[0].split()[:2] == ["pk", "sk"]  # key columns first
    pretty = json.loads(kvctl("scan", table, "--output", "json").stdout)
    assert len(pretty) == 13


def test_scan_follows_pages(kvctl, table, client):
    """Items of ~300 KB: a 1 MB page holds three, so a scan of 8 takes several pages."""
    blob = "x" * 300_000
    for i in range(8):
        client.put_item(TableName=table, Item={"pk": {"S": "big"}, "sk": {"N": str(i)}, "b": {"S": blob}})
    assert len(kvctl.lines("scan", table)) == 8
    assert len(kvctl.lines("query", table, "--where", "pk = :p", "--values", '{":p": "big"}', "--limit", "7")) == 7


def test_sql_runs_partiql_with_parameters_and_pages(kvctl, table, client):
    for i in range(5):
        client.put_item(TableName=table, Item={"pk": {"S": "s"}, "sk": {"N": str(i)}, "tags": {"SS": ["t"]}})
    rows = kvctl.lines("sql", f'SELECT sk, tags FROM "{table}" WHERE pk = ? AND sk >= ?', "--param", '"s"', "--param", "2")
    assert rows == [{"sk": 2, "tags": {"$ss": ["t"]}}, {"sk": 3, "tags": {"$ss": ["t"]}}, {"sk": 4, "tags": {"$ss": ["t"]}}]
    raw = kvctl.lines("sql", f'SELECT sk FROM "{table}" WHERE pk = ? AND sk = 1', "--param", '{"S": "s"}', "--raw")
    assert raw == [{"sk": {"N": "1"}}]
    assert len(kvctl.lines("sql", f'SELECT * FROM "{table}"', "--limit", "4")) == 4
    table_text = kvctl("sql", f'SELECT * FROM "{table}" WHERE pk = \'s\'', "--output", "table").stdout.splitlines()
    assert table_text[0].split()[:2] == ["pk", "sk"]  # key columns first, as query/scan
    kvctl("sql", f"""INSERT INTO "{table}" VALUE {{'pk': 's', 'sk': 9}}""")
    proc = kvctl("sql", f"""INSERT INTO "{table}" VALUE {{'pk': 's', 'sk': 9}}""", check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: DuplicateItemException: ")


# --------------------------------------------------------------------------
# errors and exit codes
# --------------------------------------------------------------------------

def test_dynamodb_error_exits_1(kvctl):
    proc = kvctl("table", "describe", unique_name("missing"), check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ResourceNotFoundException: ")


def test_validation_error_from_the_server_exits_1(kvctl, table):
    proc = kvctl("put", table, '{"pk": "a"}', check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ValidationException: ")


@pytest.mark.parametrize("args", [
    ["table", "create", "x"],
    ["table", "create", "x", "--hash", "pk:Q"],
    ["query", "t"],
    ["put", "t", "{not json"],
    ["put", "t", '{"a": {"$ss": []}}'],
    ["ttl", "t", "--enable", "a", "--disable"],
    ["no-such-command"],
])
def test_usage_errors_exit_2(kvctl, args):
    proc = kvctl(*args, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr


def test_unreachable_endpoint_exits_1(kvctl):
    proc = kvctl("table", "list", "--endpoint", "http://127.0.0.1:9", check=False)
    assert proc.returncode == 1
    assert "cannot reach" in proc.stderr


@pytest.mark.parametrize("path", [[], ["table"], ["table", "create"], ["query"], ["stream", "tail"], ["check"]])
def test_help_at_every_level(kvctl, path):
    proc = kvctl(*path, "--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("OVERVIEW:") and "USAGE: kvctl" in proc.stdout


# --------------------------------------------------------------------------
# export / import
# --------------------------------------------------------------------------

def _fill(client, table, count):
    for i in range(count):
        client.put_item(TableName=table, Item={
            "pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}, "n": {"N": "0.1"},
            "bin": {"B": bytes([i % 256])}, "set": {"NS": ["1", str(i + 2)]}})


def test_export_import_round_trip(kvctl, table, client, tmp_path):
    _fill(client, table, 60)
    plain = tmp_path / "export.json"
    kvctl("export", table, "--file", plain)
    lines = [json.loads(line) for line in plain.read_text().splitlines()]
    assert len(lines) == 60
    assert all(set(line) == {"Item"} and line["Item"]["pk"]["S"].startswith("p") for line in lines)
    packed = tmp_path / "export.json.gz"
    kvctl("export", table, "--file", packed, "--gzip")
    with gzip.open(packed, "rt") as handle:
        assert sorted(handle.read().splitlines()) == sorted(plain.read_text().splitlines())

    target = unique_name("import")
    kvctl("table", "create", target, "--hash", "pk:S", "--range", "sk:N")
    try:
        proc = kvctl("import", target, "--file", packed)
        assert proc.stderr == ""  # no progress bar when stderr is not a terminal
        original = sorted(json.dumps(i, sort_keys=True) for i in kvctl.lines("scan", table))
        copied = sorted(json.dumps(i, sort_keys=True) for i in kvctl.lines("scan", target))
        assert copied == original
        # Plain JSON lines, blank lines skipped, duplicates of one key in a row allowed.
        jsonl = tmp_path / "plain.jsonl"
        jsonl.write_text('{"pk": "new", "sk": 1, "v": {"$ss": ["a"]}}\n\n'
                         '{"pk": "new", "sk": 1, "v": "second"}\n{"pk": "new", "sk": 2}\n')
        kvctl("import", target, "--file", jsonl)
        assert kvctl.lines("get", target, '{"pk": "new", "sk": 1}')[0]["v"] == "second"
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"pk": "ok", "sk": 1}\n{oops\n')
        proc = kvctl("import", target, "--file", bad, check=False)
        assert proc.returncode == 1 and f"{bad}:2:" in proc.stderr
    finally:
        kvctl("table", "delete", target, check=False)


def test_export_to_stdout(kvctl, table, client):
    _fill(client, table, 3)
    lines = kvctl.lines("export", table, "--file", "-")
    assert len(lines) == 3 and all("Item" in line for line in lines)


# --------------------------------------------------------------------------
# ttl and streams
# --------------------------------------------------------------------------

def test_ttl(kvctl, table):
    proc = kvctl("ttl", table, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["TimeToLiveStatus"] == "DISABLED"
    enabled = json.loads(kvctl("ttl", table, "--enable", "expires").stdout)
    assert enabled["AttributeName"] == "expires"
    status = json.loads(kvctl("ttl", table).stdout)
    assert status["TimeToLiveStatus"] in ("ENABLING", "ENABLED")
    kvctl("ttl", table, "--disable")


def test_create_with_stream_and_ttl(kvctl, tmp_path):
    name = unique_name("ttl")
    template = tmp_path / "sam.yaml"
    template.write_text(f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Events:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: {name}
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{{AttributeName: pk, AttributeType: S}}]
      KeySchema: [{{AttributeName: pk, KeyType: HASH}}]
      StreamSpecification: {{StreamViewType: KEYS_ONLY}}
      TimeToLiveSpecification: {{AttributeName: expires, Enabled: true}}
""")
    proc = kvctl("table", "create", "--from", template, "--resource", "Events", check=False)
    assert proc.returncode == 0, proc.stderr
    try:
        described = json.loads(kvctl("table", "describe", name, "--output", "json").stdout)
        assert described["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
        ttl = json.loads(kvctl("ttl", name, "--output", "json").stdout)
        assert ttl["AttributeName"] == "expires" and ttl["TimeToLiveStatus"] in ("ENABLING", "ENABLED")
    finally:
        kvctl("table", "delete", name, check=False)


class FakeStreams:
    """DescribeTable + the four DynamoDB Streams read operations over a fixed history:
    a closed parent shard with two records and an open child shard that gets a third
    record on its second GetRecords call."""

    ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2024-01-01T00:00:00.000"

    def __init__(self):
        self.calls: list[str] = []
        self.child_polls = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                target = self.headers["X-Amz-Target"]
                assert self.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=")
                status, answer = fake.answer(target, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    @staticmethod
    def record(name, seq, pk, new=None, old=None):
        change = {"Keys": {"pk": {"S": pk}}, "SequenceNumber": seq, "SizeBytes": 10,
                  "StreamViewType": "NEW_AND_OLD_IMAGES", "ApproximateCreationDateTime": 1700000000}
        if new:
            change["NewImage"] = new
        if old:
            change["OldImage"] = old
        return {"eventID": seq, "eventName": name, "eventVersion": "1.1",
                "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": change}

    def answer(self, target, body):
        self.calls.append(target)
        op = target.split(".", 1)[1]
        if target.startswith("DynamoDB_20120810.") and op == "DescribeTable":
            return 200, {"Table": {"TableName": "t", "TableStatus": "ACTIVE", "LatestStreamArn": self.ARN,
                                   "StreamSpecification": {"StreamEnabled": True,
                                                           "StreamViewType": "NEW_AND_OLD_IMAGES"}}}
        assert target.startswith("DynamoDBStreams_20120810."), target
        if op == "DescribeStream":
            assert body["StreamArn"] == self.ARN
            return 200, {"StreamDescription": {"StreamArn": self.ARN, "StreamStatus": "ENABLED", "Shards": [
                {"ShardId": "shard-parent", "SequenceNumberRange": {
                    "StartingSequenceNumber": "100", "EndingSequenceNumber": "200"}},
                {"ShardId": "shard-child", "ParentShardId": "shard-parent",
                 "SequenceNumberRange": {"StartingSequenceNumber": "300"}}]}}
        if op == "GetShardIterator":
            return 200, {"ShardIterator": f"{body['ShardId']}|{body['ShardIteratorType']}|0"}
        if op == "GetRecords":
            shard, kind, page = body["ShardIterator"].split("|")
            if shard == "shard-parent":
                return 200, {"Records": [
                    self.record("INSERT", "101", "a", new={"pk": {"S": "a"}, "n": {"N": "1"}}),
                    self.record("MODIFY", "102", "a", new={"pk": {"S": "a"}, "n": {"N": "2"}},
                                old={"pk": {"S": "a"}, "n": {"N": "1"}})]}  # closed: no NextShardIterator
            self.child_polls += 1
            records = []
            if self.child_polls == 2:
                records = [self.record("REMOVE", "301", "a", old={"pk": {"S": "a"}, "n": {"N": "2"}})]
            return 200, {"Records": records, "NextShardIterator": f"{shard}|{kind}|{self.child_polls}"}
        return 400, {"__type": "com.amazon.coral.service#UnknownOperationException"}

    def close(self):
        self.server.shutdown()


def _tail_until(binary, endpoint, args, expected_lines, timeout=20):
    env = dict(os.environ, AWS_ENDPOINT_URL_DYNAMODB=endpoint)
    proc = subprocess.Popen([binary, "stream", "tail", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + timeout
    try:
        while len(lines) < expected_lines and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(json.loads(line))
    finally:
        proc.send_signal(signal.SIGINT)
        rc = proc.wait(timeout=10)
    return rc, lines, proc.stderr.read()


def test_stream_tail_against_a_fake(kvctl_bin):
    fake = FakeStreams()
    try:
        rc, lines, stderr = _tail_until(kvctl_bin, fake.endpoint,
                                        ["t", "--from", "trim-horizon", "--interval", "0.1"], 3)
    finally:
        fake.close()
    assert rc == 0, stderr
    assert [line["eventName"] for line in lines] == ["INSERT", "MODIFY", "REMOVE"]
    assert lines[0]["keys"] == {"pk": "a"} and lines[0]["newImage"] == {"pk": "a", "n": 1}
    assert lines[1]["oldImage"] == {"pk": "a", "n": 1}
    assert "newImage" not in lines[2] and lines[2]["oldImage"]["n"] == 2
    # The parent was read to its end before the child was opened.
    iterators = [c for c in fake.calls if c.endswith("GetShardIterator")]
    assert len(iterators) == 2


def test_stream_tail_latest_skips_closed_shards(kvctl_bin):
    fake = FakeStreams()
    try:
        rc, lines, _ = _tail_until(kvctl_bin, fake.endpoint, ["t", "--interval", "0.1", "--raw"], 1)
    finally:
        fake.close()
    assert rc == 0
    assert lines[0]["eventName"] == "REMOVE" and lines[0]["keys"] == {"pk": {"S": "a"}}


def test_stream_tail_live(kvctl, kvctl_bin, endpoint):
    name = unique_name("stream")
    proc = kvctl("table", "create", name, "--hash", "pk:S", "--stream", "NEW_AND_OLD_IMAGES", check=False)
    assert proc.returncode == 0, proc.stderr
    try:
        result = {}

        def tail():
            result["value"] = _tail_until(kvctl_bin, endpoint, [name, "--from", "trim-horizon",
                                                                "--interval", "0.2"], 2)
        thread = threading.Thread(target=tail)
        thread.start()
        kvctl("put", name, '{"pk": "a", "v": 1}')
        kvctl("delete", name, '{"pk": "a"}')
        thread.join(timeout=30)
        rc, lines, stderr = result["value"]
        assert rc == 0, stderr
        assert [line["eventName"] for line in lines] == ["INSERT", "REMOVE"]
    finally:
        kvctl("table", "delete", name, check=False)


# --------------------------------------------------------------------------
# backup / restore / check on a file-mode server
# --------------------------------------------------------------------------

class FileServer:
    def __init__(self, data_dir: Path):
        self.binary = _find_binary("kvserver")
        self.proc = subprocess.Popen([self.binary, "--data-dir", str(data_dir), "--port", "0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            match = LISTEN_RE.search(line or "")
            if match:
                self.endpoint = match.group(1).rstrip("/")
                return
            if not line:
                break
        self.stop()
        raise RuntimeError("file-mode kvserver did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)


def test_backup_restore_check(kvctl, tmp_path):
    data = tmp_path / "data"
    server = FileServer(data)
    try:
        run = lambda *a, **k: kvctl(*a, endpoint=server.endpoint, **k)  # noqa: E731
        run("table", "create", "orders", "--hash", "pk:S", "--range", "sk:N", "--gsi", "byEmail:email:S",
            "--lsi", "byRank:rank:N")
        run("table", "create", "plain", "--hash", "id:S")
        for i in range(30):
            item = {"pk": f"p{i % 4}", "sk": i}
            if i % 3 == 0:
                item["email"] = f"e{i}@x"
            if i % 5 == 0:
                item["rank"] = i
            run("put", "orders", json.dumps(item))
        run("put", "orders", '{"pk": "noindex", "sk": 99, "other": "x"}')
        run("put", "plain", '{"id": "only"}')

        # check and backup while the server runs
        report = json.loads(run("check", "--data-dir", data, "--output", "json").stdout)
        assert report["ok"] and report["integrity"] == ["ok"] and report["schemaVersion"] >= 1
        orders = next(t for t in report["tables"] if t["name"] == "orders")
        assert orders["items"] == 31
        counts = {i["name"]: (i["rows"], i["expected"]) for i in orders["indexes"]}
        assert counts == {"byEmail": (10, 10), "byRank": (6, 6)}
        text = run("check", "--data-dir", data, "--output", "table").stdout
        assert "OK" in text
        backup = tmp_path / "backup.sqlite"
        run("backup", "--data-dir", data, "--to", backup)
        assert run("backup", "--data-dir", data, "--to", backup, check=False).returncode == 1
        run("put", "plain", '{"id": "after-backup"}')

        # restore refuses while a server holds the file
        proc = run("restore", "--from", backup, "--data-dir", data, "--force", check=False)
        assert proc.returncode == 1 and "stop the server" in proc.stderr
    finally:
        server.stop()

    # restore into a new directory, then over the old one (needs --force)
    restored = tmp_path / "restored"
    kvctl("restore", "--from", backup, "--data-dir", restored)
    assert json.loads(kvctl("check", "--data-dir", restored, "--output", "json").stdout)["ok"]
    proc = kvctl("restore", "--from", backup, "--data-dir", data, check=False)
    assert proc.returncode == 1 and "--force" in proc.stderr
    kvctl("restore", "--from", backup, "--data-dir", data, "--force")
    server = FileServer(data)
    try:
        run = lambda *a, **k: kvctl(*a, endpoint=server.endpoint, **k)  # noqa: E731
        assert run("get", "plain", '{"id": "only"}').returncode == 0
        assert run("get", "plain", '{"id": "after-backup"}', check=False).returncode == 1
        assert len(kvctl.lines("scan", "orders", endpoint=server.endpoint)) == 31
        assert len(kvctl.lines("query", "orders", "--index", "byEmail", "--where", "email = :e",
                               "--values", '{":e": "e3@x"}', endpoint=server.endpoint)) == 1
    finally:
        server.stop()

    # a lost index row is reported, exit 1
    with sqlite3.connect(restored / "kvstore.sqlite") as db:
        storage_id = db.execute("SELECT storage_id FROM kv_tables WHERE name = 'orders'").fetchone()[0]
        index_table = next(name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?", (f"x{storage_id}_%",)))
        # WITHOUT ROWID tables: delete the rows of one index key.
        db.execute(f"DELETE FROM {index_table} WHERE pk = (SELECT pk FROM {index_table} LIMIT 1)")
    proc = kvctl("check", "--data-dir", restored, "--output", "json", check=False)
    assert proc.returncode == 1
    assert any("rows" in problem for problem in json.loads(proc.stdout)["problems"])
    assert kvctl("check", "--data-dir", tmp_path / "nowhere", check=False).returncode == 1


# --------------------------------------------------------------------------
# backup create|list|restore|delete and pitr through the API
# --------------------------------------------------------------------------

def test_backup_and_pitr_commands(kvctl, table, client):
    kvctl("put", table, '{"pk": "a", "sk": 1, "email": "a@x"}')
    created = json.loads(kvctl("backup", "create", table, "--name", "nightly", "--output", "json").stdout)
    arn = created["BackupArn"]
    assert created["BackupStatus"] == "AVAILABLE" and created["BackupName"] == "nightly"
    listed = [json.loads(line) for line in kvctl("backup", "list", table, "--output", "jsonl").stdout.splitlines()]
    assert [entry["BackupArn"] for entry in listed] == [arn]
    copy = unique_name("kvctl-copy")
    restored = json.loads(kvctl("backup", "restore", arn, "--to", copy, "--output", "json").stdout)
    assert restored["TableName"] == copy
    assert client.scan(TableName=copy)["Count"] == 1
    deleted = json.loads(kvctl("backup", "delete", arn, "--output", "json").stdout)
    assert deleted["BackupStatus"] == "DELETED"
    missing = kvctl("backup", "delete", arn, check=False)
    assert missing.returncode == 1 and "BackupNotFoundException" in missing.stderr

    enabled = json.loads(kvctl("pitr", "enable", table, "--days", "7", "--output", "json").stdout)
    assert enabled["PointInTimeRecoveryStatus"] == "ENABLED" and enabled["RecoveryPeriodInDays"] == 7
    status = json.loads(kvctl("pitr", "status", table, "--output", "json").stdout)
    assert status["PointInTimeRecoveryStatus"] == "ENABLED"
    time.sleep(1.2)
    moment = time.time()
    time.sleep(1.2)
    kvctl("put", table, '{"pk": "b", "sk": 2}')
    then = unique_name("kvctl-then")
    kvctl("pitr", "restore", table, "--to", then, "--at", f"{moment:.3f}")
    assert [i["pk"]["S"] for i in client.scan(TableName=then)["Items"]] == ["a"]
    latest = unique_name("kvctl-now")
    kvctl("pitr", "restore", table, "--to", latest)
    assert client.scan(TableName=latest)["Count"] == 2
    assert kvctl("pitr", "enable", table, "--days", "40", check=False).returncode == 2
    disabled = json.loads(kvctl("pitr", "disable", table, "--output", "json").stdout)
    assert disabled["PointInTimeRecoveryStatus"] == "DISABLED"
    for name in (copy, then, latest):
        client.delete_table(TableName=name)


def test_export_to_s3_bucket_through_the_server(kvctl, table):
    kvctl("put", table, '{"pk": "a", "sk": 1}')
    kvctl("put", table, '{"pk": "b", "sk": 2}')
    refused = kvctl("export", table, "--s3-bucket", "kvctl-bucket", check=False)
    assert refused.returncode == 1 and "PointInTimeRecoveryUnavailableException" in refused.stderr
    kvctl("pitr", "enable", table)
    described = json.loads(kvctl("export", table, "--s3-bucket", "kvctl-bucket", "--s3-prefix", "daily",
                                 "--output", "json").stdout)
    assert described["ExportStatus"] == "COMPLETED" and described["ItemCount"] == 2
    assert described["ExportManifest"].startswith("daily/AWSDynamoDB/")
    assert kvctl("export", table, check=False).returncode == 2
    assert kvctl("export", table, "--file", "x.json", "--s3-bucket", "b-1", check=False).returncode == 2


def test_export_then_import_through_the_server(kvctl, table, client):
    kvctl("put", table, '{"pk": "a", "sk": 1, "email": "a@x"}')
    kvctl("put", table, '{"pk": "b", "sk": 2}')
    kvctl("pitr", "enable", table)
    exported = json.loads(kvctl("export", table, "--s3-bucket", "kvctl-round", "--s3-prefix", table,
                                "--output", "json").stdout)
    data_prefix = exported["ExportManifest"].rsplit("/", 1)[0] + "/data/"
    target = unique_name("kvctl-imported")
    imported = json.loads(kvctl("import", target, "--s3-bucket", "kvctl-round", "--s3-prefix", data_prefix,
                                "--hash", "pk:S", "--range", "sk:N", "--input-compression", "GZIP",
                                "--output", "json").stdout)
    assert imported["ImportStatus"] == "COMPLETED" and imported["ImportedItemCount"] == 2
    assert sorted(i["pk"]["S"] for i in client.scan(TableName=target)["Items"]) == ["a", "b"]
    assert kvctl("import", target, "--s3-bucket", "kvctl-round", check=False).returncode == 2
    client.delete_table(TableName=target)
