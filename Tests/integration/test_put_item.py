"""PutItem.

Sources: [DL] architect/dynalite test/putItem.js (recorded from DynamoDB):
"One or more parameter values were invalid: Missing the key <k> in the item",
"One or more parameter values were invalid: Type mismatch for key <k> expected: S actual: N",
"ReturnValues can only be ALL_OLD or NONE", "Requested resource not found".
Note: nubo-db/dynoxide (src/actions/put_item.rs) reports that, in at least one
region, DynamoDB has started to wrap the ReturnValues text as
"1 validation error detected: ReturnValues can only be ALL_OLD or NONE"; we keep
the long-standing text here.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


@pytest.fixture(scope="module")
def range_table(module_tables):
    return module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))


def test_put_and_get(client, table):
    item = {"pk": {"S": "put-basic"}, "a": {"S": "x"}, "n": {"N": "5"}}
    resp = client.put_item(TableName=table, Item=item)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "Attributes" not in resp
    got = client.get_item(TableName=table, Key={"pk": {"S": "put-basic"}}, ConsistentRead=True)
    assert got["Item"] == item


def test_put_replaces_whole_item(client, table):
    key = {"pk": {"S": "put-replace"}}
    client.put_item(TableName=table, Item={**key, "a": {"S": "1"}, "b": {"S": "2"}})
    client.put_item(TableName=table, Item={**key, "c": {"S": "3"}})
    got = client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
    assert got == {**key, "c": {"S": "3"}}


def test_put_return_values_all_old(client, table):
    key = {"pk": {"S": "put-all-old"}}
    first = {**key, "v": {"N": "1"}}
    resp = client.put_item(TableName=table, Item=first, ReturnValues="ALL_OLD")
    assert "Attributes" not in resp  # nothing was there before
    resp = client.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == first


def test_put_return_values_none(client, table):
    key = {"pk": {"S": "put-none"}}
    client.put_item(TableName=table, Item={**key, "v": {"N": "1"}})
    resp = client.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ReturnValues="NONE")
    assert "Attributes" not in resp


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_invalid_return_values(client, table, rv):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "rv"}}, ReturnValues=rv)
    assert_error(e, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_put_missing_hash_key(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"other": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Missing the key pk in the item")


def test_put_missing_range_key(client, range_table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=range_table, Item={"pk": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Missing the key sk in the item")


def test_put_wrong_hash_key_type(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for key pk "
                 "expected: S actual: N")


def test_put_wrong_range_key_type(client, range_table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=range_table, Item={"pk": {"S": "x"}, "sk": {"S": "1"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for key sk "
                 "expected: N actual: S")


def test_put_range_items_are_distinct(client, range_table):
    for i in (1, 2):
        client.put_item(TableName=range_table,
                        Item={"pk": {"S": "same"}, "sk": {"N": str(i)}, "v": {"N": str(i * 10)}})
    got = client.get_item(TableName=range_table, Key={"pk": {"S": "same"}, "sk": {"N": "2"}},
                          ConsistentRead=True)["Item"]
    assert got["v"] == {"N": "20"}


def test_put_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=unique_name("missing"), Item={"pk": {"S": "x"}})
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_put_by_table_arn(client, table):
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    client.put_item(TableName=arn, Item={"pk": {"S": "by-arn"}})
    got = client.get_item(TableName=table, Key={"pk": {"S": "by-arn"}}, ConsistentRead=True)
    assert got["Item"] == {"pk": {"S": "by-arn"}}


def test_put_via_resource(resource, table):
    t = resource.Table(table)
    t.put_item(Item={"pk": "res", "n": 3, "s": {"a", "b"}})
    item = t.get_item(Key={"pk": "res"}, ConsistentRead=True)["Item"]
    assert item == {"pk": "res", "n": 3, "s": {"a", "b"}}
