"""UpdateItem: UpdateExpression SET/REMOVE/ADD/DELETE, ReturnValues, upsert, limits.

Sources for the exact texts (each test names the one it relies on):
[DL]  architect/dynalite test/updateItem.js (messages recorded from DynamoDB):
      "The provided expression refers to an attribute that does not exist in the item",
      "An operand in the update expression has an incorrect data type",
      "The document path provided in the update expression is invalid for update",
      "One or more parameter values were invalid: Cannot update attribute a. This attribute is part of the key",
      "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;",
      "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of
       these paths; path one: [a], path two: [a]" (and "...conflict..."),
      "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
      "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S",
      "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists",
      "Item size to update has exceeded the maximum allowed size", the ReturnValues enum text,
      UPDATED_NEW returning only the updated nested paths, ADD/DELETE on missing attributes.
[NUM] dynalite test/putItem.js / updateItem.js number texts: "Number overflow. Attempting to store a number
      with magnitude larger than supported range".
[DOC] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
      (semantics: REMOVE of list elements shifts the rest, ADD/DELETE on sets, if_not_exists, list_append).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

NOT_EXIST = "The provided expression refers to an attribute that does not exist in the item"  # [DL]
BAD_TYPE = "An operand in the update expression has an incorrect data type"  # [DL]
BAD_PATH = "The document path provided in the update expression is invalid for update"  # [DL]


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


@pytest.fixture(scope="module")
def range_table(module_tables):
    return module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))


_counter = [0]


def fresh_key(prefix="upd"):
    _counter[0] += 1
    return {"pk": {"S": f"{prefix}-{_counter[0]}"}}


def get(client, table, key):
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def update(client, table, key, expr, values=None, names=None, **kw):
    params = {"TableName": table, "Key": key, "UpdateExpression": expr}
    if values is not None:
        params["ExpressionAttributeValues"] = values
    if names is not None:
        params["ExpressionAttributeNames"] = names
    params.update(kw)
    return client.update_item(**params)


def put(client, table, item):
    client.put_item(TableName=table, Item=item)


# ---------------------------------------------------------------- upsert / SET

def test_update_creates_missing_item_upsert(client, table):
    key = fresh_key()
    resp = update(client, table, key, "SET a = :a", {":a": {"S": "x"}}, ReturnValues="ALL_NEW")
    assert resp["Attributes"] == {**key, "a": {"S": "x"}}
    assert get(client, table, key) == {**key, "a": {"S": "x"}}


def test_update_without_expression_creates_key_only_item(client, table):
    key = fresh_key()  # [DL] "should just add item with key if no action"
    resp = client.update_item(TableName=table, Key=key)
    assert "Attributes" not in resp
    assert get(client, table, key) == key


def test_set_arithmetic_plus_and_minus(client, table):
    key = fresh_key()
    put(client, table, {**key, "n": {"N": "10"}, "m": {"N": "3"}})
    update(client, table, key, "SET n = n + :one, m = :ten - m, d = n - m",
           {":one": {"N": "1"}, ":ten": {"N": "10"}})
    item = get(client, table, key)
    # every operand reads the item as it was before the update
    assert item["n"] == {"N": "11"} and item["m"] == {"N": "7"} and item["d"] == {"N": "7"}


def test_set_arithmetic_on_missing_attribute_refers_to_nonexistent(client, table):
    key = fresh_key()
    put(client, table, key)
    with pytest.raises(ClientError) as e:
        update(client, table, key, "SET n = n + :one", {":one": {"N": "1"}})
    assert_error(e, "ValidationException", NOT_EXIST)


def test_set_from_missing_attribute(client, table):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), "SET c = b")
    assert_error(e, "ValidationException", NOT_EXIST)


def test_set_arithmetic_wrong_type_at_runtime(client, table):
    key = fresh_key()
    put(client, table, {**key, "s": {"S": "text"}})
    with pytest.raises(ClientError) as e:
        update(client, table, key, "SET n = s + :one", {":one": {"N": "1"}})
    assert_error(e, "ValidationException", BAD_TYPE)


def test_if_not_exists(client, table):
    key = fresh_key()
    update(client, table, key, "SET c = if_not_exists(c, :zero) + :one",
           {":zero": {"N": "0"}, ":one": {"N": "1"}})
    assert get(client, table, key)["c"] == {"N": "1"}
    update(client, table, key, "SET c = if_not_exists(c, :zero) + :one, created = if_not_exists(created, :t)",
           {":zero": {"N": "0"}, ":one": {"N": "1"}, ":t": {"N": "42"}})
    update(client, table, key, "SET created = if_not_exists(created, :t)", {":t": {"N": "99"}})
    item = get(client, table, key)
    assert item["c"] == {"N": "2"} and item["created"] == {"N": "42"}


def test_list_append_both_orders(client, table):
    key = fresh_key()
    put(client, table, {**key, "l": {"L": [{"S": "b"}]}})
    update(client, table, key, "SET l = list_append(l, :end)", {":end": {"L": [{"S": "c"}]}})
    update(client, table, key, "SET l = list_append(:start, l)", {":start": {"L": [{"S": "a"}]}})
    assert get(client, table, key)["l"] == {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}


def test_list_append_with_if_not_exists_on_missing_list(client, table):
    key = fresh_key()
    update(client, table, key, "SET l = list_append(if_not_exists(l, :empty), :x)",
           {":empty": {"L": []}, ":x": {"L": [{"N": "1"}]}})
    assert get(client, table, key)["l"] == {"L": [{"N": "1"}]}


def test_list_append_on_non_list_attribute(client, table):
    key = fresh_key()
    put(client, table, {**key, "s": {"S": "x"}})
    with pytest.raises(ClientError) as e:
        update(client, table, key, "SET l = list_append(s, :x)", {":x": {"L": []}})
    assert_error(e, "ValidationException", BAD_TYPE)


def test_set_nested_document_paths(client, table):
    key = fresh_key()
    put(client, table, {**key, "a": {"M": {"b": {"L": [
        {"N": "0"}, {"N": "1"}, {"N": "2"}, {"M": {"c": {"S": "old"}}}]}}}})
    update(client, table, key, "SET a.b[3].c = :v", {":v": {"S": "new"}})
    assert get(client, table, key)["a"]["M"]["b"]["L"][3] == {"M": {"c": {"S": "new"}}}
    update(client, table, key, "SET #n.#m[0] = :v", {":v": {"S": "zero"}}, {"#n": "a", "#m": "b"})
    assert get(client, table, key)["a"]["M"]["b"]["L"][0] == {"S": "zero"}


def test_set_name_with_dot_through_placeholder(client, table):
    key = fresh_key()
    update(client, table, key, "SET #d = :v", {":v": {"S": "x"}}, {"#d": "a.b"})
    assert get(client, table, key)["a.b"] == {"S": "x"}


def test_set_list_index_past_end_appends(client, table):
    key = fresh_key()
    put(client, table, {**key, "l": {"L": [{"S": "a"}, {"S": "b"}]}})
    update(client, table, key, "SET l[10] = :v", {":v": {"S": "z"}})
    assert get(client, table, key)["l"] == {"L": [{"S": "a"}, {"S": "b"}, {"S": "z"}]}


@pytest.mark.parametrize("expr", ["SET b.a = :v", "SET b[1] = :v", "SET m.x.y = :v", "SET s[0] = :v"])
def test_set_invalid_document_path(client, table, expr):
    key = fresh_key()
    put(client, table, {**key, "m": {"M": {}}, "s": {"S": "str"}})
    with pytest.raises(ClientError) as e:
        update(client, table, key, expr, {":v": {"S": "x"}})
    assert_error(e, "ValidationException", BAD_PATH)


# ---------------------------------------------------------------- REMOVE

def test_remove_top_level_nested_and_missing(client, table):
    key = fresh_key()
    put(client, table, {**key, "a": {"S": "x"}, "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}})
    update(client, table, key, "REMOVE a, m.x, nothing_here")
    assert get(client, table, key) == {**key, "m": {"M": {"y": {"N": "2"}}}}


def test_remove_list_elements_shift(client, table):
    key = fresh_key()
    put(client, table, {**key, "l": {"L": [{"S": c} for c in "abcde"]}})
    # indexes refer to the list before the update: b and d go, the rest shift left
    update(client, table, key, "REMOVE l[1], l[3]")
    assert get(client, table, key)["l"] == {"L": [{"S": "a"}, {"S": "c"}, {"S": "e"}]}
    update(client, table, key, "REMOVE l[0]")
    assert get(client, table, key)["l"] == {"L": [{"S": "c"}, {"S": "e"}]}
    update(client, table, key, "REMOVE l[7]")  # past the end: nothing happens
    assert get(client, table, key)["l"] == {"L": [{"S": "c"}, {"S": "e"}]}


# ---------------------------------------------------------------- ADD / DELETE

def test_add_numbers(client, table):
    key = fresh_key()
    update(client, table, key, "ADD c :n", {":n": {"N": "5"}})  # missing -> the operand
    update(client, table, key, "ADD c :n", {":n": {"N": "-7.5"}})
    assert get(client, table, key)["c"] == {"N": "-2.5"}


@pytest.mark.parametrize("kind,first,second,union", [
    ("SS", ["a", "b"], ["b", "c"], {"a", "b", "c"}),
    ("NS", ["1", "2"], ["2", "3.0"], {"1", "2", "3"}),
    ("BS", [b"\x01", b"\x02"], [b"\x02", b"\x03"], {b"\x01", b"\x02", b"\x03"}),
])
def test_add_and_delete_sets(client, table, kind, first, second, union):
    key = fresh_key()
    update(client, table, key, "ADD s :v", {":v": {kind: first}})
    update(client, table, key, "ADD s :v", {":v": {kind: second}})
    assert set(get(client, table, key)["s"][kind]) == union
    update(client, table, key, "DELETE s :v", {":v": {kind: first}})
    remaining = get(client, table, key)["s"][kind]
    assert len(remaining) == len(union) - len(first)
    # deleting every element removes the attribute
    update(client, table, key, "DELETE s :v", {":v": {kind: second}})
    assert "s" not in get(client, table, key)


def test_delete_from_missing_set_is_noop(client, table):
    key = fresh_key()
    put(client, table, key)
    update(client, table, key, "DELETE s :v", {":v": {"SS": ["x"]}})
    assert get(client, table, key) == key


def test_add_number_to_string_attribute(client, table):
    key = fresh_key()
    put(client, table, {**key, "s": {"S": "x"}, "ss": {"SS": ["a"]}})
    with pytest.raises(ClientError) as e:
        update(client, table, key, "ADD s :n", {":n": {"N": "1"}})
    assert_error(e, "ValidationException", BAD_TYPE)
    with pytest.raises(ClientError) as e:
        update(client, table, key, "ADD ss :n", {":n": {"NS": ["1"]}})
    assert_error(e, "ValidationException", BAD_TYPE)
    with pytest.raises(ClientError) as e:
        update(client, table, key, "DELETE ss :n", {":n": {"NS": ["1"]}})
    assert_error(e, "ValidationException", BAD_TYPE)


def test_all_four_clauses_at_once(client, table):
    key = fresh_key()
    put(client, table, {**key, "gone": {"S": "x"}, "tags": {"SS": ["a", "b"]}})
    update(client, table, key, "SET s = :s REMOVE gone ADD n :n DELETE tags :t",
           {":s": {"S": "v"}, ":n": {"N": "2"}, ":t": {"SS": ["a"]}})
    assert get(client, table, key) == {**key, "s": {"S": "v"}, "n": {"N": "2"}, "tags": {"SS": ["b"]}}


def test_keywords_are_case_insensitive(client, table):
    key = fresh_key()
    update(client, table, key, "set a = :v add n :n", {":v": {"S": "x"}, ":n": {"N": "1"}})
    assert get(client, table, key) == {**key, "a": {"S": "x"}, "n": {"N": "1"}}


@pytest.mark.parametrize("expr,section", [
    ("SET a = :v SET b = :v", "SET"),
    ("REMOVE a SET b = :v REMOVE c", "REMOVE"),
    ("ADD a :v SET b = :v ADD c :v", "ADD"),
    ("DELETE a :v SET b = :v DELETE c :v", "DELETE"),
])
def test_each_clause_only_once(client, table, expr, section):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), expr, {":v": {"SS": ["x"]}})
    assert_error(e, "ValidationException",  # [DL]
                 f'Invalid UpdateExpression: The "{section}" section can only be used once in an update expression;')


# ---------------------------------------------------------------- key attributes

@pytest.mark.parametrize("expr,values", [
    ("SET pk = :v", {":v": {"S": "other"}}),
    ("REMOVE pk", None),
    ("SET a = :v REMOVE pk", {":v": {"S": "x"}}),
    ("ADD pk :v", {":v": {"N": "1"}}),
])
def test_cannot_update_hash_key(client, table, expr, values):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), expr, values)
    assert_error(e, "ValidationException",  # [DL]
                 "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")


def test_cannot_update_range_key(client, range_table):
    with pytest.raises(ClientError) as e:
        update(client, range_table, {"pk": {"S": "k"}, "sk": {"N": "1"}}, "SET sk = :v", {":v": {"N": "2"}})
    assert_error(e, "ValidationException",  # [DL]
                 "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key")


def test_cannot_update_key_nested_path(client, table):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), "SET pk.x = :v", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key")


# ---------------------------------------------------------------- static errors

@pytest.mark.parametrize("expr,one,two", [
    ("SET a = :v REMOVE a", "[a]", "[a]"),
    ("SET a = :v, a.b = :v", "[a]", "[a, b]"),
    ("REMOVE c.b, c", "[c, b]", "[c]"),
    ("SET l[1] = :v REMOVE l[1]", "[l, [1]]", "[l, [1]]"),
])
def test_overlapping_paths(client, table, expr, one, two):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), expr, {":v": {"S": "x"}})
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one "
                 f"of these paths; path one: {one}, path two: {two}")


def test_conflicting_paths(client, table):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), "REMOVE a.c SET a[1] = :v", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one "
                 "of these paths; path one: [a, c], path two: [a, [1]]")


@pytest.mark.parametrize("op,value,type_name", [
    ("ADD", {"S": "a"}, "STRING"),
    ("ADD", {"BOOL": True}, "BOOLEAN"),
    ("ADD", {"L": [{"N": "1"}]}, "LIST"),
    ("ADD", {"M": {}}, "MAP"),
    ("ADD", {"NULL": True}, "NULL"),
    ("ADD", {"B": "YQ=="}, "BINARY"),
    ("DELETE", {"N": "1"}, "NUMBER"),
    ("DELETE", {"S": "a"}, "STRING"),
])
def test_add_delete_operand_types(client, table, op, value, type_name):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), f"{op} a :a", {":a": value})
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                 f"operator: {op}, operand type: {type_name}")


@pytest.mark.parametrize("expr,fn,type_name", [
    ("SET a = list_append(:s, a)", "list_append", "S"),
    ("SET a = list_append(a, :n)", "list_append", "N"),
    ("SET a = list_append(:m, a)", "list_append", "M"),
    ("SET a = a + :s", "+", "S"),
    ("SET a = :ss + a", "+", "SS"),
    ("SET a = a - :l", "-", "L"),
    ("SET a = a - :m", "-", "M"),
])
def test_function_operand_types(client, table, expr, fn, type_name):
    values = {":s": {"S": "a"}, ":n": {"N": "1"}, ":m": {"M": {}}, ":ss": {"SS": ["a"]}, ":l": {"L": []}}
    used = {k: v for k, v in values.items() if k in expr}
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), expr, used)
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid UpdateExpression: Incorrect operand type for operator or function; "
                 f"operator or function: {fn}, operand type: {type_name}")


def test_if_not_exists_requires_path(client, table):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), "SET a = if_not_exists(:a, c)", {":a": {"S": "a"}})
    assert_error(e, "ValidationException",  # [DL]
                 "Invalid UpdateExpression: Operator or function requires a document path; "
                 "operator or function: if_not_exists")


@pytest.mark.parametrize("expr,fn,count", [
    ("SET a = if_not_exists(c)", "if_not_exists", 1),
    ("SET a = list_append(c)", "list_append", 1),
])
def test_function_operand_count(client, table, expr, fn, count):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), expr)
    assert_error(e, "ValidationException",  # [DL] (pattern), counts as sent
                 "Invalid UpdateExpression: Incorrect number of operands for operator or function; "
                 f"operator or function: {fn}, number of operands: {count}")


def test_invalid_function_name(client, table):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), "SET a = if_not_exist(a, :v)", {":v": {"S": "x"}})
    assert_error(e, "ValidationException",  # [DL] (pattern)
                 "Invalid UpdateExpression: Invalid function name; function: if_not_exist")


# ---------------------------------------------------------------- ReturnValues

@pytest.fixture
def rv_item(client, table):
    key = fresh_key("rv")
    put(client, table, {**key, "a": {"N": "1"}, "b": {"S": "keep"}, "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}})
    return key


def _rv(client, table, key, rv):
    return update(client, table, key, "SET a = a + :one, m.x = :ten, c = :c",
                  {":one": {"N": "1"}, ":ten": {"N": "10"}, ":c": {"S": "new"}}, ReturnValues=rv)


def test_return_values_none(client, table, rv_item):
    assert "Attributes" not in _rv(client, table, rv_item, "NONE")


def test_return_values_all_old(client, table, rv_item):
    assert _rv(client, table, rv_item, "ALL_OLD")["Attributes"] == {
        **rv_item, "a": {"N": "1"}, "b": {"S": "keep"}, "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}}


def test_return_values_all_new(client, table, rv_item):
    assert _rv(client, table, rv_item, "ALL_NEW")["Attributes"] == {
        **rv_item, "a": {"N": "2"}, "b": {"S": "keep"}, "c": {"S": "new"},
        "m": {"M": {"x": {"N": "10"}, "y": {"N": "2"}}}}


def test_return_values_updated_old(client, table, rv_item):
    # only the updated paths, as they were; c did not exist
    assert _rv(client, table, rv_item, "UPDATED_OLD")["Attributes"] == {
        "a": {"N": "1"}, "m": {"M": {"x": {"N": "1"}}}}


def test_return_values_updated_new(client, table, rv_item):
    # [DL] "should update nested attributes": UPDATED_NEW holds only the updated nested paths
    assert _rv(client, table, rv_item, "UPDATED_NEW")["Attributes"] == {
        "a": {"N": "2"}, "c": {"S": "new"}, "m": {"M": {"x": {"N": "10"}}}}


def test_return_values_updated_old_on_new_item_is_empty(client, table):
    resp = update(client, table, fresh_key(), "SET a = :v", {":v": {"S": "x"}}, ReturnValues="UPDATED_OLD")
    assert "Attributes" not in resp


def test_return_values_updated_new_after_remove(client, table):
    key = fresh_key()
    put(client, table, {**key, "a": {"S": "x"}, "b": {"S": "y"}})
    resp = update(client, table, key, "REMOVE a SET b = :v", {":v": {"S": "z"}}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"b": {"S": "z"}}


def test_return_values_invalid_enum(client, table):
    with pytest.raises(ClientError) as e:
        update(client, table, fresh_key(), "SET a = :v", {":v": {"S": "x"}}, ReturnValues="EVERYTHING")
    assert_error(e, "ValidationException",  # [DL]
                 "1 validation error detected: Value 'EVERYTHING' at 'returnValues' failed to satisfy constraint: "
                 "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]")


# ---------------------------------------------------------------- limits and numbers

def test_item_size_limit_on_update(client, table):
    key = fresh_key()
    put(client, table, {**key, "a": {"S": "x" * 300_000}})
    with pytest.raises(ClientError) as e:
        update(client, table, key, "SET b = :b", {":b": {"S": "y" * 200_000}})
    assert_error(e, "ValidationException", "Item size to update has exceeded the maximum allowed size")  # [DL]
    assert "b" not in get(client, table, key)


def test_exact_38_digit_arithmetic(client, table):
    key = fresh_key()
    big = "1234567890123456789012345678901234567"  # 37 digits
    put(client, table, {**key, "n": {"N": big + "8"}, "f": {"N": "0.1"}})
    update(client, table, key, "SET n = n + :one, f = f + :f, g = :tiny - :tiny2",
           {":one": {"N": "1"}, ":f": {"N": "0.2"},
            ":tiny": {"N": "1E-130"}, ":tiny2": {"N": "2E-130"}})
    item = get(client, table, key)
    assert item["n"] == {"N": big + "9"}
    assert item["f"] == {"N": "0.3"}
    assert item["g"] == {"N": "-0." + "0" * 129 + "1"}  # [NUM] numbers come back without exponent


def test_add_exact_large_numbers(client, table):
    key = fresh_key()
    update(client, table, key, "ADD n :a", {":a": {"N": "99999999999999999999999999999999999999"}})
    update(client, table, key, "ADD n :a", {":a": {"N": "-99999999999999999999999999999999999998"}})
    assert get(client, table, key)["n"] == {"N": "1"}


def test_arithmetic_overflow(client, table):
    key = fresh_key()
    top = "9.9999999999999999999999999999999999999E+125"
    put(client, table, {**key, "n": {"N": top}})
    with pytest.raises(ClientError) as e:
        update(client, table, key, "SET n = n + :v", {":v": {"N": top}})
    assert_error(e, "ValidationException",  # [NUM]
                 "Number overflow. Attempting to store a number with magnitude larger than supported range")
    with pytest.raises(ClientError) as e:
        update(client, table, key, "ADD n :v", {":v": {"N": top}})
    assert_error(e, "ValidationException",
                 "Number overflow. Attempting to store a number with magnitude larger than supported range")


def test_nested_update_recorded_by_dynalite(client, make_table):
    # [DL] "should update nested attributes": SETs past the end of a list append in index order,
    # every operand reads the old item, and UPDATED_NEW holds only the written paths.
    t = make_table(hash_key=("a", "S"))
    key = {"a": {"S": "nested"}}
    client.update_item(TableName=t, Key=key, UpdateExpression="set b = :b, c = :c", ExpressionAttributeValues={
        ":b": {"M": {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"}}}, ":c": {"L": [{"N": "1"}, {"N": "3"}]}})
    resp = client.update_item(
        TableName=t, Key=key,
        UpdateExpression="set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a",
        ExpressionAttributeValues={":a": {"N": "2"}, ":b": {"SS": ["a"]}}, ReturnValues="UPDATED_NEW")
    assert resp["Attributes"] == {"b": {"M": {"a": key["a"], "c": {"N": "4"}}},
                                  "c": {"L": [key["a"], {"N": "3"}, {"N": "2"}]}}
    assert get(client, t, key) == {
        "a": key["a"], "b": {"M": {"a": key["a"], "b": {"N": "2"}, "c": {"N": "4"}}},
        "c": {"L": [{"N": "1"}, key["a"], {"N": "3"}, {"N": "-1"}, {"N": "2"}, {"SS": ["a"]}]}}
