"""DescribeTable.

Sources: [DX] nubo-db/dynoxide src/actions/delete_table.rs & describe_table.rs,
[MO] moto/dynamodb/exceptions.py ResourceNotFoundException ("Requested resource
not found: Table: <name> not found" for the table operations).
"""

import re

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name


def test_describe_table_shape(client, make_table):
    name = make_table(hash_key=("pk", "S"), range_key=("sk", "N"))
    table = client.describe_table(TableName=name)["Table"]
    assert table["TableName"] == name
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                  {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert sorted(table["AttributeDefinitions"], key=lambda d: d["AttributeName"]) == [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"}]
    assert table["ItemCount"] == 0
    assert table["TableSizeBytes"] == 0
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert re.fullmatch(r"arn:aws:dynamodb:us-east-1:\d{12}:table/" + re.escape(name),
                        table["TableArn"])
    assert table["DeletionProtectionEnabled"] is False
    assert "CreationDateTime" in table
    assert "TableId" in table


def test_describe_missing_table(client):
    name = unique_name("missing")
    with pytest.raises(ClientError) as e:
        client.describe_table(TableName=name)
    assert_error(e, "ResourceNotFoundException",
                 f"Requested resource not found: Table: {name} not found")


def test_describe_table_by_arn(client, make_table):
    name = make_table()
    arn = client.describe_table(TableName=name)["Table"]["TableArn"]
    table = client.describe_table(TableName=arn)["Table"]
    assert table["TableName"] == name
    assert table["TableArn"] == arn


def test_describe_provisioned_table(client, make_table):
    name = make_table(BillingMode="PROVISIONED",
                      ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    pt = client.describe_table(TableName=name)["Table"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (3, 4)
