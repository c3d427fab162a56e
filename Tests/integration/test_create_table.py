"""CreateTable: response shape, duplicate tables, name/key-schema/billing validation.

Message sources (confirmed, not invented):
  [DL]  dynalite test suite (architect/dynalite test/createTable.js,
        validations/index.js), recorded from real DynamoDB responses.
  [DX]  dynoxide (nubo-db/dynoxide src/validation.rs, src/actions/create_table.rs),
        checked against real DynamoDB by the dynamodb-conformance suite.
  [GH]  GitHub issue threads quoting real DynamoDB (URL given inline).
  [MO]  moto source (moto/dynamodb/models/__init__.py).
"""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, delete_table_quietly, key_schema, unique_name

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _create(client, table_names, name=None, **kwargs):
    name = name or unique_name()
    ks, ad = key_schema()
    params = {"TableName": name, "KeySchema": ks, "AttributeDefinitions": ad,
              "BillingMode": "PAY_PER_REQUEST"}
    params.update(kwargs)
    table_names.track(name)
    return name, client.create_table(**params)


def test_create_table_provisioned_response_shape(client, table_names):
    name, resp = _create(
        client, table_names, BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 200
    desc = resp["TableDescription"]
    assert desc["TableName"] == name
    assert desc["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert desc["TableStatus"] in ("CREATING", "ACTIVE")
    assert isinstance(desc["CreationDateTime"], datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc)
    assert abs((now - desc["CreationDateTime"]).total_seconds()) < 3600
    pt = desc["ProvisionedThroughput"]
    assert pt["ReadCapacityUnits"] == 5
    assert pt["WriteCapacityUnits"] == 7
    assert pt["NumberOfDecreasesToday"] == 0
    assert desc["TableSizeBytes"] == 0
    assert desc["ItemCount"] == 0
    assert re.fullmatch(r"arn:aws:dynamodb:us-east-1:\d{12}:table/" + re.escape(name),
                        desc["TableArn"]), desc["TableArn"]
    assert UUID_RE.match(desc["TableId"]), desc["TableId"]
    # Real DynamoDB may omit DeletionProtectionEnabled from CreateTable when it
    # was not requested [DX create_table.rs]; when present it must be false.
    assert desc.get("DeletionProtectionEnabled", False) is False


def test_create_table_pay_per_request_shape(client, table_names):
    name, resp = _create(client, table_names)
    desc = resp["TableDescription"]
    assert desc["TableName"] == name
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    pt = desc["ProvisionedThroughput"]
    assert pt["ReadCapacityUnits"] == 0
    assert pt["WriteCapacityUnits"] == 0
    assert pt["NumberOfDecreasesToday"] == 0


def test_create_table_with_range_key(client, table_names):
    ks, ad = key_schema(("h", "S"), ("r", "N"))
    name, resp = _create(client, table_names, KeySchema=ks, AttributeDefinitions=ad)
    desc = resp["TableDescription"]
    assert desc["KeySchema"] == ks
    assert sorted(desc["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == \
        sorted(ad, key=lambda d: d["AttributeName"])


def test_create_table_deletion_protection_flag(client, table_names):
    _, resp = _create(client, table_names, DeletionProtectionEnabled=True)
    assert resp["TableDescription"]["DeletionProtectionEnabled"] is True


def test_create_existing_table(client, make_table):
    name = make_table()
    ks, ad = key_schema()
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad,
                            BillingMode="PAY_PER_REQUEST")
    # [MO] models/__init__.py, [DX] create_table.rs; DynamoDB Local says
    # "Cannot create preexisting table" instead, which is not DynamoDB.
    assert_error(e, "ResourceInUseException", f"Table already exists: {name}")


# --- table name validation ([DL] createTable/putItem tests, [DX] validation.rs) ---

def _create_invalid(client, name, **kwargs):
    """CreateTable that must fail; if the endpoint wrongly creates the table,
    delete it again so that later tests and runs are not disturbed."""
    ks, ad = key_schema()
    params = {"TableName": name, "KeySchema": ks, "AttributeDefinitions": ad,
              "BillingMode": "PAY_PER_REQUEST"}
    params.update(kwargs)
    try:
        client.create_table(**params)
    except ClientError as err:
        return err
    delete_table_quietly(client, name)
    pytest.fail(f"CreateTable({name!r}, {kwargs}) unexpectedly succeeded")


def test_table_name_too_short(client):
    e = _create_invalid(client, "ab")
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 3")


def test_table_name_too_long(client):
    name = "n" * 256
    e = _create_invalid(client, name)
    assert_error(e, "ValidationException",
                 f"1 validation error detected: Value '{name}' at 'tableName' failed to "
                 "satisfy constraint: Member must have length less than or equal to 255")


def test_table_name_bad_characters(client):
    e = _create_invalid(client, "bad!name")
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'bad!name' at 'tableName' failed to "
                 "satisfy constraint: Member must satisfy regular expression pattern: "
                 "[a-zA-Z0-9_.-]+")


def test_table_name_both_constraints(client):
    # Pattern error first, then length: order recorded in [DL] putItem.js
    # ("short TableName") and createTable.js (LSI indexName), and [DX].
    e = _create_invalid(client, "a!")
    assert_error(e, "ValidationException",
                 "2 validation errors detected: "
                 "Value 'a!' at 'tableName' failed to satisfy constraint: Member must "
                 "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
                 "Value 'a!' at 'tableName' failed to satisfy constraint: Member must "
                 "have length greater than or equal to 3")


@pytest.mark.parametrize("name_len", [3, 255])
def test_table_name_length_bounds_accepted(client, table_names, name_len):
    import uuid
    name = (uuid.uuid4().hex + "z" * 255)[:name_len]
    _, resp = _create(client, table_names, name=name)
    assert resp["TableDescription"]["TableName"] == name


def test_table_name_allowed_characters(client, table_names):
    name = "A.b_c-" + unique_name("Z9")
    _, resp = _create(client, table_names, name=name)
    assert resp["TableDescription"]["TableName"] == name


# --- key schema validation ([DL] createTable.js "validations", [DX]) ---

def test_key_attribute_not_defined(client):
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "b", "AttributeType": "S"}])
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Some index key attributes are "
                 "not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]")


def test_extra_attribute_definition(client):
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                              {"AttributeName": "b", "AttributeType": "S"}])
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Number of attributes in "
                 "KeySchema does not exactly match number of attributes defined in "
                 "AttributeDefinitions")


def test_two_hash_keys(client):
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"},
                   {"AttributeName": "b", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                              {"AttributeName": "b", "AttributeType": "S"}])
    assert_error(e, "ValidationException",
                 "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")


def test_range_key_first(client):
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "RANGE"},
                   {"AttributeName": "b", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                              {"AttributeName": "b", "AttributeType": "S"}])
    assert_error(e, "ValidationException",
                 "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")


def test_missing_hash_key(client):
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}])
    assert_error(e, "ValidationException",
                 "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")


def test_hash_and_range_same_name(client):
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"},
                   {"AttributeName": "a", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                              {"AttributeName": "b", "AttributeType": "S"}])
    assert_error(e, "ValidationException",
                 "Both the Hash Key and the Range Key element in the KeySchema have the same name")


def test_hash_and_range_same_name_with_one_definition(client):
    # Two key elements but one definition: the count is reported first (Parity Suite
    # tier3/error-messages/createTable, validated against DynamoDB).
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"},
                   {"AttributeName": "a", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"}])
    assert_error(e, "ValidationException", "Invalid KeySchema: Some index key attribute have no definition")


def test_unknown_attribute_type(client):
    e = _create_invalid(
        client, unique_name(),
        KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "Q"}])
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'Q' at "
                 "'attributeDefinitions.1.member.attributeType' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [B, N, S]")


# --- billing mode ([DX] create_table.rs; PROVISIONED text also quoted from
# real DynamoDB in https://github.com/awslabs/amazon-kinesis-client/issues/1357) ---

def test_pay_per_request_with_provisioned_throughput(client):
    e = _create_invalid(client, unique_name(), BillingMode="PAY_PER_REQUEST",
                        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                 "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")


def test_provisioned_without_throughput(client):
    e = _create_invalid(client, unique_name(), BillingMode="PROVISIONED")
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: ReadCapacityUnits and "
                 "WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")


def test_invalid_billing_mode(client):
    e = _create_invalid(client, unique_name(), BillingMode="FREE")
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'FREE' at 'billingMode' failed to "
                 "satisfy constraint: Member must satisfy enum value set: "
                 "[PROVISIONED, PAY_PER_REQUEST]")
