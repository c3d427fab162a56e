"""UpdateItem (and a transaction's Update) that changes nothing on a missing item.

Source: ScyllaDB Alternator, recorded against DynamoDB (scylladb/scylladb#5862, test/alternator/
test_update_item.py): "If the update requests just to delete an attribute from a specific item,
then if the item did not previously exist, it is not created", while "an update with nothing does
create" the item with its key (test_empty_update). No item means no `Attributes` for ALL_NEW /
ALL_OLD and no stream record (a write that changes nothing writes none:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html).
"""

import uuid

import pytest

from streams_support import read_all


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"), StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})


def key():
    return {"pk": {"S": uuid.uuid4().hex}}


def records_for(client, streams, table, k):
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    return [r for r in read_all(streams, arn) if r["dynamodb"]["Keys"] == k]


@pytest.fixture(scope="module")
def streams(boto_session, endpoint):
    import botocore.config
    return boto_session.client("dynamodbstreams", endpoint_url=endpoint,
                               config=botocore.config.Config(retries={"max_attempts": 1}))


@pytest.mark.parametrize("kwargs", [
    {"UpdateExpression": "REMOVE a"},
    {"UpdateExpression": "REMOVE a, b.c[1]"},
    {"UpdateExpression": "DELETE s :v", "ExpressionAttributeValues": {":v": {"SS": ["x"]}}},
    {"UpdateExpression": "REMOVE a DELETE s :v", "ExpressionAttributeValues": {":v": {"NS": ["1"]}}},
    {"AttributeUpdates": {"a": {"Action": "DELETE"}}},
])
@pytest.mark.parametrize("returns", ["ALL_NEW", "ALL_OLD", "UPDATED_NEW", "NONE"])
def test_remove_only_update_creates_no_item(client, streams, table, kwargs, returns):
    k = key()
    resp = client.update_item(TableName=table, Key=k, ReturnValues=returns, **kwargs)
    assert "Attributes" not in resp
    assert "Item" not in client.get_item(TableName=table, Key=k, ConsistentRead=True)
    assert records_for(client, streams, table, k) == []


def test_update_without_actions_creates_the_key_only_item(client, streams, table):
    k = key()
    resp = client.update_item(TableName=table, Key=k, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == k
    assert client.get_item(TableName=table, Key=k, ConsistentRead=True)["Item"] == k
    assert [r["eventName"] for r in records_for(client, streams, table, k)] == ["INSERT"]


def test_remove_on_an_existing_item_still_writes(client, streams, table):
    k = key()
    client.put_item(TableName=table, Item={**k, "a": {"S": "x"}})
    resp = client.update_item(TableName=table, Key=k, UpdateExpression="REMOVE a", ReturnValues="ALL_NEW")
    assert resp["Attributes"] == k
    assert [r["eventName"] for r in records_for(client, streams, table, k)] == ["INSERT", "MODIFY"]


def test_remove_only_update_with_passing_condition_creates_no_item(client, table):
    k = key()
    client.update_item(TableName=table, Key=k, UpdateExpression="REMOVE a",
                       ConditionExpression="attribute_not_exists(pk)")
    assert "Item" not in client.get_item(TableName=table, Key=k, ConsistentRead=True)


def test_remove_only_update_still_counts_a_write(client, table):
    resp = client.update_item(TableName=table, Key=key(), UpdateExpression="REMOVE a",
                              ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_transaction_remove_only_update_creates_no_item(client, streams, table):
    k = key()
    client.transact_write_items(TransactItems=[{"Update": {
        "TableName": table, "Key": k, "UpdateExpression": "REMOVE a"}}])
    assert "Item" not in client.get_item(TableName=table, Key=k, ConsistentRead=True)
    assert records_for(client, streams, table, k) == []
