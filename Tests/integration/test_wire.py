"""Wire-level details of the DynamoDB JSON protocol.

Sources: [DL] architect/dynalite test/connection.js (recorded from DynamoDB):
  * malformed JSON -> 400 {"__type": "com.amazon.coral.service#SerializationException"}
  * unknown target/operation -> 400 {"__type": "com.amazon.coral.service#UnknownOperationException"}
  * no Authorization -> 400 {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
    "message": "Request is missing Authentication Token"}
    (same text from real DynamoDB in https://github.com/architect/dynalite/issues/105
    and https://github.com/amazon-archives/aws-dynamodb-session-tomcat/issues/42)
  * x-amzn-RequestId and x-amz-crc32 on every response.
__type prefixes: /work/shared/DYNAMODB-FACTS.md ("Wire format").
GET / health check: DynamoDB answers 200 "healthy: dynamodb.<region>.amazonaws.com".
"""

import json
import zlib

import pytest

from conftest import CORAL_SERVICE_PREFIX, DYNAMODB_PREFIX, VALIDATION_TYPE, unique_name


def assert_common_headers(r):
    assert r.header("x-amzn-RequestId"), r
    crc = r.header("x-amz-crc32")
    assert crc is not None, r
    assert int(crc) == zlib.crc32(r.body) & 0xFFFFFFFF


def test_list_tables_json_1_0(raw_http):
    r = raw_http.post("ListTables", {}, content_type="application/x-amz-json-1.0")
    assert r.status == 200, r
    assert "TableNames" in r.json()
    assert r.header("Content-Type") == "application/x-amz-json-1.0"


def test_list_tables_json_1_1_accepted(raw_http):
    r = raw_http.post("ListTables", {}, content_type="application/x-amz-json-1.1")
    assert r.status == 200, r
    assert "TableNames" in r.json()


def test_response_headers(raw_http):
    r = raw_http.post("ListTables", {"Limit": 5})
    assert r.status == 200
    assert_common_headers(r)
    assert r.header("Server"), r
    assert int(r.header("Content-Length")) == len(r.body)


def test_crc32_on_error_response(raw_http):
    r = raw_http.post("DescribeTable", {"TableName": unique_name("missing")})
    assert r.status == 400
    assert_common_headers(r)
    assert r.header("Content-Type") == "application/x-amz-json-1.0"


def test_request_ids_are_unique(raw_http):
    ids = {raw_http.post("ListTables", {}).header("x-amzn-RequestId") for _ in range(3)}
    assert len(ids) == 3


def test_unknown_operation(raw_http):
    r = raw_http.post("NoSuchOperation", {})
    assert r.status == 400, r
    assert r.json()["__type"] == CORAL_SERVICE_PREFIX + "UnknownOperationException"
    assert_common_headers(r)


def test_unknown_target_prefix(raw_http):
    r = raw_http.post(None, {}, target="Whatever_20120810.ListTables")
    assert r.status == 400, r
    assert r.json()["__type"] == CORAL_SERVICE_PREFIX + "UnknownOperationException"


def test_missing_authorization(raw_http):
    r = raw_http.post("ListTables", {}, sign=False)
    assert r.status == 400, r
    body = r.json()
    assert body["__type"] == CORAL_SERVICE_PREFIX + "MissingAuthenticationTokenException"
    assert body["message"] == "Request is missing Authentication Token"
    assert_common_headers(r)


def test_malformed_json(raw_http):
    r = raw_http.post("ListTables", "{not json")
    assert r.status == 400, r
    assert r.json()["__type"] == CORAL_SERVICE_PREFIX + "SerializationException"
    assert_common_headers(r)


def test_wrong_json_type_is_serialization_error(raw_http):
    r = raw_http.post("ListTables", {"Limit": "ten"})
    assert r.status == 400, r
    assert r.json()["__type"] == CORAL_SERVICE_PREFIX + "SerializationException"


def test_health_check(raw_http):
    r = raw_http.request("GET", "/")
    assert r.status == 200, r
    assert r.body.decode("utf-8", "replace").startswith("healthy: "), r


def test_validation_exception_type_prefix(raw_http):
    r = raw_http.post("ListTables", {"Limit": 0})
    assert r.status == 400, r
    body = r.json()
    assert body["__type"] == VALIDATION_TYPE
    assert body["message"].startswith("1 validation error detected: ")


def test_resource_not_found_type_prefix(raw_http):
    name = unique_name("missing")
    r = raw_http.post("DescribeTable", {"TableName": name})
    assert r.status == 400, r
    body = r.json()
    assert body["__type"] == DYNAMODB_PREFIX + "ResourceNotFoundException"
    assert body["message"] == f"Requested resource not found: Table: {name} not found"


def test_success_body_is_json_object(raw_http, make_table):
    name = make_table()
    r = raw_http.post("PutItem", {"TableName": name, "Item": {"pk": {"S": "w"}}})
    assert r.status == 200, r
    assert json.loads(r.body) == {}
    assert_common_headers(r)
