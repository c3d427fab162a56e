"""Scan: filters, Limit, Select, paging, parallel scan segments, the 1 MB page.

Sources for exact messages:
[API]  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
       (TotalSegments 1..1000000, Segment 0..999999)
[PS]   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan
[DL]   architect/dynalite validations/scan.js (recorded from DynamoDB):
       "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
       "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
       "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4".
[DX]   nubo-db/dynoxide src/actions/scan.rs (conformance-captured):
       "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
       "The provided starting key is invalid: The provided key element does not match the schema" (table scan),
       "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES".
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error
from read_helpers import paginate, put_many

N = 300


def _key(i):
    return {"pk": {"S": f"p{i % 60:02d}"}, "sk": {"N": str(i)}}


@pytest.fixture(scope="module")
def table(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))
    put_many(client, name, [{**_key(i), "n": {"N": str(i)}, "tag": {"S": "odd" if i % 2 else "even"}}
                            for i in range(N)])
    return name


def ids(items):
    return sorted(int(i["sk"]["N"]) for i in items)


def test_scan_returns_every_item(client, table):
    items, pages = paginate(client.scan, TableName=table)
    assert ids(items) == list(range(N))
    assert len(pages) == 1
    assert pages[0]["Count"] == pages[0]["ScannedCount"] == N


def test_scan_filter_count_and_scanned_count(client, table):
    resp = client.scan(TableName=table, FilterExpression="n < :x", ExpressionAttributeValues={":x": {"N": "10"}})
    assert ids(resp["Items"]) == list(range(10))
    assert resp["Count"] == 10
    assert resp["ScannedCount"] == N


def test_scan_filter_may_use_key_attributes(client, table):
    # Unlike Query, a Scan filter may name key attributes.
    resp = client.scan(TableName=table, FilterExpression="sk = :x", ExpressionAttributeValues={":x": {"N": "42"}})
    assert ids(resp["Items"]) == [42]


def test_legacy_scan_filter(client, table):
    resp = client.scan(TableName=table, ScanFilter={
        "n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "9"}]},
        "tag": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "odd"}]}})
    assert ids(resp["Items"]) == [5, 7, 9]
    assert resp["ScannedCount"] == N


def test_limit_counts_items_before_filter(client, table):
    resp = client.scan(TableName=table, Limit=20, FilterExpression="tag = :t",
                       ExpressionAttributeValues={":t": {"S": "odd"}})
    assert resp["ScannedCount"] == 20
    assert resp["Count"] == len(resp["Items"]) <= 20
    assert "LastEvaluatedKey" in resp
    assert set(resp["LastEvaluatedKey"]) == {"pk", "sk"}


def test_select_count(client, table):
    resp = client.scan(TableName=table, Select="COUNT", FilterExpression="tag = :t",
                       ExpressionAttributeValues={":t": {"S": "even"}})
    assert "Items" not in resp
    assert resp["Count"] == N // 2
    assert resp["ScannedCount"] == N


def test_projection_expression(client, table):
    resp = client.scan(TableName=table, ProjectionExpression="n", FilterExpression="n = :x",
                       ExpressionAttributeValues={":x": {"N": "7"}})
    assert resp["Items"] == [{"n": {"N": "7"}}]


def test_select_specific_attributes_without_projection(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Select="SPECIFIC_ATTRIBUTES")
    assert_error(e, "ValidationException",
                 "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES")


def test_select_all_attributes_with_projection(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Select="ALL_ATTRIBUTES", ProjectionExpression="n")
    assert_error(e, "ValidationException", "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES")


def test_select_all_projected_attributes_on_table(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Select="ALL_PROJECTED_ATTRIBUTES")
    assert_error(e, "ValidationException",
                 "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")


def test_limit_zero(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Limit=0)
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                 "Member must have value greater than or equal to 1")


@pytest.mark.parametrize("limit", [1, 7, 64, 299, 300, 1000])
def test_pagination_collects_every_item_once(client, table, limit):
    items, pages = paginate(client.scan, TableName=table, Limit=limit)
    assert ids(items) == list(range(N))
    for page in pages[:-1]:
        assert page["ScannedCount"] == limit


def test_pagination_with_filter(client, table):
    items, pages = paginate(client.scan, TableName=table, Limit=13, FilterExpression="tag = :t",
                            ExpressionAttributeValues={":t": {"S": "odd"}})
    assert ids(items) == list(range(1, N, 2))
    assert sum(p["ScannedCount"] for p in pages) == N


def test_exclusive_start_key_wrong_shape(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, ExclusiveStartKey={"pk": {"S": "p01"}})
    assert_error(e, "ValidationException",
                 "The provided starting key is invalid: The provided key element does not match the schema")
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, ExclusiveStartKey={"pk": {"S": "p01"}, "sk": {"S": "1"}})
    assert_error(e, "ValidationException",
                 "The provided starting key is invalid: The provided key element does not match the schema")


def test_exclusive_start_key_of_deleted_item_still_resumes(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"))
    put_many(client, name, [{"pk": {"S": f"k{i}"}} for i in range(20)])
    first = client.scan(TableName=name, Limit=5)
    client.delete_item(TableName=name, Key=first["LastEvaluatedKey"])
    rest, _ = paginate(client.scan, TableName=name, ExclusiveStartKey=first["LastEvaluatedKey"])
    seen = [i["pk"]["S"] for i in first["Items"] + rest]
    assert len(seen) == len(set(seen)) == 20


# ---------------------------------------------------------------------------
# Parallel scan [PS]
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("total", [1, 2, 3, 4, 7, 16, 1000])
def test_parallel_scan_covers_every_item_exactly_once(client, table, total):
    seen = []
    for segment in range(total):
        items, _ = paginate(client.scan, TableName=table, Segment=segment, TotalSegments=total,
                            Limit=25)
        seen += ids(items)
    assert sorted(seen) == list(range(N))


def test_parallel_scan_segments_are_disjoint_and_stable(client, table):
    total = 4
    per_segment = []
    for segment in range(total):
        a, _ = paginate(client.scan, TableName=table, Segment=segment, TotalSegments=total)
        b, _ = paginate(client.scan, TableName=table, Segment=segment, TotalSegments=total, Limit=9)
        assert ids(a) == ids(b)
        per_segment.append(set(ids(a)))
    for i in range(total):
        for j in range(i + 1, total):
            assert not per_segment[i] & per_segment[j]


def test_parallel_scan_with_filter_and_count(client, table):
    total, count, scanned = 5, 0, 0
    for segment in range(total):
        _, pages = paginate(client.scan, TableName=table, Segment=segment, TotalSegments=total,
                            Select="COUNT", FilterExpression="tag = :t",
                            ExpressionAttributeValues={":t": {"S": "even"}}, Limit=31)
        count += sum(p["Count"] for p in pages)
        scanned += sum(p["ScannedCount"] for p in pages)
    assert (count, scanned) == (N // 2, N)


def test_segment_without_total_segments(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Segment=1)
    assert_error(e, "ValidationException",
                 "The TotalSegments parameter is required but was not present in the request when Segment parameter is present")


def test_total_segments_without_segment(client, table):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, TotalSegments=4)
    assert_error(e, "ValidationException",
                 "The Segment parameter is required but was not present in the request when parameter TotalSegments is present")


@pytest.mark.parametrize("segment,total", [(4, 4), (5, 4), (1, 1)])
def test_segment_not_less_than_total(client, table, segment, total):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Segment=segment, TotalSegments=total)
    assert_error(e, "ValidationException",
                 "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                 f"Segment: {segment} is not less than TotalSegments: {total}")


@pytest.mark.parametrize("params,message", [
    ({"Segment": 0, "TotalSegments": 0},
     "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: "
     "Member must have value greater than or equal to 1"),
    ({"Segment": 0, "TotalSegments": 1000001},
     "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: "
     "Member must have value less than or equal to 1000000"),
    ({"Segment": -1, "TotalSegments": 2},
     "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: "
     "Member must have value greater than or equal to 0"),
])
def test_segment_constraints(client, table, params, message):
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, **params)
    assert_error(e, "ValidationException", message)


def test_largest_total_segments_is_accepted(client, table):
    resp = client.scan(TableName=table, Segment=999_999, TotalSegments=1_000_000)
    assert resp["ScannedCount"] <= N


def test_scan_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.scan(TableName="no-such-table-scan")
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")


# ---------------------------------------------------------------------------
# The 1 MB page, measured before the filter
# ---------------------------------------------------------------------------

def test_one_megabyte_page_limit_before_filter(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"))
    put_many(client, name, [{"pk": {"S": f"b{i:02d}"}, "bigtext": {"S": "y" * 100_000}} for i in range(25)],
             threads=4)
    resp = client.scan(TableName=name, FilterExpression="attribute_not_exists(bigtext)")
    assert resp["Count"] == 0
    assert 9 <= resp["ScannedCount"] <= 11
    assert "LastEvaluatedKey" in resp
    items, pages = paginate(client.scan, TableName=name)
    assert len(items) == 25 and len({i["pk"]["S"] for i in items}) == 25
    assert len(pages) == 3
