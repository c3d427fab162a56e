"""Exact error texts and check order that the Parity Suite pins down.

Source: the Parity Suite (nubo-db/dynamodb-conformance at 0ba4393, every test validated
against real DynamoDB; not part of this repository, see Scripts/conformance.sh), files
tier2/tags/basic, tier3/error-messages/{createTable,putItem,query,transactGetItems} and
tier3/validation-ordering/query. Where dynoxide (nubo-db/dynoxide, which passes the whole
suite) records the same text, the source file is named beside the test.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import VALIDATION_TYPE, assert_error, unique_name

ACCOUNT_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/{}"


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


@pytest.fixture(scope="module")
def composite(module_tables):
    return module_tables.create(hash_key=("pk", "S"), range_key=("sk", "S"))


# ---- Tags (tier2/tags/basic) ----

def test_tag_resource_with_a_string_that_is_no_arn(client):
    with pytest.raises(ClientError) as e:
        client.tag_resource(ResourceArn="not-a-valid-arn", Tags=[{"Key": "env", "Value": "test"}])
    assert_error(e, "ValidationException", "Invalid TableArn: Invalid ResourceArn provided as input not-a-valid-arn")


def test_list_tags_of_a_table_that_does_not_exist_is_access_denied(client):
    # dynoxide src/actions/list_tags_of_resource.rs answers the same way.
    arn = ACCOUNT_ARN.format(unique_name())
    with pytest.raises(ClientError) as e:
        client.list_tags_of_resource(ResourceArn=arn)
    assert_error(e, "AccessDeniedException",
                 f"User: arn:aws:iam::000000000000:root is not authorized to perform: "
                 f"dynamodb:ListTagsOfResource on resource: {arn}")


# ---- CreateTable (tier3/error-messages/createTable) ----

def test_create_table_without_table_name(raw_http):
    # boto3 would refuse to send this, hence raw HTTP.
    resp = raw_http.post("CreateTable", {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        "BillingMode": "bogus"})
    assert resp.status == 400
    assert resp.json() == {"__type": VALIDATION_TYPE,
                           "message": "The parameter 'TableName' is required but was not present in the request"}


# ---- PutItem (tier3/error-messages/putItem, validation-ordering/putItem) ----

def test_put_item_with_empty_table_name(client):
    # dynoxide src/validation.rs: an item operation checks the pattern only on a non-empty name.
    with pytest.raises(ClientError) as e:
        client.put_item(TableName="", Item={"pk": {"S": "test"}})
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: "
                 "Member must have length greater than or equal to 1")


# ---- Query Limit (tier3/error-messages/query, validation-ordering/query) ----

LIMIT_TEXT = ("1 validation error detected: Value at 'Limit' failed to satisfy constraint: "
              "Member must have value greater than or equal to 1")


def test_query_limit_zero(client, composite):
    with pytest.raises(ClientError) as e:
        client.query(TableName=composite, KeyConditionExpression="pk = :v",
                     ExpressionAttributeValues={":v": {"S": "val"}}, Limit=0)
    assert_error(e, "ValidationException", LIMIT_TEXT)


def test_query_limit_negative(client, composite):
    with pytest.raises(ClientError) as e:
        client.query(TableName=composite, KeyConditionExpression="pk = :v",
                     ExpressionAttributeValues={":v": {"S": "val"}}, Limit=-3)
    assert_error(e, "ValidationException", LIMIT_TEXT)


def test_query_limit_is_checked_after_the_table_lookup(client):
    # dynoxide src/actions/query.rs checks Limit once the table is found.
    with pytest.raises(ClientError) as e:
        client.query(TableName=unique_name(), KeyConditionExpression="pk = :v",
                     ExpressionAttributeValues={":v": {"S": "val"}}, Limit=0)
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_query_limit_is_not_a_shape_violation(client, composite):
    with pytest.raises(ClientError) as e:
        client.query(TableName=composite, KeyConditionExpression="pk = :v",
                     ExpressionAttributeValues={":v": {"S": "val"}}, Limit=0, Select="INVALID")
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'INVALID' at 'select' failed to satisfy constraint: "
                 "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                 "ALL_PROJECTED_ATTRIBUTES]")


def test_scan_limit_zero_keeps_the_shape_text(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Limit=0)
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                 "Member must have value greater than or equal to 1")


# ---- TransactGetItems (tier3/error-messages/transactGetItems) ----

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]"


def test_transact_get_with_empty_key_is_cancelled(client, table):
    with pytest.raises(ClientError) as e:
        client.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": {}}}])
    assert_error(e, "TransactionCanceledException", CANCELLED.format("ValidationError"))
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ValidationError"]
    assert reasons[0]["Message"] == "The provided key element does not match the schema"


def test_transact_get_reasons_name_every_get(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "tg-ok"}})
    with pytest.raises(ClientError) as e:
        client.transact_get_items(TransactItems=[
            {"Get": {"TableName": table, "Key": {"pk": {"S": "tg-ok"}}}},
            {"Get": {"TableName": table, "Key": {"pk": {"N": "1"}}}},
        ])
    assert_error(e, "TransactionCanceledException", CANCELLED.format("None, ValidationError"))
    assert [r["Code"] for r in e.value.response["CancellationReasons"]] == ["None", "ValidationError"]


def test_transact_get_on_a_missing_table_is_not_cancelled(client):
    with pytest.raises(ClientError) as e:
        client.transact_get_items(TransactItems=[{"Get": {"TableName": unique_name(), "Key": {}}}])
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")
