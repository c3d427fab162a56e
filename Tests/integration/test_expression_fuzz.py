"""Property test: random and mutated expressions and items never break the server.

Every request (seeded, bounded count) must either succeed or fail with a 400 whose error is a
ValidationException or ConditionalCheckFailedException; never a 5xx, never a dropped connection.
Afterwards the server still answers. Set KVSERVER_FUZZ_SEED / KVSERVER_FUZZ_COUNT to explore more.
"""

import os
import random

import pytest
from botocore.exceptions import ClientError

SEED = int(os.environ.get("KVSERVER_FUZZ_SEED", "20240611"))
COUNT = int(os.environ.get("KVSERVER_FUZZ_COUNT", "400"))
ALLOWED = {"ValidationException", "ConditionalCheckFailedException"}

NAMES = ["a", "b", "c", "l", "m", "n", "s", "#a", "#b", "status", "size", "SET", "AND", "_x", "a1"]
VALUES = [":v", ":n", ":s", ":l", ":ss", ":m", ":missing"]
FUNCS = ["attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains", "size",
         "if_not_exists", "list_append", "nope"]
PUNCT = ["(", ")", "[", "]", ",", ".", "=", "<>", "<", "<=", ">", ">=", "+", "-", "*", "/", "{", "}", "'", '"', "\u00e9", "\u0000"]
KEYWORDS = ["AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"]


def rand_path(r, depth=0):
    p = r.choice(NAMES)
    for _ in range(r.randint(0, 3)):
        if r.random() < 0.5:
            p += "." + r.choice(NAMES)
        else:
            p += f"[{r.choice([0, 1, 2, 5, 99, 2147483648, 10**30])}]"
    return p


def rand_operand(r, depth=0):
    k = r.random()
    if k < 0.4:
        return rand_path(r)
    if k < 0.7:
        return r.choice(VALUES)
    if depth > 3:
        return rand_path(r)
    fn = r.choice(FUNCS)
    args = ", ".join(rand_operand(r, depth + 1) for _ in range(r.randint(0, 3)))
    s = f"{fn}({args})"
    if r.random() < 0.2:
        s = f"{s} {r.choice(['+', '-'])} {rand_operand(r, depth + 1)}"
    return s


def rand_condition(r, depth=0):
    k = r.random()
    if depth > 4 or k < 0.35:
        return f"{rand_operand(r)} {r.choice(['=', '<>', '<', '<=', '>', '>='])} {rand_operand(r)}"
    if k < 0.45:
        return f"{rand_operand(r)} BETWEEN {rand_operand(r)} AND {rand_operand(r)}"
    if k < 0.55:
        return f"{rand_operand(r)} IN ({', '.join(rand_operand(r) for _ in range(r.randint(1, 4)))})"
    if k < 0.65:
        return rand_operand(r)
    if k < 0.75:
        return f"NOT {rand_condition(r, depth + 1)}"
    if k < 0.88:
        return f"({rand_condition(r, depth + 1)})"
    return f"{rand_condition(r, depth + 1)} {r.choice(['AND', 'OR'])} {rand_condition(r, depth + 1)}"


def rand_update(r):
    clauses = []
    for _ in range(r.randint(1, 4)):
        kw = r.choice(["SET", "REMOVE", "ADD", "DELETE"])
        if kw == "SET":
            acts = [f"{rand_path(r)} = {rand_operand(r)}" for _ in range(r.randint(1, 3))]
        elif kw == "REMOVE":
            acts = [rand_path(r) for _ in range(r.randint(1, 3))]
        else:
            acts = [f"{rand_path(r)} {r.choice(VALUES)}" for _ in range(r.randint(1, 2))]
        clauses.append(f"{kw} " + ", ".join(acts))
    return " ".join(clauses)


def rand_projection(r):
    return ", ".join(rand_path(r) for _ in range(r.randint(1, 4)))


def mutate(r, text):
    ops = r.randint(1, 4)
    chars = list(text)
    for _ in range(ops):
        k = r.random()
        pos = r.randint(0, len(chars))
        if k < 0.3 and chars:
            del chars[min(pos, len(chars) - 1)]
        elif k < 0.6:
            chars.insert(pos, r.choice(PUNCT + KEYWORDS + [" ", "#", ":"]))
        elif k < 0.8:
            chars[pos:pos] = list(r.choice(NAMES + VALUES))
        else:
            chars = chars[:pos] + chars[pos:] * r.randint(1, 3)
    return "".join(chars)[:5000]


def rand_value(r, depth=0):
    k = r.randint(0, 10 if depth < 3 else 6)
    if k == 0:
        return {"S": r.choice(["", "x", "hello", "\u00e9t\u00e9"])}
    if k == 1:
        return {"N": r.choice(["0", "1", "-1", "1.5", "9.9999999999999999999999999999999999999E+125", "1E-130",
                               "12345678901234567890123456789012345678"])}
    if k == 2:
        return {"B": r.choice([b"", b"\x00", b"abc"])}
    if k == 3:
        return {"BOOL": r.random() < 0.5}
    if k == 4:
        return {"NULL": True}
    if k == 5:
        return {"SS": r.sample(["a", "b", "c"], r.randint(1, 3))}
    if k == 6:
        return {"NS": r.sample(["1", "2", "3.5"], r.randint(1, 3))}
    if k <= 8:
        return {"L": [rand_value(r, depth + 1) for _ in range(r.randint(0, 3))]}
    return {"M": {r.choice(["a", "b", "c"]): rand_value(r, depth + 1) for _ in range(r.randint(0, 3))}}


def rand_names(r):
    if r.random() < 0.3:
        return None
    return {k: r.choice(["a", "b", "status", "m", "l"]) for k in r.sample(["#a", "#b", "#c"], r.randint(1, 3))}


def rand_values(r):
    if r.random() < 0.15:
        return None
    return {k: rand_value(r) for k in r.sample(VALUES[:-1], r.randint(1, 5))}


@pytest.fixture(scope="module")
def table(module_tables, client):
    name = module_tables.create(hash_key=("pk", "S"))
    return name


def _check(call):
    try:
        call()
    except ClientError as e:
        code = e.response["Error"]["Code"]
        status = e.response["ResponseMetadata"]["HTTPStatusCode"]
        assert status == 400 and code in ALLOWED, f"{status} {code}: {e.response['Error'].get('Message')!r}"


def test_fuzz_expressions(client, table):
    r = random.Random(SEED)
    keys = [{"pk": {"S": f"fz{i}"}} for i in range(5)]
    for k in keys:
        client.put_item(TableName=table, Item={**k, "a": {"N": "1"}, "l": {"L": [{"S": "x"}, {"N": "2"}]},
                                               "m": {"M": {"a": {"S": "y"}}}, "s": {"SS": ["a"]}})
    for i in range(COUNT):
        k = r.choice(keys)
        names, values = rand_names(r), rand_values(r)
        kind = r.randint(0, 4)
        common = {"TableName": table}
        if names is not None:
            common["ExpressionAttributeNames"] = names
        if values is not None:
            common["ExpressionAttributeValues"] = values
        cond = rand_condition(r)
        upd = rand_update(r)
        if r.random() < 0.5:
            cond = mutate(r, cond)
        if r.random() < 0.5:
            upd = mutate(r, upd)
        ctx = f"case {i} seed {SEED}: cond={cond!r} update={upd!r} names={names} values={values}"
        try:
            if kind == 0:
                item = {**k, **{n: rand_value(r) for n in r.sample(["a", "b", "l", "m"], r.randint(0, 4))}}
                _check(lambda: client.put_item(Item=item, ConditionExpression=cond,
                                               ReturnValuesOnConditionCheckFailure="ALL_OLD", **common))
            elif kind == 1:
                _check(lambda: client.delete_item(Key=k, ConditionExpression=cond, ReturnValues="ALL_OLD", **common))
                client.put_item(TableName=table, Item={**k, "a": {"N": "1"}})
            elif kind == 2:
                extra = {"ConditionExpression": cond} if r.random() < 0.4 else {}
                rv = r.choice(["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
                _check(lambda: client.update_item(Key=k, UpdateExpression=upd, ReturnValues=rv, **extra, **common))
            elif kind == 3:
                proj = rand_projection(r)
                if r.random() < 0.5:
                    proj = mutate(r, proj)
                gp = {kk: v for kk, v in common.items() if kk != "ExpressionAttributeValues"}
                _check(lambda: client.get_item(Key=k, ProjectionExpression=proj, **gp))
            else:
                # random bytes-ish garbage as the whole expression
                junk = "".join(r.choice(PUNCT + KEYWORDS + NAMES + VALUES + [" "]) for _ in range(r.randint(0, 40)))
                _check(lambda: client.update_item(Key=k, UpdateExpression=junk, **common))
        except AssertionError as e:
            raise AssertionError(f"{ctx}: {e}") from None
    # the server is still alive and consistent
    assert client.list_tables()["ResponseMetadata"]["HTTPStatusCode"] == 200
    got = client.get_item(TableName=table, Key=keys[0], ConsistentRead=True)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
