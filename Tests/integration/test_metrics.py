"""GET /metrics: CloudWatch's DynamoDB metrics in Prometheus form, checked against known workloads.

Metric names and meanings: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
(ConsumedRead/WriteCapacityUnits, SuccessfulRequestLatency, UserErrors, SystemErrors,
ConditionalCheckFailedRequests, ReturnedItemCount, ReturnedRecordsCount, TimeToLiveDeletedItemCount...).
"""

from __future__ import annotations

import json
import socket
import time

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from auth_support import ALLOW_ALL_POLICY, auth_server_factory  # noqa: F401 (fixture)
from metrics_support import fetch, parse, scrape, value

CONFIG = botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"})


def ddb(url: str, key: str = "AKIAMETRICSTEST00001", service: str = "dynamodb"):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key="secret", config=CONFIG)


def create(client, name: str, **kwargs):
    params = dict(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                             {"AttributeName": "sk", "KeyType": "RANGE"}],
                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                        {"AttributeName": "sk", "AttributeType": "S"}],
                  BillingMode="PAY_PER_REQUEST")
    params.update(kwargs)
    client.create_table(**params)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_consumed_capacity_equals_the_sum_returned(own_server):
    url, _ = own_server("--in-memory")
    client = ddb(url)
    create(client, "Orders",
           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
           GlobalSecondaryIndexes=[{"IndexName": "ByG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"}}])
    returned: list[dict] = []

    def keep(response):
        capacity = response.get("ConsumedCapacity")
        returned.extend(capacity if isinstance(capacity, list) else [capacity])

    for i in range(6):
        keep(client.put_item(TableName="Orders", ReturnConsumedCapacity="INDEXES",
                             Item={"pk": {"S": f"p{i % 2}"}, "sk": {"S": str(i)}, "g": {"S": "x"},
                                   "blob": {"S": "v" * (700 * i)}}))
    # Replacing a larger item with a smaller one: the larger size counts.
    keep(client.put_item(TableName="Orders", ReturnConsumedCapacity="INDEXES",
                         Item={"pk": {"S": "p1"}, "sk": {"S": "5"}, "g": {"S": "x"}}))
    keep(client.get_item(TableName="Orders", Key={"pk": {"S": "p0"}, "sk": {"S": "4"}},
                         ConsistentRead=True, ReturnConsumedCapacity="INDEXES"))
    keep(client.query(TableName="Orders", KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": {"S": "p0"}}, ReturnConsumedCapacity="INDEXES"))
    keep(client.query(TableName="Orders", IndexName="ByG", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "x"}}, ReturnConsumedCapacity="INDEXES"))
    keep(client.scan(TableName="Orders", ReturnConsumedCapacity="TOTAL"))
    keep(client.update_item(TableName="Orders", Key={"pk": {"S": "p0"}, "sk": {"S": "0"}},
                            UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "1"}},
                            ReturnConsumedCapacity="INDEXES"))
    keep(client.batch_write_item(RequestItems={"Orders": [
        {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"S": str(i)}, "g": {"S": "y"}}}} for i in range(3)]},
        ReturnConsumedCapacity="INDEXES"))
    keep(client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Orders", "Item": {"pk": {"S": "t"}, "sk": {"S": "1"}}}},
        {"Delete": {"TableName": "Orders", "Key": {"pk": {"S": "b"}, "sk": {"S": "0"}}}}],
        ReturnConsumedCapacity="INDEXES"))
    keep(client.transact_get_items(TransactItems=[
        {"Get": {"TableName": "Orders", "Key": {"pk": {"S": "t"}, "sk": {"S": "1"}}}}],
        ReturnConsumedCapacity="TOTAL"))
    keep(client.delete_item(TableName="Orders", Key={"pk": {"S": "p0"}, "sk": {"S": "2"}},
                            ReturnConsumedCapacity="INDEXES"))

    samples = scrape(url)
    reads = value(samples, "dynamodb_consumed_read_capacity_units_total", table="Orders")
    writes = value(samples, "dynamodb_consumed_write_capacity_units_total", table="Orders")
    read_ops = {"get_item", "query", "scan", "transact_get_items"}
    total = sum(c["CapacityUnits"] for c in returned)
    assert reads + writes == pytest.approx(total)
    assert reads > 0 and writes > 0
    # The index's own series holds what the responses reported for it.
    index_units = sum(c.get("GlobalSecondaryIndexes", {}).get("ByG", {}).get("CapacityUnits", 0) for c in returned)
    assert index_units > 0
    assert (value(samples, "dynamodb_consumed_write_capacity_units_total", table="Orders", index="ByG")
            + value(samples, "dynamodb_consumed_read_capacity_units_total", table="Orders", index="ByG")
            == pytest.approx(index_units))
    del read_ops


def test_capacity_is_counted_when_the_client_does_not_ask_for_it(own_server):
    url, _ = own_server("--in-memory")
    client = ddb(url)
    create(client, "Quiet")
    client.put_item(TableName="Quiet", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"S": "x" * 1500}})
    client.get_item(TableName="Quiet", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
    samples = scrape(url)
    assert value(samples, "dynamodb_consumed_write_capacity_units_total", table="Quiet", index="") == 2.0
    assert value(samples, "dynamodb_consumed_read_capacity_units_total", table="Quiet", index="") == 0.5


def test_latency_histogram_counts_every_successful_request(own_server):
    url, _ = own_server("--in-memory")
    client = ddb(url)
    create(client, "Lat")
    for i in range(7):
        client.put_item(TableName="Lat", Item={"pk": {"S": str(i)}, "sk": {"S": "s"}})
    for i in range(11):
        client.get_item(TableName="Lat", Key={"pk": {"S": str(i)}, "sk": {"S": "s"}})
    samples = scrape(url)
    name = "dynamodb_successful_request_latency_seconds"
    assert value(samples, name + "_count", operation="GetItem", table="Lat") == 11
    assert value(samples, name + "_count", operation="PutItem", table="Lat") == 7
    assert value(samples, name + "_bucket", operation="GetItem", table="Lat", le="+Inf") == 11
    assert 0 < value(samples, name + "_sum", operation="GetItem", table="Lat") < 11 * 5
    # The buckets are cumulative.
    buckets = sorted((float(l["le"]), v) for n, l, v in samples
                     if n == name + "_bucket" and l.get("operation") == "GetItem" and l.get("table") == "Lat")
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)


def test_error_counters(own_server):
    url, _ = own_server("--in-memory")
    client = ddb(url)
    create(client, "Errs")
    client.put_item(TableName="Errs", Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
    for _ in range(3):
        with pytest.raises(ClientError) as error:
            client.put_item(TableName="Errs", Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
                            ConditionExpression="attribute_not_exists(pk)")
        assert error.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    for _ in range(2):
        with pytest.raises(ClientError) as error:
            client.get_item(TableName="NoSuchTable", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
        assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        client.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": "Errs", "Key": {"pk": {"S": "a"}, "sk": {"S": "1"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}}])
    assert error.value.response["Error"]["Code"] == "TransactionCanceledException"
    samples = scrape(url)
    assert value(samples, "dynamodb_conditional_check_failed_requests_total", operation="PutItem", table="Errs") == 3
    # A table that does not exist never becomes a label.
    assert value(samples, "dynamodb_user_errors_total", operation="GetItem", table="") == 2
    assert not [l for n, l, _ in samples if l.get("table") == "NoSuchTable"]
    assert value(samples, "dynamodb_user_errors_total", operation="TransactWriteItems") == 1
    # Conditional failures are not UserErrors; failed requests are not in the latency histogram.
    assert value(samples, "dynamodb_user_errors_total", operation="PutItem") == 0
    assert value(samples, "dynamodb_successful_request_latency_seconds_count", operation="PutItem", table="Errs") == 1
    assert value(samples, "dynamodb_system_errors_total") == 0
    assert value(samples, "dynamodb_throttled_requests_total") == 0


def test_returned_items_and_stream_records(own_server):
    url, _ = own_server("--in-memory")
    client = ddb(url)
    streams = ddb(url, service="dynamodbstreams")
    create(client, "Feed", StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    for i in range(5):
        client.put_item(TableName="Feed", Item={"pk": {"S": "p"}, "sk": {"S": str(i)}})
    assert client.query(TableName="Feed", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}}, Limit=3)["Count"] == 3
    assert client.scan(TableName="Feed")["Count"] == 5
    arn = client.describe_table(TableName="Feed")["Table"]["LatestStreamArn"]
    label = client.describe_table(TableName="Feed")["Table"]["LatestStreamLabel"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = streams.get_records(ShardIterator=iterator, Limit=2)
    assert len(page["Records"]) == 2
    page2 = streams.get_records(ShardIterator=page["NextShardIterator"], Limit=10)
    assert len(page2["Records"]) == 3
    samples = scrape(url)
    assert value(samples, "dynamodb_returned_item_count_total", operation="Query", table="Feed") == 3
    assert value(samples, "dynamodb_returned_item_count_total", operation="Scan", table="Feed") == 5
    assert value(samples, "dynamodb_returned_records_count_total", operation="GetRecords", table="Feed",
                 stream=label) == 5
    assert value(samples, "dynamodb_returned_bytes_total", operation="GetRecords", table="Feed") > 0
    # After the second read the consumer has everything: 0 ms behind the newest record.
    assert value(samples, "dynamodb_stream_iterator_age_milliseconds", table="Feed", stream=label,
                 consumer="AKIAMETRICSTEST00001") == 0
    assert [l for n, l, _ in samples if n == "dynamodb_stream_iterator_age_milliseconds"]


def test_time_to_live_deletions_are_counted(own_server):
    url, _ = own_server("--in-memory", "--ttl-interval", "0.2")
    client = ddb(url)
    create(client, "Expiring")
    client.update_time_to_live(TableName="Expiring",
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    past = str(int(time.time()) - 60)
    for i in range(4):
        client.put_item(TableName="Expiring", Item={"pk": {"S": str(i)}, "sk": {"S": "s"}, "exp": {"N": past}})
    client.put_item(TableName="Expiring", Item={"pk": {"S": "keep"}, "sk": {"S": "s"},
                                                "exp": {"N": str(int(time.time()) + 3600)}})
    deadline = time.monotonic() + 15
    while client.scan(TableName="Expiring")["Count"] > 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    samples = scrape(url)
    assert value(samples, "dynamodb_time_to_live_deleted_item_count_total", table="Expiring") == 4


def test_server_gauges(own_server, tmp_path):
    url, _ = own_server("--data-dir", str(tmp_path / "data"))
    client = ddb(url)
    create(client, "Sized", BillingMode="PROVISIONED",
           ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3})
    for i in range(4):
        client.put_item(TableName="Sized", Item={"pk": {"S": str(i)}, "sk": {"S": "s"}, "v": {"S": "x" * 100}})
    samples = scrape(url)
    described = client.describe_table(TableName="Sized")["Table"]
    assert value(samples, "kvserver_table_item_count", table="Sized") == 4 == described["ItemCount"]
    assert value(samples, "kvserver_table_size_bytes", table="Sized") == described["TableSizeBytes"]
    assert value(samples, "dynamodb_provisioned_read_capacity_units", table="Sized", index="") == 7
    assert value(samples, "dynamodb_provisioned_write_capacity_units", table="Sized", index="") == 3
    assert value(samples, "kvserver_database_file_size_bytes") > 0
    assert value(samples, "kvserver_wal_size_bytes") > 0
    assert value(samples, "kvserver_open_connections") >= 1
    assert value(samples, "kvserver_group_commit_size_count") >= 5  # CreateTable's and the puts' groups
    assert value(samples, "kvserver_group_commit_latency_seconds_count") >= 5
    client.delete_table(TableName="Sized")
    samples = scrape(url)
    assert not [l for n, l, _ in samples if n == "kvserver_table_item_count" and l.get("table") == "Sized"]


def test_exposition_format(own_server):
    url, _ = own_server("--in-memory")
    status, body, headers = fetch(url + "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "# TYPE kvserver_group_commit_size histogram" in body
    parse(body)  # every line is a comment or a sample


def test_no_metrics_flag(own_server):
    url, _ = own_server("--in-memory", "--no-metrics")
    status, _, _ = fetch(url + "/metrics")
    assert status == 404


def test_metrics_port(own_server):
    port = free_port()
    url, server = own_server("--in-memory", "--metrics-port", str(port))
    client = ddb(url)
    create(client, "Sep")
    client.put_item(TableName="Sep", Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
    assert fetch(url + "/metrics")[0] == 404  # not on the API port
    deadline = time.monotonic() + 10
    while not any("metrics on" in line for line in server.stdout_lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    samples = scrape(f"http://127.0.0.1:{port}")
    assert value(samples, "dynamodb_successful_request_latency_seconds_count", operation="PutItem", table="Sep") == 1
    # The metrics listener serves no DynamoDB operations.
    with pytest.raises(ClientError) as error:
        ddb(f"http://127.0.0.1:{port}").list_tables()
    assert error.value.response["Error"]["Code"] == "UnknownOperationException"


# -- auth ---------------------------------------------------------------------------------------

ACCOUNT = "111122223333"
OPS_KEY, OPS_SECRET = "AKIAOPSMETRICS000001", "ops-secret"
APP_KEY, APP_SECRET = "AKIAAPPMETRICS000001", "app-secret"
GET_ONLY = {"Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}
METRICS_ONLY = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetMetrics", "Resource": "*"}]}


def auth_config(app_policy) -> dict:
    return {"identities": [
        {"arn": f"arn:aws:iam::{ACCOUNT}:user/ops", "keys": [{"accessKeyId": OPS_KEY, "secretAccessKey": OPS_SECRET}],
         "policies": [ALLOW_ALL_POLICY]},
        {"arn": f"arn:aws:iam::{ACCOUNT}:user/app", "keys": [{"accessKeyId": APP_KEY, "secretAccessKey": APP_SECRET}],
         "policies": [app_policy]},
    ]}


def test_metrics_are_protected_by_auth(auth_server_factory):
    server = auth_server_factory(auth_config(GET_ONLY))
    status, body, _ = fetch(server.endpoint + "/metrics")
    assert status in (400, 403), body
    assert "dynamodb_" not in body
    status, body, _ = fetch(server.endpoint + "/metrics", OPS_KEY, "wrong-secret")
    assert status in (400, 403) and "dynamodb_" not in body
    status, body, _ = fetch(server.endpoint + "/metrics", APP_KEY, APP_SECRET)
    assert status == 400 and "AccessDeniedException" in body and "dynamodb:GetMetrics" in body
    status, body, _ = fetch(server.endpoint + "/metrics", OPS_KEY, OPS_SECRET)
    assert status == 200 and "# TYPE" in body


def test_get_metrics_action_alone_allows_scraping(auth_server_factory):
    port = free_port()
    server = auth_server_factory(auth_config(METRICS_ONLY), extra_args=["--metrics-port", str(port)])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status, body, _ = fetch(f"http://127.0.0.1:{port}/metrics", APP_KEY, APP_SECRET)
        if status != 0:
            break
    assert status == 200, body
    assert fetch(f"http://127.0.0.1:{port}/metrics")[0] in (400, 403)


# -- access log ---------------------------------------------------------------------------------

def test_access_log_lines_and_no_item_values(own_server, tmp_path):
    path = tmp_path / "access.log"
    url, server = own_server("--in-memory", "--access-log", str(path))
    client = ddb(url)
    create(client, "Logged")
    secret = "TOP-SECRET-VALUE-4242"
    put = client.put_item(TableName="Logged", ReturnConsumedCapacity="TOTAL",
                          Item={"pk": {"S": secret}, "sk": {"S": "1"}, "card": {"S": secret}})
    client.get_item(TableName="Logged", Key={"pk": {"S": secret}, "sk": {"S": "1"}})
    with pytest.raises(ClientError):
        client.put_item(TableName="Logged", Item={"pk": {"S": secret}, "sk": {"S": "1"}},
                        ConditionExpression="attribute_not_exists(pk) AND card <> :c",
                        ExpressionAttributeValues={":c": {"S": secret}})
    deadline = time.monotonic() + 10
    lines: list[dict] = []
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        lines = [json.loads(line) for line in text.splitlines()]
        if len(lines) >= 4:
            break
        time.sleep(0.1)
    assert secret not in path.read_text()
    by_op = {}
    for line in lines:
        by_op.setdefault(line["operation"], []).append(line)
    ok = by_op["PutItem"][0]
    assert ok["table"] == "Logged" and ok["status"] == 200 and ok["errorType"] is None
    assert ok["consumedCapacity"] == put["ConsumedCapacity"]["CapacityUnits"]
    assert ok["bytesIn"] > 0 and ok["bytesOut"] > 0 and ok["latencyMs"] >= 0
    assert ok["requestId"] == put["ResponseMetadata"]["RequestId"]
    assert ok["time"].endswith("Z") and "T" in ok["time"]
    assert "fault" not in ok
    failed = by_op["PutItem"][1]
    assert failed["status"] == 400 and failed["errorType"] == "ConditionalCheckFailedException"
    assert by_op["GetItem"][0]["status"] == 200
    assert set(ok) == {"time", "requestId", "operation", "table", "status", "errorType", "latencyMs",
                       "consumedCapacity", "bytesIn", "bytesOut"}


def test_access_log_reopens_on_sighup(own_server, tmp_path):
    import os
    import signal
    path = tmp_path / "access.log"
    url, server = own_server("--in-memory", "--access-log", str(path))
    client = ddb(url)
    client.list_tables()
    deadline = time.monotonic() + 10
    while (not path.exists() or not path.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    rotated = tmp_path / "access.log.1"
    path.rename(rotated)
    os.kill(server.proc.pid, signal.SIGHUP)
    time.sleep(0.3)
    client.list_tables()
    client.list_tables()
    deadline = time.monotonic() + 10
    while (not path.exists() or not path.read_text()) and time.monotonic() < deadline:
        client.list_tables()
        time.sleep(0.1)
    assert path.exists() and "ListTables" in path.read_text()
    assert "ListTables" in rotated.read_text()


# -- kvctl metrics / top -------------------------------------------------------------------------

def _kvctl(*args, endpoint: str, key: str = "AKIAMETRICSTEST00001", secret: str = "secret"):
    import os
    import subprocess
    from test_kvctl import _find_binary
    env = dict(os.environ, AWS_ENDPOINT_URL_DYNAMODB=endpoint, AWS_ACCESS_KEY_ID=key,
               AWS_SECRET_ACCESS_KEY=secret, AWS_REGION="us-east-1")
    return subprocess.run([_find_binary("kvctl"), *args], env=env, capture_output=True, text=True, timeout=60)


def test_kvctl_metrics_snapshot(own_server):
    url, _ = own_server("--in-memory")
    client = ddb(url)
    create(client, "Snap")
    client.put_item(TableName="Snap", Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
    proc = _kvctl("metrics", "--output", "json", endpoint=url)
    assert proc.returncode == 0, proc.stderr
    samples = json.loads(proc.stdout)
    counts = [s for s in samples if s["name"] == "dynamodb_successful_request_latency_seconds_count"
              and s["labels"] == {"operation": "PutItem", "table": "Snap"}]
    assert len(counts) == 1 and counts[0]["value"] == 1
    proc = _kvctl("metrics", "--prefix", "kvserver_table_item_count", "--output", "table", endpoint=url)
    assert proc.returncode == 0, proc.stderr
    assert "table=Snap" in proc.stdout and proc.stdout.splitlines()[0].split() == ["NAME", "LABELS", "VALUE"]


def test_kvctl_metrics_port_and_errors(own_server):
    port = free_port()
    url, _ = own_server("--in-memory", "--metrics-port", str(port))
    time.sleep(0.3)
    proc = _kvctl("metrics", "--metrics-url", f"http://127.0.0.1:{port}/metrics", "--output", "json", endpoint=url)
    assert proc.returncode == 0, proc.stderr
    assert any(s["name"] == "kvserver_open_connections" for s in json.loads(proc.stdout))
    proc = _kvctl("metrics", endpoint=url)  # the API port serves no /metrics here
    assert proc.returncode == 1 and "HTTP 404" in proc.stderr


def test_kvctl_top_once(own_server):
    import threading
    url, _ = own_server("--in-memory")
    client = ddb(url)
    create(client, "Busy")
    client.put_item(TableName="Busy", Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
    stop = threading.Event()

    def load():
        worker = ddb(url)
        while not stop.is_set():
            worker.get_item(TableName="Busy", Key={"pk": {"S": "a"}, "sk": {"S": "1"}})

    thread = threading.Thread(target=load)
    thread.start()
    try:
        proc = _kvctl("top", "--once", "--interval", "1", "--output", "json", endpoint=url)
    finally:
        stop.set()
        thread.join()
    assert proc.returncode == 0, proc.stderr
    view = json.loads(proc.stdout)
    get = [row for row in view["operations"] if row["operation"] == "GetItem" and row["table"] == "Busy"]
    assert get and get[0]["requestsPerSecond"] > 5 and get[0]["p99Ms"] is not None
    assert get[0]["errors"] == 0 and get[0]["throttles"] == 0
    busy = [row for row in view["tables"] if row["table"] == "Busy"]
    assert busy and busy[0]["readUnitsPerSecond"] > 0
    proc = _kvctl("top", "--once", "--interval", "0.5", "--output", "table", endpoint=url)
    assert proc.returncode == 0, proc.stderr
    assert "OPERATION" in proc.stdout and "P99 MS" in proc.stdout


def test_kvctl_metrics_under_auth(auth_server_factory):
    server = auth_server_factory(auth_config(GET_ONLY))
    proc = _kvctl("metrics", "--output", "json", endpoint=server.endpoint, key=OPS_KEY, secret=OPS_SECRET)
    assert proc.returncode == 0, proc.stderr
    proc = _kvctl("metrics", endpoint=server.endpoint, key=APP_KEY, secret=APP_SECRET)
    assert proc.returncode == 1 and "AccessDenied" in proc.stderr


def test_rejected_signatures_count_as_user_errors(auth_server_factory):
    # CloudWatch: UserErrors include "an incorrect request signature".
    server = auth_server_factory(auth_config(GET_ONLY))
    bad = server.client(OPS_KEY, "not-the-secret")
    for _ in range(2):
        with pytest.raises(ClientError):
            bad.list_tables()
    samples = scrape(server.endpoint, OPS_KEY, OPS_SECRET)
    assert value(samples, "dynamodb_user_errors_total", operation="ListTables", table="") == 2
