"""gzip/deflate request bodies and compressed responses.

Sources:
[RFC] RFC 9110 sections 8.4 (Content-Encoding) and 12.5.3 (Accept-Encoding: q-values, `*`,
`identity`, several header lines forming one list); RFC 1952 (gzip), RFC 1950 (deflate = zlib).
[SIZE] aws-amplify/aws-sdk-ios#201: DynamoDB "does not GZip the content" of small responses;
it compresses larger ones (we: above 4 KB) for clients that accept it.
[CRC] smithy-lang/smithy-kotlin#158 (AWS SDK team): "The CRC is computed on the response after
the response is gziped", so `x-amz-crc32` covers the bytes on the wire.
[REQ] botocore's request compression (`request_min_compression_size_bytes`) gzips bodies of
operations that carry the requestcompression trait; DynamoDB's model has none, so clients that
compress DynamoDB requests do it themselves (here: a botocore `before-sign` hook).
"""

import gzip
import json
import zlib

import botocore.config
import pytest

from conftest import unique_name

BIG = "x" * 300


@pytest.fixture(scope="module")
def big_table(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))
    for i in range(40):
        client.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"S": BIG}})
    return name


def _query(table):
    return {"TableName": table, "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "p"}}}


def _crc(body):
    return str(zlib.crc32(body) & 0xFFFFFFFF)


@pytest.mark.parametrize("accept,coding", [
    ("gzip", "gzip"),
    ("deflate", "deflate"),
    ("gzip, deflate", "gzip"),
    ("deflate;q=1, gzip;q=0.5", "deflate"),
    ("GZIP;Q=0.8", "gzip"),
    ("*", "gzip"),
    ("gzip;q=0, *", "deflate"),
    ("x-gzip", "gzip"),
])
def test_large_response_is_compressed(raw_http, big_table, accept, coding):
    r = raw_http.post("Query", _query(big_table), extra_headers={"Accept-Encoding": accept})
    assert r.status == 200
    assert r.header("Content-Encoding") == coding
    assert r.header("Content-Length") == str(len(r.body))
    assert r.header("x-amz-crc32") == _crc(r.body)
    raw = gzip.decompress(r.body) if coding == "gzip" else zlib.decompress(r.body)
    assert json.loads(raw)["Count"] == 40
    assert len(r.body) < len(raw) / 3


@pytest.mark.parametrize("accept", [
    None, "identity", "gzip;q=0", "*;q=0", "br", "gzip;q=0.5, identity", "deflate;q=0, gzip;q=0",
])
def test_large_response_is_not_compressed(raw_http, big_table, accept):
    headers = {"Accept-Encoding": accept} if accept else {}
    r = raw_http.post("Query", _query(big_table), extra_headers=headers)
    assert r.status == 200
    assert r.header("Content-Encoding") is None
    assert r.header("x-amz-crc32") == _crc(r.body)
    assert json.loads(r.body)["Count"] == 40


def test_several_accept_encoding_lines_form_one_list(raw_http, big_table):
    # http.client sends one header per putheader call, so send the request by hand.
    import http.client
    import botocore.auth
    import botocore.awsrequest
    body = json.dumps(_query(big_table)).encode()
    req = botocore.awsrequest.AWSRequest(method="POST", url=raw_http.endpoint + "/", data=body, headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.Query"})
    botocore.auth.SigV4Auth(raw_http.credentials, "dynamodb", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection(raw_http.host, raw_http.port, timeout=30)
    try:
        conn.putrequest("POST", "/", skip_accept_encoding=True)
        for name, value in req.headers.items():
            conn.putheader(name, value)
        conn.putheader("Accept-Encoding", "identity;q=0.1")
        conn.putheader("Accept-Encoding", "deflate;q=0.9")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        assert resp.getheader("Content-Encoding") == "deflate"
        assert json.loads(zlib.decompress(data))["Count"] == 40
    finally:
        conn.close()


def test_small_response_is_never_compressed(raw_http, big_table):
    r = raw_http.post("GetItem", {"TableName": big_table, "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}}},
                      extra_headers={"Accept-Encoding": "gzip"})
    assert r.status == 200
    assert len(r.body) < 4096
    assert r.header("Content-Encoding") is None


@pytest.mark.parametrize("coding,compress", [
    ("gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some clients send it
])
def test_compressed_request_body(raw_http, big_table, coding, compress):
    body = json.dumps({"TableName": big_table, "Key": {"pk": {"S": "p"}, "sk": {"N": "2"}}}).encode()
    r = raw_http.post("GetItem", compress(body), extra_headers={"Content-Encoding": coding})
    assert r.status == 200, r
    assert r.json()["Item"]["sk"] == {"N": "2"}


def test_corrupt_compressed_body_is_a_serialization_error(raw_http):
    r = raw_http.post("ListTables", b"\x1f\x8bnot gzip at all", extra_headers={"Content-Encoding": "gzip"})
    assert r.status == 400
    assert r.json()["__type"] == "com.amazon.coral.service#SerializationException"


def test_unknown_content_encoding_is_a_serialization_error(raw_http):
    r = raw_http.post("ListTables", b"{}", extra_headers={"Content-Encoding": "br"})
    assert r.status == 400
    assert r.json()["__type"] == "com.amazon.coral.service#SerializationException"


def test_identity_content_encoding(raw_http):
    r = raw_http.post("ListTables", b"{}", extra_headers={"Content-Encoding": "identity"})
    assert r.status == 200


def test_body_inflating_past_16_mib_is_refused(raw_http):
    bomb = gzip.compress(b'{"a":"' + b"x" * (17 * 1024 * 1024) + b'"}')
    r = raw_http.post("ListTables", bomb, extra_headers={"Content-Encoding": "gzip"})
    assert r.status == 413


def test_boto3_client_that_gzips_its_requests(boto_session, endpoint, big_table):
    ddb = boto_session.client("dynamodb", endpoint_url=endpoint,
                              config=botocore.config.Config(retries={"max_attempts": 1}))

    def gzip_body(request, **_):
        request.data = gzip.compress(request.body if isinstance(request.body, bytes) else request.body.encode())
        request.headers["Content-Encoding"] = "gzip"

    ddb.meta.events.register("before-sign.dynamodb.*", gzip_body)
    item = {"pk": {"S": unique_name()}, "sk": {"N": "1"}, "v": {"S": BIG * 20}}
    ddb.put_item(TableName=big_table, Item=item)
    got = ddb.get_item(TableName=big_table, Key={"pk": item["pk"], "sk": item["sk"]})["Item"]
    assert got == item
