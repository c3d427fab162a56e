"""Query: key conditions, direction, Limit, filters, Select, paging, the 1 MB page.

Sources for exact messages:
[API]  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
[PAG]  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
       ("A single Query only returns a result set that fits within the 1 MB size limit";
       Limit and the 1 MB cap apply before the FilterExpression.)
[DL]   architect/dynalite test/query.js (recorded from DynamoDB):
       "Query condition missed key schema element", "Query key condition not supported",
       "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
       "The provided starting key is invalid", "Conditions can be of length 1 or 2 only".
[DX]   nubo-db/dynoxide src/actions/query.rs + helpers.rs (conformance-captured):
       "Filter Expression can only contain non-primary key attributes: Primary key attribute: <k>",
       "QueryFilter can only contain non-primary key attributes: Primary key attribute: <k>",
       "Cannot specify the ProjectionExpression when choosing to get only the Count",
       "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
       "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
       "The provided starting key is invalid: The provided key element does not match the schema",
       "One or more parameter values were invalid: Condition parameter type does not match schema type".
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error
from read_helpers import paginate, put_many

PARTITION = "q-main"
N_ITEMS = 40


def _item(i: int):
    return {"pk": {"S": PARTITION}, "sk": {"N": str(i)}, "even": {"BOOL": i % 2 == 0},
            "v": {"N": str(i * 10)}, "name": {"S": f"item-{i:03d}"}}


@pytest.fixture(scope="module")
def table(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))
    items = [_item(i) for i in range(1, N_ITEMS + 1)]
    # a few items in other partitions, which a Query must never return
    items += [{"pk": {"S": f"other-{i}"}, "sk": {"N": str(i)}} for i in range(10)]
    put_many(client, name, items)
    return name


@pytest.fixture(scope="module")
def str_table(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "S"))
    sks = ["a", "ab", "abc", "abd", "ac", "b", "ba", "\u00e9t\u00e9", "z"]
    put_many(client, name, [{"pk": {"S": "s"}, "sk": {"S": s}} for s in sks])
    return name


def sks(items):
    return [int(i["sk"]["N"]) for i in items]


def q(client, table, expr, values, **kw):
    return client.query(TableName=table, KeyConditionExpression=expr,
                        ExpressionAttributeValues=values, **kw)


def test_partition_only_returns_partition_in_sort_order(client, table):
    resp = q(client, table, "pk = :p", {":p": {"S": PARTITION}})
    assert sks(resp["Items"]) == list(range(1, N_ITEMS + 1))
    assert resp["Count"] == resp["ScannedCount"] == N_ITEMS
    assert "LastEvaluatedKey" not in resp
    assert resp["Items"][0] == _item(1)


@pytest.mark.parametrize("cond,expected", [
    ("sk = :a", [7]),
    ("sk < :a", list(range(1, 7))),
    ("sk <= :a", list(range(1, 8))),
    ("sk > :a", list(range(8, N_ITEMS + 1))),
    ("sk >= :a", list(range(7, N_ITEMS + 1))),
    (":a < sk", list(range(8, N_ITEMS + 1))),  # value on the left is allowed
    ("sk BETWEEN :a AND :b", list(range(7, 13))),
])
def test_sort_key_conditions(client, table, cond, expected):
    values = {":p": {"S": PARTITION}, ":a": {"N": "7"}}
    if ":b" in cond:
        values[":b"] = {"N": "12"}
    resp = q(client, table, f"pk = :p AND {cond}", values)
    assert sks(resp["Items"]) == expected


def test_numeric_sort_key_orders_by_value_not_text(client, table):
    resp = q(client, table, "pk = :p AND sk BETWEEN :a AND :b",
             {":p": {"S": PARTITION}, ":a": {"N": "9"}, ":b": {"N": "10.0"}})
    assert sks(resp["Items"]) == [9, 10]


def test_begins_with_on_string_sort_key(client, str_table):
    resp = q(client, str_table, "pk = :p AND begins_with(sk, :pre)",
             {":p": {"S": "s"}, ":pre": {"S": "ab"}})
    assert [i["sk"]["S"] for i in resp["Items"]] == ["ab", "abc", "abd"]


def test_string_sort_key_orders_by_utf8_bytes(client, str_table):
    resp = q(client, str_table, "pk = :p", {":p": {"S": "s"}}, ScanIndexForward=False)
    assert [i["sk"]["S"] for i in resp["Items"]] == ["\u00e9t\u00e9", "z", "ba", "b", "ac", "abd", "abc", "ab", "a"]


def test_begins_with_on_number_sort_key_is_rejected(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p AND begins_with(sk, :pre)", {":p": {"S": PARTITION}, ":pre": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
                 "operator or function: begins_with, operand type: N")


def test_expression_attribute_names_in_key_condition(client, table):
    resp = q(client, table, "#p = :p AND #s > :a", {":p": {"S": PARTITION}, ":a": {"N": "38"}},
             ExpressionAttributeNames={"#p": "pk", "#s": "sk"})
    assert sks(resp["Items"]) == [39, 40]


@pytest.mark.parametrize("op,values,expected", [
    ("EQ", [{"N": "5"}], [5]),
    ("LT", [{"N": "3"}], [1, 2]),
    ("LE", [{"N": "3"}], [1, 2, 3]),
    ("GT", [{"N": "38"}], [39, 40]),
    ("GE", [{"N": "38"}], [38, 39, 40]),
    ("BETWEEN", [{"N": "20"}, {"N": "22"}], [20, 21, 22]),
])
def test_legacy_key_conditions(client, table, op, values, expected):
    resp = client.query(TableName=table, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": PARTITION}]},
        "sk": {"ComparisonOperator": op, "AttributeValueList": values},
    })
    assert sks(resp["Items"]) == expected


def test_legacy_key_conditions_begins_with(client, str_table):
    resp = client.query(TableName=str_table, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "s"}]},
        "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "b"}]},
    })
    assert [i["sk"]["S"] for i in resp["Items"]] == ["b", "ba"]


def test_scan_index_forward_false(client, table):
    resp = q(client, table, "pk = :p", {":p": {"S": PARTITION}}, ScanIndexForward=False)
    assert sks(resp["Items"]) == list(range(N_ITEMS, 0, -1))


def test_limit_counts_items_evaluated_before_the_filter(client, table):
    resp = q(client, table, "pk = :p", {":p": {"S": PARTITION}, ":t": {"BOOL": True}},
             FilterExpression="even = :t", Limit=10)
    assert resp["ScannedCount"] == 10
    assert resp["Count"] == 5
    assert sks(resp["Items"]) == [2, 4, 6, 8, 10]
    assert resp["LastEvaluatedKey"] == {"pk": {"S": PARTITION}, "sk": {"N": "10"}}


def test_limit_equal_to_remaining_items_still_returns_last_evaluated_key(client, table):
    # DynamoDB stops at Limit without looking ahead, so the key is there even if nothing follows [PAG].
    resp = q(client, table, "pk = :p AND sk > :a", {":p": {"S": PARTITION}, ":a": {"N": "38"}}, Limit=2)
    assert sks(resp["Items"]) == [39, 40]
    assert resp["LastEvaluatedKey"] == {"pk": {"S": PARTITION}, "sk": {"N": "40"}}
    nxt = q(client, table, "pk = :p AND sk > :a", {":p": {"S": PARTITION}, ":a": {"N": "38"}}, Limit=2,
            ExclusiveStartKey=resp["LastEvaluatedKey"])
    assert nxt["Items"] == [] and nxt["Count"] == 0 and "LastEvaluatedKey" not in nxt


def test_filter_count_and_scanned_count(client, table):
    resp = q(client, table, "pk = :p", {":p": {"S": PARTITION}, ":v": {"N": "300"}},
             FilterExpression="v > :v")
    assert resp["ScannedCount"] == N_ITEMS
    assert resp["Count"] == 10
    assert sks(resp["Items"]) == list(range(31, 41))


def test_legacy_query_filter(client, table):
    resp = client.query(TableName=table, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": PARTITION}]}},
        QueryFilter={"v": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "30"}]},
                     "name": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "item-002"}]}},
        ConditionalOperator="AND")
    assert sks(resp["Items"]) == [1, 3]
    assert resp["ScannedCount"] == N_ITEMS


def test_filter_on_key_attribute_is_rejected(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}, ":a": {"N": "3"}}, FilterExpression="sk > :a")
    assert_error(e, "ValidationException",
                 "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk")


def test_query_filter_on_key_attribute_is_rejected(client, table):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": PARTITION}]}},
            QueryFilter={"sk": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "3"}]}})
    assert_error(e, "ValidationException",
                 "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk")


def test_projection_expression(client, table):
    resp = q(client, table, "pk = :p AND sk <= :a", {":p": {"S": PARTITION}, ":a": {"N": "2"}},
             ProjectionExpression="#n, v", ExpressionAttributeNames={"#n": "name"})
    assert resp["Items"] == [{"name": {"S": "item-001"}, "v": {"N": "10"}},
                             {"name": {"S": "item-002"}, "v": {"N": "20"}}]


def test_attributes_to_get(client, table):
    resp = client.query(TableName=table, AttributesToGet=["v"], KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": PARTITION}]},
        "sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "3"}]}})
    assert resp["Items"] == [{"v": {"N": "30"}}]


def test_select_count_returns_no_items(client, table):
    resp = q(client, table, "pk = :p", {":p": {"S": PARTITION}, ":t": {"BOOL": True}},
             FilterExpression="even = :t", Select="COUNT")
    assert "Items" not in resp
    assert resp["Count"] == N_ITEMS // 2
    assert resp["ScannedCount"] == N_ITEMS


def test_select_all_attributes_and_specific_attributes(client, table):
    resp = q(client, table, "pk = :p AND sk = :a", {":p": {"S": PARTITION}, ":a": {"N": "4"}},
             Select="ALL_ATTRIBUTES")
    assert resp["Items"] == [_item(4)]
    resp = q(client, table, "pk = :p AND sk = :a", {":p": {"S": PARTITION}, ":a": {"N": "4"}},
             Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="sk")
    assert resp["Items"] == [{"sk": {"N": "4"}}]


def test_select_specific_attributes_without_projection(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}}, Select="SPECIFIC_ATTRIBUTES")
    # [DX]: Query wraps this text in the one-error envelope (Scan does not).
    assert_error(e, "ValidationException",
                 "1 validation error detected: Must specify the AttributesToGet or ProjectionExpression "
                 "when choosing to get SPECIFIC_ATTRIBUTES")


@pytest.mark.parametrize("select,shown", [("COUNT", "only the Count"), ("ALL_ATTRIBUTES", "ALL_ATTRIBUTES")])
def test_select_with_projection_expression_is_rejected(client, table, select, shown):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}}, Select=select, ProjectionExpression="v")
    assert_error(e, "ValidationException", f"Cannot specify the ProjectionExpression when choosing to get {shown}")


def test_select_all_projected_attributes_on_table(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}}, Select="ALL_PROJECTED_ATTRIBUTES")
    assert_error(e, "ValidationException",
                 "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")


def test_invalid_select_value(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}}, Select="SOME")
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'SOME' at 'select' failed to satisfy constraint: "
                 "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]")


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [1, 3, 7, 40, 100])
def test_pagination_collects_every_item_once(client, table, forward, limit):
    items, pages = paginate(client.query, TableName=table, KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": {"S": PARTITION}},
                            ScanIndexForward=forward, Limit=limit)
    expected = list(range(1, N_ITEMS + 1))
    assert sks(items) == (expected if forward else expected[::-1])
    for page in pages[:-1]:
        assert page["ScannedCount"] == limit


@pytest.mark.parametrize("forward", [True, False])
def test_pagination_with_filter(client, table, forward):
    items, pages = paginate(client.query, TableName=table, KeyConditionExpression="pk = :p AND sk >= :a",
                            FilterExpression="even = :f",
                            ExpressionAttributeValues={":p": {"S": PARTITION}, ":a": {"N": "5"}, ":f": {"BOOL": False}},
                            ScanIndexForward=forward, Limit=4)
    expected = [i for i in range(5, N_ITEMS + 1) if i % 2 == 1]
    assert sks(items) == (expected if forward else expected[::-1])
    assert sum(p["ScannedCount"] for p in pages) == N_ITEMS - 4
    assert sum(p["Count"] for p in pages) == len(expected)


def test_exclusive_start_key_resumes_after_key(client, table):
    resp = q(client, table, "pk = :p", {":p": {"S": PARTITION}}, Limit=2,
             ExclusiveStartKey={"pk": {"S": PARTITION}, "sk": {"N": "20"}})
    assert sks(resp["Items"]) == [21, 22]
    resp = q(client, table, "pk = :p", {":p": {"S": PARTITION}}, Limit=2, ScanIndexForward=False,
             ExclusiveStartKey={"pk": {"S": PARTITION}, "sk": {"N": "20"}})
    assert sks(resp["Items"]) == [19, 18]


def test_exclusive_start_key_missing_sort_key(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}}, ExclusiveStartKey={"pk": {"S": PARTITION}})
    assert_error(e, "ValidationException", "The provided starting key is invalid")


def test_exclusive_start_key_wrong_type(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}},
          ExclusiveStartKey={"pk": {"S": PARTITION}, "sk": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "The provided starting key is invalid: The provided key element does not match the schema")


def test_exclusive_start_key_in_another_partition(client, table):
    # [DL] test/query.js: the start key must lie inside the queried partition.
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}},
          ExclusiveStartKey={"pk": {"S": "other-1"}, "sk": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "The provided starting key is outside query boundaries based on provided conditions")


def test_missing_key_condition(client, table):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table)
    assert_error(e, "ValidationException",
                 "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")


def test_key_condition_without_partition_key(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "sk = :a", {":a": {"N": "1"}})
    assert_error(e, "ValidationException", "Query condition missed key schema element: pk")


def test_key_condition_on_non_key_attribute(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p AND v = :a", {":p": {"S": PARTITION}, ":a": {"N": "1"}})
    assert_error(e, "ValidationException", "Query condition missed key schema element: sk")


def test_key_condition_partition_not_equality(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk > :p", {":p": {"S": PARTITION}})
    assert_error(e, "ValidationException", "Query key condition not supported")


def test_key_condition_value_type_mismatch(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Condition parameter type does not match schema type")
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p AND sk > :a", {":p": {"S": PARTITION}, ":a": {"S": "1"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Condition parameter type does not match schema type")


def test_legacy_too_many_key_conditions(client, table):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": PARTITION}]},
            "sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]},
            "v": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}})
    assert_error(e, "ValidationException", "Conditions can be of length 1 or 2 only")


def test_query_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.query(TableName="no-such-table-q", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "x"}})
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_unknown_index(client, table):
    with pytest.raises(ClientError) as e:
        q(client, table, "pk = :p", {":p": {"S": PARTITION}}, IndexName="nope-index")
    assert_error(e, "ValidationException", "The table does not have the specified index: nope-index")


# ---------------------------------------------------------------------------
# The 1 MB page, measured on the items read (before the filter) [PAG]
# ---------------------------------------------------------------------------

BIG = 100_000  # ~100 KB per item: about ten items make a megabyte


@pytest.fixture(scope="module")
def big_table(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))
    payload = "x" * BIG
    put_many(client, name, [{"pk": {"S": "big"}, "sk": {"N": str(i)}, "bigtext": {"S": payload}}
                            for i in range(25)], threads=4)
    return name


def test_one_megabyte_page_limit(client, big_table):
    resp = q(client, big_table, "pk = :p", {":p": {"S": "big"}})
    n = resp["ScannedCount"]
    # 25 items of ~100 KB do not fit in one page; a page holds about 1 MB of them.
    assert 9 <= n <= 11, n
    assert resp["Count"] == n
    assert resp["LastEvaluatedKey"] == {"pk": {"S": "big"}, "sk": {"N": str(n - 1)}}
    items, pages = paginate(client.query, TableName=big_table, KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": {"S": "big"}})
    assert sks(items) == list(range(25))
    assert len(pages) == 3


def test_one_megabyte_page_limit_applies_before_filter(client, big_table):
    resp = q(client, big_table, "pk = :p", {":p": {"S": "big"}, ":no": {"S": "nothing"}},
             FilterExpression="bigtext = :no")
    assert resp["Count"] == 0 and resp["Items"] == []
    assert 9 <= resp["ScannedCount"] <= 11
    assert "LastEvaluatedKey" in resp
    items, pages = paginate(client.query, TableName=big_table, KeyConditionExpression="pk = :p",
                            FilterExpression="bigtext = :no",
                            ExpressionAttributeValues={":p": {"S": "big"}, ":no": {"S": "nothing"}})
    assert items == []
    assert sum(p["ScannedCount"] for p in pages) == 25


def test_count_select_also_pages_at_one_megabyte(client, big_table):
    resp = q(client, big_table, "pk = :p", {":p": {"S": "big"}}, Select="COUNT")
    assert 9 <= resp["Count"] <= 11
    assert "LastEvaluatedKey" in resp
