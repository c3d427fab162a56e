"""Query/Scan parameters and legacy conditions: the combinations and texts DynamoDB accepts or refuses.

Sources:
[API-Q] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html and API_Scan.html:
  `Select` is not a legacy parameter; it combines with ProjectionExpression (SPECIFIC_ATTRIBUTES),
  FilterExpression (COUNT) and index queries (ALL_PROJECTED_ATTRIBUTES). AttributesToGet has at
  least one member ("Array Members: Minimum number of 1 item").
[DL] architect/dynalite test/query.js and test/scan.js (recorded from DynamoDB): the
  ComparisonOperator enum text, "Attempted conditional constraint is not an indexable operation",
  "ComparisonOperator X is not valid for T AttributeValue type" for LT/LE/GT/GE/IN on BOOL, NULL,
  sets, M and L and for CONTAINS/NOT_CONTAINS on sets, M and L only (so BOOL and NULL are valid
  CONTAINS operands), "The provided starting key is invalid".
[DAX] AWS's DAX client, RequestValidator, and DynamoDB Local's ErrorFactory: "ConditionalOperator
  cannot be used without Filter or Expected"; _check_valid_BSNBoolNull_types for CONTAINS.
[SEG] ddb-local-rs (recorded from DynamoDB): "The provided Exclusive start key does not map to the
  provided Segment and TotalSegments values."
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

INVALID = "One or more parameter values were invalid: "


@pytest.fixture(scope="module")
def table(client, module_tables):
    name = module_tables.create(
        hash_key=("pk", "S"), range_key=("sk", "N"),
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    items = [
        {"pk": {"S": "p"}, "sk": {"N": "1"}, "g": {"S": "x"}, "b": {"BOOL": True}, "n": {"NULL": True},
         "l": {"L": [{"S": "a"}]}, "m": {"M": {"k": {"S": "v"}}}, "s": {"S": "abc"}},
        {"pk": {"S": "p"}, "sk": {"N": "2"}, "g": {"S": "x"}, "b": {"BOOL": False}, "l": {"L": []},
         "m": {"M": {}}, "s": {"S": "xyz"}},
    ]
    for item in items:
        client.put_item(TableName=name, Item=item)
    return name


def _keys(resp):
    return sorted(int(i["sk"]["N"]) for i in resp["Items"])


# ---- Select with expression parameters [API-Q] ----

def test_select_count_with_filter_expression(client, table):
    resp = client.query(TableName=table, KeyConditionExpression="pk = :p", FilterExpression="b = :t",
                        ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}}, Select="COUNT")
    assert resp["Count"] == 1 and "Items" not in resp


def test_select_specific_attributes_with_projection_expression(client, table):
    resp = client.scan(TableName=table, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="sk, #s",
                       ExpressionAttributeNames={"#s": "s"})
    assert sorted(resp["Items"], key=lambda i: i["sk"]["N"]) == [
        {"sk": {"N": "1"}, "s": {"S": "abc"}}, {"sk": {"N": "2"}, "s": {"S": "xyz"}}]


def test_select_all_projected_attributes_with_key_condition_expression(client, table):
    resp = client.query(TableName=table, IndexName="byG", KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": {"S": "x"}}, Select="ALL_PROJECTED_ATTRIBUTES")
    assert resp["Count"] == 2
    assert all(set(i) == {"pk", "sk", "g"} for i in resp["Items"])


def test_select_all_attributes_with_filter_expression_on_scan(client, table):
    resp = client.scan(TableName=table, Select="ALL_ATTRIBUTES", FilterExpression="attribute_exists(n)")
    assert _keys(resp) == [1]


# ---- AttributesToGet [API-Q] ----

@pytest.mark.parametrize("op", ["query", "scan"])
def test_empty_attributes_to_get_is_refused(client, table, op):
    kwargs = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}}} \
        if op == "query" else {}
    with pytest.raises(ClientError) as e:
        getattr(client, op)(TableName=table, AttributesToGet=[], **kwargs)
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: "
                 "Member must have length greater than or equal to 1")


# ---- ExclusiveStartKey ----

def test_query_start_key_of_another_partition(client, table):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                     ExclusiveStartKey={"pk": {"S": "other"}, "sk": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "The provided starting key is outside query boundaries based on provided conditions")


@pytest.mark.parametrize("start", [
    {"pk": {"S": "p"}},
    {"pk": {"S": "p"}, "sk": {"N": "1"}, "extra": {"S": "x"}},
])
def test_query_start_key_with_missing_or_extra_attributes(client, table, start):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}},
                     ExclusiveStartKey=start)
    assert_error(e, "ValidationException", "The provided starting key is invalid")  # [DL]


def test_parallel_scan_start_key_outside_its_segment(client, table):
    # Find the segment of the item, then resume another segment from it.
    total = 4
    owner = next(s for s in range(total)
                 if client.scan(TableName=table, Segment=s, TotalSegments=total)["Count"] > 0)
    start = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    resp = client.scan(TableName=table, Segment=owner, TotalSegments=total, ExclusiveStartKey=start)
    assert _keys(resp) == [2]
    other = (owner + 1) % total
    with pytest.raises(ClientError) as e:
        client.scan(TableName=table, Segment=other, TotalSegments=total, ExclusiveStartKey=start)
    assert_error(e, "ValidationException",
                 "The provided Exclusive start key does not map to the provided Segment and TotalSegments values.")


# ---- QueryFilter / ScanFilter EQ and NE on every type [DL] ----

@pytest.mark.parametrize("attr,value,eq,ne", [
    ("b", {"BOOL": True}, [1], [2]),
    ("n", {"NULL": True}, [1], [2]),
    ("l", {"L": [{"S": "a"}]}, [1], [2]),
    ("m", {"M": {}}, [2], [1]),
    ("s", {"S": "abc"}, [1], [2]),
])
def test_scan_filter_eq_ne_on_every_type(client, table, attr, value, eq, ne):
    for op, expected in (("EQ", eq), ("NE", ne)):
        resp = client.scan(TableName=table,
                           ScanFilter={attr: {"ComparisonOperator": op, "AttributeValueList": [value]}})
        assert _keys(resp) == expected, (op, attr)
        resp = client.query(TableName=table,
                            KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                            QueryFilter={attr: {"ComparisonOperator": op, "AttributeValueList": [value]}})
        assert _keys(resp) == expected, (op, attr)


def test_scan_filter_contains_bool(client, table):
    resp = client.scan(TableName=table, ScanFilter={
        "l": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]}})
    assert _keys(resp) == [1]
    client.scan(TableName=table, ScanFilter={"l": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"BOOL": True}]}})


@pytest.mark.parametrize("op,value,type_", [
    ("LE", {"BOOL": True}, "BOOL"), ("LT", {"NULL": True}, "NULL"), ("GT", {"SS": ["a"]}, "SS"),
    ("GE", {"M": {}}, "M"), ("IN", {"L": []}, "L"), ("CONTAINS", {"SS": ["a"]}, "SS"),
    ("NOT_CONTAINS", {"M": {}}, "M"), ("BEGINS_WITH", {"N": "1"}, "N"), ("BETWEEN", {"BOOL": True}, "BOOL"),
])
@pytest.mark.parametrize("where", ["Expected", "ScanFilter"])
def test_operand_type_checks(client, table, op, value, type_, where):
    values = [value, value] if op == "BETWEEN" else [value]
    condition = {"a": {"ComparisonOperator": op, "AttributeValueList": values}}
    with pytest.raises(ClientError) as e:
        if where == "Expected":
            client.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"N": "0"}}, Expected=condition)
        else:
            client.scan(TableName=table, ScanFilter=condition)
    assert_error(e, "ValidationException", f"{INVALID}ComparisonOperator {op} is not valid for {type_} AttributeValue type")


@pytest.mark.parametrize("op,count", [
    ("LE", 2), ("CONTAINS", 0), ("NOT_CONTAINS", 2), ("BEGINS_WITH", 2), ("IN", 0), ("BETWEEN", 1), ("BETWEEN", 3),
    ("EQ", 0), ("NOT_NULL", 1),
])
def test_expected_argument_counts(client, table, op, count):
    condition = {"a": {"ComparisonOperator": op, "AttributeValueList": [{"S": str(i)} for i in range(count)]}}
    if count == 0:
        condition["a"]["AttributeValueList"] = []
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"N": "0"}}, Expected=condition)
    assert_error(e, "ValidationException", f"{INVALID}Invalid number of argument(s) for the {op} ComparisonOperator")


def test_empty_expected_is_no_condition(client, table):
    item = {"pk": {"S": "empty-expected"}, "sk": {"N": "0"}}
    client.put_item(TableName=table, Item=item, Expected={})
    assert client.get_item(TableName=table, Key=item)["Item"] == item


@pytest.mark.parametrize("call", ["put", "scan", "query"])
def test_conditional_operator_without_expected_or_filter(client, table, call):
    with pytest.raises(ClientError) as e:
        if call == "put":
            client.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"N": "0"}}, ConditionalOperator="OR")
        elif call == "scan":
            client.scan(TableName=table, ConditionalOperator="AND")
        else:
            client.query(TableName=table, ConditionalOperator="AND", KeyConditions={
                "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}})
    assert_error(e, "ValidationException", "ConditionalOperator cannot be used without Filter or Expected")


# ---- KeyConditions [DL] ----

def _key_conditions(client, table, conditions):
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, KeyConditions=conditions)
    return e


def test_key_conditions_operator_is_case_sensitive(client, table):
    e = _key_conditions(client, table, {"pk": {"ComparisonOperator": "eq", "AttributeValueList": [{"S": "p"}]}})
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'eq' at 'keyConditions.pk.member.comparisonOperator' failed to "
                 "satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, "
                 "GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]")


def test_key_conditions_partition_key_not_eq(client, table):
    e = _key_conditions(client, table, {"pk": {"ComparisonOperator": "GT", "AttributeValueList": [{"S": "p"}]}})
    assert_error(e, "ValidationException", "Query key condition not supported")


@pytest.mark.parametrize("op,values", [("NE", [{"S": "p"}]), ("IN", [{"S": "p"}]), ("NULL", []), ("CONTAINS", [{"S": "p"}])])
def test_key_conditions_non_indexable_operators(client, table, op, values):
    e = _key_conditions(client, table, {"pk": {"ComparisonOperator": op, "AttributeValueList": values}})
    assert_error(e, "ValidationException", "Attempted conditional constraint is not an indexable operation")


def test_key_conditions_begins_with_on_a_number(client, table):
    e = _key_conditions(client, table, {
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
        "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"N": "1"}]}})
    assert_error(e, "ValidationException", f"{INVALID}ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type")


@pytest.mark.parametrize("call", ["put", "scan"])
def test_conditional_operator_with_one_condition(client, table, call):
    # DynamoDB Local's ErrorFactory COND_OP_WITH_ONE_ELEMENT; the DAX client makes the same check.
    condition = {"a": {"ComparisonOperator": "NULL"}}
    with pytest.raises(ClientError) as e:
        if call == "put":
            client.put_item(TableName=table, Item={"pk": {"S": "t"}, "sk": {"N": "0"}}, Expected=condition,
                            ConditionalOperator="AND")
        else:
            client.scan(TableName=table, ScanFilter=condition, ConditionalOperator="OR")
    assert_error(e, "ValidationException",
                 "ConditionalOperator can only be used when Filter or Expected has two or more elements")
