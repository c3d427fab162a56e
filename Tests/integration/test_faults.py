"""Fault injection (`kvserver --faults FILE`, `/admin/faults`, `kvctl faults`): chosen requests
fail with DynamoDB's errors, slow down, or lose their connection before or after the write
commits; boto3 sees each error as DynamoDB's and retries what its standard retry mode retries
(botocore/retries/standard.py: throttling codes and 5xx statuses; not TransactionConflictException).
Error texts: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
"""

import json
import os
import time

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import botocore.exceptions
import pytest
import urllib3
from botocore.exceptions import ClientError

from conftest import DUMMY_KEY, DUMMY_SECRET, REGION, _ServerProcess, server_binary, unique_name

# kind -> (HTTP status, message, retried by boto3's standard mode)
ERRORS = {
    "InternalServerError": (500, "Internal server error", True),
    "ServiceUnavailable": (503, "DynamoDB is currently unavailable. (This should be a temporary state.)", True),
    "ThrottlingException": (400, "Rate of requests exceeds the allowed throughput.", True),
    "ProvisionedThroughputExceededException": (
        400, "The level of configured provisioned throughput for the table was exceeded. "
             "Consider increasing your provisioning level with the UpdateTable API.", True),
    "TransactionConflictException": (400, "Transaction is ongoing for the item", False),
    "RequestLimitExceeded": (
        400, "Throughput exceeds the current throughput limit for your account. Please contact AWS Support "
             "at https://aws.amazon.com/support request a limit increase", True),
}


@pytest.fixture(scope="module")
def faults_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("faults") / "faults.json"
    path.write_text(json.dumps({"faults": [{"operation": "DescribeLimits", "latencyMs": 1}]}))
    return path


@pytest.fixture(scope="module")
def server(faults_file):
    if os.environ.get("KVSERVER_ENDPOINT"):
        pytest.skip("needs a kvserver started with --faults")
    process = _ServerProcess(server_binary(), ("--in-memory", "--faults", str(faults_file)))
    url = process.start()
    yield url
    process.stop()


def make_client(url, attempts=1):
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name=REGION, aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_SECRET,
        config=botocore.config.Config(retries={"total_max_attempts": attempts, "mode": "standard"}, read_timeout=10))


@pytest.fixture(scope="module")
def client(server):
    return make_client(server)


class Answer:
    def __init__(self, response):
        self.status_code = response.status
        self.text = response.data.decode()

    def json(self):
        return json.loads(self.text)


HTTP = urllib3.PoolManager(retries=False)


def http(method, url, data=b"", headers=None):
    return Answer(HTTP.request(method, url, body=data or None, headers=headers or {}))


class Admin:
    """Signed requests to /admin/faults."""

    def __init__(self, url):
        self.url = url
        self.credentials = botocore.credentials.Credentials(DUMMY_KEY, DUMMY_SECRET)

    def send(self, method, body=None):
        data = json.dumps(body).encode() if body is not None else b""
        headers = {"Content-Type": "application/json"} if body is not None else {}
        request = botocore.awsrequest.AWSRequest(method=method, url=self.url + "/admin/faults", data=data, headers=headers)
        botocore.auth.SigV4Auth(self.credentials, "dynamodb", REGION).add_auth(request)
        return http(method, self.url + "/admin/faults", data=data, headers=dict(request.headers.items()))

    def set(self, *rules):
        answer = self.send("PUT", {"faults": list(rules)})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def clear(self):
        assert self.send("DELETE").status_code == 200


@pytest.fixture
def admin(server):
    admin = Admin(server)
    yield admin
    admin.clear()


@pytest.fixture(scope="module")
def table(client):
    name = unique_name("faults")
    client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    return name


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_each_error_kind_reaches_boto3_as_dynamodbs_error(server, client, admin, table, kind):
    status, message, retried = ERRORS[kind]
    admin.set({"operation": "GetItem", "table": table, "error": kind})
    with pytest.raises(ClientError) as info:
        client.get_item(TableName=table, Key={"pk": {"S": "a"}})
    error = info.value.response
    assert error["Error"]["Code"] == kind
    assert error["Error"]["Message"] == message
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    # Standard retry mode: retried kinds are sent max_attempts times, the others once.
    retrying = make_client(server, attempts=3)
    with pytest.raises(ClientError) as info:
        retrying.get_item(TableName=table, Key={"pk": {"S": "a"}})
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == (2 if retried else 0)
    # Other operations and tables are untouched.
    client.put_item(TableName=table, Item={"pk": {"S": "a"}})


def test_every_nth_request_fails_and_retries_get_through(server, client, admin, table):
    admin.set({"operation": "PutItem", "table": "*", "everyNth": 2, "error": "InternalServerError"})
    outcomes = []
    for i in range(4):
        try:
            client.put_item(TableName=table, Item={"pk": {"S": f"n{i}"}})
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    assert outcomes == ["ok", "InternalServerError", "ok", "InternalServerError"]
    # The next request is the 5th (ok); a retrying client meets the 6th (fails) and gets through on the 7th.
    client.put_item(TableName=table, Item={"pk": {"S": "n5"}})
    answer = make_client(server, attempts=3).put_item(TableName=table, Item={"pk": {"S": "n6"}})
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1


def test_latency_is_added(client, admin, table):
    client.put_item(TableName=table, Item={"pk": {"S": "slow"}})
    admin.set({"operation": "GetItem", "table": table, "latencyMs": 400})
    start = time.monotonic()
    answer = client.get_item(TableName=table, Key={"pk": {"S": "slow"}})
    assert time.monotonic() - start >= 0.4
    assert answer["Item"] == {"pk": {"S": "slow"}}


def test_drop_after_commit_leaves_the_write_in_place(client, admin, table):
    admin.set({"operation": "PutItem", "table": table, "drop": "afterCommit"})
    with pytest.raises((botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        client.put_item(TableName=table, Item={"pk": {"S": "after"}})
    admin.clear()
    assert client.get_item(TableName=table, Key={"pk": {"S": "after"}}, ConsistentRead=True)["Item"] == {"pk": {"S": "after"}}


def test_drop_before_commit_writes_nothing(client, admin, table):
    admin.set({"operation": "PutItem", "table": table, "drop": "beforeCommit"})
    with pytest.raises((botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)):
        client.put_item(TableName=table, Item={"pk": {"S": "before"}})
    admin.clear()
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "before"}}, ConsistentRead=True)


def test_admin_endpoint_lists_sets_and_clears(admin):
    answer = admin.set({"operation": "Query", "table": "T", "probability": 0.5, "latencyMs": 10})
    assert answer == {"faults": [{"operation": "Query", "table": "T", "probability": 0.5, "latencyMs": 10}]}
    assert admin.send("GET").json() == answer
    bad = admin.send("PUT", {"faults": [{"operation": "Query", "error": "Nope"}]})
    assert bad.status_code == 400
    assert bad.json()["__type"] == "ValidationException"
    assert "faults[0].error" in bad.json()["message"]
    assert admin.send("GET").json() == answer  # a bad document changes nothing
    assert admin.send("DELETE").json() == {"faults": []}
    unsigned = http("GET", admin.url + "/admin/faults")
    assert unsigned.status_code == 400
    assert "MissingAuthenticationToken" in unsigned.text


def test_the_faults_file_is_reloaded_when_it_changes(client, admin, table, faults_file):
    faults_file.write_text(json.dumps({"faults": [{"operation": "DeleteItem", "table": table, "error": "ThrottlingException"}]}))
    deadline = time.monotonic() + 10
    while True:
        try:
            client.delete_item(TableName=table, Key={"pk": {"S": "x"}})
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ThrottlingException"
            break
        assert time.monotonic() < deadline, "the changed faults file was not picked up"
        time.sleep(0.2)
    # A broken file keeps the rules in force.
    faults_file.write_text("{not json")
    time.sleep(1.5)
    with pytest.raises(ClientError):
        client.delete_item(TableName=table, Key={"pk": {"S": "x"}})


def test_kvctl_faults_set_list_clear(server, admin, tmp_path):
    import subprocess
    from test_kvctl import _find_binary
    env = dict(os.environ)
    env.update({"AWS_ENDPOINT_URL_DYNAMODB": server, "AWS_ACCESS_KEY_ID": DUMMY_KEY,
                "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET, "AWS_REGION": REGION})

    def kvctl(*args, input=None):
        proc = subprocess.run([_find_binary("kvctl"), "faults", *args, "--output", "jsonl"], env=env,
                              input=input, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"faults": [{"operation": "PutItem", "everyNth": 3, "error": "ThrottlingException"}]}))
    expected = {"faults": [{"operation": "PutItem", "table": "*", "everyNth": 3, "error": "ThrottlingException"}]}
    assert kvctl("set", str(rules)) == expected
    assert kvctl("list") == expected
    assert admin.send("GET").json() == expected
    assert kvctl("set", "-", input=json.dumps({"faults": [{"latencyMs": 5}]})) == {
        "faults": [{"operation": "*", "table": "*", "latencyMs": 5}]}
    assert kvctl("clear") == {"faults": []}
    assert kvctl("list") == {"faults": []}
    # A bad rule is refused with the reason, and kvctl exits 1.
    rules.write_text(json.dumps({"faults": [{"drop": "sometime"}]}))
    proc = subprocess.run([_find_binary("kvctl"), "faults", "set", str(rules)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "ValidationException" in proc.stderr and "faults[0].drop" in proc.stderr


def test_admin_faults_is_authorized_when_auth_is_on(auth_server_factory):
    """With --auth, /admin/faults needs a verified identity whose policy allows dynamodb:PutFaults
    (GetFaults, DeleteFaults); an unknown key or a policy without it is refused."""
    reader_policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:GetFaults"], "Resource": "*"}]}
    server = auth_server_factory({"identities": [
        {"arn": "arn:aws:iam::000000000000:user/ops", "keys": [{"accessKeyId": "AKIAOPS0000000000001", "secretAccessKey": "ops-secret"}],
         "policies": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}]},
        {"arn": "arn:aws:iam::000000000000:user/reader", "keys": [{"accessKeyId": "AKIAREADER0000000001", "secretAccessKey": "reader-secret"}],
         "policies": [reader_policy]},
    ]})

    def admin_as(key, secret):
        admin = Admin(server.endpoint)
        admin.credentials = botocore.credentials.Credentials(key, secret)
        return admin

    ops = admin_as("AKIAOPS0000000000001", "ops-secret")
    reader = admin_as("AKIAREADER0000000001", "reader-secret")
    stranger = admin_as("AKIASTRANGER00000001", "nope")
    rule = {"operation": "GetItem", "latencyMs": 1}
    assert ops.send("PUT", {"faults": [rule]}).status_code == 200
    assert reader.send("GET").json()["faults"][0]["operation"] == "GetItem"
    denied = reader.send("PUT", {"faults": []})
    assert denied.status_code == 400
    assert "AccessDeniedException" in denied.text and "dynamodb:PutFaults" in denied.text
    assert reader.send("DELETE").status_code == 400
    unknown = stranger.send("GET")
    assert unknown.status_code == 400 and "UnrecognizedClientException" in unknown.text
    assert ops.send("GET").json()["faults"] == [{"operation": "GetItem", "table": "*", "latencyMs": 1}]


def test_sighup_reloads_the_faults_file(tmp_path):
    import signal
    path = tmp_path / "faults.json"
    rule = {"operation": "ListTablez", "error": "ServiceUnavailable"}  # matches nothing
    path.write_text(json.dumps({"faults": [rule]}))
    process = _ServerProcess(server_binary(), ("--in-memory", "--faults", str(path)))
    url = process.start()
    try:
        ddb = make_client(url)
        ddb.list_tables()
        # Rewritten in place with the same size and modification time: the change watcher cannot
        # see it (same inode, size and mtime), only SIGHUP can.
        stat = path.stat()
        rule["operation"] = "ListTables"
        path.write_text(json.dumps({"faults": [rule]}))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert path.stat().st_ino == stat.st_ino and path.stat().st_size == stat.st_size
        time.sleep(1.5)
        ddb.list_tables()  # not picked up without the signal
        os.kill(process.proc.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        while True:
            try:
                ddb.list_tables()
            except ClientError as error:
                assert error.response["Error"]["Code"] == "ServiceUnavailable"
                break
            assert time.monotonic() < deadline, "SIGHUP did not reload the faults file"
            time.sleep(0.2)
    finally:
        process.stop()


def test_injected_faults_are_counted_and_marked_in_the_access_log(own_server, tmp_path):
    """Each injected fault shows in `kvserver_injected_faults_total` (by operation and kind) and
    in the access log's `fault` field (README "Metrics and access log")."""
    rules = tmp_path / "faults.json"
    rules.write_text(json.dumps({"faults": [{"operation": "PutItem", "table": "Faulty", "error": "InternalServerError"}]}))
    log = tmp_path / "access.log"
    url, _ = own_server("--in-memory", "--faults", str(rules), "--access-log", str(log))
    client = make_client(url)
    client.create_table(TableName="Faulty", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    for _ in range(2):
        with pytest.raises(ClientError) as failed:
            client.put_item(TableName="Faulty", Item={"pk": {"S": "a"}})
        assert failed.value.response["Error"]["Code"] == "InternalServerError"
    client.get_item(TableName="Faulty", Key={"pk": {"S": "a"}})

    exposition = urllib3.PoolManager().request("GET", url + "/metrics").data.decode()
    counted = [line for line in exposition.splitlines() if line.startswith("kvserver_injected_faults_total{")]
    assert len(counted) == 1, counted
    assert 'operation="PutItem"' in counted[0] and 'kind="error:InternalServerError"' in counted[0]
    assert counted[0].split()[-1] in ("2", "2.0")

    deadline = time.monotonic() + 10
    lines = []
    while time.monotonic() < deadline:
        lines = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        if len([line for line in lines if line["operation"] in ("PutItem", "GetItem")]) >= 3:
            break
        time.sleep(0.1)
    puts = [line for line in lines if line["operation"] == "PutItem"]
    assert [line.get("fault") for line in puts] == ["error:InternalServerError"] * 2
    assert all(line["status"] == 500 for line in puts)
    assert all("fault" not in line for line in lines if line["operation"] == "GetItem")
