"""DeleteTable.

Sources: ResourceNotFound text [DX] nubo-db/dynoxide src/actions/delete_table.rs
and [MO] moto exceptions.py; deletion-protection refusal: ValidationException
"Resource cannot be deleted as it is currently protected against deletion.
Disable deletion protection first." quoted from real DynamoDB in
https://github.com/nubo-db/dynoxide/issues/46 (fixed by PR #49), error type
ValidationException per floci PR https://github.com/floci-io/floci/pull/1445.
"""

import re

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name, wait_active


def test_delete_table_returns_deleting(client, make_table):
    # DynamoDB's reduced description: real answers quoted in architect/dynalite#60 and checked
    # against DynamoDB by scylladb test/alternator/test_table.py::test_delete_table_description
    # (scylladb/scylladb#14132): no KeySchema, AttributeDefinitions, CreationDateTime or indexes.
    name = make_table(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                            {"AttributeName": "g", "AttributeType": "S"}],
                      GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                               "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    desc = client.delete_table(TableName=name)["TableDescription"]
    assert desc["TableName"] == name
    assert desc["TableStatus"] == "DELETING"
    assert desc["TableArn"].startswith("arn:aws:dynamodb:") and desc["TableArn"].endswith(f":table/{name}")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", desc["TableId"])
    assert desc["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in desc["BillingModeSummary"]
    assert desc["ItemCount"] == 0 and desc["TableSizeBytes"] == 0
    for absent in ("KeySchema", "AttributeDefinitions", "CreationDateTime", "GlobalSecondaryIndexes"):
        assert absent not in desc


def test_delete_provisioned_table_description(client, make_table):
    # dynalite#60: the provisioned table's answer as DynamoDB gave it (no BillingModeSummary).
    name = make_table(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    desc = client.delete_table(TableName=name)["TableDescription"]
    assert set(desc) == {"TableName", "TableStatus", "ProvisionedThroughput", "TableSizeBytes", "ItemCount",
                         "TableArn", "TableId"}
    assert desc["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def test_delete_table_then_gone(client, make_table):
    name = make_table()
    client.delete_table(TableName=name)
    client.get_waiter("table_not_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})
    with pytest.raises(ClientError) as e:
        client.describe_table(TableName=name)
    assert_error(e, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found")


def test_delete_missing_table(client):
    name = unique_name("missing")
    with pytest.raises(ClientError) as e:
        client.delete_table(TableName=name)
    assert_error(e, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found")


PROTECTED_MSG = ("Resource cannot be deleted as it is currently protected against "
                 "deletion. Disable deletion protection first.")


def test_delete_protected_table_refused(client, make_table):
    name = make_table(DeletionProtectionEnabled=True)
    with pytest.raises(ClientError) as e:
        client.delete_table(TableName=name)
    assert_error(e, "ValidationException", PROTECTED_MSG)
    # The table is still there and still protected.
    table = client.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["DeletionProtectionEnabled"] is True


def test_delete_after_disabling_protection(client, make_table):
    name = make_table(DeletionProtectionEnabled=True)
    client.update_table(TableName=name, DeletionProtectionEnabled=False)
    wait_active(client, name)
    assert client.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is False
    assert client.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
