"""Stream triggers: Lambda-style event source mappings delivering a table's change stream.

Semantics checked against AWS's documentation:
- event shape: https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
- retries, bisection, on-failure: https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
- partial batch responses: https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html
- filtering: https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
- control plane: https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from conftest import REPO_ROOT, unique_name
from triggers_support import Receiver, clients, signed_request, stream_table, wait_until


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


def create_mapping(lam, arn, url, **extra):
    extra.setdefault("StartingPosition", "TRIM_HORIZON")
    return lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=url, **extra)


def sequence(record) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


def test_every_change_is_delivered_in_order_exactly_once(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    created = create_mapping(lam, arn, receiver.url, BatchSize=7)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["EventSourceArn"] == arn and created["BatchSize"] == 7
    expected = []
    for round_number in range(4):
        for item in range(5):
            key = f"item-{item}"
            ddb.put_item(TableName=table, Item={"pk": {"S": key}, "round": {"N": str(round_number)}})
            expected.append((key, "INSERT" if round_number == 0 else "MODIFY", str(round_number)))
    ddb.delete_item(TableName=table, Key={"pk": {"S": "item-0"}})
    expected.append(("item-0", "REMOVE", None))

    records = wait_until(lambda: len(receiver.records()) >= len(expected) and receiver.records(), message="deliveries")
    time.sleep(0.5)  # nothing more may come
    records = receiver.records()
    assert len(records) == len(expected)
    sequences = [sequence(r) for r in records]
    assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert all(len(batch) <= 7 for batch in receiver.batches())
    got = [(r["dynamodb"]["Keys"]["pk"]["S"], r["eventName"],
            r["dynamodb"].get("NewImage", {}).get("round", {}).get("N")) for r in records]
    assert got == expected
    first = records[0]
    assert first["eventVersion"] == "1.1"
    assert first["eventSource"] == "aws:dynamodb"
    assert first["awsRegion"] == "us-east-1"
    assert first["eventSourceARN"] == arn
    assert len(first["eventID"]) == 32
    assert first["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], (int, float))
    assert first["dynamodb"]["SizeBytes"] > 0
    assert "userIdentity" not in first
    assert "OldImage" in records[5]["dynamodb"] and records[5]["dynamodb"]["OldImage"]["round"]["N"] == "0"
    assert "OldImage" in records[-1]["dynamodb"] and "NewImage" not in records[-1]["dynamodb"]

    state = lam.get_event_source_mapping(UUID=created["UUID"])
    assert state["State"] == "Enabled"
    assert state["LastProcessingResult"] == "OK"


def test_latest_starts_after_existing_records(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": {"S": "before"}})
    create_mapping(lam, arn, receiver.url, StartingPosition="LATEST")
    ddb.put_item(TableName=table, Item={"pk": {"S": "after"}})
    wait_until(lambda: receiver.records(), message="delivery")
    time.sleep(0.3)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in receiver.records()] == ["after"]


def test_ttl_deletions_carry_the_service_identity(own_server, receiver):
    url, _ = own_server("--in-memory", "--ttl-interval", "0.2")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    ddb.put_item(TableName=table, Item={"pk": {"S": "old"}, "exp": {"N": str(int(time.time()) - 10)}})
    create_mapping(lam, arn, receiver.url)
    removal = wait_until(
        lambda: [r for r in receiver.records() if r["eventName"] == "REMOVE"], timeout=20, message="TTL removal")
    # Lambda's event spells these keys in lower camel case (the Streams API: Type, PrincipalId).
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
    assert removal[0]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_failed_batches_are_retried_until_they_succeed(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    receiver.behavior = lambda event, n: (500, {"error": "boom"}) if n <= 2 else (200, None)
    for i in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})
    mapping = create_mapping(lam, arn, receiver.url)
    wait_until(lambda: len(receiver.calls) >= 3, message="three calls")
    batches = receiver.batches()
    # The same records each time, in order.
    assert [sequence(r) for r in batches[0]] == [sequence(r) for r in batches[2]]
    state = wait_until(lambda: (s := lam.get_event_source_mapping(UUID=mapping["UUID"]))["LastProcessingResult"] == "OK" and s,
                       message="status OK")
    # boto3 drops fields it does not know; the raw answer carries our failure count.
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK"
    status, _, raw = signed_request(url, "GET", f"/2015-03-31/event-source-mappings/{mapping['UUID']}")
    assert status == 200
    assert raw["FailedInvocationCount"] == 2 and raw["DeliveredRecordCount"] == 3


def test_exhausted_retries_go_to_the_on_failure_file_and_are_skipped(own_server, receiver, tmp_path):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    failures = tmp_path / "failures.jsonl"
    bad = {"value": True}
    receiver.behavior = lambda event, n: (500, None) if bad["value"] else (200, None)
    ddb.put_item(TableName=table, Item={"pk": {"S": "poison"}})
    create_mapping(lam, arn, receiver.url, MaximumRetryAttempts=1,
                   DestinationConfig={"OnFailure": {"Destination": str(failures)}})
    wait_until(lambda: failures.exists() and failures.read_text().strip(), message="on-failure record")
    record = json.loads(failures.read_text().splitlines()[0])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    info = record["DDBStreamBatchInfo"]
    assert info["batchSize"] == 1 and info["streamArn"] == arn
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert len(receiver.calls) == 2  # the first attempt and one retry
    bad["value"] = False
    ddb.put_item(TableName=table, Item={"pk": {"S": "fine"}})
    wait_until(lambda: len(receiver.calls) >= 3, message="next delivery")
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in receiver.batches()[2]] == ["fine"]


def test_bisection_isolates_the_failing_record(own_server, receiver, tmp_path):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    for key in ["a", "b", "bad", "d"]:
        ddb.put_item(TableName=table, Item={"pk": {"S": key}})
    keys = lambda event: [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
    receiver.behavior = lambda event, n: (500, None) if "bad" in keys(event) else (200, None)
    failures = tmp_path / "failures.jsonl"
    create_mapping(lam, arn, receiver.url, BatchSize=4, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
                   DestinationConfig={"OnFailure": {"Destination": str(failures)}})
    wait_until(lambda: len(receiver.calls) >= 5, message="five calls")
    time.sleep(0.3)
    assert [keys(c) for c in receiver.calls] == [["a", "b", "bad", "d"], ["a", "b"], ["bad", "d"], ["bad"], ["d"]]
    lines = wait_until(lambda: failures.exists() and failures.read_text().splitlines(), message="on-failure")
    assert json.loads(lines[0])["DDBStreamBatchInfo"]["batchSize"] == 1


def test_partial_batch_failure_resumes_from_the_first_failed_record(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    for key in ["a", "b", "c", "d"]:
        ddb.put_item(TableName=table, Item={"pk": {"S": key}})

    def behavior(event, n):
        if n == 1:
            third = event["Records"][2]["dynamodb"]["SequenceNumber"]
            fourth = event["Records"][3]["dynamodb"]["SequenceNumber"]
            # Several failures: Lambda resumes from the lowest sequence number.
            return 200, {"batchItemFailures": [{"itemIdentifier": fourth}, {"itemIdentifier": third}]}
        return 200, {"batchItemFailures": []}

    receiver.behavior = behavior
    create_mapping(lam, arn, receiver.url, BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(receiver.calls) >= 2, message="retry")
    time.sleep(0.3)
    keys = [[r["dynamodb"]["Keys"]["pk"]["S"] for r in batch] for batch in receiver.batches()]
    assert keys == [["a", "b", "c", "d"], ["c", "d"]]


def test_invalid_item_identifier_fails_the_whole_batch(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}})
    receiver.behavior = lambda event, n: (200, {"batchItemFailures": [{"itemIdentifier": ""}]}) if n == 1 else (200, None)
    create_mapping(lam, arn, receiver.url, FunctionResponseTypes=["ReportBatchItemFailures"])
    wait_until(lambda: len(receiver.calls) >= 2, message="retry")
    assert [len(b) for b in receiver.batches()[:2]] == [2, 2]


def test_kill_9_mid_batch_redelivers_and_loses_nothing(own_server, receiver, tmp_path, monkeypatch):
    # On PostgreSQL (KVSERVER_TEST_STORAGE=postgres) the restarted server delivers once the
    # killed one's stream-triggers lease has expired: a short lease keeps that to seconds.
    monkeypatch.setenv("KVSERVER_POSTGRES_LEASE_TTL_MS", "2000")
    url, server = own_server("--data-dir", str(tmp_path / "data"))
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    for i in range(5):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})
    hang = {"value": True}

    def behavior(event, n):
        while hang["value"]:
            time.sleep(0.05)
        return 200, None

    receiver.behavior = behavior
    create_mapping(lam, arn, receiver.url, BatchSize=2)
    wait_until(lambda: len(receiver.calls) >= 1, message="first call")
    os.kill(server.proc.pid, signal.SIGKILL)
    server.proc.wait(timeout=10)
    hang["value"] = False
    url, _ = own_server("--data-dir", str(tmp_path / "data"))
    ddb, lam = clients(url)
    for i in range(5, 8):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})
    wanted = {f"k{i}" for i in range(8)}
    wait_until(lambda: wanted <= {r["dynamodb"]["Keys"]["pk"]["S"] for r in receiver.records()}, timeout=20,
               message="every record")
    batches = receiver.batches()
    # The batch in flight when the server died came again.
    assert [sequence(r) for r in batches[0]] == [sequence(r) for r in batches[1]]
    # After the restart, each record came exactly once more, in order.
    later = [sequence(r) for batch in batches[1:] for r in batch]
    assert later == sorted(later) and len(set(later)) == len(later) == 8


def test_filters_drop_records_without_calling(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    patterns = [
        {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["active", {"prefix": "vip-"}]}}}},
        {"dynamodb": {"NewImage": {"score": {"N": [{"numeric": [">", 90, "<=", 100]}]}}}},
        {"dynamodb": {"NewImage": {"flag": {"BOOL": [{"exists": True}]}, "kind": {"S": [{"anything-but": ["x"]}]}}}},
    ]
    create_mapping(lam, arn, receiver.url,
                   FilterCriteria={"Filters": [{"Pattern": json.dumps(p)} for p in patterns]})
    rows = [
        ("a", {"status": {"S": "active"}}, True),
        ("b", {"status": {"S": "idle"}}, False),
        ("c", {"status": {"S": "vip-gold"}}, True),
        ("d", {"score": {"N": "95"}}, True),
        ("e", {"score": {"N": "101"}}, False),
        ("f", {"flag": {"BOOL": False}, "kind": {"S": "y"}}, True),
        ("g", {"flag": {"BOOL": True}, "kind": {"S": "x"}}, False),
        ("h", {"kind": {"S": "y"}}, False),
    ]
    for key, attributes, _ in rows:
        ddb.put_item(TableName=table, Item={"pk": {"S": key}, **attributes})
    # An update of "a" is a MODIFY: the first pattern wants INSERTs only.
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "status": {"S": "active"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "z"}, "status": {"S": "active"}})
    wait_until(lambda: "z" in [r["dynamodb"]["Keys"]["pk"]["S"] for r in receiver.records()], message="last record")
    time.sleep(0.3)
    got = [(r["dynamodb"]["Keys"]["pk"]["S"], r["eventName"]) for r in receiver.records()]
    assert got == [(k, "INSERT") for k, _, ok in rows if ok] + [("z", "INSERT")]


def test_invalid_filter_pattern_is_refused(own_server):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    arn = stream_table(ddb, unique_name("trig"))
    with pytest.raises(ClientError) as error:
        create_mapping(lam, arn, "http://127.0.0.1:1/", FilterCriteria={"Filters": [{"Pattern": "not json"}]})
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_batching_window_gathers_records_into_one_call(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    create_mapping(lam, arn, receiver.url, BatchSize=100, MaximumBatchingWindowInSeconds=2)
    start = time.monotonic()
    for i in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})
        time.sleep(0.2)
    wait_until(lambda: receiver.calls, message="a call")
    assert time.monotonic() - start >= 1.5
    assert [len(b) for b in receiver.batches()] == [3]


def test_control_plane_through_boto3(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    created = create_mapping(lam, arn, receiver.url, BatchSize=5, MaximumRetryAttempts=3)
    uuid = created["UUID"]
    assert created["State"] == "Creating"
    assert created["FunctionArn"] == receiver.url
    got = lam.get_event_source_mapping(UUID=uuid)
    assert got["UUID"] == uuid and got["BatchSize"] == 5 and got["MaximumRetryAttempts"] == 3
    assert got["State"] == "Enabled" and got["LastProcessingResult"] == "No records processed"
    assert got["StartingPosition"] == "TRIM_HORIZON"

    listed = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [uuid]
    assert lam.list_event_source_mappings(FunctionName="other")["EventSourceMappings"] == []

    updated = lam.update_event_source_mapping(UUID=uuid, BatchSize=9, Enabled=False)
    assert updated["BatchSize"] == 9 and updated["State"] == "Disabling"
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Disabled"
    ddb.put_item(TableName=table, Item={"pk": {"S": "while-disabled"}})
    time.sleep(0.5)
    assert receiver.calls == []
    lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    wait_until(lambda: receiver.calls, message="delivery after enabling")

    with pytest.raises(ClientError) as error:
        create_mapping(lam, arn, receiver.url)
    assert error.value.response["Error"]["Code"] == "ResourceConflictException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409

    deleted = lam.delete_event_source_mapping(UUID=uuid)
    assert deleted["State"] == "Deleting"
    with pytest.raises(ClientError) as error:
        lam.get_event_source_mapping(UUID=uuid)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize("extra, message", [
    ({"BatchSize": 10001}, "BatchSize"),
    ({"StartingPosition": "AT_TIMESTAMP"}, "StartingPosition"),
    ({"MaximumRecordAgeInSeconds": 30}, "MaximumRecordAgeInSeconds"),
    ({"ParallelizationFactor": 11}, "ParallelizationFactor"),
    ({"FunctionResponseTypes": ["Other"]}, "FunctionResponseTypes"),
])
def test_control_plane_validates_settings(own_server, extra, message):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    arn = stream_table(ddb, unique_name("trig"))
    with pytest.raises(ClientError) as error:
        create_mapping(lam, arn, "http://127.0.0.1:1/", **extra)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert message in error.value.response["Error"]["Message"]


def test_control_plane_refuses_commands_and_unknown_streams(own_server):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    arn = stream_table(ddb, unique_name("trig"))
    status, headers, answer = signed_request(
        url, "POST", "/2015-03-31/event-source-mappings/",
        {"EventSourceArn": arn, "FunctionName": "x", "StartingPosition": "LATEST", "Command": ["sh", "-c", "true"]})
    assert status == 400
    assert headers["x-amzn-ErrorType"] == "InvalidParameterValueException"
    assert "triggers file" in answer["message"]
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    # Unsigned requests are refused, as every other request.
    import urllib.error
    import urllib.request
    with pytest.raises(urllib.error.HTTPError) as unsigned:
        urllib.request.urlopen(url + "/2015-03-31/event-source-mappings/")
    assert unsigned.value.code == 400
    with pytest.raises(ClientError) as missing:
        create_mapping(lam, arn.replace("/stream/", "x/stream/"), "http://127.0.0.1:1/")
    assert missing.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_dynamodb_requests_still_work_beside_the_rest_routes(own_server):
    url, _ = own_server("--in-memory")
    ddb, _ = clients(url)
    assert "TableNames" in ddb.list_tables()


# --------------------------------------------------------------------------
# The triggers file
# --------------------------------------------------------------------------

def test_triggers_file_waits_for_its_table_reloads_and_runs_commands(own_server, receiver, tmp_path):
    table = unique_name("trig")
    other = Receiver()
    try:
        output = tmp_path / "command-output.jsonl"
        triggers = tmp_path / "triggers.yaml"
        triggers.write_text(
            "EventSourceMappings:\n"
            f"  - TableName: {table}\n"
            f"    FunctionName: {receiver.url}\n"
            "    BatchSize: 10\n"
            f"  - TableName: {table}\n"
            f"    Command: [sh, -c, 'cat >> {output}; echo >> {output}']\n")
        url, _ = own_server("--in-memory", "--triggers", str(triggers))
        ddb, lam = clients(url)
        # The table does not exist when the server reads the file: the entries wait for it.
        time.sleep(1.2)
        stream_table(ddb, table)
        ddb.put_item(TableName=table, Item={"pk": {"S": "one"}})
        wait_until(lambda: receiver.records(), timeout=10, message="delivery from the file's mapping")
        lines = wait_until(lambda: output.exists() and [l for l in output.read_text().splitlines() if l],
                           timeout=10, message="the command's input")
        assert json.loads(lines[0])["Records"][0]["dynamodb"]["Keys"] == {"pk": {"S": "one"}}
        mappings = lam.list_event_source_mappings()["EventSourceMappings"]
        assert len(mappings) == 2 and all(m["StateTransitionReason"] == "Triggers file" for m in mappings)

        # Rewritten as JSON with another URL: the old mapping goes, the new one starts.
        triggers.write_text(json.dumps({"EventSourceMappings": [
            {"TableName": table, "FunctionName": other.url, "StartingPosition": "LATEST"}]}))
        wait_until(lambda: [m["FunctionArn"] for m in lam.list_event_source_mappings()["EventSourceMappings"]]
                   == [other.url], timeout=10, message="reload")
        ddb.put_item(TableName=table, Item={"pk": {"S": "two"}})
        got = wait_until(lambda: other.records(), timeout=10, message="delivery to the new target")
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in got] == ["two"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in receiver.records()] == ["one"]
    finally:
        other.close()


def test_function_names_go_through_the_lambda_invoke_api(own_server, receiver):
    base = receiver.url.rsplit("/", 1)[0]
    url, _ = own_server("--in-memory", "--lambda-endpoint", base)
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    fn_arn = "arn:aws:lambda:us-east-1:123456789012:function:order-processor"
    created = create_mapping(lam, arn, fn_arn)
    assert created["FunctionArn"] == fn_arn
    ddb.put_item(TableName=table, Item={"pk": {"S": "x"}})
    wait_until(lambda: receiver.calls, message="invoke")
    assert receiver.paths[0] == "/2015-03-31/functions/order-processor/invocations"


def test_lambda_invokes_are_signed_when_credentials_are_configured(own_server, receiver, monkeypatch):
    # The Invoke API takes SigV4 with service "lambda" in the function's region:
    # https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html and
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
    secret = "lambda-invoke-test-secret"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIALAMBDAINVOKER001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    base = receiver.url.rsplit("/", 1)[0]
    url, _ = own_server("--in-memory", "--lambda-endpoint", base)
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    create_mapping(lam, arn, "arn:aws:lambda:eu-west-1:123456789012:function:signed-fn")
    ddb.put_item(TableName=table, Item={"pk": {"S": "x"}})
    wait_until(lambda: receiver.calls, message="invoke")
    headers, path, body = receiver.headers[0], receiver.paths[0], receiver.bodies[0]
    authorization = headers["authorization"]
    amz_date = headers["x-amz-date"]
    scope = f"{amz_date[:8]}/eu-west-1/lambda/aws4_request"
    assert authorization.startswith(f"AWS4-HMAC-SHA256 Credential=AKIALAMBDAINVOKER001/{scope}, SignedHeaders=")
    signed_names = authorization.split("SignedHeaders=")[1].split(",")[0].split(";")
    assert {"host", "x-amz-date", "content-type"} <= set(signed_names)
    canonical = "\n".join([
        "POST", path, "",
        *[f"{name}:{headers[name].strip()}" for name in signed_names], "",
        ";".join(signed_names), hashlib.sha256(body).hexdigest()])
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                                hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in (amz_date[:8], "eu-west-1", "lambda", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    assert authorization.endswith(f"Signature={expected}")


def test_https_targets_are_verified_against_the_ca_bundle(own_server, tmp_path, monkeypatch):
    # "FunctionName ... an http:// or https:// URL": a TLS target whose certificate is trusted
    # through AWS_CA_BUNDLE gets the batch; an untrusted one gets nothing (verification fails closed).
    from test_auth import make_certificate
    cert, key = make_certificate(tmp_path, "receiver")
    trusted = Receiver(tls_certificate=(cert, key))
    untrusted_cert, untrusted_key = make_certificate(tmp_path, "stranger")
    stranger = Receiver(tls_certificate=(untrusted_cert, untrusted_key))
    try:
        assert trusted.url.startswith("https://")
        monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
        url, _ = own_server("--in-memory")
        ddb, lam = clients(url)
        table = unique_name("trig")
        arn = stream_table(ddb, table)
        create_mapping(lam, arn, trusted.url)
        create_mapping(lam, arn, stranger.url)
        ddb.put_item(TableName=table, Item={"pk": {"S": "tls"}})
        wait_until(lambda: trusted.records(), message="https delivery")
        assert trusted.records()[0]["dynamodb"]["Keys"] == {"pk": {"S": "tls"}}
        time.sleep(1.5)
        assert stranger.calls == []
    finally:
        trusted.close()
        stranger.close()


# --------------------------------------------------------------------------
# The AWS CLI and kvctl
# --------------------------------------------------------------------------

AWS = shutil.which("aws")


def _cli_env(tmp_path):
    env = dict(os.environ)
    env.update({"AWS_ACCESS_KEY_ID": "AKIAKVSERVERTEST0001", "AWS_SECRET_ACCESS_KEY": "secret",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "AWS_PAGER": "",
                "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds"),
                "AWS_MAX_ATTEMPTS": "1"})
    env.pop("AWS_PROFILE", None)
    return env


@pytest.mark.skipif(AWS is None, reason="AWS CLI (`aws`) not found on PATH: pip install awscli")
def test_control_plane_through_the_aws_cli(own_server, receiver, tmp_path):
    url, _ = own_server("--in-memory")
    ddb, _ = clients(url)
    arn = stream_table(ddb, unique_name("trig"))
    env = _cli_env(tmp_path)
    # Otherwise the CLI fetches any parameter that looks like a URL (--function-name http://...).
    (tmp_path / "config").write_text("[default]\ncli_follow_urlparam = false\n")

    def aws(*args):
        proc = subprocess.run([AWS, "lambda", *args, "--endpoint-url", url, "--output", "json"],
                              env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout) if proc.stdout.strip() else {}

    created = aws("create-event-source-mapping", "--event-source-arn", arn, "--function-name", receiver.url,
                  "--starting-position", "LATEST", "--batch-size", "3",
                  "--filter-criteria", json.dumps({"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]}))
    assert created["BatchSize"] == 3
    listed = aws("list-event-source-mappings", "--event-source-arn", arn)["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [created["UUID"]]
    assert aws("get-event-source-mapping", "--uuid", created["UUID"])["FilterCriteria"]["Filters"][0]["Pattern"]
    aws("update-event-source-mapping", "--uuid", created["UUID"], "--maximum-retry-attempts", "5")
    assert aws("get-event-source-mapping", "--uuid", created["UUID"])["MaximumRetryAttempts"] == 5
    aws("delete-event-source-mapping", "--uuid", created["UUID"])
    assert aws("list-event-source-mappings")["EventSourceMappings"] == []


def _kvctl_binary() -> str:
    if os.environ.get("KVCTL_BIN"):
        return os.environ["KVCTL_BIN"]
    server = os.environ.get("KVSERVER_BIN")
    if server:
        return str(Path(server).parent / "kvctl")
    return str(REPO_ROOT / ".build" / "debug" / "kvctl")


def test_kvctl_trigger_commands_and_sam_template_import(own_server, receiver, tmp_path):
    base = receiver.url.rsplit("/", 1)[0]
    url, _ = own_server("--in-memory", "--lambda-endpoint", base)
    ddb, lam = clients(url)
    table = unique_name("trig")
    stream_table(ddb, table)
    env = {**_cli_env(tmp_path), "AWS_ENDPOINT_URL_DYNAMODB": url}

    def kvctl(*args):
        proc = subprocess.run([_kvctl_binary(), *args, "--output", "json"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout) if proc.stdout.strip() else None

    made = kvctl("trigger", "create", table, "--function", receiver.url, "--starting-position", "TRIM_HORIZON",
                 "--batch-size", "5", "--bisect")
    assert made["BatchSize"] == 5 and made["BisectBatchOnFunctionError"] is True
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    wait_until(lambda: receiver.calls, message="delivery")
    status = wait_until(lambda: (s := kvctl("trigger", "status", made["UUID"]))["LastProcessingResult"] == "OK" and s,
                        message="status")
    assert status["DeliveredRecordCount"] == 1 and status["FailedInvocationCount"] == 0
    assert [m["UUID"] for m in kvctl("trigger", "list", "--table", table)] == [made["UUID"]]
    kvctl("trigger", "delete", made["UUID"])
    assert kvctl("trigger", "list") == []

    template = tmp_path / "template.yaml"
    template.write_text(f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: {table}
  Processor:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Orders.StreamArn
            StartingPosition: LATEST
            BatchSize: 7
            FunctionResponseTypes: [ReportBatchItemFailures]
  Audit:
    Type: AWS::Lambda::Function
    Properties: {{}}
  AuditMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      EventSourceArn: !GetAtt Orders.StreamArn
      FunctionName: !Ref Audit
      StartingPosition: LATEST
      MaximumRetryAttempts: 2
""")
    imported = kvctl("trigger", "create", "--from", str(template))
    assert sorted(m["FunctionArn"].rsplit(":", 1)[-1] for m in imported) == ["Audit", "Processor"]
    mappings = {m["FunctionArn"].rsplit(":", 1)[-1]: m for m in lam.list_event_source_mappings()["EventSourceMappings"]}
    assert mappings["Processor"]["BatchSize"] == 7
    assert mappings["Processor"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mappings["Audit"]["MaximumRetryAttempts"] == 2
    receiver.calls.clear()
    receiver.paths.clear()
    ddb.put_item(TableName=table, Item={"pk": {"S": "b"}})
    wait_until(lambda: len(receiver.paths) >= 2, message="both functions invoked")
    assert sorted(receiver.paths) == ["/2015-03-31/functions/Audit/invocations",
                                      "/2015-03-31/functions/Processor/invocations"]


# --------------------------------------------------------------------------
# Tumbling windows and parallelization
# --------------------------------------------------------------------------

def test_tumbling_windows_pass_state_from_call_to_call(own_server, receiver):
    # https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)

    def behavior(event, n):
        count = event["state"].get("count", 0) + len(event["Records"])
        return 200, {"state": {"count": count}}

    receiver.behavior = behavior
    create_mapping(lam, arn, receiver.url, BatchSize=1, TumblingWindowInSeconds=2)
    for i in range(3):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})
    finals = wait_until(lambda: [c for c in receiver.calls if c["isFinalInvokeForWindow"]] if
                        sum(c["state"].get("count", 0) for c in receiver.calls if c["isFinalInvokeForWindow"]) == 3
                        else None, timeout=15, message="final calls of the windows")
    calls = list(receiver.calls)
    by_window: dict[str, list[dict]] = {}
    for call in calls:
        assert call["shardId"].startswith("shardId-") and call["eventSourceARN"] == arn
        assert call["isWindowTerminatedEarly"] is False
        by_window.setdefault(call["window"]["start"], []).append(call)
    for window_calls in by_window.values():
        assert window_calls[0]["state"] == {}
        expected = 0
        for call in window_calls:
            assert call["state"] == ({"count": expected} if expected else {})
            expected += len(call["Records"])
        assert window_calls[-1]["isFinalInvokeForWindow"] is True and window_calls[-1]["Records"] == []
    assert len(finals) == len(by_window)
    assert sum(len(c["Records"]) for c in calls) == 3


def test_parallelization_keeps_the_order_of_each_item(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    active = {"now": 0, "max": 0}
    lock = __import__("threading").Lock()

    def behavior(event, n):
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        time.sleep(0.2)
        with lock:
            active["now"] -= 1
        return 200, None

    for round_number in range(4):
        for item in range(6):
            ddb.put_item(TableName=table, Item={"pk": {"S": f"item-{item}"}, "round": {"N": str(round_number)}})
    receiver.behavior = behavior
    create_mapping(lam, arn, receiver.url, BatchSize=2, ParallelizationFactor=4)
    wait_until(lambda: len(receiver.records()) >= 24, timeout=20, message="every record")
    time.sleep(0.5)
    records = receiver.records()
    assert len(records) == 24 and len({sequence(r) for r in records}) == 24
    for item in range(6):
        rounds = [r["dynamodb"]["NewImage"]["round"]["N"] for r in records
                  if r["dynamodb"]["Keys"]["pk"]["S"] == f"item-{item}"]
        assert rounds == ["0", "1", "2", "3"]
    assert active["max"] > 1


def test_an_unreachable_target_is_retried_and_the_server_stays_up(own_server, receiver):
    url, server = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    mapping = create_mapping(lam, arn, f"http://127.0.0.1:{closed_port}/")
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    wait_until(lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"].startswith("PROBLEM"),
               message="a failed delivery")
    time.sleep(1.5)  # several retries
    assert server.proc.poll() is None
    # Pointed at a live target, the waiting record is delivered.
    lam.update_event_source_mapping(UUID=mapping["UUID"], FunctionName=receiver.url)
    wait_until(lambda: receiver.records(), message="delivery after the fix")
    assert "trigger.delivery_failed" in server.stderr_text()


def test_on_failure_destination_may_be_an_http_endpoint(own_server, receiver):
    url, _ = own_server("--in-memory")
    ddb, lam = clients(url)
    table = unique_name("trig")
    arn = stream_table(ddb, table)
    destination = Receiver()
    try:
        receiver.behavior = lambda event, n: (500, None)
        ddb.put_item(TableName=table, Item={"pk": {"S": "poison"}})
        create_mapping(lam, arn, receiver.url, MaximumRetryAttempts=0,
                       DestinationConfig={"OnFailure": {"Destination": destination.url}})
        wait_until(lambda: destination.calls, message="the failure record")
        failure = destination.calls[0]
        assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
        assert failure["requestContext"]["approximateInvokeCount"] == 1
        assert failure["DDBStreamBatchInfo"]["streamArn"] == arn
        assert failure["version"] == "1.0" and "Records" not in failure
    finally:
        destination.close()
