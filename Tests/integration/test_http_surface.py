"""The HTTP surface DynamoDB shows browsers and HTTP clients.

Sources:
[RFC] RFC 9110 section 6.6.1 (a server with a clock sends `Date` on every response, in
IMF-fixdate form) and section 5.6.7.
[ALT] ScyllaDB Alternator, alternator/server.cc handle_CORS (recorded from DynamoDB): to a request
carrying `Origin`, DynamoDB answers `Access-Control-Allow-Origin: *` and
`Access-Control-Expose-Headers: x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date`; a
preflight `OPTIONS` also echoes `Access-Control-Request-Headers` / `-Method` as
`Access-Control-Allow-Headers` / `-Methods`.
[DL] architect/dynalite index.js (recorded from DynamoDB): the preflight answer has an empty body
and `Access-Control-Max-Age: 172800`; anything DynamoDB does not route answers 404
`<UnknownOperationException/>`.
[API] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html and
API_UntagResource.html: both responses have no elements; DynamoDB sends an empty body.
"""

import email.utils
import time

import pytest

from conftest import unique_name

EXPOSED = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"


def _assert_date(value):
    assert value is not None, "no Date header"
    # IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    parsed = email.utils.parsedate_to_datetime(value)
    assert value.endswith(" GMT") and len(value) == 29, value
    assert abs(parsed.timestamp() - time.time()) < 120


def test_date_on_success(raw_http):
    _assert_date(raw_http.post("ListTables", {}).header("Date"))


def test_date_on_error(raw_http):
    _assert_date(raw_http.post("DescribeTable", {"TableName": unique_name()}).header("Date"))


def test_date_on_not_found_and_health(raw_http):
    _assert_date(raw_http.request("PUT", "/").header("Date"))
    _assert_date(raw_http.request("GET", "/").header("Date"))


def test_date_on_too_large_request(raw_http):
    r = raw_http.request("POST", "/", b"", {"Content-Length": str(17 * 1024 * 1024),
                                             "Content-Type": "application/x-amz-json-1.0"})
    assert r.status == 413
    _assert_date(r.header("Date"))


def test_health_only_at_root(raw_http):
    assert raw_http.request("GET", "/").status == 200
    for path in ("/health", "/foo", "//", "/?x=1"):
        r = raw_http.request("GET", path)
        assert r.status == 404, path
        assert r.body == b"<UnknownOperationException/>\n"


def test_cors_preflight(raw_http):
    r = raw_http.request("OPTIONS", "/", headers={
        "Origin": "http://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,authorization"})
    assert r.status == 200
    assert r.body == b""
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert r.header("Access-Control-Allow-Methods") == "POST"
    assert r.header("Access-Control-Allow-Headers") == "content-type,x-amz-target,authorization"
    assert r.header("Access-Control-Max-Age") == "172800"
    assert r.header("Access-Control-Expose-Headers") == EXPOSED


def test_cors_headers_on_a_cross_origin_request(raw_http):
    r = raw_http.post("ListTables", {}, extra_headers={"Origin": "http://app.example"})
    assert r.status == 200
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert r.header("Access-Control-Expose-Headers") == EXPOSED


def test_cors_headers_on_a_cross_origin_error(raw_http):
    r = raw_http.post("DescribeTable", {"TableName": unique_name()}, extra_headers={"Origin": "http://app.example"})
    assert r.status == 400
    assert r.header("Access-Control-Allow-Origin") == "*"
    assert r.header("Access-Control-Expose-Headers") == EXPOSED


def test_no_cors_headers_without_origin(raw_http):
    r = raw_http.post("ListTables", {})
    assert r.header("Access-Control-Allow-Origin") is None
    assert r.header("Access-Control-Expose-Headers") is None


@pytest.fixture
def tagged_table(client, make_table):
    name = make_table()
    return client.describe_table(TableName=name)["Table"]["TableArn"]


def test_tag_and_untag_answer_an_empty_body(raw_http, tagged_table):
    r = raw_http.post("TagResource", {"ResourceArn": tagged_table, "Tags": [{"Key": "k", "Value": "v"}]})
    assert r.status == 200
    assert r.body == b""
    assert r.header("Content-Length") == "0"
    assert r.header("x-amz-crc32") == "0"
    r = raw_http.post("UntagResource", {"ResourceArn": tagged_table, "TagKeys": ["k"]})
    assert r.status == 200
    assert r.body == b""


def test_boto3_reads_the_empty_tag_answers(client, tagged_table):
    client.tag_resource(ResourceArn=tagged_table, Tags=[{"Key": "k", "Value": "v"}])
    assert client.list_tags_of_resource(ResourceArn=tagged_table)["Tags"] == [{"Key": "k", "Value": "v"}]
    client.untag_resource(ResourceArn=tagged_table, TagKeys=["k"])
    assert client.list_tags_of_resource(ResourceArn=tagged_table)["Tags"] == []
