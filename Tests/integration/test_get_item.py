"""GetItem.

Sources: [DL] architect/dynalite test/getItem.js: "The provided key element does
not match the schema", "Requested resource not found"; both also in
[MO] moto/dynamodb/exceptions.py.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name

SCHEMA_MSG = "The provided key element does not match the schema"


@pytest.fixture(scope="module")
def table(module_tables, client):
    name = module_tables.create(hash_key=("pk", "S"))
    client.put_item(TableName=name, Item={
        "pk": {"S": "k1"}, "a": {"S": "A"}, "b": {"N": "2"}, "c": {"BOOL": True},
        "name": {"S": "reserved-word attribute"}})
    return name


@pytest.fixture(scope="module")
def range_table(module_tables, client):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "S"))
    client.put_item(TableName=name, Item={"pk": {"S": "h"}, "sk": {"S": "r"}, "v": {"S": "x"}})
    return name


def test_get_existing(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "k1"}})
    assert resp["Item"]["a"] == {"S": "A"}


@pytest.mark.parametrize("consistent", [True, False])
def test_get_consistent_read(client, table, consistent):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "k1"}}, ConsistentRead=consistent)
    assert resp["Item"]["pk"] == {"S": "k1"}


def test_get_missing_item_has_no_item_key(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "nope"}}, ConsistentRead=True)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Item" not in resp


def test_get_projection_expression(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "k1"}},
                           ProjectionExpression="a, c", ConsistentRead=True)
    assert resp["Item"] == {"a": {"S": "A"}, "c": {"BOOL": True}}


def test_get_projection_with_names(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "k1"}},
                           ProjectionExpression="#n, pk",
                           ExpressionAttributeNames={"#n": "name"}, ConsistentRead=True)
    assert resp["Item"] == {"pk": {"S": "k1"}, "name": {"S": "reserved-word attribute"}}


def test_get_projection_of_missing_attribute(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "k1"}},
                           ProjectionExpression="zzz", ConsistentRead=True)
    assert resp["Item"] == {}


def test_get_extra_key_attribute(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"pk": {"S": "k1"}, "a": {"S": "A"}})
    assert_error(e, "ValidationException", SCHEMA_MSG)


def test_get_missing_range_key(client, range_table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=range_table, Key={"pk": {"S": "h"}})
    assert_error(e, "ValidationException", SCHEMA_MSG)


def test_get_wrong_key_name(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"other": {"S": "k1"}})
    assert_error(e, "ValidationException", SCHEMA_MSG)


def test_get_wrong_key_type(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key={"pk": {"N": "1"}})
    assert_error(e, "ValidationException", SCHEMA_MSG)


def test_get_range_item(client, range_table):
    resp = client.get_item(TableName=range_table, Key={"pk": {"S": "h"}, "sk": {"S": "r"}},
                           ConsistentRead=True)
    assert resp["Item"]["v"] == {"S": "x"}


def test_get_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=unique_name("missing"), Key={"pk": {"S": "x"}})
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_get_by_table_arn(client, table):
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    resp = client.get_item(TableName=arn, Key={"pk": {"S": "k1"}}, ConsistentRead=True)
    assert resp["Item"]["a"] == {"S": "A"}
