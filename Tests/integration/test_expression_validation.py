"""Expression validation errors: syntax, empty, names/values, reserved words, limits.

Sources:
[DL]  architect/dynalite test/updateItem.js, putItem.js, scan.js (condition grammar shared by
      ConditionExpression and FilterExpression; texts recorded from DynamoDB), e.g.
      "Invalid ConditionExpression: The expression can not be empty;",
      "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt",
      "Invalid ConditionExpression: The expression has redundant parentheses;",
      "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}",
      "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"".
[XDB] ExtendDB tests/…/test_expression_params_without_expression.py (dual-target against DynamoDB):
      "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
      and "...: UpdateExpression and ConditionExpression are null" (dynalite updateItem.js has the same).
[SCY] scylladb alternator test/alternator/test_condition_expression.py: DynamoDB answers an expression
      with more than 300 operators with "Invalid ConditionExpression: The expression contains too many
      operators; operator count: 301" (it stops counting at the first one over the limit); and
      test_update_expression.py: names may not start with "_" ("Syntax error; token: \"_\", near: \"SET _123\"").
[AWS] A captured DynamoDB answer (CLI): 'SET NewAttr = {"NULL": true}' ->
      'Invalid UpdateExpression: Syntax error; token: "{", near: "= {""'; and
      'Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: ":type"' (near = the token
      before, the token, and the token after).
[DOC] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-expression-parameters
      (4 KB expression strings, 300 operators, 100 IN operands) and .../ReservedWords.html.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


KEY = {"pk": {"S": "val"}}


def cond_err(client, table, cond, values=None, names=None, op="put"):
    params = {"TableName": table, "ConditionExpression": cond}
    if values is not None:
        params["ExpressionAttributeValues"] = values
    if names is not None:
        params["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as e:
        if op == "put":
            client.put_item(Item=KEY, **params)
        elif op == "delete":
            client.delete_item(Key=KEY, **params)
        else:
            client.update_item(Key=KEY, **params)
    return e


def upd_err(client, table, expr, values=None, names=None, **kw):
    params = {"TableName": table, "Key": KEY, "UpdateExpression": expr, **kw}
    if values is not None:
        params["ExpressionAttributeValues"] = values
    if names is not None:
        params["ExpressionAttributeNames"] = names
    with pytest.raises(ClientError) as e:
        client.update_item(**params)
    return e


# ---------------------------------------------------------------- empty

@pytest.mark.parametrize("op", ["put", "delete", "update"])
def test_empty_condition(client, table, op):
    e = cond_err(client, table, "", op=op)
    assert_error(e, "ValidationException", "Invalid ConditionExpression: The expression can not be empty;")  # [DL]


def test_empty_update_expression(client, table):
    e = upd_err(client, table, "")
    assert_error(e, "ValidationException", "Invalid UpdateExpression: The expression can not be empty;")  # [DL]


# ---------------------------------------------------------------- syntax errors

@pytest.mark.parametrize("expr,token,near", [
    ("SET a = b + 1", "1", "+ 1"),
    ('SET a = {"NULL": true}', "{", '= {"'),               # [AWS]
    ("SET a", "<EOF>", "a"),
    ("SET a = ", "<EOF>", "= "),  # near runs to the end of the text, trailing blank included
    ("REMOVE a = b", "=", "a = b"),
    ("whatever", "whatever", "whatever"),
    ("SET a = b * c", "*", "b * c"),
    ("SET _123 = :v", "_", "SET _123"),                     # [SCY]
    ("SET a = b + c + d", "+", "c + d"),
    ("ADD a b", "b", "a b"),
])
def test_update_syntax_errors(client, table, expr, token, near):
    e = upd_err(client, table, expr, {":v": {"S": "x"}} if ":v" in expr else None)
    assert_error(e, "ValidationException", f'Invalid UpdateExpression: Syntax error; token: "{token}", near: "{near}"')


@pytest.mark.parametrize("cond,token,near", [
    ("a = ", "<EOF>", "= "),
    ("a = :v AND", "<EOF>", "AND"),
    ("a == :v", "=", "== :v"),
    ("a = :v b", "b", ":v b"),
    ("a BETWEEN :v", "<EOF>", ":v"),
    ("a IN :v", ":v", "IN :v"),
    ("(a = :v", "<EOF>", ":v"),
    ("a = 1", "1", "= 1"),
    ("_a = :v", "_", "_a"),
])
def test_condition_syntax_errors(client, table, cond, token, near):
    e = cond_err(client, table, cond, {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 f'Invalid ConditionExpression: Syntax error; token: "{token}", near: "{near}"')


# ---------------------------------------------------------------- names and values

def test_undefined_name_in_condition(client, table):
    e = cond_err(client, table, "#a = :v", {":v": {"S": "x"}}, {"#b": "b"})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: An expression attribute name used in the document path is not "
                 "defined; attribute name: #a")


def test_undefined_value_in_condition(client, table):
    e = cond_err(client, table, "a = :nope", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :nope")


def test_undefined_name_in_update(client, table):
    e = upd_err(client, table, "SET #c = :v", {":v": {"S": "x"}}, {"#a": "a"})
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; "
                 "attribute name: #c")


def test_undefined_value_in_update(client, table):
    e = upd_err(client, table, "SET a = :c", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :c")


def test_unused_names(client, table):
    e = upd_err(client, table, "SET a = :v", {":v": {"S": "x"}}, {"#a": "a", "#b": "b"})
    assert_error(e, "ValidationException",
                 "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}")  # [DL]


def test_unused_values(client, table):
    e = upd_err(client, table, "REMOVE a", {":c": {"S": "x"}}, ConditionExpression="b = :b")
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :b")
    e = upd_err(client, table, "REMOVE a", {":b": {"S": "x"}, ":c": {"S": "x"}}, ConditionExpression="b = :b")
    assert_error(e, "ValidationException",
                 "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}")  # [DL]


def test_values_shared_between_update_and_condition(client, table):
    client.update_item(TableName=table, Key={"pk": {"S": "shared"}}, UpdateExpression="SET #a = :v",
                       ConditionExpression="attribute_not_exists(#a) OR #a <> :v",
                       ExpressionAttributeNames={"#a": "a"}, ExpressionAttributeValues={":v": {"S": "x"}})


def test_invalid_name_key(client, table):
    e = cond_err(client, table, "a = :v", {":v": {"S": "x"}}, {"a": "a"})
    assert_error(e, "ValidationException",
                 'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"')  # [DL]


def test_invalid_value_key(client, table):
    e = cond_err(client, table, "a = :v", {":v": {"S": "x"}, "b": {"S": "x"}})
    assert_error(e, "ValidationException",
                 'ExpressionAttributeValues contains invalid key: Syntax error; key: "b"')  # [DL]


def test_empty_names_and_values_maps(client, table):
    e = cond_err(client, table, "a = :v", {":v": {"S": "x"}}, {})
    assert_error(e, "ValidationException", "ExpressionAttributeNames must not be empty")  # [DL]
    e = cond_err(client, table, "attribute_exists(a)", {})
    assert_error(e, "ValidationException", "ExpressionAttributeValues must not be empty")  # [DL]


def test_names_without_expression(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=KEY, ExpressionAttributeNames={"#a": "a"})
    assert_error(e, "ValidationException", "ExpressionAttributeNames can only be specified when using expressions")
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key=KEY, ExpressionAttributeNames={"#a": "a"})
    assert_error(e, "ValidationException", "ExpressionAttributeNames can only be specified when using expressions")


@pytest.mark.parametrize("op,suffix", [
    ("put", "ConditionExpression is null"),
    ("delete", "ConditionExpression is null"),
    ("update", "UpdateExpression and ConditionExpression are null"),
])
def test_values_without_expression(client, table, op, suffix):
    values = {":v": {"S": "x"}}
    with pytest.raises(ClientError) as e:
        if op == "put":
            client.put_item(TableName=table, Item=KEY, ExpressionAttributeValues=values)
        elif op == "delete":
            client.delete_item(TableName=table, Key=KEY, ExpressionAttributeValues=values)
        else:
            client.update_item(TableName=table, Key=KEY, ExpressionAttributeValues=values)
    assert_error(e, "ValidationException",  # [XDB], [DL]
                 f"ExpressionAttributeValues can only be specified when using expressions: {suffix}")


def test_invalid_value_in_values(client, table):
    e = cond_err(client, table, "a = :v", {":v": {"N": "abc"}})
    assert_error(e, "ValidationException",  # [DL]
                 "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric "
                 "value: abc for key :v")


# ---------------------------------------------------------------- reserved words

def test_reserved_word_in_condition(client, table):
    e = cond_err(client, table, "status = :v", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status")


def test_reserved_word_in_update(client, table):
    e = upd_err(client, table, "SET status = :v", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status")


@pytest.mark.parametrize("expr,word", [(" remove Absolute ", "Absolute"), ("SET a.Date = :v", "Date")])
def test_reserved_word_keeps_case(client, table, expr, word):
    e = upd_err(client, table, expr, {":v": {"S": "x"}} if ":v" in expr else None)
    assert_error(e, "ValidationException",  # [DL]
                 f"Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: {word}")


def test_reserved_word_through_placeholder_is_fine(client, table):
    client.update_item(TableName=table, Key={"pk": {"S": "reserved"}}, UpdateExpression="SET #s = :v",
                       ConditionExpression="attribute_not_exists(#s)",
                       ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":v": {"S": "x"}})


# ---------------------------------------------------------------- limits

def test_expression_too_long(client, table):
    cond = "a = :v OR " + " OR ".join(["attribute_exists(abcdefghij)"] * 140)
    assert len(cond) > 4096
    e = cond_err(client, table, cond, {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 f"Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
                 f"expression size: {len(cond)}")


def test_update_expression_too_long(client, table):
    expr = "SET " + ", ".join(f"attr{i:05d} = :v" for i in range(300))
    assert len(expr) > 4096
    e = upd_err(client, table, expr, {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 f"Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; "
                 f"expression size: {len(expr)}")


def test_too_many_operators(client, table):
    cond = " OR ".join(["a < b"] * 400)  # 799 operators, under 4 KB
    assert len(cond) <= 4096
    e = cond_err(client, table, cond)
    assert_error(e, "ValidationException",  # [SCY]
                 "Invalid ConditionExpression: The expression contains too many operators; operator count: 301")


def test_three_hundred_operators_is_fine(client, table):
    cond = " OR ".join(["a < b"] * 149) + " OR attribute_not_exists(pk)"  # 149 + 149 + 1 = 299 operators
    client.put_item(TableName=table, Item={"pk": {"S": "ops"}}, ConditionExpression=cond)


def test_in_with_too_many_operands(client, table):
    values = {f":v{i}": {"N": str(i)} for i in range(101)}
    cond = "a IN (" + ", ".join(values) + ")"
    e = cond_err(client, table, cond, values)
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: The IN operator is provided with too many operands; "
                 "number of operands: 101")


# ---------------------------------------------------------------- condition semantics errors

@pytest.mark.parametrize("cond", ["((a = :v))", "a = ((:v))", "(((attribute_exists(a))))"])
def test_redundant_parentheses(client, table, cond):
    e = cond_err(client, table, cond, {":v": {"S": "x"}} if ":v" in cond else None)
    assert_error(e, "ValidationException", "Invalid ConditionExpression: The expression has redundant parentheses;")


def test_invalid_function_in_condition(client, table):
    e = cond_err(client, table, "nope(a)")
    assert_error(e, "ValidationException", "Invalid ConditionExpression: Invalid function name; function: nope")


def test_update_function_in_condition(client, table):
    e = cond_err(client, table, "a = if_not_exists(a, :v)", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: The function is not allowed in a condition expression; "
                 "function: if_not_exists")


def test_function_used_as_operand(client, table):
    e = cond_err(client, table, "attribute_exists(a) = :v", {":v": {"BOOL": True}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
                 "function: attribute_exists")


def test_size_alone_is_not_a_condition(client, table):
    e = cond_err(client, table, "size(a)")
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
                 "function: size")


def test_wrong_number_of_function_operands(client, table):
    e = cond_err(client, table, "begins_with(a)")
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: Incorrect number of operands for operator or function; "
                 "operator or function: begins_with, number of operands: 1")


def test_attribute_exists_needs_path(client, table):
    e = cond_err(client, table, "attribute_exists(:v)", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: Operator or function requires a document path; "
                 "operator or function: attribute_exists")


def test_begins_with_wrong_type(client, table):
    e = cond_err(client, table, "begins_with(a, :n)", {":n": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                 "operator or function: begins_with, operand type: N")


def test_attribute_type_invalid_type_name(client, table):
    e = cond_err(client, table, "attribute_type(a, :t)", {":t": {"S": "STRING"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, "
                 "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")


def test_same_operand_twice(client, table):
    e = cond_err(client, table, "a = a")
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for "
                 "this operator or function; operator: =, first operand: [a]")


def test_between_bounds_out_of_order(client, table):
    e = cond_err(client, table, "a BETWEEN :hi AND :lo", {":hi": {"N": "10"}, ":lo": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal "
                 "to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: "
                 "AttributeValue: {N:1}")


def test_between_bounds_of_different_types(client, table):
    e = cond_err(client, table, "a BETWEEN :lo AND :hi", {":hi": {"S": "10"}, ":lo": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper "
                 "bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:10}")


def test_ordering_comparison_of_unorderable_value(client, table):
    e = cond_err(client, table, "a < :v", {":v": {"BOOL": True}})
    assert_error(e, "ValidationException",
                 "Invalid ConditionExpression: Incorrect operand type for operator or function; "
                 "operator or function: <, operand type: BOOL")


def test_update_path_nesting_limit(client, table):
    path = "a" + ".b" * 33  # 34 elements: 33 levels of nesting
    e = upd_err(client, table, f"SET {path} = :v", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33")
