"""ReturnConsumedCapacity on the data operations.

Sources: [DG] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
and .../provisioned-capacity-mode.html: a read unit is one strongly consistent read of up to
4 KB (eventually consistent: half), a write unit one write of up to 1 KB, sizes rounded up;
PutItem/UpdateItem/DeleteItem cost the larger of the item before and after; Query/Scan cost
the total size read; BatchGetItem/BatchWriteItem round each item separately; transactions
cost twice. [GSI] .../GSI.html#GSI.ThroughputConsiderations: each index write costs its own
units. [API] API_ConsumedCapacity.html (TableName, CapacityUnits, Table,
GlobalSecondaryIndexes, LocalSecondaryIndexes).
"""

import pytest

KB = 1024


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


@pytest.fixture(scope="module")
def indexed(module_tables):
    return module_tables.create(
        hash_key=("pk", "S"),
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def item(name, size):
    """An item of exactly `size` bytes by DynamoDB's rules (names + values)."""
    base = {"pk": {"S": name}}
    used = len("pk") + len(name) + len("pad")
    return {**base, "pad": {"S": "x" * (size - used)}}


def test_none_by_default(client, table):
    assert "ConsumedCapacity" not in client.put_item(TableName=table, Item=item("cap-none", 100))
    assert "ConsumedCapacity" not in client.get_item(TableName=table, Key={"pk": {"S": "cap-none"}}, ReturnConsumedCapacity="NONE")


@pytest.mark.parametrize("size,units", [(100, 1.0), (KB, 1.0), (KB + 1, 2.0), (3 * KB, 3.0)])
def test_put_units(client, table, size, units):
    name = f"cap-put-{size}"
    resp = client.put_item(TableName=table, Item=item(name, size), ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": units}


def test_put_counts_the_larger_item(client, table):
    client.put_item(TableName=table, Item=item("cap-shrink", 5 * KB))
    resp = client.put_item(TableName=table, Item=item("cap-shrink", 100), ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 5.0


@pytest.mark.parametrize("size,consistent,units", [
    (100, False, 0.5), (100, True, 1.0), (4 * KB, True, 1.0), (4 * KB + 1, True, 2.0), (9 * KB, False, 1.5)])
def test_get_units(client, table, size, consistent, units):
    name = f"cap-get-{size}"
    client.put_item(TableName=table, Item=item(name, size))
    resp = client.get_item(TableName=table, Key={"pk": {"S": name}}, ConsistentRead=consistent,
                           ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": units}


def test_get_missing_item_costs_one_read(client, table):
    resp = client.get_item(TableName=table, Key={"pk": {"S": "cap-missing"}}, ConsistentRead=True,
                           ReturnConsumedCapacity="TOTAL")
    assert "Item" not in resp
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_update_and_delete_units(client, table):
    client.put_item(TableName=table, Item=item("cap-ud", 2 * KB + 10))
    resp = client.update_item(TableName=table, Key={"pk": {"S": "cap-ud"}}, UpdateExpression="REMOVE #p",
                              ExpressionAttributeNames={"#p": "pad"},
                              ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 3.0
    resp = client.delete_item(TableName=table, Key={"pk": {"S": "cap-ud"}}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_indexes_breakdown(client, indexed):
    resp = client.put_item(TableName=indexed, Item={"pk": {"S": "cap-i"}, "g": {"S": "one"}},
                           ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == {
        "TableName": indexed, "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 1.0}}}
    # Moving the item to another index key deletes the old entry and puts a new one.
    resp = client.put_item(TableName=indexed, Item={"pk": {"S": "cap-i"}, "g": {"S": "two"}},
                           ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {"by-g": {"CapacityUnits": 2.0}}
    assert resp["ConsumedCapacity"]["CapacityUnits"] == 3.0
    # TOTAL sums the indexes without the breakdown.
    resp = client.delete_item(TableName=indexed, Key={"pk": {"S": "cap-i"}}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": indexed, "CapacityUnits": 2.0}


def test_query_and_scan_count_total_bytes(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))
    for i in range(10):  # 10 items of 1 KB: 10 KB read in all -> 3 blocks of 4 KB
        client.put_item(TableName=name, Item={"pk": {"S": "q"}, "sk": {"N": str(i)},
                                              "pad": {"S": "x" * (KB - 6)}})
    resp = client.query(TableName=name, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "q"}}, ConsistentRead=True,
                        ReturnConsumedCapacity="TOTAL")
    assert resp["Count"] == 10
    assert resp["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 3.0}
    resp = client.scan(TableName=name, ReturnConsumedCapacity="INDEXES")
    assert resp["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 1.5, "Table": {"CapacityUnits": 1.5}}


def test_query_on_index_is_charged_to_the_index(client, indexed):
    client.put_item(TableName=indexed, Item={"pk": {"S": "cap-q"}, "g": {"S": "q"}})
    resp = client.query(TableName=indexed, IndexName="by-g", KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": {"S": "q"}}, ReturnConsumedCapacity="INDEXES")
    capacity = resp["ConsumedCapacity"]
    assert capacity["CapacityUnits"] == 0.5
    assert capacity["GlobalSecondaryIndexes"] == {"by-g": {"CapacityUnits": 0.5}}


def test_batch_operations_round_each_item(client, table):
    resp = client.batch_write_item(RequestItems={table: [
        {"PutRequest": {"Item": item(f"cap-b{i}", KB + 1)}} for i in range(3)]}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 6.0}]
    resp = client.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": f"cap-b{i}"}} for i in range(3)]}},
                                 ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.5}]


def test_transactions_cost_twice(client, table):
    resp = client.transact_write_items(TransactItems=[
        {"Put": {"TableName": table, "Item": item("cap-t1", KB + 1)}},
        {"Put": {"TableName": table, "Item": item("cap-t2", 100)}},
    ], ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 6.0}]
    resp = client.transact_get_items(TransactItems=[
        {"Get": {"TableName": table, "Key": {"pk": {"S": "cap-t1"}}}}], ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 2.0}]
