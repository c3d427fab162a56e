"""boto3 waiters, which poll DescribeTable: table_exists waits for ACTIVE,
table_not_exists for ResourceNotFoundException."""

from conftest import key_schema, unique_name

FAST = {"Delay": 1, "MaxAttempts": 120}


def test_table_exists_waiter(client, table_names):
    name = table_names.track(unique_name())
    ks, ad = key_schema()
    client.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad,
                        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig=FAST)
    assert client.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"


def test_table_not_exists_waiter(client, make_table):
    name = make_table()
    client.delete_table(TableName=name)
    client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig=FAST)
    try:
        client.describe_table(TableName=name)
    except client.exceptions.ResourceNotFoundException:
        pass
    else:
        raise AssertionError(f"{name} still exists after table_not_exists")


def test_table_not_exists_waiter_on_missing_table(client):
    client.get_waiter("table_not_exists").wait(TableName=unique_name("never"),
                                               WaiterConfig=FAST)


def test_resource_waiters(resource, table_names):
    name = table_names.track(unique_name())
    ks, ad = key_schema()
    table = resource.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad,
                                  BillingMode="PAY_PER_REQUEST")
    table.wait_until_exists()
    assert table.table_status == "ACTIVE"
    table.delete()
    table.wait_until_not_exists()
