"""Global and local secondary indexes: projections, sparse indexes, paging, limits,
DescribeTable fields, ItemCollectionMetrics, and the two application workloads that
read through a GSI (the LIFO queue and the race leaderboard, /work/shared/SCENARIOS.md).

Sources for exact messages:
[GSI]  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
       (eventually consistent only; sparse indexes; index keys need not be unique)
[LSI]  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html
       (fetches non-projected attributes from the table; item collections; 10 GB)
[QTA]  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html (20 GSIs, 5 LSIs)
[ICM]  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ItemCollectionMetrics.html
[DL]   architect/dynalite test/query.js, test/putItem.js, test/createTable.js (recorded from DynamoDB):
       "Consistent reads are not supported on global secondary indexes",
       "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global
        secondary index <i> because its projection type is not ALL",
       "One or more parameter values were invalid: Type mismatch for Index Key <a> Expected: S Actual: N IndexName: <i>",
       "One or more parameter values were invalid: Table KeySchema does not have a range key, which is
        required when specifying a LocalSecondaryIndex",
       "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5",
       "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20".
[DX]   nubo-db/dynoxide src/actions/scan.rs (conformance-captured): "The provided starting key is invalid"
       for a malformed start key on an index.
"""

import threading

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name
from read_helpers import attr_defs, gsi, lsi, paginate, put_many

N = 60


def _item(i):
    item = {"pk": {"S": f"user-{i % 3}"}, "sk": {"S": f"{i:04d}"},
            "g": {"S": "even" if i % 2 == 0 else "odd"}, "r": {"N": str(1000 - i)},
            "l": {"N": str(i % 7)}, "inc": {"S": f"inc-{i}"}, "extra": {"S": f"extra-{i}"}}
    if i % 5 == 0:
        item["sparse"] = {"N": str(i)}
    return item


@pytest.fixture(scope="module")
def table(client, module_tables):
    name = module_tables.create(
        hash_key=("pk", "S"), range_key=("sk", "S"),
        AttributeDefinitions=attr_defs(pk="S", sk="S", g="S", r="N", l="N", sparse="N"),
        GlobalSecondaryIndexes=[
            gsi("by-g-all", "g", "r"),
            gsi("by-g-keys", "g", None, "KEYS_ONLY"),
            gsi("by-g-inc", "g", "r", "INCLUDE", ["inc"]),
            gsi("by-sparse", "sparse", None, "ALL"),
        ],
        LocalSecondaryIndexes=[
            lsi("by-l-all", "pk", "l"),
            lsi("by-l-keys", "pk", "l", "KEYS_ONLY"),
        ])
    put_many(client, name, [_item(i) for i in range(N)])
    return name


def idx(items):
    return sorted(int(i["sk"]["S"]) for i in items)


def qi(client, table, index, expr, values, **kw):
    return client.query(TableName=table, IndexName=index, KeyConditionExpression=expr,
                        ExpressionAttributeValues=values, **kw)


# ---------------------------------------------------------------------------
# DescribeTable
# ---------------------------------------------------------------------------

def test_describe_table_index_fields(client, table):
    desc = client.describe_table(TableName=table)["Table"]
    gsis = {g["IndexName"]: g for g in desc["GlobalSecondaryIndexes"]}
    lsis = {g["IndexName"]: g for g in desc["LocalSecondaryIndexes"]}
    assert set(gsis) == {"by-g-all", "by-g-keys", "by-g-inc", "by-sparse"}
    assert set(lsis) == {"by-l-all", "by-l-keys"}
    g = gsis["by-g-inc"]
    assert g["IndexStatus"] == "ACTIVE"
    assert "Backfilling" not in g
    assert g["KeySchema"] == [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}]
    assert g["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["inc"]}
    assert g["IndexArn"] == desc["TableArn"] + "/index/by-g-inc"
    assert g["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert gsis["by-g-keys"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    # Counts are refreshed every six hours on AWS; only check them where the server is exact.
    for g in list(gsis.values()) + list(lsis.values()):
        assert g["ItemCount"] >= 0 and g["IndexSizeBytes"] >= 0
    l = lsis["by-l-keys"]
    assert "IndexStatus" not in l and "ProvisionedThroughput" not in l
    assert l["IndexArn"] == desc["TableArn"] + "/index/by-l-keys"
    assert l["KeySchema"][0] == {"AttributeName": "pk", "KeyType": "HASH"}


def test_describe_counts_are_exact_locally(client, table, against_real_aws):
    if against_real_aws:
        pytest.skip("DynamoDB refreshes ItemCount about every six hours")
    desc = client.describe_table(TableName=table)["Table"]
    gsis = {g["IndexName"]: g for g in desc["GlobalSecondaryIndexes"]}
    assert desc["ItemCount"] == N
    assert gsis["by-g-all"]["ItemCount"] == N
    assert gsis["by-sparse"]["ItemCount"] == N // 5
    assert gsis["by-g-keys"]["IndexSizeBytes"] < gsis["by-g-all"]["IndexSizeBytes"]


# ---------------------------------------------------------------------------
# Projections
# ---------------------------------------------------------------------------

def test_gsi_all_projection_returns_whole_items_in_index_order(client, table):
    resp = qi(client, table, "by-g-all", "g = :g", {":g": {"S": "even"}})
    assert [int(i["r"]["N"]) for i in resp["Items"]] == sorted(1000 - i for i in range(0, N, 2))
    assert resp["Items"][0] == _item(N - 2)


def test_gsi_keys_only_projection(client, table):
    resp = qi(client, table, "by-g-keys", "g = :g", {":g": {"S": "odd"}})
    assert idx(resp["Items"]) == list(range(1, N, 2))
    for item in resp["Items"]:
        assert set(item) == {"g", "pk", "sk"}


def test_gsi_include_projection(client, table):
    resp = qi(client, table, "by-g-inc", "g = :g AND r > :r", {":g": {"S": "odd"}, ":r": {"N": "990"}})
    assert [set(i) for i in resp["Items"]] == [{"g", "r", "pk", "sk", "inc"}] * 5
    assert idx(resp["Items"]) == [1, 3, 5, 7, 9]


def test_select_all_projected_attributes(client, table):
    resp = qi(client, table, "by-g-inc", "g = :g", {":g": {"S": "odd"}}, Select="ALL_PROJECTED_ATTRIBUTES")
    assert all(set(i) == {"g", "r", "pk", "sk", "inc"} for i in resp["Items"])


def test_select_all_attributes_on_non_all_gsi(client, table):
    with pytest.raises(ClientError) as e:
        qi(client, table, "by-g-keys", "g = :g", {":g": {"S": "odd"}}, Select="ALL_ATTRIBUTES")
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                 "global secondary index by-g-keys because its projection type is not ALL")


def test_lsi_fetches_unprojected_attributes_from_table(client, table):
    # [LSI]: "DynamoDB automatically fetches those attributes from the base table".
    resp = qi(client, table, "by-l-keys", "pk = :p AND l = :l", {":p": {"S": "user-0"}, ":l": {"N": "0"}},
              Select="ALL_ATTRIBUTES")
    expected = [i for i in range(N) if i % 3 == 0 and i % 7 == 0]
    assert idx(resp["Items"]) == expected
    assert resp["Items"][0] == _item(expected[0])
    resp = qi(client, table, "by-l-keys", "pk = :p AND l = :l", {":p": {"S": "user-0"}, ":l": {"N": "0"}},
              ProjectionExpression="extra, l")
    assert resp["Items"][0] == {"extra": {"S": f"extra-{expected[0]}"}, "l": {"N": "0"}}


def test_lsi_keys_only_default_projection(client, table):
    resp = qi(client, table, "by-l-keys", "pk = :p AND l = :l", {":p": {"S": "user-1"}, ":l": {"N": "1"}})
    assert all(set(i) == {"pk", "sk", "l"} for i in resp["Items"])


def test_lsi_query_orders_by_index_sort_key_then_table_key(client, table):
    resp = qi(client, table, "by-l-all", "pk = :p", {":p": {"S": "user-2"}})
    got = [(int(i["l"]["N"]), i["sk"]["S"]) for i in resp["Items"]]
    assert got == sorted(got)
    assert len(got) == N // 3


# ---------------------------------------------------------------------------
# Consistency
# ---------------------------------------------------------------------------

def test_consistent_read_rejected_on_gsi(client, table):
    with pytest.raises(ClientError) as e:
        qi(client, table, "by-g-all", "g = :g", {":g": {"S": "odd"}}, ConsistentRead=True)
    assert_error(e, "ValidationException", "Consistent reads are not supported on global secondary indexes")
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, IndexName="by-g-all", ConsistentRead=True)
    assert_error(e, "ValidationException", "Consistent reads are not supported on global secondary indexes")


def test_consistent_read_allowed_on_lsi(client, table):
    resp = qi(client, table, "by-l-all", "pk = :p", {":p": {"S": "user-0"}}, ConsistentRead=True)
    assert resp["Count"] == N // 3


# ---------------------------------------------------------------------------
# Sparse indexes, duplicates, writes
# ---------------------------------------------------------------------------

def test_sparse_index_holds_only_items_with_the_key(client, table):
    items, _ = paginate(client.scan, TableName=table, IndexName="by-sparse")
    assert idx(items) == list(range(0, N, 5))


def test_sparse_index_follows_updates_and_deletes(client, make_table):
    name = make_table(hash_key=("pk", "S"), AttributeDefinitions=attr_defs(pk="S", s="S"),
                      GlobalSecondaryIndexes=[gsi("sparse-idx", "s")])
    client.put_item(TableName=name, Item={"pk": {"S": "a"}})
    client.put_item(TableName=name, Item={"pk": {"S": "b"}, "s": {"S": "x"}})
    assert client.scan(TableName=name, IndexName="sparse-idx")["Count"] == 1
    client.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET s = :x",
                       ExpressionAttributeValues={":x": {"S": "x"}})
    resp = qi(client, name, "sparse-idx", "s = :x", {":x": {"S": "x"}})
    assert sorted(i["pk"]["S"] for i in resp["Items"]) == ["a", "b"]
    client.update_item(TableName=name, Key={"pk": {"S": "b"}}, UpdateExpression="REMOVE s")
    client.delete_item(TableName=name, Key={"pk": {"S": "a"}})
    assert client.scan(TableName=name, IndexName="sparse-idx")["Count"] == 0
    client.put_item(TableName=name, Item={"pk": {"S": "c"}, "s": {"S": "y"}})
    client.put_item(TableName=name, Item={"pk": {"S": "c"}, "s": {"S": "z"}})  # key moves
    assert qi(client, name, "sparse-idx", "s = :y", {":y": {"S": "y"}})["Count"] == 0
    assert qi(client, name, "sparse-idx", "s = :z", {":z": {"S": "z"}})["Count"] == 1


def test_index_key_type_mismatch_on_write(client, make_table):
    name = make_table(hash_key=("pk", "S"), AttributeDefinitions=attr_defs(pk="S", ik="S"),
                      GlobalSecondaryIndexes=[gsi("ik-index", "ik")])
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=name, Item={"pk": {"S": "a"}, "ik": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for Index Key ik Expected: S Actual: N "
                 "IndexName: ik-index")
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET ik = :v",
                           ExpressionAttributeValues={":v": {"NULL": True}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for Index Key ik Expected: S Actual: NULL "
                 "IndexName: ik-index")
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "a"}})


def test_index_key_type_mismatch_on_lsi_write(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "x"}, "sk": {"S": "y"}, "l": {"S": "not a number"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for Index Key l Expected: N Actual: S "
                 "IndexName: by-l-all")


def test_duplicate_gsi_keys_page_without_loss(client, table):
    # 30 items share g = "odd" with the hash-only KEYS_ONLY index: paging must order by table key.
    for limit in (1, 4, 29, 30):
        items, pages = paginate(client.query, TableName=table, IndexName="by-g-keys",
                                KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "odd"}},
                                Limit=limit)
        keys = [(i["pk"]["S"], i["sk"]["S"]) for i in items]
        assert len(keys) == len(set(keys)) == N // 2
        for forward_back in (False,):
            back, _ = paginate(client.query, TableName=table, IndexName="by-g-keys",
                               KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "odd"}},
                               Limit=limit, ScanIndexForward=forward_back)
            assert [(i["pk"]["S"], i["sk"]["S"]) for i in back] == keys[::-1]


def test_last_evaluated_key_on_index_is_index_keys_plus_table_keys(client, table):
    resp = qi(client, table, "by-g-all", "g = :g", {":g": {"S": "even"}}, Limit=3)
    lek = resp["LastEvaluatedKey"]
    last = resp["Items"][-1]
    assert lek == {"g": last["g"], "r": last["r"], "pk": last["pk"], "sk": last["sk"]}
    resp = qi(client, table, "by-l-all", "pk = :p", {":p": {"S": "user-0"}}, Limit=2)
    last = resp["Items"][-1]
    assert resp["LastEvaluatedKey"] == {"pk": last["pk"], "sk": last["sk"], "l": last["l"]}
    resp = client.scan(TableName=table, IndexName="by-g-keys", Limit=2)
    last = resp["Items"][-1]
    assert resp["LastEvaluatedKey"] == {"g": last["g"], "pk": last["pk"], "sk": last["sk"]}


@pytest.mark.parametrize("forward", [True, False])
def test_index_pagination_with_filter(client, table, forward):
    items, pages = paginate(client.query, TableName=table, IndexName="by-g-all",
                            KeyConditionExpression="g = :g", FilterExpression="l = :l",
                            ExpressionAttributeValues={":g": {"S": "even"}, ":l": {"N": "3"}},
                            ScanIndexForward=forward, Limit=4)
    expected = [i for i in range(0, N, 2) if i % 7 == 3]
    assert idx(items) == expected
    rs = [int(i["r"]["N"]) for i in items]
    assert rs == sorted(rs, reverse=not forward)
    assert sum(p["ScannedCount"] for p in pages) == N // 2


def test_index_parallel_scan_covers_every_row_once(client, table):
    seen = []
    for segment in range(3):
        items, _ = paginate(client.scan, TableName=table, IndexName="by-g-inc", Segment=segment,
                            TotalSegments=3, Limit=7)
        seen += idx(items)
    assert sorted(seen) == list(range(N))


def test_index_start_key_missing_table_key(client, table):
    with pytest.raises(ClientError) as e:
        qi(client, table, "by-g-all", "g = :g", {":g": {"S": "even"}},
           ExclusiveStartKey={"g": {"S": "even"}, "r": {"N": "990"}})
    assert_error(e, "ValidationException", "The provided starting key is invalid")


def test_unknown_index_on_scan(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, IndexName="missing-index")
    assert_error(e, "ValidationException", "The table does not have the specified index: missing-index")


def test_query_index_missing_index_hash_key(client, table):
    with pytest.raises(ClientError) as e:
        qi(client, table, "by-g-all", "pk = :p", {":p": {"S": "user-0"}})
    assert_error(e, "ValidationException", "Query condition missed key schema element: g")


# ---------------------------------------------------------------------------
# CreateTable limits
# ---------------------------------------------------------------------------

def test_twenty_gsis_allowed_twenty_one_rejected(client, make_table, table_names):
    defs = attr_defs(pk="S", **{f"a{i}": "S" for i in range(21)})
    name = make_table(hash_key=("pk", "S"), AttributeDefinitions=defs[:21],
                      GlobalSecondaryIndexes=[gsi(f"gsi-{i}", f"a{i}", None, "KEYS_ONLY") for i in range(20)])
    desc = client.describe_table(TableName=name)["Table"]
    assert len(desc["GlobalSecondaryIndexes"]) == 20
    client.put_item(TableName=name, Item={"pk": {"S": "x"}, **{f"a{i}": {"S": "v"} for i in range(20)}})
    assert qi(client, name, "gsi-19", "a19 = :v", {":v": {"S": "v"}})["Count"] == 1
    with pytest.raises(ClientError) as e:
        bad = unique_name()
        client.create_table(TableName=bad, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST",
                            GlobalSecondaryIndexes=[gsi(f"gsi-{i}", f"a{i}", None, "KEYS_ONLY") for i in range(21)])
    table_names.track(bad)
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20")


def test_five_lsis_allowed_six_rejected(client, make_table, table_names):
    defs = attr_defs(pk="S", sk="S", **{f"l{i}": "N" for i in range(6)})
    name = make_table(hash_key=("pk", "S"), range_key=("sk", "S"), AttributeDefinitions=defs[:7],
                      LocalSecondaryIndexes=[lsi(f"lsi-{i}", "pk", f"l{i}", "KEYS_ONLY") for i in range(5)])
    assert len(client.describe_table(TableName=name)["Table"]["LocalSecondaryIndexes"]) == 5
    bad = unique_name()
    table_names.track(bad)
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=bad, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                                      {"AttributeName": "sk", "KeyType": "RANGE"}],
                            AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST",
                            LocalSecondaryIndexes=[lsi(f"lsi-{i}", "pk", f"l{i}", "KEYS_ONLY") for i in range(6)])
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5")


def test_lsi_needs_table_sort_key(client, table_names):
    bad = unique_name()
    table_names.track(bad)
    with pytest.raises(ClientError) as e:
        client.create_table(TableName=bad, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=attr_defs(pk="S", l="N"), BillingMode="PAY_PER_REQUEST",
                            LocalSecondaryIndexes=[lsi("lsi-x", "pk", "l")])
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Table KeySchema does not have a range key, "
                 "which is required when specifying a LocalSecondaryIndex")


# ---------------------------------------------------------------------------
# ReturnItemCollectionMetrics (tables with LSIs) [ICM]
# ---------------------------------------------------------------------------

def test_item_collection_metrics_on_tables_with_lsi(client, table):
    key = {"pk": {"S": "icm"}, "sk": {"S": "1"}}
    resp = client.put_item(TableName=table, Item={**key, "l": {"N": "1"}}, ReturnItemCollectionMetrics="SIZE")
    metrics = resp["ItemCollectionMetrics"]
    assert metrics["ItemCollectionKey"] == {"pk": {"S": "icm"}}
    low, high = metrics["SizeEstimateRangeGB"]
    assert low == 0 and 0 < high <= 1
    resp = client.update_item(TableName=table, Key=key, UpdateExpression="SET z = :z",
                              ExpressionAttributeValues={":z": {"S": "z"}}, ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"]["ItemCollectionKey"] == {"pk": {"S": "icm"}}
    resp = client.delete_item(TableName=table, Key=key, ReturnItemCollectionMetrics="SIZE")
    assert resp["ItemCollectionMetrics"]["ItemCollectionKey"] == {"pk": {"S": "icm"}}
    resp = client.put_item(TableName=table, Item=key, ReturnItemCollectionMetrics="NONE")
    assert "ItemCollectionMetrics" not in resp
    client.delete_item(TableName=table, Key=key)


def test_no_item_collection_metrics_without_lsi(client, make_table):
    name = make_table(hash_key=("pk", "S"))
    resp = client.put_item(TableName=name, Item={"pk": {"S": "a"}}, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in resp


# ---------------------------------------------------------------------------
# Scenario 1: the LIFO queue (QueueTable, task-status-created-index)
# ---------------------------------------------------------------------------

def test_lifo_queue_takes_newest_pending_tasks(client, make_table):
    name = make_table(hash_key=("taskId", "S"),
                      AttributeDefinitions=attr_defs(taskId="S", taskStatus="S", taskCreated="N"),
                      GlobalSecondaryIndexes=[gsi("task-status-created-index", "taskStatus", "taskCreated")])
    base = 1_700_000_000_000
    tasks = []
    for i in range(200):
        status = ["PENDING", "TAKEN", "SUCCESS", "FAILURE"][i % 4] if i % 3 else "PENDING"
        tasks.append({"taskId": {"S": f"task-{i:04d}"}, "taskStatus": {"S": status},
                      "taskCreated": {"N": str(base + i * 1000)}, "taskUpdated": {"N": str(base + i * 1000)}})
    put_many(client, name, tasks)
    resp = client.query(TableName=name, IndexName="task-status-created-index",
                        KeyConditionExpression="taskStatus = :taskStatus",
                        ExpressionAttributeValues={":taskStatus": {"S": "PENDING"}},
                        Limit=10, ScanIndexForward=False)
    pending = sorted((t for t in tasks if t["taskStatus"]["S"] == "PENDING"),
                     key=lambda t: int(t["taskCreated"]["N"]), reverse=True)
    assert resp["Items"] == pending[:10]
    assert resp["Count"] == 10
    assert set(resp["LastEvaluatedKey"]) == {"taskStatus", "taskCreated", "taskId"}
    # Claim the newest: PENDING -> TAKEN; it leaves the PENDING query.
    newest = resp["Items"][0]["taskId"]
    client.update_item(TableName=name, Key={"taskId": newest},
                       UpdateExpression="set taskStatus = :toTaskStatus, taskUpdated = :taskUpdated",
                       ConditionExpression="taskStatus = :fromTaskStatus",
                       ExpressionAttributeValues={":toTaskStatus": {"S": "TAKEN"}, ":taskUpdated": {"N": "1"},
                                                  ":fromTaskStatus": {"S": "PENDING"}})
    again = client.query(TableName=name, IndexName="task-status-created-index",
                         KeyConditionExpression="taskStatus = :taskStatus",
                         ExpressionAttributeValues={":taskStatus": {"S": "PENDING"}},
                         Limit=10, ScanIndexForward=False)
    assert again["Items"] == pending[1:11]


# ---------------------------------------------------------------------------
# Scenario 2: the race leaderboard (GSI_PK_Index, top 1,000 of 1,500)
# ---------------------------------------------------------------------------

def test_leaderboard_top_thousand_of_fifteen_hundred(client, make_table):
    name = make_table(hash_key=("PK", "S"), range_key=("SK", "S"),
                      AttributeDefinitions=attr_defs(PK="S", SK="S", GSI="N"),
                      GlobalSecondaryIndexes=[gsi("GSI_PK_Index", "PK", "GSI")])
    race = "race-5403307"
    # scores with ties, so the index order must fall back to the table key
    racers = [{"PK": {"S": race}, "SK": {"S": f"racer-{r:05d}"}, "GSI": {"N": str((r * 7919) % 1200)},
               "ts": {"N": "1700000000"}} for r in range(1500)]
    other = [{"PK": {"S": "race-1"}, "SK": {"S": f"racer-{r}"}, "GSI": {"N": "99999"}} for r in range(20)]
    put_many(client, name, racers + other)

    params = dict(TableName=name, IndexName="GSI_PK_Index", KeyConditionExpression="PK = :ID",
                  ExpressionAttributeValues={":ID": {"S": race}}, ScanIndexForward=False, Limit=1000)
    first = client.query(**params)
    assert first["Count"] == 1000
    scores = [int(i["GSI"]["N"]) for i in first["Items"]]
    assert scores == sorted(scores, reverse=True)
    all_scores = sorted((int(i["GSI"]["N"]) for i in racers), reverse=True)
    assert scores == all_scores[:1000]  # the top 1,000 (ties may come in any order)
    assert "LastEvaluatedKey" in first
    rest = client.query(**params, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert rest["Count"] == 500 and "LastEvaluatedKey" not in rest
    everyone = first["Items"] + rest["Items"]
    assert [int(i["GSI"]["N"]) for i in everyone] == all_scores
    assert sorted(i["SK"]["S"] for i in everyone) == sorted(i["SK"]["S"] for i in racers)
