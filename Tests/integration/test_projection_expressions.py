"""ProjectionExpression (and legacy AttributesToGet) on GetItem.

Sources:
[DOC] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html
      (nested paths, list elements; attributes that do not exist are simply not returned).
[DL]  architect/dynalite test/getItem.js (recorded from DynamoDB): nested projections
      (`b[0].a, c.d` style results keep the map/list shape with only the requested parts, list
      elements compacted in index order), "Invalid ProjectionExpression: Two document paths overlap with
      each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
      "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: ...",
      "Invalid ProjectionExpression: An expression attribute name used in the document path is not
      defined; attribute name: #x", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}",
      "Can not use both expression and non-expression parameters in the same request: Non-expression
      parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}".
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

KEY = {"pk": {"S": "proj"}}
ITEM = {
    **KEY,
    "top": {"S": "t"},
    "num": {"N": "1"},
    "m": {"M": {"x": {"N": "1"}, "y": {"M": {"z": {"S": "deep"}, "w": {"S": "other"}}}}},
    "l": {"L": [{"S": "l0"}, {"M": {"c": {"S": "c1"}, "d": {"S": "d1"}}}, {"S": "l2"}, {"L": [{"N": "30"}, {"N": "31"}]}]},
    "a": {"M": {"b": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"M": {"c": {"N": "3"}, "e": {"N": "4"}}}]}}},
    "status": {"S": "reserved-word-attr"},
}


@pytest.fixture(scope="module")
def table(module_tables, client):
    name = module_tables.create(hash_key=("pk", "S"))
    client.put_item(TableName=name, Item=ITEM)
    return name


def project(client, table, expr, names=None):
    params = {"TableName": table, "Key": KEY, "ProjectionExpression": expr, "ConsistentRead": True}
    if names:
        params["ExpressionAttributeNames"] = names
    return client.get_item(**params).get("Item")


@pytest.mark.parametrize("expr,names,expected", [
    ("top", None, {"top": {"S": "t"}}),
    ("top, num, absent", None, {"top": {"S": "t"}, "num": {"N": "1"}}),
    ("m.x", None, {"m": {"M": {"x": {"N": "1"}}}}),
    ("m.y.z", None, {"m": {"M": {"y": {"M": {"z": {"S": "deep"}}}}}}),
    ("m.x, m.y.w", None, {"m": {"M": {"x": {"N": "1"}, "y": {"M": {"w": {"S": "other"}}}}}}),
    ("l[2]", None, {"l": {"L": [{"S": "l2"}]}}),
    ("l[2], l[0]", None, {"l": {"L": [{"S": "l0"}, {"S": "l2"}]}}),
    ("l[1].c", None, {"l": {"L": [{"M": {"c": {"S": "c1"}}}]}}),
    ("l[3][1]", None, {"l": {"L": [{"L": [{"N": "31"}]}]}}),
    # an existing item of which nothing matches comes back as an empty Item
    ("l[9]", None, {}),
    ("m.nope", None, {}),
    ("a.b[3].c", None, {"a": {"M": {"b": {"L": [{"M": {"c": {"N": "3"}}}]}}}}),
    ("#n.#m[0]", {"#n": "a", "#m": "b"}, {"a": {"M": {"b": {"L": [{"N": "0"}]}}}}),
    ("#s", {"#s": "status"}, {"status": {"S": "reserved-word-attr"}}),
    ("#d", {"#d": "m.x"}, {}),  # a name with a dot is one attribute name, here absent
    ("pk, top", None, {**KEY, "top": {"S": "t"}}),
])
def test_projection(client, table, expr, names, expected):
    assert project(client, table, expr, names) == expected


def test_attributes_to_get(client, table):
    got = client.get_item(TableName=table, Key=KEY, AttributesToGet=["top", "num", "absent"], ConsistentRead=True)
    assert got["Item"] == {"top": {"S": "t"}, "num": {"N": "1"}}


def test_projection_of_missing_item(client, table):
    got = client.get_item(TableName=table, Key={"pk": {"S": "nothing"}}, ProjectionExpression="top")
    assert "Item" not in got


@pytest.mark.parametrize("expr,one,two", [
    ("m, m.x", "[m]", "[m, x]"),
    ("m.x, m", "[m, x]", "[m]"),
    ("top, top", "[top]", "[top]"),
    ("l[1], l[1].c", "[l, [1]]", "[l, [1], c]"),
])
def test_projection_overlap(client, table, expr, one, two):
    with pytest.raises(ClientError) as e:
        project(client, table, expr)
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite "
                 f"one of these paths; path one: {one}, path two: {two}")


def test_projection_conflict(client, table):
    with pytest.raises(ClientError) as e:
        project(client, table, "l[1], l.c")
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite "
                 "one of these paths; path one: [l, [1]], path two: [l, c]")


def test_projection_reserved_word(client, table):
    with pytest.raises(ClientError) as e:
        project(client, table, "top, status")
    assert_error(e, "ValidationException",
                 "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status")


def test_projection_undefined_name(client, table):
    with pytest.raises(ClientError) as e:
        project(client, table, "#x", {"#y": "top"})
    assert_error(e, "ValidationException",
                 "Invalid ProjectionExpression: An expression attribute name used in the document path is not "
                 "defined; attribute name: #x")


def test_projection_unused_name(client, table):
    with pytest.raises(ClientError) as e:
        project(client, table, "top", {"#b": "b"})
    assert_error(e, "ValidationException",
                 "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}")


def test_projection_empty(client, table):
    with pytest.raises(ClientError) as e:
        project(client, table, "")
    assert_error(e, "ValidationException", "Invalid ProjectionExpression: The expression can not be empty;")


@pytest.mark.parametrize("expr,token,near", [
    ("top,", "<EOF>", ","),
    ("top num", "num", "top num"),
    ("l[x]", "x", "[x]"),
    ("m..x", ".", "..x"),
])
def test_projection_syntax_errors(client, table, expr, token, near):
    with pytest.raises(ClientError) as e:
        project(client, table, expr)
    assert_error(e, "ValidationException",
                 f'Invalid ProjectionExpression: Syntax error; token: "{token}", near: "{near}"')


def test_projection_and_attributes_to_get(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key=KEY, ProjectionExpression="top", AttributesToGet=["top"])
    assert_error(e, "ValidationException",  # [DL]
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
