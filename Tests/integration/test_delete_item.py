"""DeleteItem.

Sources: [DL] architect/dynalite test/deleteItem.js & test/getItem.js for
"The provided key element does not match the schema" and
"Requested resource not found"; "ReturnValues can only be ALL_OLD or NONE" is
the PutItem text from [DL] test/putItem.js (DeleteItem accepts the same two values).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


def test_delete_existing(client, table):
    key = {"pk": {"S": "del-1"}}
    client.put_item(TableName=table, Item={**key, "v": {"S": "x"}})
    resp = client.delete_item(TableName=table, Key=key)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Attributes" not in resp
    assert "Item" not in client.get_item(TableName=table, Key=key, ConsistentRead=True)


def test_delete_missing_item_is_ok(client, table):
    resp = client.delete_item(TableName=table, Key={"pk": {"S": "never-there"}})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Attributes" not in resp


def test_delete_return_all_old(client, table):
    key = {"pk": {"S": "del-old"}}
    item = {**key, "v": {"N": "42"}, "l": {"L": [{"S": "a"}]}}
    client.put_item(TableName=table, Item=item)
    resp = client.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == item


def test_delete_return_all_old_when_absent(client, table):
    resp = client.delete_item(TableName=table, Key={"pk": {"S": "del-absent"}},
                              ReturnValues="ALL_OLD")
    assert "Attributes" not in resp


def test_delete_invalid_return_values(client, table):
    with pytest.raises(ClientError) as e:
        client.delete_item(TableName=table, Key={"pk": {"S": "x"}}, ReturnValues="ALL_NEW")
    assert_error(e, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_delete_key_schema_mismatch(client, table):
    with pytest.raises(ClientError) as e:
        client.delete_item(TableName=table, Key={"pk": {"S": "x"}, "extra": {"S": "y"}})
    assert_error(e, "ValidationException", "The provided key element does not match the schema")


def test_delete_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.delete_item(TableName=unique_name("missing"), Key={"pk": {"S": "x"}})
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")
