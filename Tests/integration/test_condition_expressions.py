"""ConditionExpression on PutItem, DeleteItem and UpdateItem: every operator and function.

Sources:
[DOC] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
      (comparators, BETWEEN, IN, AND/OR/NOT with precedence NOT > AND > OR, the functions and
      their semantics) and .../Expressions.ConditionExpressions.html.
[DL]  architect/dynalite test/putItem.js, updateItem.js, deleteItem.js: "The conditional request failed"
      (ConditionalCheckFailedException), condition on a missing item.
[API] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
      ReturnValuesOnConditionCheckFailure: "ALL_OLD ... the item attributes as they appeared before
      they were updated with the PutItem"; boto3 surfaces them as ``error.response["Item"]``.
[SC]  /work/shared/SCENARIOS.md, the LIFO task queue's claim.
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

CCF = "The conditional request failed"  # [DL]


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


BASE = {
    "n": {"N": "5"},
    "s": {"S": "hello world"},
    "b": {"B": b"\x01\x02\x03"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["red", "green"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01"]},
    "l": {"L": [{"S": "x"}, {"N": "7"}, {"M": {"c": {"S": "deep"}}}, {"S": "y"}]},
    "m": {"M": {"k": {"S": "v"}, "nest": {"M": {"q": {"N": "3"}}}}},
    "a": {"M": {"b": {"L": [{"N": "0"}, {"N": "1"}, {"N": "2"}, {"M": {"c": {"N": "42"}}}]}}},
}

VALUES = {
    ":five": {"N": "5"}, ":six": {"N": "6"}, ":four": {"N": "4"}, ":one": {"N": "1"}, ":ten": {"N": "10"},
    ":hello": {"S": "hello"}, ":hw": {"S": "hello world"}, ":world": {"S": "world"},
    ":red": {"S": "red"}, ":blue": {"S": "blue"}, ":x": {"S": "x"}, ":seven": {"N": "7"},
    ":b01": {"B": b"\x01"}, ":b02": {"B": b"\x02\x03"},
    ":S": {"S": "S"}, ":N": {"S": "N"}, ":SS": {"S": "SS"}, ":L": {"S": "L"}, ":M": {"S": "M"},
    ":BOOL": {"S": "BOOL"}, ":NULL": {"S": "NULL"}, ":B": {"S": "B"}, ":NS": {"S": "NS"}, ":BS": {"S": "BS"},
    ":true": {"BOOL": True}, ":42": {"N": "42"}, ":deep": {"S": "deep"}, ":v": {"S": "v"},
    ":ssv": {"SS": ["green", "red"]}, ":two": {"N": "2"}, ":three": {"N": "3"},
}

# (condition, expected outcome on BASE)
CASES = [
    ("n = :five", True), ("n = :six", False), ("n <> :six", True), ("n <> :five", False),
    ("n < :six", True), ("n < :five", False), ("n <= :five", True), ("n <= :four", False),
    ("n > :four", True), ("n > :five", False), ("n >= :five", True), ("n >= :six", False),
    ("s < :world", True), ("s > :hello", True), ("b < :b02", True),
    ("n = :hello", False), ("n <> :hello", True), ("n < :hello", False),  # different types
    ("absent = :five", False), ("absent <> :five", True),
    ("n BETWEEN :four AND :six", True), ("n BETWEEN :five AND :five", True), ("n BETWEEN :six AND :ten", False),
    ("s BETWEEN :hello AND :world", True),
    ("n IN (:one, :five, :ten)", True), ("n IN (:one, :ten)", False), ("s IN (:hw)", True),
    ("attribute_exists(n)", True), ("attribute_exists(absent)", False),
    ("attribute_not_exists(absent)", True), ("attribute_not_exists(n)", False),
    ("attribute_exists(m.nest.q)", True), ("attribute_exists(m.nest.zz)", False),
    ("attribute_exists(l[3])", True), ("attribute_exists(l[4])", False),
    ("attribute_type(n, :N)", True), ("attribute_type(s, :S)", True), ("attribute_type(ss, :SS)", True),
    ("attribute_type(l, :L)", True), ("attribute_type(m, :M)", True), ("attribute_type(t, :BOOL)", True),
    ("attribute_type(z, :NULL)", True), ("attribute_type(b, :B)", True), ("attribute_type(ns, :NS)", True),
    ("attribute_type(bs, :BS)", True), ("attribute_type(n, :S)", False), ("attribute_type(absent, :S)", False),
    ("begins_with(s, :hello)", True), ("begins_with(s, :world)", False), ("begins_with(b, :b01)", True),
    ("begins_with(n, :hello)", False),
    ("contains(s, :world)", True), ("contains(s, :blue)", False), ("contains(ss, :red)", True),
    ("contains(ss, :blue)", False), ("contains(ns, :two)", True), ("contains(l, :x)", True),
    ("contains(l, :seven)", True), ("contains(l, :blue)", False), ("contains(b, :b02)", True),
    ("size(s) = :ten", False), ("size(s) > :ten", True), ("size(ss) = :two", True), ("size(l) = :four", True),
    ("size(m) = :two", True), ("size(b) = :three", True), ("size(absent) = :one", False),
    ("ss = :ssv", True),  # sets compare by membership, not order
    ("t = :true", True),
    # AND / OR / NOT precedence: NOT > AND > OR
    ("n = :six OR n = :five AND s = :hw", True),
    ("n = :five OR n = :six AND s = :blue", True),
    ("(n = :five OR n = :six) AND s = :blue", False),
    ("NOT n = :six AND n = :five", True),
    ("NOT (n = :six OR n = :five)", False),
    ("NOT NOT attribute_exists(n)", True),
    ("n = :five and not s = :blue or absent = :one", True),
    ("((n = :five) AND (s = :hw))", True),
    # document paths
    ("a.b[3].c = :42", True), ("#n.#m[3].c = :42", True), ("l[2].c = :deep", True),
    ("m.k = :v", True), ("#n.b[0] = :one", False),
]


@pytest.mark.parametrize("op", ["put", "delete", "update"])
@pytest.mark.parametrize("cond,expected", CASES, ids=[c for c, _ in CASES])
def test_condition_operators(client, table, op, cond, expected):
    key = {"pk": {"S": f"cond-{op}"}}
    item = {**key, **BASE}
    client.put_item(TableName=table, Item=item)
    used_values = {k: v for k, v in VALUES.items() if k in _tokens(cond)}
    params = {"TableName": table, "ConditionExpression": cond}
    if used_values:
        params["ExpressionAttributeValues"] = dict(used_values)
    if "#n" in cond:
        params["ExpressionAttributeNames"] = {"#n": "a", "#m": "b"} if "#m" in cond else {"#n": "a"}
    if op == "put":
        call = lambda: client.put_item(Item={**item, "marker": {"S": "put"}}, **params)
    elif op == "delete":
        call = lambda: client.delete_item(Key=key, **params)
    else:
        params.setdefault("ExpressionAttributeValues", {})[":mk"] = {"S": "upd"}
        call = lambda: client.update_item(Key=key, UpdateExpression="SET marker = :mk", **params)
    if expected:
        call()
        got = client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        if op == "delete":
            assert got is None
        else:
            assert got["marker"] == ({"S": "put"} if op == "put" else {"S": "upd"})
    else:
        with pytest.raises(ClientError) as e:
            call()
        assert_error(e, "ConditionalCheckFailedException", CCF)
        assert client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"] == item


def _tokens(cond):
    import re
    return set(re.findall(r":\w+", cond))


def test_condition_on_missing_item(client, table):
    key = {"pk": {"S": "cond-absent"}}
    client.delete_item(TableName=table, Key=key)
    for cond, values in [("attribute_exists(pk)", None), ("n = :v", {":v": {"N": "1"}})]:
        params = {"ConditionExpression": cond}
        if values:
            params["ExpressionAttributeValues"] = values
        with pytest.raises(ClientError) as e:
            client.update_item(TableName=table, Key=key, **params)
        assert_error(e, "ConditionalCheckFailedException", CCF)
        with pytest.raises(ClientError) as e:
            client.delete_item(TableName=table, Key=key, **params)
        assert_error(e, "ConditionalCheckFailedException", CCF)
    # attribute_not_exists on a absent item passes: put-if-absent
    client.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={**key, "v": {"N": "2"}}, ConditionExpression="attribute_not_exists(pk)")
    assert_error(e, "ConditionalCheckFailedException", CCF)
    assert client.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]["v"] == {"N": "1"}


@pytest.mark.parametrize("op", ["put", "delete", "update"])
def test_return_values_on_condition_check_failure_all_old(client, table, op):
    key = {"pk": {"S": f"rvccf-{op}"}}
    item = {**key, "v": {"N": "1"}, "s": {"S": "x"}}
    client.put_item(TableName=table, Item=item)
    params = {"TableName": table, "ConditionExpression": "v = :two",
              "ExpressionAttributeValues": {":two": {"N": "2"}},
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    with pytest.raises(ClientError) as e:
        if op == "put":
            client.put_item(Item={**key, "v": {"N": "9"}}, **params)
        elif op == "delete":
            client.delete_item(Key=key, **params)
        else:
            params["ExpressionAttributeValues"][":nine"] = {"N": "9"}
            client.update_item(Key=key, UpdateExpression="SET v = :nine", **params)
    assert_error(e, "ConditionalCheckFailedException", CCF)
    assert e.value.response["Item"] == item  # [API]


def test_return_values_on_condition_check_failure_none_or_missing_item(client, table):
    key = {"pk": {"S": "rvccf-none"}}
    client.put_item(TableName=table, Item={**key, "v": {"N": "1"}})
    with pytest.raises(ClientError) as e:
        client.delete_item(TableName=table, Key=key, ConditionExpression="v = :two",
                           ExpressionAttributeValues={":two": {"N": "2"}},
                           ReturnValuesOnConditionCheckFailure="NONE")
    assert_error(e, "ConditionalCheckFailedException", CCF)
    assert "Item" not in e.value.response
    with pytest.raises(ClientError) as e:
        client.update_item(TableName=table, Key={"pk": {"S": "rvccf-absent"}}, ConditionExpression="attribute_exists(pk)",
                           ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert_error(e, "ConditionalCheckFailedException", CCF)
    assert "Item" not in e.value.response


def test_return_values_on_condition_check_failure_invalid_enum(client, table):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item={"pk": {"S": "x"}}, ReturnValuesOnConditionCheckFailure="ALL_NEW")
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' failed to "
                 "satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]")


def test_delete_return_values_all_old_with_condition(client, table):
    key = {"pk": {"S": "del-all-old"}}
    item = {**key, "v": {"N": "1"}}
    client.put_item(TableName=table, Item=item)
    resp = client.delete_item(TableName=table, Key=key, ConditionExpression="v = :one",
                              ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert resp["Attributes"] == item


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_delete_invalid_return_values(client, table, rv):
    with pytest.raises(ClientError) as e:
        client.delete_item(TableName=table, Key={"pk": {"S": "x"}}, ReturnValues=rv)
    assert_error(e, "ValidationException", "ReturnValues can only be ALL_OLD or NONE")  # [DL] deleteItem.js


# ---------------------------------------------------------------- the LIFO queue claim [SC]

@pytest.fixture(scope="module")
def queue_table(module_tables):
    return module_tables.create(hash_key=("taskId", "S"))


CLAIM = "set taskStatus = :toTaskStatus, taskUpdated = :taskUpdated"


def claim(client, table, task_id, src, dst, ts):
    return client.update_item(
        TableName=table, Key={"taskId": {"S": task_id}},
        UpdateExpression=CLAIM, ConditionExpression="taskStatus = :fromTaskStatus",
        ExpressionAttributeValues={":fromTaskStatus": {"S": src}, ":toTaskStatus": {"S": dst},
                                   ":taskUpdated": {"N": str(ts)}},
        ReturnValues="ALL_NEW")


def test_lifo_queue_state_transitions(client, queue_table):
    client.put_item(TableName=queue_table, Item={
        "taskId": {"S": "task-1"}, "taskStatus": {"S": "PENDING"},
        "taskCreated": {"N": "1700000000000"}, "taskUpdated": {"N": "1700000000000"}})
    # PENDING -> SUCCESS is not a valid transition: the condition names the expected state
    with pytest.raises(ClientError) as e:
        claim(client, queue_table, "task-1", "TAKEN", "SUCCESS", 1700000000001)
    assert_error(e, "ConditionalCheckFailedException", CCF)
    got = claim(client, queue_table, "task-1", "PENDING", "TAKEN", 1700000000002)["Attributes"]
    assert got["taskStatus"] == {"S": "TAKEN"} and got["taskUpdated"] == {"N": "1700000000002"}
    # a second claim of the same task fails
    with pytest.raises(ClientError) as e:
        claim(client, queue_table, "task-1", "PENDING", "TAKEN", 1700000000003)
    assert_error(e, "ConditionalCheckFailedException", CCF)
    # TAKEN -> PENDING (downstream saturated), then again TAKEN -> SUCCESS
    claim(client, queue_table, "task-1", "TAKEN", "PENDING", 1700000000004)
    claim(client, queue_table, "task-1", "PENDING", "TAKEN", 1700000000005)
    got = claim(client, queue_table, "task-1", "TAKEN", "SUCCESS", 1700000000006)["Attributes"]
    assert got["taskStatus"] == {"S": "SUCCESS"}
    assert got["taskCreated"] == {"N": "1700000000000"}


def test_lifo_queue_pending_to_success_refused(client, queue_table):
    client.put_item(TableName=queue_table, Item={
        "taskId": {"S": "task-2"}, "taskStatus": {"S": "PENDING"}, "taskCreated": {"N": "1"}})
    # The processor asks for a transition from TAKEN; the task is PENDING, so it is refused.
    with pytest.raises(ClientError) as e:
        claim(client, queue_table, "task-2", "TAKEN", "SUCCESS", 2)
    assert_error(e, "ConditionalCheckFailedException", CCF)
    item = client.get_item(TableName=queue_table, Key={"taskId": {"S": "task-2"}}, ConsistentRead=True)["Item"]
    assert item["taskStatus"] == {"S": "PENDING"} and "taskUpdated" not in item
