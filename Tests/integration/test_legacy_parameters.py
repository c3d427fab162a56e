"""Legacy conditional parameters: Expected, ConditionalOperator, AttributeUpdates, AttributesToGet.

Sources:
[DOC] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
      (Expected with Value / Exists / ComparisonOperator + AttributeValueList, ConditionalOperator AND|OR,
      AttributeUpdates PUT / ADD / DELETE semantics).
[DL]  architect/dynalite test/putItem.js, updateItem.js, deleteItem.js, getItem.js (texts recorded from DynamoDB):
      "Can not use both expression and non-expression parameters in the same request: Non-expression
      parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}",
      "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a",
      "...: Exists and ComparisonOperator cannot be used together for Attribute: a",
      "...: Invalid number of argument(s) for the BETWEEN ComparisonOperator",
      "...: Only DELETE action is allowed when no attribute value is specified",
      "...: DELETE action with value is not supported for the type S",
      "...: ADD action is not supported for the type S",
      "Type mismatch for attribute to update" (AttributeUpdates ADD/DELETE on an attribute of another type).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

CCF = "The conditional request failed"
BOTH = "Can not use both expression and non-expression parameters in the same request: "


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


def key(name):
    return {"pk": {"S": name}}


def get(client, table, k):
    return client.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


# ---------------------------------------------------------------- Expected

@pytest.mark.parametrize("expected,passes", [
    ({"n": {"Value": {"N": "5"}}}, True),
    ({"n": {"Value": {"N": "6"}}}, False),
    ({"n": {"Exists": True, "Value": {"N": "5"}}}, True),
    ({"missing": {"Exists": False}}, True),
    ({"n": {"Exists": False}}, False),
    ({"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "5"}]}}, True),
    ({"n": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "5"}]}}, False),
    ({"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "6"}]}}, True),
    ({"n": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "4"}]}}, False),
    ({"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "4"}]}}, True),
    ({"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "5"}]}}, True),
    ({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}}, True),
    ({"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}}, True),
    ({"n": {"ComparisonOperator": "NOT_NULL"}}, True),
    ({"n": {"ComparisonOperator": "NULL"}}, False),
    ({"missing": {"ComparisonOperator": "NULL"}}, True),
    ({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "hel"}]}}, True),
    ({"s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "ell"}]}}, True),
    ({"s": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "xyz"}]}}, True),
    ({"missing": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "xyz"}]}}, False),
    ({"n": {"Value": {"N": "5"}}, "s": {"Value": {"S": "nope"}}}, False),
])
@pytest.mark.parametrize("op", ["put", "delete", "update"])
def test_expected(client, table, op, expected, passes):
    k = key(f"exp-{op}")
    item = {**k, "n": {"N": "5"}, "s": {"S": "hello"}}
    client.put_item(TableName=table, Item=item)

    def call():
        if op == "put":
            client.put_item(TableName=table, Item={**item, "mark": {"S": "p"}}, Expected=expected)
        elif op == "delete":
            client.delete_item(TableName=table, Key=k, Expected=expected)
        else:
            client.update_item(TableName=table, Key=k, Expected=expected,
                               AttributeUpdates={"mark": {"Action": "PUT", "Value": {"S": "p"}}})
    if passes:
        call()
        got = get(client, table, k)
        assert got is None if op == "delete" else got["mark"] == {"S": "p"}
    else:
        with pytest.raises(ClientError) as e:
            call()
        assert_error(e, "ConditionalCheckFailedException", CCF)
        assert get(client, table, k) == item


def test_conditional_operator_or(client, table):
    k = key("exp-or")
    client.put_item(TableName=table, Item={**k, "n": {"N": "5"}})
    expected = {"n": {"Value": {"N": "6"}}, "missing": {"Exists": False}}
    with pytest.raises(ClientError) as e:
        client.delete_item(TableName=table, Key=k, Expected=expected, ConditionalOperator="AND")
    assert_error(e, "ConditionalCheckFailedException", CCF)
    client.delete_item(TableName=table, Key=k, Expected=expected, ConditionalOperator="OR")
    assert get(client, table, k) is None


@pytest.mark.parametrize("expected,message", [
    ({"a": {}}, "Value must be provided when Exists is null for Attribute: a"),
    ({"a": {"Exists": True}}, "Value must be provided when Exists is true for Attribute: a"),
    ({"a": {"Exists": False, "Value": {"S": "a"}}}, "Value cannot be used when Exists is false for Attribute: a"),
    ({"a": {"Exists": True, "ComparisonOperator": "LT"}},
     "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ({"a": {"ComparisonOperator": "LT"}},
     "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"),
    ({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}},
     "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ({"a": {"ComparisonOperator": "NULL", "AttributeValueList": [{"S": "a"}]}},
     "Invalid number of argument(s) for the NULL ComparisonOperator"),
    ({"a": {"AttributeValueList": [{"S": "a"}]}},
     "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
])
def test_expected_validation(client, table, expected, message):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=key("exp-invalid"), Expected=expected)
    assert_error(e, "ValidationException", "One or more parameter values were invalid: " + message)  # [DL]


# ---------------------------------------------------------------- AttributeUpdates

def test_attribute_updates_put_add_delete(client, table):
    k = key("au")
    client.update_item(TableName=table, Key=k, AttributeUpdates={
        "s": {"Value": {"S": "x"}},                       # PUT is the default action
        "n": {"Action": "ADD", "Value": {"N": "5"}},
        "ss": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
        "l": {"Action": "ADD", "Value": {"L": [{"S": "a"}]}},
        "gone": {"Action": "DELETE"},
    })
    assert get(client, table, k) == {**k, "s": {"S": "x"}, "n": {"N": "5"}, "ss": {"SS": ["a", "b"]},
                                     "l": {"L": [{"S": "a"}]}}
    resp = client.update_item(TableName=table, Key=k, ReturnValues="UPDATED_NEW", AttributeUpdates={
        "n": {"Action": "ADD", "Value": {"N": "-2"}},
        "ss": {"Action": "DELETE", "Value": {"SS": ["a"]}},
        "l": {"Action": "ADD", "Value": {"L": [{"S": "b"}]}},   # ADD appends to lists
        "s": {"Action": "DELETE"},
    })
    assert resp["Attributes"] == {"n": {"N": "3"}, "ss": {"SS": ["b"]}, "l": {"L": [{"S": "a"}, {"S": "b"}]}}
    assert get(client, table, k) == {**k, "n": {"N": "3"}, "ss": {"SS": ["b"]}, "l": {"L": [{"S": "a"}, {"S": "b"}]}}


def test_attribute_updates_return_values_updated_old(client, table):
    k = key("au-old")
    client.put_item(TableName=table, Item={**k, "b": {"S": "a"}, "c": {"S": "a"}, "d": {"S": "untouched"}})
    resp = client.update_item(TableName=table, Key=k, ReturnValues="UPDATED_OLD", AttributeUpdates={
        "b": {"Value": {"S": "b"}}, "c": {"Value": {"S": "a"}}})
    assert resp["Attributes"] == {"b": {"S": "a"}, "c": {"S": "a"}}  # [DL]


@pytest.mark.parametrize("updates,message", [
    ({"a": {"Action": "PUT"}}, "Only DELETE action is allowed when no attribute value is specified"),
    ({"a": {"Action": "DELETE", "Value": {"S": "1"}}}, "DELETE action with value is not supported for the type S"),
    ({"a": {"Action": "DELETE", "Value": {"N": "1"}}}, "DELETE action with value is not supported for the type N"),
    ({"a": {"Action": "ADD", "Value": {"S": "1"}}}, "ADD action is not supported for the type S"),
    ({"a": {"Action": "ADD", "Value": {"M": {}}}}, "ADD action is not supported for the type M"),
])
def test_attribute_updates_validation(client, table, updates, message):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key=key("au-invalid"), AttributeUpdates=updates)
    assert_error(e, "ValidationException", "One or more parameter values were invalid: " + message)  # [DL]


@pytest.mark.parametrize("updates", [
    {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"ss": {"Action": "ADD", "Value": {"NS": ["1"]}}},
    {"ns": {"Action": "ADD", "Value": {"N": "1"}}},
])
def test_attribute_updates_type_mismatch(client, table, updates):
    k = key("au-mismatch")
    client.put_item(TableName=table, Item={**k, "ss": {"SS": ["1"]}, "n": {"N": "1"}, "ns": {"NS": ["1"]}})
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key=k, AttributeUpdates=updates)
    assert_error(e, "ValidationException", "Type mismatch for attribute to update")  # [DL]


def test_attribute_updates_cannot_touch_key(client, table):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key=key("au-key"), AttributeUpdates={"pk": {"Value": {"S": "other"}}})
    assert_error(e, "ValidationException",  # [DL]
                 "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")


# ---------------------------------------------------------------- mixing expression and legacy

def test_both_on_update_item(client, table):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key=key("mix"), AttributeUpdates={"a": {"Value": {"S": "x"}}},
                           Expected={"a": {"Exists": False}}, UpdateExpression="SET b = :v",
                           ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":v": {"S": "x"}})
    assert_error(e, "ValidationException",  # [DL]
                 BOTH + "Non-expression parameters: {AttributeUpdates, Expected} "
                        "Expression parameters: {UpdateExpression, ConditionExpression}")


def test_both_update_expression_and_attribute_updates(client, table):
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key=key("mix"), AttributeUpdates={"a": {"Value": {"S": "x"}}},
                           UpdateExpression="SET b = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 BOTH + "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}")


@pytest.mark.parametrize("op", ["put", "delete"])
def test_both_on_put_and_delete(client, table, op):
    params = {"TableName": table, "Expected": {"a": {"Exists": False}}, "ConditionExpression": "attribute_exists(a)"}
    with pytest.raises(ClientError) as e:
        if op == "put":
            client.put_item(Item=key("mix"), **params)
        else:
            client.delete_item(Key=key("mix"), **params)
    assert_error(e, "ValidationException",  # [DL]
                 BOTH + "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")


def test_both_on_get_item(client, table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=table, Key=key("mix"), AttributesToGet=["a"], ProjectionExpression="a")
    assert_error(e, "ValidationException",  # [DL]
                 BOTH + "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")


def test_attributes_to_get(client, table):
    k = key("atg")
    client.put_item(TableName=table, Item={**k, "a": {"S": "1"}, "b": {"S": "2"}, "c": {"S": "3"}})
    got = client.get_item(TableName=table, Key=k, AttributesToGet=["a", "c", "zz"], ConsistentRead=True)["Item"]
    assert got == {"a": {"S": "1"}, "c": {"S": "3"}}
