"""Query, Scan and GetItem answer the same items whichever way the server reads them.

A page with nothing to filter or project is written straight from the stored bytes, and a
small one is read on the event loop's own connection (file mode), falling back to a reader
thread when it grows past a budget; filters, projections and index fetches decode items.
Every combination must return exactly the items that were written, in both storage modes.
"""

from __future__ import annotations

import os

import pytest

from conftest import _ServerProcess, server_binary
from streams_support import clients
from test_attribute_values import ALL_TYPES, _norm_sets

TABLE = "read_paths"
PARTITION_SIZE = 150
# Large enough that an unlimited Query of the partition reads more than the inline budget.
PAYLOAD = "p" * 2500


def item(sk: int) -> dict:
    # Every type on every item, and text that JSON must escape.
    return {"pk": {"S": "part"}, "sk": {"N": str(sk)}, "alt": {"N": str(-sk)},
            "text": {"S": f"line {sk}\n\"quoted\" \\ \u0001 é 🎉"}, "payload": {"S": PAYLOAD}, **ALL_TYPES}


@pytest.fixture(scope="module", params=["memory", "file"])
def reader(request, tmp_path_factory):
    if os.environ.get("KVSERVER_ENDPOINT"):
        pytest.skip("needs a kvserver binary to start in each storage mode")
    args = ("--in-memory",) if request.param == "memory" else ("--data-dir", str(tmp_path_factory.mktemp("reads")))
    server = _ServerProcess(server_binary(), args)
    url = server.start()
    client, _ = clients(url)
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "alt", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        LocalSecondaryIndexes=[{
            "IndexName": "by_alt",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "alt", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    for sk in range(PARTITION_SIZE):
        client.put_item(TableName=TABLE, Item=item(sk))
    yield client
    server.stop()


def query_all(client, **kwargs) -> tuple[list[dict], int]:
    items, pages, start = [], 0, None
    values = {":p": {"S": "part"}, **kwargs.pop("values", {})}
    while True:
        page = client.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues=values,
                            **({"ExclusiveStartKey": start} if start else {}), **kwargs)
        items += page.get("Items", [])
        pages += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            return items, pages


def keys(items) -> list[int]:
    return [int(i["sk"]["N"]) for i in items]


@pytest.mark.parametrize("limit", [None, 1, 100, 149])
@pytest.mark.parametrize("forward", [True, False])
def test_query_pages_return_every_item_whole(reader, limit, forward):
    items, _ = query_all(reader, ScanIndexForward=forward, **({"Limit": limit} if limit else {}))
    expected = list(range(PARTITION_SIZE)) if forward else list(reversed(range(PARTITION_SIZE)))
    assert keys(items) == expected
    for got in items:
        assert _norm_sets(got) == _norm_sets(item(int(got["sk"]["N"])))


def test_filter_and_projection_decode_the_same_values(reader):
    filtered, _ = query_all(reader, FilterExpression="alt < :zero", values={":zero": {"N": "-139"}}, Limit=50)
    assert keys(filtered) == list(range(140, PARTITION_SIZE))
    assert [_norm_sets(i) for i in filtered] == [_norm_sets(item(k)) for k in range(140, PARTITION_SIZE)]
    projected, _ = query_all(reader, ProjectionExpression="sk, m.#i, l[1], #t",
                             ExpressionAttributeNames={"#t": "text", "#i": "inner"}, Limit=7)
    assert projected[3] == {"sk": item(3)["sk"], "m": {"M": {"inner": ALL_TYPES["m"]["M"]["inner"]}},
                            "l": {"L": [ALL_TYPES["l"]["L"][1]]}, "text": item(3)["text"]}


def test_count_pages(reader):
    page = reader.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "part"}}, Select="COUNT", Limit=10)
    assert page["Count"] == 10 and "Items" not in page
    assert page["LastEvaluatedKey"] == {"pk": {"S": "part"}, "sk": {"N": "9"}}


def test_local_index_fetches_the_whole_item(reader):
    items, _ = query_all(reader, IndexName="by_alt", Select="ALL_ATTRIBUTES", Limit=40)
    assert keys(items) == list(reversed(range(PARTITION_SIZE)))
    assert _norm_sets(items[0]) == _norm_sets(item(PARTITION_SIZE - 1))
    only_keys, _ = query_all(reader, IndexName="by_alt", Limit=100)
    assert only_keys[0] == {k: item(PARTITION_SIZE - 1)[k] for k in ("pk", "sk", "alt")}


@pytest.mark.parametrize("limit", [None, 7, 100])
def test_scan_returns_every_item_whole(reader, limit):
    items, start = [], None
    while True:
        page = reader.scan(TableName=TABLE, **({"Limit": limit} if limit else {}),
                           **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(keys(items)) == list(range(PARTITION_SIZE))
    assert all(_norm_sets(i) == _norm_sets(item(int(i["sk"]["N"]))) for i in items)


def test_get_item_whole_and_projected(reader):
    key = {"pk": {"S": "part"}, "sk": {"N": "42"}}
    assert _norm_sets(reader.get_item(TableName=TABLE, Key=key)["Item"]) == _norm_sets(item(42))
    got = reader.get_item(TableName=TABLE, Key=key, ProjectionExpression="ns, b")["Item"]
    assert _norm_sets(got) == _norm_sets({"ns": ALL_TYPES["ns"], "b": ALL_TYPES["b"]})
    assert "Item" not in reader.get_item(TableName=TABLE, Key={"pk": {"S": "part"}, "sk": {"N": "1000"}})
