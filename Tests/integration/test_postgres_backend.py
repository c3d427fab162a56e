"""kvserver on PostgreSQL (`kvserver-postgres --storage postgres://...`, issue #18 part 2): the
first vertical slice, black-box through boto3 against one and several kvservers sharing one
database. `kvserver-postgres` is kvserver with the PostgreSQL backend linked in; it is looked for
beside `$KVSERVER_BIN` (or set `$KVSERVER_POSTGRES_BIN`).

What the slice does and refuses is documented in docs/postgres-backend.md ("Status").
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import threading
import time
import uuid
from pathlib import Path

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import REGION, _ServerProcess, server_binary
from postgres_support import postgres_cluster  # noqa: F401 (a fixture)


def postgres_server_binary() -> str:
    return os.environ.get("KVSERVER_POSTGRES_BIN", str(Path(server_binary()).with_name("kvserver-postgres")))


def _client(url: str):
    return boto3.session.Session(
        aws_access_key_id="AKIDPOSTGRESTEST", aws_secret_access_key="secret", region_name=REGION,
    ).client("dynamodb", endpoint_url=url, config=botocore.config.Config(
        region_name=REGION, retries={"max_attempts": 1, "mode": "standard"},
        connect_timeout=10, read_timeout=60, max_pool_connections=32))


@contextlib.contextmanager
def running_nodes(postgres_cluster, *extra: str, count: int = 3):  # noqa: F811 (the fixture)
    """`count` kvserver-postgres over the cluster's database (each with a pool of 8
    connections, started with `extra` arguments); yields their URLs, stops them after."""
    storage = f"{postgres_cluster.url}?password_file={postgres_cluster.password_file}&sslmode=disable&pool_size=8"
    servers = []
    try:
        urls = []
        for _ in range(count):
            server = _ServerProcess(postgres_server_binary(), ("--storage", storage, *extra))
            servers.append(server)
            urls.append(server.start())
        yield urls
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="module")
def nodes(postgres_cluster):  # noqa: F811 (the fixture)
    """Three kvservers over one PostgreSQL database."""
    with running_nodes(postgres_cluster) as urls:
        yield [_client(url) for url in urls]


@pytest.fixture
def node(nodes):
    return nodes[0]


def _name(prefix="pg"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _create(client, name, **extra):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}]
        + extra.pop("attributes", []),
        BillingMode="PAY_PER_REQUEST", **extra)
    return name


def _code(error: ClientError) -> str:
    return error.response["Error"]["Code"]


def test_table_lifecycle(node):
    name = _create(node, _name())
    described = node.describe_table(TableName=name)["Table"]
    assert described["TableName"] == name
    assert described["TableStatus"] == "ACTIVE"
    assert described["ItemCount"] == 0
    assert name in node.list_tables()["TableNames"]
    with pytest.raises(ClientError) as again:
        _create(node, name)
    assert _code(again.value) == "ResourceInUseException"
    node.delete_table(TableName=name)
    assert name not in node.list_tables()["TableNames"]
    with pytest.raises(ClientError) as gone:
        node.describe_table(TableName=name)
    assert _code(gone.value) == "ResourceNotFoundException"
    with pytest.raises(ClientError) as put:
        node.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert _code(put.value) == "ResourceNotFoundException"


def test_item_writes_with_conditions_and_return_values(node):
    name = _create(node, _name())
    key = {"pk": {"S": "user"}, "sk": {"N": "1"}}
    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
    first = node.put_item(TableName=name, Item={**key, "n": {"N": "1"}, "s": {"S": "one"}},
                          ConditionExpression="attribute_not_exists(pk)", ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    with pytest.raises(ClientError) as taken:
        node.put_item(TableName=name, Item={**key, "n": {"N": "9"}}, ConditionExpression="attribute_not_exists(pk)")
    assert _code(taken.value) == "ConditionalCheckFailedException"
    assert node.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"] == {**key, "n": {"N": "1"}, "s": {"S": "one"}}

    replaced = node.put_item(TableName=name, Item={**key, "n": {"N": "2"}}, ReturnValues="ALL_OLD")
    assert replaced["Attributes"] == {**key, "n": {"N": "1"}, "s": {"S": "one"}}

    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
    updated = node.update_item(TableName=name, Key=key, UpdateExpression="SET n = n + :one, t = :t",
                               ConditionExpression="n = :two",
                               ExpressionAttributeValues={":one": {"N": "1"}, ":two": {"N": "2"}, ":t": {"S": "x"}},
                               ReturnValues="UPDATED_NEW")
    assert updated["Attributes"] == {"n": {"N": "3"}, "t": {"S": "x"}}
    with pytest.raises(ClientError) as stale:
        node.update_item(TableName=name, Key=key, UpdateExpression="SET n = :v", ConditionExpression="n = :two",
                         ExpressionAttributeValues={":v": {"N": "7"}, ":two": {"N": "2"}},
                         ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert _code(stale.value) == "ConditionalCheckFailedException"
    assert stale.value.response["Item"] == {**key, "n": {"N": "3"}, "t": {"S": "x"}}
    created = node.update_item(TableName=name, Key={"pk": {"S": "user"}, "sk": {"N": "2"}},
                               UpdateExpression="SET c = :c", ExpressionAttributeValues={":c": {"S": "new"}},
                               ReturnValues="ALL_NEW")
    assert created["Attributes"] == {"pk": {"S": "user"}, "sk": {"N": "2"}, "c": {"S": "new"}}

    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
    with pytest.raises(ClientError) as kept:
        node.delete_item(TableName=name, Key=key, ConditionExpression="t = :y", ExpressionAttributeValues={":y": {"S": "y"}})
    assert _code(kept.value) == "ConditionalCheckFailedException"
    deleted = node.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD")
    assert deleted["Attributes"] == {**key, "n": {"N": "3"}, "t": {"S": "x"}}
    assert "Item" not in node.get_item(TableName=name, Key=key)
    assert node.describe_table(TableName=name)["Table"]["ItemCount"] == 1


def _query_all(client, **params):
    """Every page of a Query or Scan (`client.query` / `client.scan` by `params["op"]`)."""
    op = getattr(client, params.pop("op"))
    pages = []
    while True:
        page = op(**params)
        pages.append(page)
        if "LastEvaluatedKey" not in page:
            return pages
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _sks(pages):
    return [int(item["sk"]["N"]) for page in pages for item in page.get("Items", [])]


def test_query_pages_through_a_partition_both_ways(nodes):
    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
    a, b, c = nodes
    name = _create(a, _name())
    for i in range(150):
        (a, b, c)[i % 3].put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"N": str(i % 10)}})
    a.put_item(TableName=name, Item={"pk": {"S": "other"}, "sk": {"N": "7"}})
    forward = _query_all(b, op="query", TableName=name, KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "p"}}, Limit=40)
    assert _sks(forward) == list(range(150))
    assert [page["Count"] for page in forward] == [40, 40, 40, 30]
    assert forward[0]["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "39"}}
    backward = _query_all(c, op="query", TableName=name, KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
                          ExpressionAttributeValues={":p": {"S": "p"}, ":lo": {"N": "10"}, ":hi": {"N": "99"}},
                          ScanIndexForward=False, Limit=25)
    assert _sks(backward) == list(range(99, 9, -1))
    # A filter counts what it read (ScannedCount) apart from what it kept (Count).
    filtered = c.query(TableName=name, KeyConditionExpression="pk = :p AND sk < :hi", FilterExpression="v = :v",
                       ExpressionAttributeValues={":p": {"S": "p"}, ":hi": {"N": "50"}, ":v": {"N": "3"}})
    assert (filtered["Count"], filtered["ScannedCount"]) == (5, 50)
    assert _sks([filtered]) == [3, 13, 23, 33, 43]
    counted = a.query(TableName=name, KeyConditionExpression="pk = :p",
                      ExpressionAttributeValues={":p": {"S": "p"}}, Select="COUNT", ConsistentRead=True,
                      ReturnConsumedCapacity="TOTAL")
    assert counted["Count"] == 150 and "Items" not in counted
    assert counted["ConsumedCapacity"]["CapacityUnits"] > 0
    projected = b.query(TableName=name, KeyConditionExpression="pk = :p AND sk = :s", ProjectionExpression="v",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"N": "17"}})
    assert projected["Items"] == [{"v": {"N": "7"}}]


def test_scan_segments_cover_every_item_once_across_nodes(nodes):
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan
    a, b, c = nodes
    name = _create(a, _name())
    for start in range(0, 300, 25):
        a.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"p{i % 37}"}, "sk": {"N": str(i)}}}} for i in range(start, start + 25)]})
    whole = _query_all(b, op="scan", TableName=name, Limit=70)
    keys = [(item["pk"]["S"], int(item["sk"]["N"])) for page in whole for item in page["Items"]]
    assert len(keys) == 300 and len(set(keys)) == 300
    segments = []
    for segment, client in enumerate((a, b, c)):
        pages = _query_all(client, op="scan", TableName=name, Segment=segment, TotalSegments=3, Limit=33)
        segments.append({(item["pk"]["S"], int(item["sk"]["N"])) for page in pages for item in page["Items"]})
    assert sum(len(s) for s in segments) == 300
    assert set().union(*segments) == set(keys)
    counted = c.scan(TableName=name, Select="COUNT", FilterExpression="sk < :n",
                     ExpressionAttributeValues={":n": {"N": "100"}})
    assert (counted["Count"], counted["ScannedCount"]) == (100, 300)


def test_index_queries_and_scans(nodes):
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/SecondaryIndexes.html
    a, b, _ = nodes
    name = _create(
        a, _name(),
        attributes=[{"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "r", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                   {"AttributeName": "r", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "byR", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                  {"AttributeName": "r", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(60):
        a.put_item(TableName=name, Item={"pk": {"S": f"p{i % 2}"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 3}"},
                                         "r": {"N": str(i % 7)}, "big": {"S": "x" * 50}})
    # Equal index keys come in table key order; backwards, reversed.
    pages = _query_all(b, op="query", TableName=name, IndexName="byG", KeyConditionExpression="g = :g AND r >= :r",
                       ExpressionAttributeValues={":g": {"S": "g0"}, ":r": {"N": "3"}}, Limit=4)
    got = [(int(item["r"]["N"]), item["pk"]["S"], int(item["sk"]["N"])) for page in pages for item in page["Items"]]
    expected = sorted((i % 7, f"p{i % 2}", i) for i in range(60) if i % 3 == 0 and i % 7 >= 3)
    assert got == expected
    assert pages[0]["LastEvaluatedKey"].keys() == {"g", "r", "pk", "sk"}
    backward = _query_all(a, op="query", TableName=name, IndexName="byG", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": {"S": "g1"}}, ScanIndexForward=False, Limit=6)
    got = [(int(item["r"]["N"]), item["pk"]["S"], int(item["sk"]["N"])) for page in backward for item in page["Items"]]
    assert got == sorted(((i % 7, f"p{i % 2}", i) for i in range(60) if i % 3 == 1), reverse=True)
    # A KEYS_ONLY local index: keys only, unless the request asks for all attributes
    # (then read from the table, strongly consistent).
    keys_only = b.query(TableName=name, IndexName="byR", KeyConditionExpression="pk = :p AND r = :r",
                        ExpressionAttributeValues={":p": {"S": "p0"}, ":r": {"N": "2"}})
    assert all(set(item) == {"pk", "sk", "r"} for item in keys_only["Items"])
    assert [int(item["sk"]["N"]) for item in keys_only["Items"]] == [i for i in range(0, 60, 2) if i % 7 == 2]
    full = b.query(TableName=name, IndexName="byR", KeyConditionExpression="pk = :p AND r = :r", Select="ALL_ATTRIBUTES",
                   ConsistentRead=True, ExpressionAttributeValues={":p": {"S": "p0"}, ":r": {"N": "2"}})
    assert all(item["big"] == {"S": "x" * 50} for item in full["Items"]) and full["Count"] == keys_only["Count"]
    scanned = _query_all(a, op="scan", TableName=name, IndexName="byG", Limit=11)
    assert sum(page["Count"] for page in scanned) == 60
    scanned = _query_all(b, op="scan", TableName=name, IndexName="byR", Segment=1, TotalSegments=2)
    other = _query_all(b, op="scan", TableName=name, IndexName="byR", Segment=0, TotalSegments=2)
    assert sum(page["Count"] for page in scanned + other) == 60


def test_partiql_select_rides_on_query_and_scan(node):
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.select.html
    name = _create(node, _name())
    for i in range(12):
        node.put_item(TableName=name, Item={"pk": {"S": f"p{i % 2}"}, "sk": {"N": str(i)}})
    queried = node.execute_statement(Statement=f'SELECT sk FROM "{name}" WHERE pk = ? AND sk > ?',
                                     Parameters=[{"S": "p1"}, {"N": "4"}])
    assert [int(item["sk"]["N"]) for item in queried["Items"]] == [5, 7, 9, 11]
    scanned = node.execute_statement(Statement=f'SELECT * FROM "{name}"')
    assert len(scanned["Items"]) == 12


def test_query_sees_writes_from_other_nodes_at_once(nodes):
    a, b, c = nodes
    name = _create(a, _name())
    for i in range(30):
        (a, b, c)[i % 3].put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}})
        assert b.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                       Select="COUNT")["Count"] == i + 1
    c.delete_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"N": "0"}})
    assert a.scan(TableName=name, Select="COUNT")["Count"] == 29


def _wait(check, timeout=60.0):
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


def _table_active(client, name):
    return _wait(lambda: client.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE")


def _scan(client, name):
    items, start = [], {}
    while True:
        page = client.scan(TableName=name, ConsistentRead=True, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda item: (item["pk"]["S"], int(item["sk"]["N"])))
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def test_backup_through_one_node_is_listed_restored_and_deleted_through_another(nodes):
    # Backups live in PostgreSQL (kv_backups, kv_backup_items), not in a node's files: any node
    # lists, describes, restores and deletes what another made.
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BackupRestore.html
    a, b, c = nodes
    name = _create(a, _name("bk"), attributes=[{"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])
    items = [{"pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 3}"}, "v": {"S": "x" * i}}
             for i in range(2500)]
    for start in range(0, len(items), 25):
        a.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]})
    arn = a.create_backup(TableName=name, BackupName="shared")["BackupDetails"]["BackupArn"]
    # Written after CreateBackup answered: not in the backup.
    c.put_item(TableName=name, Item={"pk": {"S": "late"}, "sk": {"N": "0"}})
    # Node a answers CREATING while it copies; the others see the backup once it is AVAILABLE.
    _wait(lambda: a.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE")
    details = b.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
    assert details["BackupStatus"] == "AVAILABLE"
    assert details["BackupName"] == "shared" and details["BackupSizeBytes"] > 0
    assert [s["BackupArn"] for s in b.list_backups(TableName=name)["BackupSummaries"]] == [arn]
    assert [s["BackupArn"] for s in c.list_backups(TableName=name)["BackupSummaries"]] == [arn]
    target = _name("restored")
    restoring = b.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert restoring["TableStatus"] == "CREATING"
    _table_active(a, target)
    assert _scan(c, target) == sorted(items, key=lambda item: (item["pk"]["S"], int(item["sk"]["N"])))
    # The restored table's index was rebuilt from the items.
    counted, start = 0, {}
    while True:  # pages of 1 MB
        page = a.query(TableName=target, IndexName="by-g", KeyConditionExpression="g = :g",
                       ExpressionAttributeValues={":g": {"S": "g1"}}, Select="COUNT", **start)
        counted += page["Count"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    assert counted == len([i for i in range(2500) if i % 3 == 1])
    deleted = c.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
    assert deleted["BackupStatus"] == "DELETED"
    for client in nodes:
        assert client.list_backups(TableName=name)["BackupSummaries"] == []
    with pytest.raises(ClientError) as gone:
        a.describe_backup(BackupArn=arn)
    assert _code(gone.value) == "BackupNotFoundException"
    with pytest.raises(ClientError) as gone:
        b.restore_table_from_backup(TargetTableName=_name("again"), BackupArn=arn)
    assert _code(gone.value) == "BackupNotFoundException"


def test_point_in_time_restore_of_writes_through_every_node(nodes):
    # PITR's change log is a table of the database written in each item's own transaction, so
    # a restore through any node undoes changes made through all of them.
    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
    a, b, c = nodes
    name = _create(a, _name("pitr"))
    a.put_item(TableName=name, Item={"pk": {"S": "kept"}, "sk": {"N": "0"}, "v": {"N": "0"}})
    b.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    status = c.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert status["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    for i, client in enumerate(nodes):
        client.put_item(TableName=name, Item={"pk": {"S": f"n{i}"}, "sk": {"N": "1"}, "v": {"N": "1"}})
    c.update_item(TableName=name, Key={"pk": {"S": "kept"}, "sk": {"N": "0"}}, UpdateExpression="SET v = :v",
                  ExpressionAttributeValues={":v": {"N": "1"}})
    expected = _scan(a, name)
    time.sleep(1.2)
    moment = time.time()
    time.sleep(1.2)
    a.delete_item(TableName=name, Key={"pk": {"S": "n1"}, "sk": {"N": "1"}})
    b.put_item(TableName=name, Item={"pk": {"S": "later"}, "sk": {"N": "2"}})
    c.update_item(TableName=name, Key={"pk": {"S": "kept"}, "sk": {"N": "0"}}, UpdateExpression="SET v = :v",
                  ExpressionAttributeValues={":v": {"N": "2"}})
    target = _name("then")
    c.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target, RestoreDateTime=moment)
    _table_active(b, target)
    assert _scan(a, target) == expected
    latest = _name("latest")
    a.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=latest, UseLatestRestorableTime=True)
    _table_active(c, latest)
    assert _scan(b, latest) == _scan(b, name)


def test_batch_write_and_get(node):
    name = _create(node, _name())
    items = [{"pk": {"S": f"p{i % 5}"}, "sk": {"N": str(i)}, "v": {"S": "x" * i}} for i in range(25)]
    result = node.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item}} for item in items]})
    assert result["UnprocessedItems"] == {}
    keys = [{"pk": item["pk"], "sk": item["sk"]} for item in items]
    got = node.batch_get_item(RequestItems={name: {"Keys": keys[:20], "ConsistentRead": True}})
    assert sorted(got["Responses"][name], key=lambda item: int(item["sk"]["N"])) == items[:20]
    node.batch_write_item(RequestItems={name: [{"DeleteRequest": {"Key": key}} for key in keys[:10]]})
    got = node.batch_get_item(RequestItems={name: {"Keys": keys[:12]}})
    assert sorted(int(item["sk"]["N"]) for item in got["Responses"][name]) == [10, 11]
    assert node.describe_table(TableName=name)["Table"]["ItemCount"] == 15


def test_transact_write_items(node):
    name = _create(node, _name())
    a = {"pk": {"S": "acct"}, "sk": {"N": "1"}}
    b = {"pk": {"S": "acct"}, "sk": {"N": "2"}}
    node.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": {**a, "bal": {"N": "100"}}}},
        {"Put": {"TableName": name, "Item": {**b, "bal": {"N": "0"}}}},
    ])
    move = [
        {"Update": {"TableName": name, "Key": a, "UpdateExpression": "SET bal = bal - :x",
                    "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": {":x": {"N": "60"}}}},
        {"Update": {"TableName": name, "Key": b, "UpdateExpression": "SET bal = bal + :x",
                    "ExpressionAttributeValues": {":x": {"N": "60"}}}},
    ]
    token = uuid.uuid4().hex
    node.transact_write_items(TransactItems=move, ClientRequestToken=token)
    # The same token again: answered, applied once.
    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
    node.transact_write_items(TransactItems=move, ClientRequestToken=token)
    balances = lambda: [int(node.get_item(TableName=name, Key=k, ConsistentRead=True)["Item"]["bal"]["N"]) for k in (a, b)]
    assert balances() == [40, 60]
    with pytest.raises(ClientError) as canceled:
        node.transact_write_items(TransactItems=move)
    assert _code(canceled.value) == "TransactionCanceledException"
    reasons = [reason["Code"] for reason in canceled.value.response["CancellationReasons"]]
    assert reasons == ["ConditionalCheckFailed", "None"]
    assert balances() == [40, 60]


def test_secondary_index_rows_and_ttl_are_kept(node):
    name = _create(node, _name(), attributes=[{"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for i in range(6):
        item = {"pk": {"S": "p"}, "sk": {"N": str(i)}}
        if i % 2 == 0:
            item["g"] = {"S": f"g{i}"}
        node.put_item(TableName=name, Item=item)
    node.update_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"N": "0"}}, UpdateExpression="REMOVE g")
    node.delete_item(TableName=name, Key={"pk": {"S": "p"}, "sk": {"N": "2"}})
    table = node.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 5
    # Only the item with sk 4 still has an index key (a sparse index).
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 1
    node.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    node.put_item(TableName=name, Item={"pk": {"S": "ttl"}, "sk": {"N": "1"}, "exp": {"N": str(int(time.time()) - 60)}})
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
    # Expired a minute ago: the sweeper (every second by default) deletes it.
    for _ in range(100):
        if "Item" not in node.get_item(TableName=name, Key={"pk": {"S": "ttl"}, "sk": {"N": "1"}}):
            break
        threading.Event().wait(0.1)
    assert "Item" not in node.get_item(TableName=name, Key={"pk": {"S": "ttl"}, "sk": {"N": "1"}})


def test_table_created_on_one_node_is_visible_on_the_others(nodes):
    a, b, c = nodes
    name = _create(a, _name("shared"))
    assert b.describe_table(TableName=name)["Table"]["TableName"] == name
    assert name in c.list_tables()["TableNames"]
    c.put_item(TableName=name, Item={"pk": {"S": "k"}, "sk": {"N": "1"}, "from": {"S": "c"}})
    assert a.get_item(TableName=name, Key={"pk": {"S": "k"}, "sk": {"N": "1"}})["Item"]["from"] == {"S": "c"}
    # Deleted on one node: the others refuse writes to it instead of writing into its dropped rows.
    a.delete_table(TableName=name)
    with pytest.raises(ClientError) as gone:
        b.put_item(TableName=name, Item={"pk": {"S": "k"}, "sk": {"N": "2"}})
    assert _code(gone.value) == "ResourceNotFoundException"
    assert name not in c.list_tables()["TableNames"]
    # Created again on another node: a new table, empty, found by the node that knew the old one.
    _create(b, name)
    assert "Item" not in c.get_item(TableName=name, Key={"pk": {"S": "k"}, "sk": {"N": "1"}})
    c.put_item(TableName=name, Item={"pk": {"S": "k"}, "sk": {"N": "3"}})
    assert a.describe_table(TableName=name)["Table"]["ItemCount"] == 1


def test_reads_on_a_node_whose_catalog_is_stale_never_see_the_old_table(nodes):
    """A read checks its table in its own statement (GetItem: the catalog row joined with the
    item) or right after its first batch (Query, Scan): a node that still knows a table deleted
    and created again elsewhere must not answer from the old table's rows (still there until
    the purge), and must find the new one (docs/postgres-backend.md, "Round trips")."""
    a, b, c = nodes
    name = _create(a, _name("stale"))
    key = {"pk": {"S": "k"}, "sk": {"N": "1"}}
    a.put_item(TableName=name, Item={**key, "from": {"S": "old"}})
    for generation in ("new", "newer"):
        # b and c learn the current table's storage id.
        assert "Item" in b.get_item(TableName=name, Key=key)
        assert c.query(TableName=name, KeyConditionExpression="pk = :k",
                       ExpressionAttributeValues={":k": {"S": "k"}})["Count"] == 1
        a.delete_table(TableName=name)
        _create(a, name)
        a.put_item(TableName=name, Item={**key, "from": {"S": generation}})
        if generation == "new":
            got = b.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]
            assert got["from"] == {"S": "new"}
            items = c.query(TableName=name, KeyConditionExpression="pk = :k",
                            ExpressionAttributeValues={":k": {"S": "k"}})["Items"]
            assert [item["from"] for item in items] == [{"S": "new"}]
        else:
            items = b.scan(TableName=name)["Items"]
            assert [item["from"] for item in items] == [{"S": "newer"}]
            got = c.batch_get_item(RequestItems={name: {"Keys": [key]}})["Responses"][name]
            assert [item["from"] for item in got] == [{"S": "newer"}]


def test_concurrent_increments_across_nodes_lose_nothing(nodes):
    name = _create(nodes[0], _name("count"))
    key = {"pk": {"S": "counter"}, "sk": {"N": "0"}}
    errors = []

    def work(client):
        try:
            for _ in range(40):
                client.update_item(TableName=name, Key=key, UpdateExpression="ADD n :one",
                                   ExpressionAttributeValues={":one": {"N": "1"}})
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(nodes[i % 3],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert nodes[1].get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]["n"] == {"N": "320"}


def test_sixteen_clients_claim_two_thousand_tasks_once_each(nodes):
    """Issue #18's claim test: 16 client threads spread over three kvservers claim 2,000 tasks
    with a conditional UpdateItem; two threads on different nodes race for every task."""
    name = _create(nodes[0], _name("tasks"))
    tasks = 2000
    for start in range(0, tasks, 25):
        nodes[start // 25 % 3].batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": "task"}, "sk": {"N": str(i)}, "state": {"S": "open"}}}}
            for i in range(start, start + 25)]})
    groups = 8
    per_group = tasks // groups
    orders = []
    for group in range(groups):
        order = list(range(group * per_group, (group + 1) * per_group))
        random.Random(group).shuffle(order)
        orders.append(order)
    claimed: dict[int, list[int]] = {}
    lock = threading.Lock()
    errors = []

    def claim(worker: int):
        client = nodes[worker % 3]
        try:
            # Workers 2g and 2g+1 (on different nodes) race over group g's tasks in one order.
            for task in orders[worker // 2]:
                try:
                    client.update_item(
                        TableName=name, Key={"pk": {"S": "task"}, "sk": {"N": str(task)}},
                        UpdateExpression="SET #s = :taken, claimant = :me", ConditionExpression="#s = :open",
                        ExpressionAttributeNames={"#s": "state"},
                        ExpressionAttributeValues={":taken": {"S": "taken"}, ":open": {"S": "open"},
                                                   ":me": {"N": str(worker)}})
                except ClientError as error:
                    if _code(error) != "ConditionalCheckFailedException":
                        raise
                    continue
                with lock:
                    claimed.setdefault(task, []).append(worker)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=claim, args=(worker,)) for worker in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(claimed) == list(range(tasks))
    assert all(len(workers) == 1 for workers in claimed.values())
    # The stored owner is the one claimant, read through another node.
    for start in range(0, tasks, 100):
        keys = [{"pk": {"S": "task"}, "sk": {"N": str(i)}} for i in range(start, start + 100)]
        items = nodes[2].batch_get_item(RequestItems={name: {"Keys": keys, "ConsistentRead": True}})["Responses"][name]
        assert len(items) == 100
        for item in items:
            task = int(item["sk"]["N"])
            assert item["state"] == {"S": "taken"}
            assert int(item["claimant"]["N"]) == claimed[task][0]


def test_transact_get_items(node):
    name = _create(node, _name())
    keys = [{"pk": {"S": "g"}, "sk": {"N": str(i)}} for i in range(3)]
    for key in keys[:2]:
        node.put_item(TableName=name, Item={**key, "v": {"S": "x"}})
    got = node.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": key}} for key in keys])
    assert [response.get("Item") for response in got["Responses"]] == [
        {**keys[0], "v": {"S": "x"}}, {**keys[1], "v": {"S": "x"}}, None]


def test_update_table_adds_an_index_and_fills_it(node):
    name = _create(node, _name())
    for i in range(30):
        node.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "g": {"S": f"v{i % 3}"}})
    node.update_table(
        TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                 "Projection": {"ProjectionType": "ALL"}}}])
    # The backfill runs in the background; the index turns ACTIVE when every item is in it.
    for _ in range(300):
        index = node.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
        if index["IndexStatus"] == "ACTIVE" and not index.get("Backfilling"):
            break
        threading.Event().wait(0.1)
    assert index["IndexStatus"] == "ACTIVE"
    assert index["ItemCount"] == 30


def test_storage_urls_that_cannot_work_are_refused_at_start(postgres_cluster, tmp_path):  # noqa: F811
    def run(*arguments, env=None):
        return subprocess.run([postgres_server_binary(), *arguments, "--port", "0"], capture_output=True, text=True,
                              timeout=60, env=env)

    bad = run("--storage", "mysql://kv@127.0.0.1/kv")
    assert bad.returncode == 64 and "--storage: The storage URL must start with postgres://" in bad.stderr, bad.stderr
    # A password in the URL would be visible in `ps`: refused, and never echoed.
    secret = run("--storage", "postgres://kv:hunter2@127.0.0.1/kv")
    assert secret.returncode == 64 and "hunter2" not in secret.stderr, secret.stderr
    both = run("--in-memory", "--storage", postgres_cluster.url)
    assert both.returncode == 64 and "--storage and --in-memory exclude each other." in both.stderr, both.stderr
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password\n")
    denied = run("--storage", f"{postgres_cluster.url}?password_file={wrong}&sslmode=disable")
    assert denied.returncode != 0
    assert "--storage: cannot use PostgreSQL at" in denied.stderr, denied.stderr
    assert "not-the-password" not in denied.stderr


def test_plain_kvserver_says_where_postgres_is(postgres_cluster):  # noqa: F811
    """kvserver itself links no database driver (PostgresNIO brings Foundation and ICU): asked for
    PostgreSQL, it says which executable has it instead of starting on SQLite."""
    proc = subprocess.run([server_binary(), "--storage", postgres_cluster.url, "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 64, proc.stderr
    assert proc.stderr.startswith("Error: --storage: this kvserver keeps its data in SQLite only; "
                                  "kvserver-postgres keeps it in PostgreSQL"), proc.stderr
