"""Authentication with an auth file: SigV4 verification, keys, rotation, audit log,
protected mode and TLS (``kvserver --auth FILE``), with boto3 and the AWS CLI.

Error texts are DynamoDB's; their sources are recorded beside the unit tests in
Tests/KVServerTests/Auth/SigV4VerifierTests.swift (dynalite's notes of DynamoDB's front-end
checks, ScyllaDB Alternator's test_authorization.py, AWS answers quoted in user reports) and
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html.

Every identity here has an allow-all policy, so that these tests depend on authentication
only; what policies allow is tested in the policy tests.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import json
import os
import shutil
import ssl
import subprocess
import threading
import time
import uuid
from pathlib import Path

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from auth_support import ALLOW_ALL_POLICY, AuthServer, server_binary, start_auth_server

ACCOUNT = "111122223333"
APP_ARN = f"arn:aws:iam::{ACCOUNT}:user/app"
OPS_ARN = f"arn:aws:iam::{ACCOUNT}:user/ops"
APP_KEY, APP_SECRET = "AKIAAPPKEY0000000001", "app-secret-0001"
OPS_KEY, OPS_SECRET = "AKIAOPSKEY0000000001", "ops-secret-0001"
TEMP_KEY, TEMP_SECRET, TEMP_TOKEN = "ASIATEMPKEY000000001", "temp-secret-0001", "temp-session-token-0001"
OLD_KEY = "AKIAEXPIREDKEY000001"

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details.")


def identity(arn: str, keys: list[dict], policies: list[dict] | None = None) -> dict:
    return {"arn": arn, "keys": keys, "policies": [ALLOW_ALL_POLICY] if policies is None else policies}


def base_config() -> dict:
    return {"identities": [
        identity(APP_ARN, [
            {"accessKeyId": APP_KEY, "secretAccessKey": APP_SECRET},
            {"accessKeyId": TEMP_KEY, "secretAccessKey": TEMP_SECRET, "sessionToken": TEMP_TOKEN,
             "notAfter": "2099-01-01T00:00:00Z"},
            {"accessKeyId": OLD_KEY, "secretAccessKey": "old-secret", "notAfter": "2020-01-01T00:00:00Z"},
        ]),
        identity(OPS_ARN, [{"accessKeyId": OPS_KEY, "secretAccessKey": OPS_SECRET}]),
    ]}


@pytest.fixture
def server(tmp_path):
    started = start_auth_server(tmp_path, base_config())
    yield started
    started.stop()


def error_of(call) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    error = info.value.response["Error"]
    return error["Code"], error.get("Message", "")


def create_table(client, name: str | None = None) -> str:
    name = name or f"auth_{uuid.uuid4().hex[:10]}"
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    return name


# -- raw signed requests, for what boto3 will not send (old or future dates, altered bodies) ----


def raw_request(endpoint: str, target: str, body: bytes, key: str, secret: str, when: datetime.datetime,
                token: str | None = None, send_body: bytes | None = None) -> tuple[int, dict]:
    """Signs a DynamoDB request with SigV4 at ``when`` (an independent signer, checked against
    the server) and sends ``send_body`` (default: the signed body)."""
    host = endpoint.split("://", 1)[1]
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    headers = {
        "content-type": "application/x-amz-json-1.0",
        "host": host,
        "x-amz-date": amz_date,
        "x-amz-target": f"DynamoDB_20120810.{target}",
    }
    if token is not None:
        headers["x-amz-security-token"] = token
    names = sorted(headers)
    canonical = "\n".join([
        "POST", "/", "", "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names),
        hashlib.sha256(body).hexdigest()])
    scope = f"{day}/us-east-1/dynamodb/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signing_key = ("AWS4" + secret).encode()
    for part in (day, "us-east-1", "dynamodb", "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}")
    payload = body if send_body is None else send_body
    connection = http.client.HTTPConnection(host, timeout=10)
    try:
        connection.request("POST", "/", body=payload, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def now_utc() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


# -- keys of two identities ---------------------------------------------------------------------


def test_start_up_line_says_verification_is_on(server):
    assert any("signature verification on" in line for line in server.stdout_lines), server.stdout_lines


def test_valid_keys_of_two_identities_work(server):
    app = server.client(APP_KEY, APP_SECRET)
    ops = server.client(OPS_KEY, OPS_SECRET)
    table = create_table(app)
    app.put_item(TableName=table, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert ops.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}
    assert table in ops.list_tables()["TableNames"]


def test_raw_signer_agrees_with_the_server(server):
    status, body = raw_request(server.endpoint, "ListTables", b"{}", APP_KEY, APP_SECRET, now_utc())
    assert status == 200, body
    assert "TableNames" in body


def test_session_token_key_works_with_its_token(server):
    temp = server.client(TEMP_KEY, TEMP_SECRET, session_token=TEMP_TOKEN)
    assert "TableNames" in temp.list_tables()


def test_streams_api_is_verified_too(server):
    streams = server.client(APP_KEY, APP_SECRET, service="dynamodbstreams")
    assert "Streams" in streams.list_streams()
    wrong = server.client(APP_KEY, "wrong", service="dynamodbstreams")
    assert error_of(wrong.list_streams) == ("InvalidSignatureException", SIGNATURE_MISMATCH)


# -- each failure with its exact error ---------------------------------------------------------


def test_unknown_key(server):
    client = server.client("AKIANOSUCHKEY0000001", "whatever")
    assert error_of(client.list_tables) == (
        "UnrecognizedClientException", "The security token included in the request is invalid.")


def test_wrong_secret(server):
    client = server.client(APP_KEY, "not-the-secret")
    assert error_of(client.list_tables) == ("InvalidSignatureException", SIGNATURE_MISMATCH)


def test_altered_body(server):
    status, body = raw_request(
        server.endpoint, "ListTables", b'{"Limit":1}', APP_KEY, APP_SECRET, now_utc(), send_body=b'{"Limit":2}')
    assert status == 400
    assert body == {"__type": "com.amazon.coral.service#InvalidSignatureException", "message": SIGNATURE_MISMATCH}


def test_expired_signature(server):
    signed_at = now_utc() - datetime.timedelta(minutes=6)
    status, body = raw_request(server.endpoint, "ListTables", b"{}", APP_KEY, APP_SECRET, signed_at)
    assert status == 400
    assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    stamp = signed_at.strftime("%Y%m%dT%H%M%SZ")
    assert body["message"].startswith(f"Signature expired: {stamp} is now earlier than ")
    assert body["message"].endswith(" - 5 min.)")


def test_future_signature(server):
    signed_at = now_utc() + datetime.timedelta(minutes=6)
    status, body = raw_request(server.endpoint, "ListTables", b"{}", APP_KEY, APP_SECRET, signed_at)
    assert status == 400
    assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    stamp = signed_at.strftime("%Y%m%dT%H%M%SZ")
    assert body["message"].startswith(f"Signature not yet current: {stamp} is still later than ")
    assert body["message"].endswith(" + 5 min.)")


def test_signature_within_the_skew_passes(server):
    for minutes in (-4, 4):
        status, body = raw_request(
            server.endpoint, "ListTables", b"{}", APP_KEY, APP_SECRET, now_utc() + datetime.timedelta(minutes=minutes))
        assert status == 200, body


def test_expired_key(server):
    client = server.client(OLD_KEY, "old-secret")
    assert error_of(client.list_tables) == (
        "ExpiredTokenException", "The security token included in the request is expired")


def test_missing_session_token(server):
    client = server.client(TEMP_KEY, TEMP_SECRET)
    assert error_of(client.list_tables) == (
        "UnrecognizedClientException", "The security token included in the request is invalid")


def test_wrong_session_token(server):
    client = server.client(TEMP_KEY, TEMP_SECRET, session_token="not-the-token")
    assert error_of(client.list_tables) == (
        "UnrecognizedClientException", "The security token included in the request is invalid")


def test_missing_authentication(server):
    host = server.endpoint.split("://", 1)[1]
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("POST", "/", body=b"{}", headers={
        "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables"})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 400
    assert body == {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                    "message": "Request is missing Authentication Token"}


def test_malformed_authorization_header(server):
    host = server.endpoint.split("://", 1)[1]
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request("POST", "/", body=b"{}", headers={
        "content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables",
        "x-amz-date": now_utc().strftime("%Y%m%dT%H%M%SZ"),
        "authorization": "AWS4-HMAC-SHA256 Signature=abc"})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert body["__type"] == "com.amazon.coral.service#IncompleteSignatureException"
    assert body["message"] == (
        "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' "
        "parameter. Authorization=AWS4-HMAC-SHA256 Signature=abc")


AWS = shutil.which("aws")


@pytest.mark.skipif(AWS is None, reason="AWS CLI (`aws`) not found on PATH: pip install awscli")
def test_aws_cli_valid_and_wrong_secret(server, tmp_path):
    def run(key: str, secret: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds"),
            "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1", "HOME": str(tmp_path)})
        return subprocess.run(
            [AWS, "dynamodb", "list-tables", "--endpoint-url", server.endpoint, "--output", "json"],
            env=env, capture_output=True, text=True, timeout=120)

    ok = run(OPS_KEY, OPS_SECRET)
    assert ok.returncode == 0, ok.stderr
    assert "TableNames" in json.loads(ok.stdout)
    bad = run(OPS_KEY, "wrong-secret")
    assert bad.returncode != 0
    assert "InvalidSignatureException" in bad.stderr
    assert "The request signature we calculated does not match" in bad.stderr


# -- rotation and reload -----------------------------------------------------------------------


def test_rotation_by_editing_the_file_while_a_client_runs(server):
    new_key, new_secret = "AKIAAPPKEY0000000002", "app-secret-0002"
    steady = server.client(OPS_KEY, OPS_SECRET)
    failures: list[str] = []
    calls = [0]
    stop = threading.Event()

    def keep_calling():
        while not stop.is_set():
            try:
                steady.list_tables()
                calls[0] += 1
            except Exception as error:  # noqa: BLE001 - any failure of the valid key counts
                failures.append(repr(error))

    worker = threading.Thread(target=keep_calling)
    worker.start()
    try:
        old = server.client(APP_KEY, APP_SECRET)
        new = server.client(new_key, new_secret)
        old.list_tables()
        assert error_of(new.list_tables)[0] == "UnrecognizedClientException"

        # Step 1: add the new key beside the old one.
        config = base_config()
        config["identities"][0]["keys"].append({"accessKeyId": new_key, "secretAccessKey": new_secret})
        server.write_config(config)
        started = time.monotonic()
        while True:
            try:
                new.list_tables()
                break
            except ClientError:
                assert time.monotonic() - started < 2.0, "the new key did not work within 2 s"
                time.sleep(0.05)
        old.list_tables()  # both valid side by side

        # Step 2: retire the old key.
        config["identities"][0]["keys"] = [k for k in config["identities"][0]["keys"] if k["accessKeyId"] != APP_KEY]
        server.write_config(config)
        started = time.monotonic()
        while True:
            try:
                old.list_tables()
            except ClientError as error:
                assert error.response["Error"]["Code"] == "UnrecognizedClientException"
                break
            assert time.monotonic() - started < 2.0, "the old key still worked after 2 s"
            time.sleep(0.05)
        new.list_tables()
    finally:
        stop.set()
        worker.join()
    assert failures == []
    assert calls[0] > 0
    assert server.proc is not None and server.proc.poll() is None  # no restart


@pytest.mark.parametrize("bad_text, path", [
    ("{not json", ""),
    (json.dumps({"identities": [{"arn": APP_ARN, "keys": [
        {"accessKeyId": APP_KEY, "secretAccessKey": "TOPSECRET-IN-BAD-FILE", "notAfter": "soon"}]}]}),
     "identities[0].keys[0].notAfter"),
])
def test_bad_edit_keeps_the_previous_configuration(server, bad_text, path):
    app = server.client(APP_KEY, APP_SECRET)
    app.list_tables()
    server.config_path.write_text(bad_text)
    deadline = time.monotonic() + 5
    while "auth.reload_failed" not in server.stderr_text():
        assert time.monotonic() < deadline, server.stderr_text()
        time.sleep(0.1)
    app.list_tables()  # the old configuration is still in force
    ops = server.client(OPS_KEY, OPS_SECRET)
    ops.list_tables()
    log = server.stderr_text()
    assert path in log
    assert "TOPSECRET-IN-BAD-FILE" not in log
    assert APP_SECRET not in log


def test_sighup_reloads_the_file(server):
    config = base_config()
    config["identities"] = config["identities"][:1]  # OPS removed
    server.write_config(config)
    server.hangup()
    ops = server.client(OPS_KEY, OPS_SECRET)
    deadline = time.monotonic() + 2
    while True:
        try:
            ops.list_tables()
        except ClientError as error:
            assert error.response["Error"]["Code"] == "UnrecognizedClientException"
            break
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_bad_auth_file_at_start_up_is_refused(tmp_path):
    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"identities": [{"arn": "nope", "keys": []}]}))
    proc = subprocess.run(
        [server_binary(), "--in-memory", "--port", "0", "--auth", str(path)],
        capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "identities[0].arn" in proc.stderr


# -- audit log ---------------------------------------------------------------------------------


def read_audit(path: Path, count: int, timeout: float = 5) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)


def test_audit_log_one_line_per_request_without_item_values(tmp_path):
    audit = tmp_path / "audit.jsonl"
    config = base_config()
    config["identities"].append(identity(f"arn:aws:iam::{ACCOUNT}:user/nobody",
                                         [{"accessKeyId": "AKIANOBODY0000000001", "secretAccessKey": "n"}], []))
    server = start_auth_server(tmp_path, config, ["--audit-log", str(audit)])
    try:
        secret_value = "SECRET-ITEM-VALUE-" + uuid.uuid4().hex
        secret_key = "SECRET-KEY-VALUE-" + uuid.uuid4().hex
        app = server.client(APP_KEY, APP_SECRET)
        table = create_table(app)
        app.put_item(TableName=table, Item={"pk": {"S": secret_key}, "payload": {"S": secret_value}},
                     ConditionExpression="attribute_not_exists(pk) OR #p <> :v",
                     ExpressionAttributeNames={"#p": "payload"}, ExpressionAttributeValues={":v": {"S": secret_value}})
        app.get_item(TableName=table, Key={"pk": {"S": secret_key}}, ConsistentRead=True)
        app.query(TableName=table, KeyConditionExpression="pk = :k",
                  ExpressionAttributeValues={":k": {"S": secret_key}})
        app.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {
            "pk": {"S": secret_key + "2"}, "payload": {"S": secret_value}}}}]})
        app.transact_write_items(TransactItems=[{"Update": {
            "TableName": table, "Key": {"pk": {"S": secret_key}}, "UpdateExpression": "SET #p = :v",
            "ExpressionAttributeNames": {"#p": "payload"}, "ExpressionAttributeValues": {":v": {"S": secret_value}}}}])
        assert error_of(server.client(APP_KEY, "wrong").list_tables)[0] == "InvalidSignatureException"
        assert error_of(server.client("AKIANOBODY0000000001", "n").list_tables)[0] == "AccessDeniedException"
        temp = server.client(TEMP_KEY, TEMP_SECRET, session_token=TEMP_TOKEN)
        temp.describe_table(TableName=table)

        records = read_audit(audit, 9)
        text = audit.read_text()
        assert len(records) == 9, text
        assert secret_value not in text
        assert secret_key not in text
        assert APP_SECRET not in text and TEMP_SECRET not in text and TEMP_TOKEN not in text

        names = [r["eventName"] for r in records]
        assert names == ["CreateTable", "PutItem", "GetItem", "Query", "BatchWriteItem", "TransactWriteItems",
                         "ListTables", "ListTables", "DescribeTable"]
        for record in records:
            assert record["eventSource"] == "dynamodb.amazonaws.com"
            assert record["awsRegion"] == "us-east-1"
            assert record["sourceIPAddress"] == "127.0.0.1"
            assert record["userAgent"].startswith("Boto3/")
            assert record["requestID"]
            assert record["eventTime"].endswith("Z")
        get = records[2]
        assert get["userIdentity"] == {"type": "IAMUser", "arn": APP_ARN, "accountId": ACCOUNT,
                                       "accessKeyId": APP_KEY, "principalId": APP_KEY, "userName": "app"}
        assert get["requestParameters"] == {"tableName": table, "consistentRead": True}
        assert get["readOnly"] is True
        assert get["resources"] == [{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table",
                                     "ARN": f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{table}"}]
        assert "errorCode" not in get
        assert records[1]["readOnly"] is False
        assert records[4]["requestParameters"] == {"requestItems": [{"tableName": table}]}
        assert records[5]["requestParameters"]["transactItems"] == [{"operation": "Update", "tableName": table}]
        failed = records[6]
        assert failed["errorCode"] == "InvalidSignatureException"
        assert failed["userIdentity"] == {"type": "Unknown", "accessKeyId": APP_KEY}
        denied = records[7]
        assert denied["errorCode"] == "AccessDeniedException"
        assert denied["userIdentity"]["arn"] == f"arn:aws:iam::{ACCOUNT}:user/nobody"
        assert records[8]["userIdentity"]["accessKeyId"] == TEMP_KEY
    finally:
        server.stop()


def test_audit_log_reopened_on_sighup(tmp_path):
    audit = tmp_path / "audit.jsonl"
    server = start_auth_server(tmp_path, base_config(), ["--audit-log", str(audit)])
    try:
        app = server.client(APP_KEY, APP_SECRET)
        app.list_tables()
        assert len(read_audit(audit, 1)) == 1
        rotated = tmp_path / "audit.jsonl.1"
        audit.rename(rotated)
        server.hangup()
        time.sleep(0.3)
        app.list_tables()
        assert len(read_audit(audit, 1)) == 1
        assert len(rotated.read_text().splitlines()) == 1
    finally:
        server.stop()


# -- protected mode ----------------------------------------------------------------------------


def test_protected_mode_refuses_a_public_address_without_auth():
    proc = subprocess.run(
        [server_binary(), "--in-memory", "--port", "0", "--host", "0.0.0.0"],
        capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "--auth FILE" in proc.stderr
    assert "--no-auth" in proc.stderr


def test_no_auth_starts_on_a_public_address_and_warns(tmp_path):
    server = AuthServer(tmp_path / "unused.json", ["--host", "0.0.0.0", "--no-auth"])
    server.start()
    try:
        assert any("signature verification off" in line for line in server.stdout_lines)
        assert "server.no_auth" in server.stderr_text()
        port = server.endpoint.rsplit(":", 1)[1]
        server.endpoint = f"http://127.0.0.1:{port}"
        assert "TableNames" in server.client("AKIAANYTHING00000001", "anything").list_tables()
    finally:
        server.stop()


def test_loopback_without_auth_says_verification_is_off(tmp_path):
    server = AuthServer(tmp_path / "unused.json", [])
    server.start()
    try:
        assert any("signature verification off" in line for line in server.stdout_lines)
    finally:
        server.stop()


# -- TLS ---------------------------------------------------------------------------------------


def make_certificate(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}-key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True)
    return cert, key


def test_https_with_a_self_signed_certificate(tmp_path):
    cert, key = make_certificate(tmp_path, "server")
    audit = tmp_path / "audit.jsonl"
    server = start_auth_server(
        tmp_path, base_config(), ["--tls-cert", str(cert), "--tls-key", str(key), "--audit-log", str(audit)])
    try:
        assert server.endpoint.startswith("https://127.0.0.1:")
        app = server.client(APP_KEY, APP_SECRET)
        assert "TableNames" in app.list_tables()
        assert error_of(server.client(APP_KEY, "wrong").list_tables)[0] == "InvalidSignatureException"
        records = read_audit(audit, 2)
        assert records[0]["tlsDetails"] == {"secureTransport": True}

        # Plain HTTP on the TLS port gets no DynamoDB answer.
        host, port = server.endpoint.split("://", 1)[1].rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        with pytest.raises((http.client.HTTPException, ConnectionError, OSError)):
            connection.request("POST", "/", body=b"{}")
            connection.getresponse().read()
        connection.close()

        # A new certificate in place of the old one, then SIGHUP: new connections get it.
        new_cert, new_key = make_certificate(tmp_path, "renewed")
        shutil.copyfile(new_cert, cert)
        shutil.copyfile(new_key, key)
        server.hangup()
        deadline = time.monotonic() + 3
        while True:
            context = ssl.create_default_context(cafile=str(new_cert))
            try:
                with context.wrap_socket(__import__("socket").create_connection((host, int(port)), timeout=5),
                                         server_hostname="127.0.0.1"):
                    break
            except ssl.SSLError:
                assert time.monotonic() < deadline, "the renewed certificate was not served after SIGHUP"
                time.sleep(0.1)
    finally:
        server.stop()


def kvctl_binary() -> str:
    if os.environ.get("KVCTL_BIN"):
        return os.environ["KVCTL_BIN"]
    return str(Path(server_binary()).parent / "kvctl")


@pytest.mark.parametrize("how", ["flag", "environment"])
def test_kvctl_trusts_a_ca_bundle(tmp_path, how):
    cert, key = make_certificate(tmp_path, "server")
    server = start_auth_server(tmp_path, base_config(), ["--tls-cert", str(cert), "--tls-key", str(key)])
    try:
        server.client(APP_KEY, APP_SECRET).create_table(
            TableName="kvctl_tls", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ACCESS_KEY_ID": APP_KEY, "AWS_SECRET_ACCESS_KEY": APP_SECRET, "HOME": str(tmp_path)})
        args = [kvctl_binary(), "table", "list", "--endpoint", server.endpoint, "--output", "jsonl"]
        if how == "flag":
            args += ["--ca-bundle", str(cert)]
        else:
            env["AWS_CA_BUNDLE"] = str(cert)
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert "kvctl_tls" in proc.stdout

        # Another CA: the certificate is not trusted.
        other, _ = make_certificate(tmp_path, "other")
        args = [kvctl_binary(), "table", "list", "--endpoint", server.endpoint, "--ca-bundle", str(other)]
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
        assert proc.returncode != 0
    finally:
        server.stop()


def test_verified_requests_take_their_region_from_the_signature(server):
    """Under --auth the request context (key, region) comes from the verified signature, not a
    second reading of the header: ARNs name the credential scope's region."""
    client = boto3.client(
        "dynamodb", endpoint_url=server.endpoint, region_name="eu-west-1", aws_access_key_id=APP_KEY,
        aws_secret_access_key=APP_SECRET, verify=server.verify,
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}))
    name = create_table(client)
    arn = client.describe_table(TableName=name)["Table"]["TableArn"]
    assert arn.startswith("arn:aws:dynamodb:eu-west-1:") and arn.endswith(f":table/{name}")
