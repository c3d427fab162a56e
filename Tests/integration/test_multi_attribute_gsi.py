"""Multi-attribute keys of global secondary indexes (DynamoDB, November 2025).

A GSI KeySchema may list up to four HASH attributes followed by up to four RANGE attributes.
An item is in the index only when it has every key attribute with the defined type. A Query
gives equality on every partition attribute, then conditions on the sort attributes from left
to right without skipping one: equality on each but the last one given, which may also be a
range (<, <=, >, >=, BETWEEN) or begins_with. The sort key orders by the attributes in turn.

Sources:
[GSI]  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys
[PAT]  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.DesignPattern.MultiAttributeKeys.html
[CT]   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html and
       API_KeySchemaElement.html (HASH / RANGE key types)
[Q]    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
[KCE]  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
[VD]   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.OnlineOps.ViolationDetection.html
[ACK]  ack-api-quirks, services/dynamodb finding DDB-TABLE-123 and the ValidationException
       catalogue DDB-TABLE-442 (a public lab that records the live service's answers, 2026-10):
       the refusals only multi-attribute key schemas can meet (five HASH or RANGE attributes,
       HASH after RANGE, an attribute twice), which the docs do not publish.
Texts shared with ordinary keys ("Query condition missed key schema element: <a>", "Query key
condition not supported", the Index Key type mismatch, the begins_with operand type, the filter on
a key attribute) are DynamoDB's, as recorded by dynalite and dynoxide.
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name
from read_helpers import paginate, put_many, wait_index_active
from streams_support import clients, read_all


def _defs(**types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]


def _keys(hashes, ranges=()):
    return ([{"AttributeName": n, "KeyType": "HASH"} for n in hashes]
            + [{"AttributeName": n, "KeyType": "RANGE"} for n in ranges])


def _gsi(name, hashes, ranges=(), projection="ALL", non_key=None):
    p = {"ProjectionType": projection}
    if non_key:
        p["NonKeyAttributes"] = non_key
    return {"IndexName": name, "KeySchema": _keys(hashes, ranges), "Projection": p}


MATCH_DEFS = _defs(matchId="S", tournamentId="S", regionCode="S", round="S", bracket="S", seq="N", player="S", day="S")
BRACKET_DEFS = _defs(matchId="S", tournamentId="S", regionCode="S", round="S", bracket="S", seq="N")


def _match(i, *, tournament="WINTER2024", region="NA-EAST", round_="SEMIFINALS", bracket="UPPER", seq=None, **extra):
    item = {"matchId": {"S": f"m-{i:03d}"}, "tournamentId": {"S": tournament}, "regionCode": {"S": region},
            "round": {"S": round_}, "bracket": {"S": bracket}, "seq": {"N": str(i if seq is None else seq)},
            "player": {"S": f"p{i % 3}"}, "day": {"S": f"2024-01-{(i % 28) + 1:02d}"}, "score": {"N": str(100 + i)}}
    item.update(extra)
    return item


@pytest.fixture(scope="module")
def matches(client, module_tables):
    """A table with a 2 HASH + 3 RANGE index, a 1 HASH + 2 RANGE KEYS_ONLY index and an INCLUDE one."""
    name = module_tables.create(
        hash_key=("matchId", "S"), AttributeDefinitions=MATCH_DEFS,
        GlobalSecondaryIndexes=[
            _gsi("by-bracket", ["tournamentId", "regionCode"], ["round", "bracket", "seq"]),
            _gsi("by-player", ["player"], ["day", "round"], "KEYS_ONLY"),
            _gsi("by-region", ["tournamentId", "regionCode"], [], "INCLUDE", ["score"]),
        ])
    items = []
    for i in range(24):
        round_ = ["QUARTERFINALS", "SEMIFINALS", "FINALS"][i % 3]
        bracket = ["LOWER", "UPPER"][(i // 3) % 2]
        region = "NA-EAST" if i < 20 else "EU-WEST"
        items.append(_match(i, region=region, round_=round_, bracket=bracket, seq=(i * 7) % 24 - 5))
    put_many(client, name, items)
    return name, items


def _query(client, table, index, expression, values, **kwargs):
    items, pages = paginate(
        client.query, TableName=table, IndexName=index, KeyConditionExpression=expression,
        ExpressionAttributeValues=values, **kwargs)
    return items


def _ids(items):
    return [i["matchId"]["S"] for i in items]


def _order(item):
    return (item["round"]["S"], item["bracket"]["S"], int(item["seq"]["N"]), item["matchId"]["S"])


NA = {":t": {"S": "WINTER2024"}, ":r": {"S": "NA-EAST"}}


# --------------------------------------------------------------------------
# CreateTable / DescribeTable [GSI] [CT]
# --------------------------------------------------------------------------

def test_describe_table_lists_every_key_attribute_in_order(client, matches):
    table, _ = matches
    desc = client.describe_table(TableName=table)["Table"]
    indexes = {g["IndexName"]: g for g in desc["GlobalSecondaryIndexes"]}
    assert indexes["by-bracket"]["KeySchema"] == _keys(["tournamentId", "regionCode"], ["round", "bracket", "seq"])
    assert indexes["by-player"]["KeySchema"] == _keys(["player"], ["day", "round"])
    assert indexes["by-region"]["KeySchema"] == _keys(["tournamentId", "regionCode"])
    assert indexes["by-region"]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["score"]}
    assert all(g["IndexStatus"] == "ACTIVE" for g in indexes.values())


def test_four_hash_and_four_range_attributes(client, make_table):
    names = [f"a{i}" for i in range(8)]
    table = make_table(
        hash_key=("pk", "S"), AttributeDefinitions=_defs(pk="S", a0="S", a1="N", a2="B", a3="S", a4="N", a5="S", a6="B", a7="S"),
        GlobalSecondaryIndexes=[_gsi("max", names[:4], names[4:])])
    desc = client.describe_table(TableName=table)["Table"]
    assert desc["GlobalSecondaryIndexes"][0]["KeySchema"] == _keys(names[:4], names[4:])
    item = {"pk": {"S": "x"}, "a0": {"S": "h"}, "a1": {"N": "1"}, "a2": {"B": b"\x00\x01"}, "a3": {"S": "j"},
            "a4": {"N": "-2.5"}, "a5": {"S": "s"}, "a6": {"B": b"\x00"}, "a7": {"S": "z"}}
    client.put_item(TableName=table, Item=item)
    values = {":a0": item["a0"], ":a1": item["a1"], ":a2": item["a2"], ":a3": item["a3"],
              ":a4": item["a4"], ":a5": item["a5"], ":a6": item["a6"], ":a7": item["a7"]}
    got = _query(client, table, "max", " AND ".join(f"a{i} = :a{i}" for i in range(8)), values)
    assert got == [item]
    got = _query(client, table, "max", "a0 = :a0 AND a1 = :a1 AND a2 = :a2 AND a3 = :a3",
                 {k: values[k] for k in (":a0", ":a1", ":a2", ":a3")})
    assert got == [item]


def _create(client, gsis, defs=None, **extra):
    # Every definition must be used by a key, or DynamoDB reports that first [ACK].
    if defs is None:
        names = ["pk"] + [k["AttributeName"] for g in gsis for k in g["KeySchema"]]
        defs = _defs(**{n: "S" for n in dict.fromkeys(names)})
    return client.create_table(
        TableName=unique_name("mak"), KeySchema=_keys(["pk"]), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=defs, GlobalSecondaryIndexes=gsis, **extra)


def test_more_than_four_hash_attributes_is_refused(client):
    with pytest.raises(ClientError) as e:
        _create(client, [_gsi("gsi5", ["a", "b", "c", "d", "e"])])
    assert_error(e, "ValidationException", "One or more parameter values were invalid: "
                 "The KeySchema exceeds the maximum allowed number of HASH key attributes")


def test_more_than_four_range_attributes_is_refused(client):
    with pytest.raises(ClientError) as e:
        _create(client, [_gsi("rng5", ["a"], ["b", "c", "d", "e", "f"])])
    assert_error(e, "ValidationException", "One or more parameter values were invalid: "
                 "The KeySchema exceeds the maximum allowed number of RANGE key attributes")


def test_more_than_eight_key_schema_elements_is_a_shape_error(client):
    with pytest.raises(ClientError) as e:
        _create(client, [_gsi("nine", ["a", "b", "c", "d"], ["e", "f", "g", "h", "i"])])
    assert_error(e, "ValidationException", None)
    assert ("at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: "
            "Member must have length less than or equal to 8") in e.value.response["Error"]["Message"]


def test_hash_after_range_is_refused(client):
    with pytest.raises(ClientError) as e:
        _create(client, [{"IndexName": "mixed", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
            {"AttributeName": "a", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"},
            {"AttributeName": "c", "KeyType": "HASH"}]}])
    assert_error(e, "ValidationException", "One or more parameter values were invalid: "
                 "All HASH key attributes must precede RANGE key attributes in the KeySchema")


def test_range_first_is_refused(client):
    with pytest.raises(ClientError) as e:
        _create(client, [{"IndexName": "rfirst", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
            {"AttributeName": "a", "KeyType": "RANGE"}, {"AttributeName": "b", "KeyType": "RANGE"},
            {"AttributeName": "c", "KeyType": "HASH"}]}])
    assert_error(e, "ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")


def test_repeated_attribute_is_refused(client):
    with pytest.raises(ClientError) as e:
        _create(client, [_gsi("dup", ["a", "b"], ["a"])])
    assert_error(e, "ValidationException", "The KeySchema contains multiple key attributes with the same name")


def test_undefined_key_attribute_is_refused(client):
    with pytest.raises(ClientError) as e:
        _create(client, [_gsi("undef", ["a", "zz"], ["b"])], defs=_defs(pk="S", a="S", b="S"))
    assert_error(
        e, "ValidationException",
        "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. "
        "Keys: [a, zz, b], AttributeDefinitions: [pk, a, b]")


def test_local_indexes_keep_single_attribute_keys(client):
    # Multi-attribute keys are for global secondary indexes only [GSI].
    with pytest.raises(ClientError) as e:
        client.create_table(
            TableName=unique_name("mak"), KeySchema=_keys(["pk"], ["sk"]), BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=_defs(pk="S", sk="S", a="S", b="S"),
            LocalSecondaryIndexes=[{"IndexName": "lsi", "KeySchema": _keys(["pk"], ["a", "b"]),
                                    "Projection": {"ProjectionType": "ALL"}}])
    assert_error(e, "ValidationException", None)
    assert ("at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: "
            "Member must have length less than or equal to 2") in e.value.response["Error"]["Message"]


def test_table_keys_keep_single_attributes(client):
    with pytest.raises(ClientError) as e:
        client.create_table(
            TableName=unique_name("mak"), KeySchema=_keys(["a", "b"]), BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=_defs(a="S", b="S"))
    assert_error(e, "ValidationException", "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")


# --------------------------------------------------------------------------
# Writes: sparse index, types [GSI]
# --------------------------------------------------------------------------

def test_items_without_every_key_attribute_are_not_indexed(client, make_table):
    table = make_table(hash_key=("pk", "S"), AttributeDefinitions=_defs(pk="S", h1="S", h2="N", r1="S", r2="S"),
                       GlobalSecondaryIndexes=[_gsi("gsi", ["h1", "h2"], ["r1", "r2"])])
    full = {"pk": {"S": "full"}, "h1": {"S": "x"}, "h2": {"N": "1"}, "r1": {"S": "a"}, "r2": {"S": "b"}}
    client.put_item(TableName=table, Item=full)
    for missing in ("h1", "h2", "r1", "r2"):
        item = {k: v for k, v in full.items() if k != missing}
        item["pk"] = {"S": f"no-{missing}"}
        client.put_item(TableName=table, Item=item)
    scanned, _ = paginate(client.scan, TableName=table, IndexName="gsi")
    assert [i["pk"]["S"] for i in scanned] == ["full"]
    assert _query(client, table, "gsi", "h1 = :a AND h2 = :b", {":a": {"S": "x"}, ":b": {"N": "1"}}) == [full]


def test_wrong_type_of_any_key_attribute_is_refused(client, matches):
    table, _ = matches
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=_match(900, seq=1, bracket="UPPER") | {"bracket": {"N": "3"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for Index Key bracket Expected: S Actual: N "
                 "IndexName: by-bracket")
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=_match(901) | {"regionCode": {"N": "3"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Type mismatch for Index Key regionCode Expected: S Actual: N "
                 "IndexName: by-bracket")


def test_update_item_moves_the_item_in_and_out_of_the_index(client, make_table):
    table = make_table(hash_key=("pk", "S"), AttributeDefinitions=_defs(pk="S", h1="S", h2="S", r1="S", r2="N"),
                       GlobalSecondaryIndexes=[_gsi("gsi", ["h1", "h2"], ["r1", "r2"])])
    key = {"pk": {"S": "k"}}
    client.put_item(TableName=table, Item=key | {"h1": {"S": "a"}, "h2": {"S": "b"}, "r1": {"S": "x"}})
    q = lambda h2: _query(client, table, "gsi", "h1 = :a AND h2 = :b", {":a": {"S": "a"}, ":b": {"S": h2}})
    assert q("b") == []
    client.update_item(TableName=table, Key=key, UpdateExpression="SET r2 = :n", ExpressionAttributeValues={":n": {"N": "5"}})
    assert [i["r2"]["N"] for i in q("b")] == ["5"]
    client.update_item(TableName=table, Key=key, UpdateExpression="SET h2 = :c", ExpressionAttributeValues={":c": {"S": "c"}})
    assert q("b") == []
    assert [i["pk"]["S"] for i in q("c")] == ["k"]
    client.update_item(TableName=table, Key=key, UpdateExpression="REMOVE r1")
    assert q("c") == []
    client.delete_item(TableName=table, Key=key)
    assert paginate(client.scan, TableName=table, IndexName="gsi")[0] == []


# --------------------------------------------------------------------------
# Query [GSI] [Q] [KCE]
# --------------------------------------------------------------------------

def test_query_on_every_partition_attribute_orders_by_the_sort_attributes_in_turn(client, matches):
    table, items = matches
    expected = sorted((i for i in items if i["regionCode"]["S"] == "NA-EAST"), key=_order)
    got = _query(client, table, "by-bracket", "tournamentId = :t AND regionCode = :r", NA)
    assert _ids(got) == _ids(expected)
    assert got[0] == expected[0]  # ALL projection: the whole item
    backwards = _query(client, table, "by-bracket", "regionCode = :r AND tournamentId = :t", NA, ScanIndexForward=False)
    assert _ids(backwards) == list(reversed(_ids(expected)))


def test_number_sort_attribute_orders_numerically_within_its_prefix(client, matches):
    table, items = matches
    got = _query(client, table, "by-bracket", "tournamentId = :t AND regionCode = :r AND #rd = :rd AND bracket = :b",
                 NA | {":rd": {"S": "FINALS"}, ":b": {"S": "LOWER"}}, ExpressionAttributeNames={"#rd": "round"})
    seqs = [int(i["seq"]["N"]) for i in got]
    expected = sorted(int(i["seq"]["N"]) for i in items if i["regionCode"]["S"] == "NA-EAST"
                      and (i["round"]["S"], i["bracket"]["S"]) == ("FINALS", "LOWER"))
    # Numeric order, negatives first: -3 sorts before 3 and 9 (byte order of the strings would not).
    assert seqs == expected == [-3, 3, 9]


@pytest.mark.parametrize("condition,values,keep", [
    ("#rd = :a", {":a": {"S": "FINALS"}}, lambda i: i["round"]["S"] == "FINALS"),
    ("#rd < :a", {":a": {"S": "QUARTERFINALS"}}, lambda i: i["round"]["S"] < "QUARTERFINALS"),
    ("#rd <= :a", {":a": {"S": "QUARTERFINALS"}}, lambda i: i["round"]["S"] <= "QUARTERFINALS"),
    ("#rd > :a", {":a": {"S": "FINALS"}}, lambda i: i["round"]["S"] > "FINALS"),
    ("#rd >= :a", {":a": {"S": "QUARTERFINALS"}}, lambda i: i["round"]["S"] >= "QUARTERFINALS"),
    ("#rd BETWEEN :a AND :b", {":a": {"S": "FINALS"}, ":b": {"S": "QUARTERFINALS"}},
     lambda i: "FINALS" <= i["round"]["S"] <= "QUARTERFINALS"),
    ("begins_with(#rd, :a)", {":a": {"S": "SEMI"}}, lambda i: i["round"]["S"].startswith("SEMI")),
    ("#rd = :a AND bracket = :b", {":a": {"S": "SEMIFINALS"}, ":b": {"S": "UPPER"}},
     lambda i: (i["round"]["S"], i["bracket"]["S"]) == ("SEMIFINALS", "UPPER")),
    ("#rd = :a AND bracket > :b", {":a": {"S": "SEMIFINALS"}, ":b": {"S": "LOWER"}},
     lambda i: i["round"]["S"] == "SEMIFINALS" and i["bracket"]["S"] > "LOWER"),
    ("#rd = :a AND begins_with(bracket, :b)", {":a": {"S": "FINALS"}, ":b": {"S": "LO"}},
     lambda i: i["round"]["S"] == "FINALS" and i["bracket"]["S"].startswith("LO")),
    ("#rd = :a AND bracket = :b AND seq = :c", {":a": {"S": "FINALS"}, ":b": {"S": "LOWER"}, ":c": {"N": "3"}},
     lambda i: (i["round"]["S"], i["bracket"]["S"], i["seq"]["N"]) == ("FINALS", "LOWER", "3")),
    ("#rd = :a AND bracket = :b AND seq < :c", {":a": {"S": "FINALS"}, ":b": {"S": "LOWER"}, ":c": {"N": "10"}},
     lambda i: (i["round"]["S"], i["bracket"]["S"]) == ("FINALS", "LOWER") and int(i["seq"]["N"]) < 10),
    ("#rd = :a AND bracket = :b AND seq >= :c", {":a": {"S": "FINALS"}, ":b": {"S": "LOWER"}, ":c": {"N": "2"}},
     lambda i: (i["round"]["S"], i["bracket"]["S"]) == ("FINALS", "LOWER") and int(i["seq"]["N"]) >= 2),
    ("#rd = :a AND bracket = :b AND seq BETWEEN :c AND :d",
     {":a": {"S": "QUARTERFINALS"}, ":b": {"S": "UPPER"}, ":c": {"N": "-5"}, ":d": {"N": "9"}},
     lambda i: (i["round"]["S"], i["bracket"]["S"]) == ("QUARTERFINALS", "UPPER") and -5 <= int(i["seq"]["N"]) <= 9),
])
def test_sort_conditions_left_to_right(client, matches, condition, values, keep):
    table, items = matches
    expected = sorted((i for i in items if i["regionCode"]["S"] == "NA-EAST" and keep(i)), key=_order)
    got = _query(client, table, "by-bracket", f"tournamentId = :t AND regionCode = :r AND {condition}", NA | values,
                 ExpressionAttributeNames={"#rd": "round"})
    assert _ids(got) == _ids(expected)
    assert expected, "each case selects something"


def test_random_values_order_and_ranges(client, make_table):
    """Strings with NUL and multi-byte characters, numbers of every sign and scale, raw bytes:
    the index orders by (s, n, b) in DynamoDB's per-type order, and every range selects exactly
    the matching items."""
    import random
    from decimal import Decimal

    rng = random.Random(1511)
    table = make_table(hash_key=("pk", "S"), AttributeDefinitions=_defs(pk="S", h="S", s="S", n="N", b="B"),
                       GlobalSecondaryIndexes=[_gsi("tuple", ["h"], ["s", "n", "b"])])
    alphabet = ["a", "b", "\x00", "\x01", "\x7f", "é", "€", "\U0001F600", "ab", "a\x00"]
    items = []
    for i in range(80):
        s_val = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 3)))
        n_val = str(Decimal(rng.choice([-1, 1])) * Decimal(rng.randint(0, 300)) / Decimal(rng.choice([1, 10, 1000])))
        b_val = bytes(rng.choice([0, 1, 255]) for _ in range(rng.randint(1, 3)))
        items.append({"pk": {"S": f"k{i}"}, "h": {"S": "H"}, "s": {"S": s_val}, "n": {"N": n_val}, "b": {"B": b_val}})
    put_many(client, table, items)

    def key(item):
        return (item["s"]["S"].encode(), Decimal(item["n"]["N"]), item["b"]["B"], item["pk"]["S"])

    def pks(got):
        return [i["pk"]["S"] for i in got]

    ordered = sorted(items, key=key)
    assert pks(_query(client, table, "tuple", "h = :h", {":h": {"S": "H"}})) == pks(ordered)
    for _ in range(12):
        pivot = rng.choice(items)
        s_val, n_val = pivot["s"]["S"], Decimal(pivot["n"]["N"])
        cases = [
            ("s = :s", {":s": pivot["s"]}, lambda i: i["s"]["S"] == s_val),
            ("s < :s", {":s": pivot["s"]}, lambda i: i["s"]["S"].encode() < s_val.encode()),
            ("s >= :s", {":s": pivot["s"]}, lambda i: i["s"]["S"].encode() >= s_val.encode()),
            ("begins_with(s, :s)", {":s": {"S": s_val[:1]}}, lambda i: i["s"]["S"].startswith(s_val[:1])),
            ("s = :s AND n <= :n", {":s": pivot["s"], ":n": pivot["n"]},
             lambda i: i["s"]["S"] == s_val and Decimal(i["n"]["N"]) <= n_val),
            ("s = :s AND n > :n", {":s": pivot["s"], ":n": pivot["n"]},
             lambda i: i["s"]["S"] == s_val and Decimal(i["n"]["N"]) > n_val),
            ("s = :s AND n = :n AND begins_with(b, :b)", {":s": pivot["s"], ":n": pivot["n"], ":b": {"B": pivot["b"]["B"][:1]}},
             lambda i: i["s"]["S"] == s_val and Decimal(i["n"]["N"]) == n_val and i["b"]["B"].startswith(pivot["b"]["B"][:1])),
        ]
        for condition, values, keep in cases:
            got = _query(client, table, "tuple", f"h = :h AND {condition}", {":h": {"S": "H"}} | values)
            assert pks(got) == [i["pk"]["S"] for i in ordered if keep(i)], condition


def test_partition_attributes_need_equality_on_every_one(client, matches):
    table, _ = matches
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket", KeyConditionExpression="tournamentId = :t",
                     ExpressionAttributeValues={":t": {"S": "WINTER2024"}})
    assert_error(e, "ValidationException", "Query condition missed key schema element: regionCode")
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket", KeyConditionExpression="tournamentId = :t AND regionCode > :r",
                     ExpressionAttributeValues=NA)
    assert_error(e, "ValidationException", "Query key condition not supported")
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket",
                     KeyConditionExpression="tournamentId = :t AND begins_with(regionCode, :r)", ExpressionAttributeValues=NA)
    assert_error(e, "ValidationException", "Query key condition not supported")


def test_sort_attributes_cannot_be_skipped(client, matches):
    table, _ = matches
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket",
                     KeyConditionExpression="tournamentId = :t AND regionCode = :r AND bracket = :b",
                     ExpressionAttributeValues=NA | {":b": {"S": "UPPER"}})
    assert_error(e, "ValidationException", "Query condition missed key schema element: round")
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket",
                     KeyConditionExpression="tournamentId = :t AND regionCode = :r AND #rd = :a AND seq > :s",
                     ExpressionAttributeNames={"#rd": "round"},
                     ExpressionAttributeValues=NA | {":a": {"S": "FINALS"}, ":s": {"N": "1"}})
    assert_error(e, "ValidationException", "Query condition missed key schema element: bracket")


def test_only_the_last_sort_condition_may_be_a_range(client, matches):
    table, _ = matches
    for first in ("#rd > :a", "begins_with(#rd, :a)", "#rd BETWEEN :a AND :a"):
        with pytest.raises(ClientError) as e:
            client.query(TableName=table, IndexName="by-bracket",
                         KeyConditionExpression=f"tournamentId = :t AND regionCode = :r AND {first} AND bracket = :b",
                         ExpressionAttributeNames={"#rd": "round"},
                         ExpressionAttributeValues=NA | {":a": {"S": "FINALS"}, ":b": {"S": "UPPER"}})
        assert_error(e, "ValidationException", "Query key condition not supported")


def test_begins_with_on_a_number_sort_attribute(client, matches):
    table, _ = matches
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket",
                     KeyConditionExpression="tournamentId = :t AND regionCode = :r AND #rd = :a AND bracket = :b "
                                            "AND begins_with(seq, :s)",
                     ExpressionAttributeNames={"#rd": "round"},
                     ExpressionAttributeValues=NA | {":a": {"S": "FINALS"}, ":b": {"S": "UPPER"}, ":s": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
                 "begins_with, operand type: N")


def test_condition_value_of_the_wrong_type(client, matches):
    table, _ = matches
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket", KeyConditionExpression="tournamentId = :t AND regionCode = :r",
                     ExpressionAttributeValues={":t": {"S": "WINTER2024"}, ":r": {"N": "1"}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Condition parameter type does not match schema type")


def test_filter_cannot_name_any_key_attribute_of_the_index(client, matches):
    table, _ = matches
    for attribute in ("regionCode", "bracket"):
        with pytest.raises(ClientError) as e:
            client.query(TableName=table, IndexName="by-bracket", KeyConditionExpression="tournamentId = :t AND regionCode = :r",
                         FilterExpression=f"{attribute} = :x", ExpressionAttributeValues=NA | {":x": {"S": "UPPER"}})
        assert_error(e, "ValidationException",
                     f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {attribute}")
    got = _query(client, table, "by-bracket", "tournamentId = :t AND regionCode = :r", NA | {":p": {"S": "p1"}},
                 FilterExpression="player = :p")
    assert got and all(i["player"]["S"] == "p1" for i in got)


def test_legacy_key_conditions(client, matches):
    table, items = matches
    resp = client.query(TableName=table, IndexName="by-bracket", KeyConditions={
        "tournamentId": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "WINTER2024"}]},
        "regionCode": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "NA-EAST"}]},
        "round": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "SEMIFINALS"}]},
        "bracket": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "UP"}]},
    })
    expected = sorted((i for i in items if i["regionCode"]["S"] == "NA-EAST" and i["round"]["S"] == "SEMIFINALS"
                       and i["bracket"]["S"] == "UPPER"), key=_order)
    assert _ids(resp["Items"]) == _ids(expected)
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket", KeyConditions={
            "tournamentId": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "WINTER2024"}]},
            "regionCode": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "NA-EAST"}]},
            "seq": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]},
        })
    assert_error(e, "ValidationException", "Query condition missed key schema element: round")


# --------------------------------------------------------------------------
# Projections, paging [GSI] [Q]
# --------------------------------------------------------------------------

def test_keys_only_projection_keeps_every_key_attribute(client, matches):
    table, items = matches
    got = _query(client, table, "by-player", "player = :p AND #d = :d", {":p": {"S": "p1"}, ":d": {"S": "2024-01-02"}},
                 ExpressionAttributeNames={"#d": "day"})
    expected = [{k: i[k] for k in ("matchId", "player", "day", "round")} for i in items
                if i["player"]["S"] == "p1" and i["day"]["S"] == "2024-01-02"]
    assert got == expected and expected


def test_include_projection(client, matches):
    table, items = matches
    got = _query(client, table, "by-region", "tournamentId = :t AND regionCode = :r",
                 {":t": {"S": "WINTER2024"}, ":r": {"S": "EU-WEST"}})
    expected = {i["matchId"]["S"]: {k: i[k] for k in ("matchId", "tournamentId", "regionCode", "score")}
                for i in items if i["regionCode"]["S"] == "EU-WEST"}
    assert {i["matchId"]["S"]: i for i in got} == expected and len(expected) == 4


def test_last_evaluated_key_names_every_key_attribute_and_resumes(client, matches):
    table, items = matches
    expected = _ids(sorted((i for i in items if i["regionCode"]["S"] == "NA-EAST"), key=_order))
    for forward in (True, False):
        got, pages = paginate(client.query, TableName=table, IndexName="by-bracket", Limit=3, ScanIndexForward=forward,
                              KeyConditionExpression="tournamentId = :t AND regionCode = :r", ExpressionAttributeValues=NA)
        assert _ids(got) == (expected if forward else list(reversed(expected)))
        lek = pages[0]["LastEvaluatedKey"]
        assert set(lek) == {"matchId", "tournamentId", "regionCode", "round", "bracket", "seq"}
        first = pages[0]["Items"][-1]
        assert lek == {k: first[k] for k in lek}


def test_exclusive_start_key_from_another_partition_is_refused(client, matches):
    table, items = matches
    eu = next(i for i in items if i["regionCode"]["S"] == "EU-WEST")
    start = {k: eu[k] for k in ("matchId", "tournamentId", "regionCode", "round", "bracket", "seq")}
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket", KeyConditionExpression="tournamentId = :t AND regionCode = :r",
                     ExpressionAttributeValues=NA, ExclusiveStartKey=start)
    assert_error(e, "ValidationException",
                 "The provided starting key is outside query boundaries based on provided conditions")


def test_exclusive_start_key_must_name_every_key_attribute(client, matches):
    table, items = matches
    item = next(i for i in items if i["regionCode"]["S"] == "NA-EAST")
    start = {k: item[k] for k in ("matchId", "tournamentId", "regionCode", "round", "bracket")}  # no seq
    with pytest.raises(ClientError) as e:
        client.query(TableName=table, IndexName="by-bracket", ExclusiveStartKey=start,
                     KeyConditionExpression="tournamentId = :t AND regionCode = :r", ExpressionAttributeValues=NA)
    assert_error(e, "ValidationException", "The provided starting key is invalid")


def test_scan_of_the_index_pages_through_every_item(client, matches):
    table, items = matches
    got, pages = paginate(client.scan, TableName=table, IndexName="by-bracket", Limit=5)
    assert sorted(_ids(got)) == sorted(_ids(items))
    assert len(pages) >= 5
    assert set(pages[0]["LastEvaluatedKey"]) == {"matchId", "tournamentId", "regionCode", "round", "bracket", "seq"}


# --------------------------------------------------------------------------
# UpdateTable: add a multi-attribute index and backfill it [GSI]
# --------------------------------------------------------------------------

def test_update_table_adds_and_backfills_a_multi_attribute_index(client, make_table):
    table = make_table(hash_key=("matchId", "S"))
    items = [_match(i, region=["NA-EAST", "EU-WEST"][i % 2]) for i in range(300)]
    put_many(client, table, items)
    client.put_item(TableName=table, Item=_match(900) | {"bracket": {"N": "1"}})  # wrong type: left out
    client.put_item(TableName=table, Item={k: v for k, v in _match(901).items() if k != "seq"})  # sparse
    # Index key violations written before the index existed: left out by the backfill [VD].
    client.put_item(TableName=table, Item=_match(902) | {"bracket": {"S": ""}})
    client.put_item(TableName=table, Item=_match(903) | {"tournamentId": {"S": "t" * 2049}})
    client.put_item(TableName=table, Item=_match(904) | {"bracket": {"S": "b" * 1025}})
    resp = client.update_table(
        TableName=table, AttributeDefinitions=_defs(tournamentId="S", regionCode="S", bracket="S", seq="N"),
        GlobalSecondaryIndexUpdates=[{"Create": _gsi("late", ["tournamentId", "regionCode"], ["bracket", "seq"])}])
    created = resp["TableDescription"]["GlobalSecondaryIndexes"][0]
    assert created["KeySchema"] == _keys(["tournamentId", "regionCode"], ["bracket", "seq"])
    assert created["IndexStatus"] == "CREATING"
    wait_index_active(client, table, "late")
    got = _query(client, table, "late", "tournamentId = :t AND regionCode = :r", NA)
    expected = sorted((i for i in items if i["regionCode"]["S"] == "NA-EAST"),
                      key=lambda i: (i["bracket"]["S"], int(i["seq"]["N"]), i["matchId"]["S"]))
    assert _ids(got) == _ids(expected)
    scanned, _ = paginate(client.scan, TableName=table, IndexName="late")
    assert len(scanned) == len(items)


def test_update_table_refuses_an_invalid_multi_attribute_index(client, make_table):
    table = make_table(hash_key=("pk", "S"))
    with pytest.raises(ClientError) as e:
        client.update_table(
            TableName=table, AttributeDefinitions=_defs(a="S", b="S", c="S", d="S", e="S"),
            GlobalSecondaryIndexUpdates=[{"Create": _gsi("gsi5", ["a", "b", "c", "d", "e"])}])
    assert_error(e, "ValidationException", None)
    assert client.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes") is None


# --------------------------------------------------------------------------
# Streams and TTL work with them
# --------------------------------------------------------------------------

def test_streams_record_writes_to_a_table_with_a_multi_attribute_index(client, endpoint, make_table):
    table = make_table(hash_key=("matchId", "S"), AttributeDefinitions=BRACKET_DEFS,
                       GlobalSecondaryIndexes=[_gsi("by-bracket", ["tournamentId", "regionCode"], ["round", "bracket", "seq"])],
                       StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    client.put_item(TableName=table, Item=_match(1))
    client.update_item(TableName=table, Key={"matchId": {"S": "m-001"}}, UpdateExpression="SET bracket = :b",
                       ExpressionAttributeValues={":b": {"S": "LOWER"}})
    client.delete_item(TableName=table, Key={"matchId": {"S": "m-001"}})
    _, streams = clients(endpoint)
    arn = client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    records = read_all(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert records[1]["dynamodb"]["NewImage"]["bracket"] == {"S": "LOWER"}
    assert all(r["dynamodb"]["Keys"] == {"matchId": {"S": "m-001"}} for r in records)
    assert _query(client, table, "by-bracket", "tournamentId = :t AND regionCode = :r", NA) == []


def test_ttl_expiry_removes_the_item_from_the_index(own_server):
    url, _ = own_server("--in-memory", "--ttl-interval", "0.2")
    c, _ = clients(url)
    table = unique_name("mak")
    c.create_table(TableName=table, KeySchema=_keys(["matchId"]), AttributeDefinitions=BRACKET_DEFS,
                   BillingMode="PAY_PER_REQUEST",
                   GlobalSecondaryIndexes=[_gsi("by-bracket", ["tournamentId", "regionCode"], ["round", "bracket", "seq"])])
    c.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    c.put_item(TableName=table, Item=_match(1, expires={"N": str(int(time.time()) - 10)}))
    c.put_item(TableName=table, Item=_match(2, expires={"N": str(int(time.time()) + 3600)}))
    deadline = time.monotonic() + 10
    while True:
        got = _query(c, table, "by-bracket", "tournamentId = :t AND regionCode = :r", NA)
        if _ids(got) == ["m-002"]:
            break
        assert time.monotonic() < deadline, _ids(got)
        time.sleep(0.2)


def test_index_survives_a_restart(own_server, tmp_path):
    def connect(url):
        return clients(url)[0]

    url, server = own_server("--data-dir", str(tmp_path))
    c = connect(url)
    table = unique_name("mak")
    c.create_table(TableName=table, KeySchema=_keys(["matchId"]), AttributeDefinitions=BRACKET_DEFS,
                   BillingMode="PAY_PER_REQUEST",
                   GlobalSecondaryIndexes=[_gsi("by-bracket", ["tournamentId", "regionCode"], ["round", "bracket", "seq"])])
    items = [_match(i) for i in range(5)]
    for item in items:
        c.put_item(TableName=table, Item=item)
    server.stop()
    url, _ = own_server("--data-dir", str(tmp_path))
    c = connect(url)
    desc = c.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert desc["KeySchema"] == _keys(["tournamentId", "regionCode"], ["round", "bracket", "seq"])
    got = _query(c, table, "by-bracket", "tournamentId = :t AND regionCode = :r AND #rd = :a AND bracket = :b AND seq > :s",
                 NA | {":a": {"S": "SEMIFINALS"}, ":b": {"S": "UPPER"}, ":s": {"N": "1"}},
                 ExpressionAttributeNames={"#rd": "round"})
    assert _ids(got) == ["m-002", "m-003", "m-004"]
