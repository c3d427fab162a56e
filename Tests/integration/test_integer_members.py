"""Integer and Long members of the API model are read strictly, never coerced.

Every Integer/Long input member kvserver implements (botocore's model,
``dynamodb`` and ``dynamodbstreams`` 2012-08-10): Query/Scan ``Limit``, Scan
``Segment``/``TotalSegments``, ListTables ``Limit``, the Streams ``Limit``s and
``ProvisionedThroughput`` capacity units (Long). boto3 validates these types
client-side, so the requests are sent as raw HTTP.

What a client sees (SerializationException, HTTP 400, before any validation):
* a fraction or exponent (``2.9``, ``2.0``, ``3e400``, ``1e999999``):
  "DECIMAL_VALUE cannot be converted to Integer" (or Long);
* an integer outside the member's Java type (2147483648 for an Integer, a
  42-digit value for a Long): "NUMBER_VALUE cannot be converted to Integer";
* a string / boolean: the existing "STRING_VALUE cannot be converted to ..." texts.
The token names follow dynalite's recorded serialization messages; AWS's Smithy
protocol tests (malformed-integer.smithy) require SerializationException for
float truncation and for overflow. Ranges narrower than the type (Limit >= 1,
Segment <= 999999...) stay ValidationExceptions.
"""

from __future__ import annotations

import json

import pytest

from conftest import CORAL_SERVICE_PREFIX, VALIDATION_TYPE

STREAMS = "DynamoDBStreams_20120810."
ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2024-01-01T00:00:00.000"

# (operation or full target, body template with @ where the value goes, member, Java type)
MEMBERS = [
    ("Query", '{"TableName": "t_int", "Limit": @}', "Integer"),
    ("Scan", '{"TableName": "t_int", "Limit": @}', "Integer"),
    ("Scan", '{"TableName": "t_int", "Segment": @, "TotalSegments": 4}', "Integer"),
    ("Scan", '{"TableName": "t_int", "Segment": 0, "TotalSegments": @}', "Integer"),
    ("ListTables", '{"Limit": @}', "Integer"),
    (STREAMS + "ListStreams", '{"Limit": @}', "Integer"),
    (STREAMS + "DescribeStream", '{"StreamArn": "%s", "Limit": @}' % ARN, "Integer"),
    (STREAMS + "GetRecords", '{"ShardIterator": "x", "Limit": @}', "Integer"),
    ("CreateTable", '{"TableName": "t_int", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],'
     ' "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],'
     ' "ProvisionedThroughput": {"ReadCapacityUnits": @, "WriteCapacityUnits": 1}}', "Long"),
    ("UpdateTable", '{"TableName": "t_int", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": @}}',
     "Long"),
]

DECIMALS = ["2.9", "2.0", "-1.5", "3e400", "1e999999", "1E2", "-0.0", "1e-5"]


def post(raw_http, op: str, template: str, value: str):
    body = template.replace("@", value)
    json.loads(body)  # the test sends valid JSON: only the member's value is wrong
    if op.startswith(STREAMS):
        return raw_http.post(None, body, target=op)
    return raw_http.post(op, body)


def assert_serialization(r, message: str):
    assert r.status == 400, r
    body = r.json()
    assert body["__type"] == CORAL_SERVICE_PREFIX + "SerializationException", body
    assert body.get("Message", body.get("message")) == message, body


def ids(member):
    return f"{member[0].split('.')[-1]}:{member[1].split('@')[0][-22:]}"


@pytest.mark.parametrize("member", MEMBERS, ids=ids)
@pytest.mark.parametrize("value", DECIMALS)
def test_fraction_or_exponent_is_rejected(raw_http, member, value):
    op, template, java = member
    assert_serialization(post(raw_http, op, template, value), f"DECIMAL_VALUE cannot be converted to {java}")


@pytest.mark.parametrize("member", MEMBERS, ids=ids)
def test_forty_two_digits_is_rejected(raw_http, member):
    op, template, java = member
    for value in ("1" * 42, "-" + "9" * 42):
        assert_serialization(post(raw_http, op, template, value), f"NUMBER_VALUE cannot be converted to {java}")


@pytest.mark.parametrize("member", [m for m in MEMBERS if m[2] == "Integer"], ids=ids)
def test_integer_range_is_java_int(raw_http, member):
    op, template, java = member
    for value in ("2147483648", "-2147483649", "9223372036854775807"):
        assert_serialization(post(raw_http, op, template, value), "NUMBER_VALUE cannot be converted to Integer")
    # The largest and smallest Java ints deserialize; the member's own range then answers.
    r = post(raw_http, op, template, "2147483647")
    assert "SerializationException" not in r.json().get("__type", ""), r
    r = post(raw_http, op, template, "-2147483648")
    assert r.status == 400 and r.json()["__type"] == VALIDATION_TYPE, r


@pytest.mark.parametrize("member", [m for m in MEMBERS if m[2] == "Long"], ids=ids)
def test_long_range_is_java_long(raw_http, member):
    op, template, _ = member
    for value in ("9223372036854775808", "-9223372036854775809"):
        assert_serialization(post(raw_http, op, template, value), "NUMBER_VALUE cannot be converted to Long")
    r = post(raw_http, op, template, "-9223372036854775808")
    assert r.status == 400 and r.json()["__type"] == VALIDATION_TYPE, r
    assert "Member must have value greater than or equal to 1" in r.json()["message"], r


@pytest.mark.parametrize("member", MEMBERS, ids=ids)
def test_wrong_json_types_name_the_java_type(raw_http, member):
    op, template, java = member
    assert_serialization(post(raw_http, op, template, '"5"'), f"STRING_VALUE cannot be converted to {java}")
    assert_serialization(post(raw_http, op, template, "true"), f"TRUE_VALUE cannot be converted to {java}")


def test_issue_example_segment_exponent(raw_http):
    # The request from issue 14 used to answer 200 with an empty page.
    r = raw_http.post("Scan", '{"TableName": "t_int", "Segment": 1e999999, "TotalSegments": 4}')
    assert_serialization(r, "DECIMAL_VALUE cannot be converted to Integer")


def test_scan_segment_boundaries(raw_http, make_table):
    name = make_table()
    ok = raw_http.post("Scan", {"TableName": name, "Segment": 999999, "TotalSegments": 1000000})
    assert ok.status == 200, ok
    ok = raw_http.post("Scan", {"TableName": name, "Segment": 0, "TotalSegments": 1})
    assert ok.status == 200, ok
    for body, path, value in (
        ({"Segment": 1000000, "TotalSegments": 1000000}, "segment", 1000000),
        ({"Segment": -1, "TotalSegments": 4}, "segment", -1),
        ({"Segment": 0, "TotalSegments": 1000001}, "totalSegments", 1000001),
        ({"Segment": 0, "TotalSegments": 0}, "totalSegments", 0),
    ):
        r = raw_http.post("Scan", {"TableName": name, **body})
        assert r.status == 400 and r.json()["__type"] == VALIDATION_TYPE, r
        assert f"Value '{value}' at '{path}' failed to satisfy constraint" in r.json()["message"], r


def test_limit_boundaries(raw_http, make_table):
    name = make_table()
    for op in ("Query", "Scan"):
        body = {"TableName": name, "Limit": 2147483647}
        if op == "Query":
            body.update(KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
        assert raw_http.post(op, body).status == 200
        body["Limit"] = 0
        r = raw_http.post(op, body)
        assert r.status == 400 and r.json()["__type"] == VALIDATION_TYPE, r
    assert raw_http.post("ListTables", {"Limit": 100}).status == 200
    assert raw_http.post("ListTables", {"Limit": 1}).status == 200
    for bad in (0, 101):
        r = raw_http.post("ListTables", {"Limit": bad})
        assert r.status == 400 and r.json()["__type"] == VALIDATION_TYPE, r
