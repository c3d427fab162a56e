"""AttributeValue types, numbers, sets, empty values and size limits.

Message sources:
  [DL] architect/dynalite test/putItem.js + validations/index.js (recorded
       from real DynamoDB): numeric conversion, 38 digits, overflow/underflow,
       duplicates, NULL false, item size, hash/range key size.
  [GH] real DynamoDB errors quoted in issue threads:
       "An string set  may not be empty" (double space):
         https://github.com/zio/zio-dynamodb/issues/113
       "An number set  may not be empty":
         https://github.com/aws/aws-sdk-net/issues/3297
       nesting limit text captured against AWS:
         https://github.com/nubo-db/dynoxide/issues/110
  [MO] moto/dynamodb/exceptions.py: empty key string text
       ("One or more parameter values are not valid. The AttributeValue for a key
       attribute cannot contain an empty string value. Key: <k>"), also quoted in
       https://github.com/architect/dynalite/issues/164.
  [DX] nubo-db/dynoxide src/validation.rs ("Binary sets should not be empty").
Item size: 409,600 bytes = attribute-name UTF-8 bytes + value bytes
(/work/shared/DYNAMODB-FACTS.md; same arithmetic as [DL] putItem.js MAX_SIZE tests).
"""

import base64

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

NUMERIC_MSG = "The parameter cannot be converted to a numeric value: {}"
DIGITS_MSG = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW_MSG = ("Number overflow. Attempting to store a number with magnitude larger "
                "than supported range")
UNDERFLOW_MSG = ("Number underflow. Attempting to store a number with magnitude smaller "
                 "than supported range")
NESTING_MSG = ("Nesting Levels have exceeded supported limits: Attributes in the item "
               "have nested levels beyond supported limit")
ITEM_SIZE_MSG = "Item size has exceeded the maximum allowed size"
MAX_ITEM = 409600


@pytest.fixture(scope="module")
def s_table(module_tables):
    """Hash key ``a`` (S): one-letter names keep the size arithmetic simple."""
    return module_tables.create(hash_key=("a", "S"))


@pytest.fixture(scope="module")
def n_table(module_tables):
    return module_tables.create(hash_key=("a", "N"))


@pytest.fixture(scope="module")
def b_table(module_tables):
    return module_tables.create(hash_key=("a", "B"))


@pytest.fixture(scope="module")
def sr_table(module_tables):
    return module_tables.create(hash_key=("a", "S"), range_key=("b", "S"))


def roundtrip(client, table, key_value, attrs):
    item = {"a": key_value, **attrs}
    client.put_item(TableName=table, Item=item)
    return client.get_item(TableName=table, Key={"a": key_value}, ConsistentRead=True)["Item"]


def put_error(client, table, item):
    with pytest.raises(ClientError) as e:
        client.put_item(TableName=table, Item=item)
    return e


# --------------------------------------------------------------------------
# All ten types round-trip
# --------------------------------------------------------------------------

ALL_TYPES = {
    "s": {"S": "héllo wörld ✓"},
    "n": {"N": "-56.789"},
    "b": {"B": b"\x00\x01binary\xff"},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "z": {"NULL": True},
    "ss": {"SS": ["x", "y", "z"]},
    "ns": {"NS": ["1", "2.5", "-3"]},
    "bs": {"BS": [b"\x01", b"\x02\x03"]},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"BOOL": False}, {"NULL": True},
                {"L": []}, {"M": {}}, {"SS": ["q"]}]},
    "m": {"M": {"inner": {"M": {"deep": {"S": "v"}}}, "list": {"L": [{"N": "7"}]},
                "bin": {"B": b"\x09"}}},
}


def _norm_sets(item):
    """Sets are unordered: compare them as sorted lists."""
    out = {}
    for k, v in item.items():
        (t, val), = v.items()
        if t in ("SS", "BS"):
            out[k] = {t: sorted(val)}
        elif t == "NS":
            out[k] = {t: sorted(val, key=float)}
        elif t == "M":
            out[k] = {"M": _norm_sets(val)}
        elif t == "L":
            out[k] = {"L": [_norm_sets({"_": x})["_"] for x in val]}
        else:
            out[k] = v
    return out


def test_all_types_roundtrip(client, s_table):
    got = roundtrip(client, s_table, {"S": "all-types"}, ALL_TYPES)
    assert _norm_sets(got) == _norm_sets({"a": {"S": "all-types"}, **ALL_TYPES})


@pytest.mark.parametrize("name", sorted(ALL_TYPES))
def test_each_type_roundtrip(client, s_table, name):
    got = roundtrip(client, s_table, {"S": f"type-{name}"}, {name: ALL_TYPES[name]})
    assert _norm_sets(got) == _norm_sets({"a": {"S": f"type-{name}"}, name: ALL_TYPES[name]})


def test_binary_on_the_wire_is_base64(raw_http, s_table):
    payload = base64.b64encode(b"\xde\xad\xbe\xef").decode()
    r = raw_http.post("PutItem", {"TableName": s_table,
                                  "Item": {"a": {"S": "wire-b"}, "b": {"B": payload}}})
    assert r.status == 200, r
    r = raw_http.post("GetItem", {"TableName": s_table, "Key": {"a": {"S": "wire-b"}},
                                  "ConsistentRead": True})
    assert r.json()["Item"]["b"] == {"B": payload}


def test_binary_key(client, b_table):
    got = roundtrip(client, b_table, {"B": b"\x00key"}, {"v": {"S": "x"}})
    assert got == {"a": {"B": b"\x00key"}, "v": {"S": "x"}}


# --------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("given,stored", [
    ("1.50", "1.5"),
    ("1e3", "1000"),
    ("-0", "0"),
    ("0.0", "0"),
    ("007", "7"),
    ("+3", "3"),
    (".123", "0.123"),
    ("1E+2", "100"),
    ("-0015.789e6", "-15789000"),          # [DL] putItem.js "ALL_OLD" test
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("0001.000e-130", "0." + "0" * 129 + "1"),  # [DL] "really long numbers"
    ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
])
def test_number_normalisation(client, s_table, given, stored):
    got = roundtrip(client, s_table, {"S": f"num-{given}"}, {"n": {"N": given}})
    assert got["n"] == {"N": stored}


def test_number_set_normalisation(client, s_table):
    got = roundtrip(client, s_table, {"S": "ns-norm"}, {"ns": {"NS": ["1.50", "1e3"]}})
    assert sorted(got["ns"]["NS"]) == ["1.5", "1000"]


def test_numeric_key_compared_by_value(client, n_table):
    client.put_item(TableName=n_table, Item={"a": {"N": "1e3"}, "v": {"S": "thousand"}})
    got = client.get_item(TableName=n_table, Key={"a": {"N": "1000"}}, ConsistentRead=True)
    assert got["Item"] == {"a": {"N": "1000"}, "v": {"S": "thousand"}}
    got = client.get_item(TableName=n_table, Key={"a": {"N": "1000.000"}}, ConsistentRead=True)
    assert got["Item"]["v"] == {"S": "thousand"}


def test_numeric_key_overwrite_by_value(client, n_table):
    client.put_item(TableName=n_table, Item={"a": {"N": "2.50"}, "v": {"N": "1"}})
    client.put_item(TableName=n_table, Item={"a": {"N": "2.5"}, "v": {"N": "2"}})
    got = client.get_item(TableName=n_table, Key={"a": {"N": "25e-1"}}, ConsistentRead=True)
    assert got["Item"] == {"a": {"N": "2.5"}, "v": {"N": "2"}}


def test_38_digits_ok(client, s_table):
    n = "1234567890123456789012345678901234567.8"
    assert roundtrip(client, s_table, {"S": "d38"}, {"n": {"N": n}})["n"] == {"N": n}


@pytest.mark.parametrize("n", ["123456789012345678901234567890123456789",
                               "-1.23456789012345678901234567890123456789"])
def test_39_digits_rejected(client, s_table, n):
    e = put_error(client, s_table, {"a": {"S": "d39"}, "n": {"N": n}})
    assert_error(e, "ValidationException", DIGITS_MSG)


@pytest.mark.parametrize("n", ["1e126", "-1e126", "10E125"])
def test_overflow(client, s_table, n):
    e = put_error(client, s_table, {"a": {"S": "ovf"}, "n": {"N": n}})
    assert_error(e, "ValidationException", OVERFLOW_MSG)


@pytest.mark.parametrize("n", ["1e-131", "-1e-131", "0.1E-130"])
def test_underflow(client, s_table, n):
    e = put_error(client, s_table, {"a": {"S": "unf"}, "n": {"N": n}})
    assert_error(e, "ValidationException", UNDERFLOW_MSG)


@pytest.mark.parametrize("n", ["1e125", "-1e125", "1e-130", "-1e-130"])
def test_magnitude_bounds_ok(client, s_table, n):
    got = roundtrip(client, s_table, {"S": f"mag-{n}"}, {"n": {"N": n}})
    assert "n" in got


@pytest.mark.parametrize("n", ["abc", "1e", " 1", "1 ", "NaN", "Infinity", "-Infinity",
                               "1.2.3", "--1", "0x10"])
def test_malformed_numbers(client, s_table, n):
    e = put_error(client, s_table, {"a": {"S": "bad-num"}, "n": {"N": n}})
    assert_error(e, "ValidationException", NUMERIC_MSG.format(n))


def test_malformed_number_in_set(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "bad-ns"}, "n": {"NS": ["1", "b", "a"]}})
    assert_error(e, "ValidationException", NUMERIC_MSG.format("b"))


# --------------------------------------------------------------------------
# Sets, NULL, empty values
# --------------------------------------------------------------------------

def test_empty_string_set(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "es"}, "s": {"SS": []}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: An string set  may not be empty")


def test_empty_number_set(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "en"}, "s": {"NS": []}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: An number set  may not be empty")


def test_empty_binary_set(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "eb"}, "s": {"BS": []}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Binary sets should not be empty")


def test_duplicate_strings_in_set(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "ds"}, "s": {"SS": ["a", "a"]}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Input collection [a, a] "
                 "contains duplicates.")


@pytest.mark.parametrize("members", [["1", "1"], ["1", "1.0"], ["1e3", "1000"]])
def test_duplicate_numbers_in_set(client, s_table, members):
    e = put_error(client, s_table, {"a": {"S": "dn"}, "s": {"NS": members}})
    assert_error(e, "ValidationException", "Input collection contains duplicates")


def test_null_false_rejected(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "nf"}, "z": {"NULL": False}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Null attribute value types "
                 "must have the value of true")


def test_empty_string_and_binary_in_non_key_attributes(client, s_table):
    attrs = {"e": {"S": ""}, "eb": {"B": b""},
             "m": {"M": {"x": {"S": ""}}}, "l": {"L": [{"S": ""}]}}
    got = roundtrip(client, s_table, {"S": "empties"}, attrs)
    assert got == {"a": {"S": "empties"}, **attrs}


def test_empty_string_hash_key(client, s_table):
    e = put_error(client, s_table, {"a": {"S": ""}})
    assert_error(e, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key "
                 "attribute cannot contain an empty string value. Key: a")


def test_empty_string_range_key(client, sr_table):
    e = put_error(client, sr_table, {"a": {"S": "x"}, "b": {"S": ""}})
    assert_error(e, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key "
                 "attribute cannot contain an empty string value. Key: b")


def test_empty_binary_key(client, b_table):
    e = put_error(client, b_table, {"a": {"B": b""}})
    # Same family as the empty-string key error; only code and status are
    # asserted because no source recorded the exact binary wording.
    assert_error(e, "ValidationException", None)


def test_empty_string_key_on_get(client, s_table):
    with pytest.raises(ClientError) as e:
        client.get_item(TableName=s_table, Key={"a": {"S": ""}})
    assert_error(e, "ValidationException",
                 "One or more parameter values are not valid. The AttributeValue for a key "
                 "attribute cannot contain an empty string value. Key: a")


# --------------------------------------------------------------------------
# Size limits
# --------------------------------------------------------------------------

def _item_of_size(total: int, key: str):
    # size = len("a") + len(key) + len("b") + len(filler)
    filler = "x" * (total - 1 - len(key) - 1)
    return {"a": {"S": key}, "b": {"S": filler}}


def test_item_exactly_at_limit_accepted(client, s_table):
    client.put_item(TableName=s_table, Item=_item_of_size(MAX_ITEM, "size-ok"))
    got = client.get_item(TableName=s_table, Key={"a": {"S": "size-ok"}},
                          ProjectionExpression="a", ConsistentRead=True)
    assert got["Item"] == {"a": {"S": "size-ok"}}


def test_item_one_byte_over_limit_rejected(client, s_table):
    e = put_error(client, s_table, _item_of_size(MAX_ITEM + 1, "size-big"))
    assert_error(e, "ValidationException", ITEM_SIZE_MSG)


def test_item_size_counts_attribute_names(client, s_table):
    # 27-byte attribute name: at the limit with the name counted in full ([DL]).
    name = "b" * 27
    key = "size-names"
    filler = "x" * (MAX_ITEM - 1 - len(key) - len(name))
    client.put_item(TableName=s_table, Item={"a": {"S": key}, name: {"S": filler}})
    e = put_error(client, s_table, {"a": {"S": key}, name: {"S": filler + "x"}})
    assert_error(e, "ValidationException", ITEM_SIZE_MSG)


def test_item_size_counts_utf8_bytes(client, s_table):
    key = "size-utf8"
    # "é" is 2 bytes in UTF-8: the same character count is over the limit.
    chars = (MAX_ITEM - 1 - len(key) - 1) // 2 + 1
    e = put_error(client, s_table, {"a": {"S": key}, "b": {"S": "é" * chars}})
    assert_error(e, "ValidationException", ITEM_SIZE_MSG)


def test_partition_key_2048_bytes_ok(client, s_table):
    key = "k" * 2048
    client.put_item(TableName=s_table, Item={"a": {"S": key}})
    got = client.get_item(TableName=s_table, Key={"a": {"S": key}}, ConsistentRead=True)
    assert got["Item"]["a"]["S"] == key


def test_partition_key_2049_bytes_rejected(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "k" * 2049}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Size of hashkey has exceeded "
                 "the maximum size limit of2048 bytes")


def test_sort_key_1024_bytes_ok(client, sr_table):
    sk = "s" * 1024
    client.put_item(TableName=sr_table, Item={"a": {"S": "h"}, "b": {"S": sk}})
    got = client.get_item(TableName=sr_table, Key={"a": {"S": "h"}, "b": {"S": sk}},
                          ConsistentRead=True)
    assert got["Item"]["b"]["S"] == sk


def test_sort_key_1025_bytes_rejected(client, sr_table):
    e = put_error(client, sr_table, {"a": {"S": "h"}, "b": {"S": "s" * 1025}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Aggregated size of all range "
                 "keys has exceeded the size limit of 1024 bytes")


def _nested(levels: int):
    value = {"S": "leaf"}
    for i in range(levels):
        value = {"M": {"m": value}} if i % 2 else {"L": [value]}
    return value


def test_nesting_32_levels_ok(client, s_table):
    # 31 list/map wrappers around a scalar = 32 levels (accepted per
    # https://github.com/nubo-db/dynoxide/issues/110, captured against AWS).
    got = roundtrip(client, s_table, {"S": "nest-ok"}, {"d": _nested(31)})
    assert got["d"] == _nested(31)


def test_nesting_over_32_levels_rejected(client, s_table):
    e = put_error(client, s_table, {"a": {"S": "nest-bad"}, "d": _nested(32)})
    assert_error(e, "ValidationException", NESTING_MSG)
