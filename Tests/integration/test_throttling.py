"""Throughput limits (`kvserver --enforce-throughput`): provisioned tables and indexes throttle
as DynamoDB's do, and boto3 / the AWS CLI retry them with their standard retry mode.

DynamoDB keeps up to 300 seconds of unused capacity as burst
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html#burst-capacity),
lets a request through while capacity is left and charges what it consumed afterwards; so a
1-WCU table takes 300 units at once, and one write bigger than that leaves it in debt for as many
seconds as the debt is large. The tests use large items to run up that debt quickly.
"""

import os
import shutil
import subprocess
import time

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import DUMMY_KEY, DUMMY_SECRET, REGION, unique_name

TABLE_MESSAGE = ("The level of configured provisioned throughput for the table was exceeded. "
                 "Consider increasing your provisioning level with the UpdateTable API.")
INDEX_MESSAGE = ("The level of configured provisioned throughput for one or more global secondary "
                 "indexes of the table was exceeded. Consider increasing your provisioning level for "
                 "the under-provisioned global secondary indexes with the UpdateTable API")


@pytest.fixture(scope="module")
def server(request):
    from conftest import _ServerProcess, server_binary
    if os.environ.get("KVSERVER_ENDPOINT"):
        pytest.skip("needs a kvserver started with --enforce-throughput")
    process = _ServerProcess(server_binary(), ("--in-memory", "--enforce-throughput"))
    url = process.start()
    yield url
    process.stop()


def make_client(url, attempts=1, **extra):
    return boto3.client(
        "dynamodb", endpoint_url=url, region_name=REGION, aws_access_key_id=DUMMY_KEY,
        aws_secret_access_key=DUMMY_SECRET,
        config=botocore.config.Config(retries={"total_max_attempts": attempts, "mode": "standard"}, **extra))


@pytest.fixture(scope="module")
def client(server):
    return make_client(server)


def create(client, read=1, write=1, gsi_write=None):
    name = unique_name("throttle")
    args = dict(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": read, "WriteCapacityUnits": write})
    if gsi_write is not None:
        args["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        args["GlobalSecondaryIndexes"] = [{
            "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": gsi_write}}]
    client.create_table(**args)
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    return name


def big_item(key, units, **extra):
    """An item whose write costs exactly `units` WCU (1 KB each, rounded up)."""
    item = {"pk": {"S": key}, "data": {"S": "x" * (units * 1024 - 200)}}
    item.update(extra)
    return item


def test_a_table_over_its_burst_is_throttled_with_dynamodbs_error_and_nothing_is_written(client):
    name = create(client, write=1)
    # 300 s of 1 WCU are banked; a 390-unit write goes through and leaves the table 90 in debt.
    consumed = client.put_item(TableName=name, Item=big_item("big", 390), ReturnConsumedCapacity="TOTAL")
    assert consumed["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 390.0}
    with pytest.raises(ClientError) as info:
        client.put_item(TableName=name, Item={"pk": {"S": "small"}})
    error = info.value.response
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert error["Error"]["Message"] == TABLE_MESSAGE
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["ThrottlingReasons"] == [{
        "reason": "TableWriteProvisionedThroughputExceeded",
        "resource": f"arn:aws:dynamodb:{REGION}:000000000000:table/{name}"}]
    # Reads have their own capacity, and the throttled write never happened.
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "small"}}, ConsistentRead=True)


def test_consumed_capacity_is_answered_as_the_client_asked(client):
    name = create(client, read=100, write=100)
    plain = client.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert "ConsumedCapacity" not in plain
    none = client.put_item(TableName=name, Item={"pk": {"S": "a"}}, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in none
    total = client.get_item(TableName=name, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 0.5}
    indexes = client.get_item(TableName=name, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="INDEXES")
    assert indexes["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}}


def test_reads_spend_read_capacity_computed_as_consumed_capacity(client):
    name = create(client, read=1, write=10)
    client.put_item(TableName=name, Item=big_item("big", 390))
    # A strongly consistent read of a 390 KB item costs 98 RCU (4 KB blocks): 300 banked units
    # let four reads start (the fourth takes the bucket to -92); the fifth is throttled.
    for _ in range(4):
        answer = client.get_item(TableName=name, Key={"pk": {"S": "big"}}, ConsistentRead=True,
                                 ReturnConsumedCapacity="TOTAL")
        assert answer["ConsumedCapacity"]["CapacityUnits"] == 98.0
    with pytest.raises(ClientError) as info:
        client.get_item(TableName=name, Key={"pk": {"S": "big"}}, ConsistentRead=True)
    assert info.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert info.value.response["ThrottlingReasons"][0]["reason"] == "TableReadProvisionedThroughputExceeded"


def test_a_global_index_out_of_write_capacity_throttles_the_writes_that_update_it(client):
    name = create(client, write=1000, gsi_write=1)
    # The index projects everything: a 390 KB item carrying the index key costs the index 390
    # units of its 300 banked ones, leaving it 90 s in debt; the table (1000 WCU) has plenty.
    client.put_item(TableName=name, Item=big_item("big", 390, g={"S": "x"}))
    with pytest.raises(ClientError) as info:
        client.put_item(TableName=name, Item={"pk": {"S": "one-more"}, "g": {"S": "x"}})
    error = info.value.response
    assert error["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert error["Error"]["Message"] == INDEX_MESSAGE
    assert error["ThrottlingReasons"] == [{
        "reason": "IndexWriteProvisionedThroughputExceeded",
        "resource": f"arn:aws:dynamodb:{REGION}:000000000000:table/{name}/index/byG"}]
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "one-more"}})
    # A write the index does not see is not held back by it.
    client.put_item(TableName=name, Item={"pk": {"S": "no-index-key"}})


def test_update_table_applies_at_once(client):
    name = create(client, write=1)
    client.put_item(TableName=name, Item=big_item("big", 390))  # 90 s in debt at 1 WCU
    with pytest.raises(ClientError):
        client.put_item(TableName=name, Item={"pk": {"S": "a"}})
    client.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1000})
    time.sleep(0.3)  # at 1000 WCU the debt is paid in 0.09 s
    client.put_item(TableName=name, Item={"pk": {"S": "a"}})


def test_boto3_standard_retries_get_a_throttled_write_through(server, client):
    name = create(client, write=1)
    client.put_item(TableName=name, Item=big_item("big", 302))  # 2 units in debt: about 2 s at 1 WCU
    patient = make_client(server, attempts=10)
    answer = patient.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert answer["ResponseMetadata"]["RetryAttempts"] >= 1
    assert client.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_boto3_gives_up_after_max_attempts(server, client):
    name = create(client, write=1)
    client.put_item(TableName=name, Item=big_item("big", 390))  # 90 s in debt
    sent = []
    three = make_client(server, attempts=3)
    three.meta.events.register("before-send.dynamodb.PutItem", lambda **kwargs: sent.append(1))
    with pytest.raises(ClientError) as info:
        three.put_item(TableName=name, Item={"pk": {"S": "a"}})
    assert info.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sent) == 3


@pytest.mark.skipif(shutil.which("aws") is None, reason="AWS CLI not installed")
def test_aws_cli_retries_and_reports_the_throttle(server, client, tmp_path):
    name = create(client, write=1)
    client.put_item(TableName=name, Item=big_item("big", 390))
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": DUMMY_KEY, "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET, "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_PAGER": "", "AWS_RETRY_MODE": "standard", "AWS_MAX_ATTEMPTS": "2", "HOME": str(tmp_path)})
    env.pop("AWS_PROFILE", None)
    proc = subprocess.run(
        ["aws", "dynamodb", "put-item", "--table-name", name, "--item", '{"pk": {"S": "a"}}',
         "--endpoint-url", server], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert ("An error occurred (ProvisionedThroughputExceededException) when calling the PutItem operation "
            "(reached max retries: 1): " + TABLE_MESSAGE) in proc.stderr


def test_an_on_demand_maximum_throttles_with_throttling_exception(client):
    name = unique_name("throttle")
    client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        OnDemandThroughput={"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 5})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 0.2})
    described = client.describe_table(TableName=name)["Table"]
    assert described["OnDemandThroughput"] == {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": 5}
    # 5 write units a second, no burst: a 50-unit write leaves the table 45 units (9 s) in debt.
    client.put_item(TableName=name, Item=big_item("big", 50))
    with pytest.raises(ClientError) as info:
        client.put_item(TableName=name, Item={"pk": {"S": "a"}})
    error = info.value.response
    assert error["Error"]["Code"] == "ThrottlingException"
    # botocore's model spells this member `throttlingReasons` on ThrottlingException.
    assert error["throttlingReasons"] == [{
        "reason": "TableWriteMaxOnDemandThroughputExceeded",
        "resource": f"arn:aws:dynamodb:{REGION}:000000000000:table/{name}"}]
    # Reads have no maximum; raising the maximum applies at once.
    client.get_item(TableName=name, Key={"pk": {"S": "big"}})
    client.update_table(TableName=name, OnDemandThroughput={"MaxWriteRequestUnits": 1000})
    assert client.describe_table(TableName=name)["Table"]["OnDemandThroughput"]["MaxWriteRequestUnits"] == 1000
    time.sleep(0.2)
    client.put_item(TableName=name, Item={"pk": {"S": "a"}})


def test_a_batch_leaves_throttled_tables_unprocessed_and_fails_only_when_all_are(client):
    # BatchWriteItem returns what it could not write in UnprocessedItems, and answers
    # ProvisionedThroughputExceededException only when nothing could be written
    # (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html).
    tired = create(client, read=1, write=1)
    fresh = create(client, read=1, write=100)
    client.put_item(TableName=tired, Item=big_item("big", 390))  # 90 s in debt
    put_tired = {"PutRequest": {"Item": {"pk": {"S": "t"}}}}
    put_fresh = {"PutRequest": {"Item": {"pk": {"S": "f"}}}}
    answer = client.batch_write_item(RequestItems={tired: [put_tired], fresh: [put_fresh]})
    assert answer["UnprocessedItems"] == {tired: [put_tired]}
    assert client.get_item(TableName=fresh, Key={"pk": {"S": "f"}})["Item"] == {"pk": {"S": "f"}}
    assert "Item" not in client.get_item(TableName=tired, Key={"pk": {"S": "t"}})
    with pytest.raises(ClientError) as info:
        client.batch_write_item(RequestItems={tired: [put_tired]})
    assert info.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
    # Reads have their own capacity: spend the tired table's, then batch-read both tables.
    for _ in range(4):
        client.get_item(TableName=tired, Key={"pk": {"S": "big"}}, ConsistentRead=True)  # 4 x 98 RCU
    keys = {tired: {"Keys": [{"pk": {"S": "big"}}], "ConsistentRead": True}, fresh: {"Keys": [{"pk": {"S": "f"}}]}}
    got = client.batch_get_item(RequestItems=keys)
    assert got["UnprocessedKeys"] == {tired: keys[tired]}
    assert got["Responses"][fresh] == [{"pk": {"S": "f"}}]
