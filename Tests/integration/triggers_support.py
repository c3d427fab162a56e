"""Helpers for the stream-trigger tests: an HTTP receiver in the test process that records
every delivery and answers as the test tells it (succeed, fail, report partial failures, hang)."""

from __future__ import annotations

import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.config


class Receiver:
    """Records each POST (path and JSON body). ``behavior(event, call_number)`` returns
    ``(status, body_dict_or_None)``; the default answers 200 with no body."""

    def __init__(self, tls_certificate=None):
        """``tls_certificate``: (cert, key) PEM paths to serve HTTPS instead of HTTP."""
        self.calls: list[dict] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        self.behavior = lambda event, n: (200, None)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                body = json.loads(raw or b"{}")
                with receiver.lock:
                    receiver.calls.append(body)
                    receiver.paths.append(self.path)
                    receiver.headers.append({name.lower(): value for name, value in self.headers.items()})
                    receiver.bodies.append(raw)
                    number = len(receiver.calls)
                status, answer = receiver.behavior(body, number)
                data = json.dumps(answer).encode() if answer is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if tls_certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls_certificate[0]), str(tls_certificate[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def records(self) -> list[dict]:
        with self.lock:
            return [record for call in self.calls for record in call.get("Records", [])]

    def batches(self) -> list[list[dict]]:
        with self.lock:
            return [list(call.get("Records", [])) for call in self.calls]


def wait_until(predicate, timeout=15.0, interval=0.05, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


def clients(endpoint: str):
    """(dynamodb, lambda) boto3 clients against the endpoint."""
    session = boto3.session.Session(
        aws_access_key_id="AKIAKVSERVERTEST0001", aws_secret_access_key="secret", region_name="us-east-1")
    config = botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False)
    return (session.client("dynamodb", endpoint_url=endpoint, config=config),
            session.client("lambda", endpoint_url=endpoint, config=config))


def stream_table(ddb, name: str, view: str = "NEW_AND_OLD_IMAGES") -> str:
    """Creates a table keyed by `pk` (S) with a stream; returns the stream ARN."""
    answer = ddb.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return answer["TableDescription"]["LatestStreamArn"]


def signed_request(endpoint: str, method: str, path: str, body: dict | None = None):
    """A SigV4-signed raw request to the Lambda REST paths: (status, headers, parsed body)."""
    import urllib.error
    import urllib.request

    import botocore.auth
    import botocore.awsrequest
    import botocore.credentials

    data = json.dumps(body).encode() if body is not None else None
    request = botocore.awsrequest.AWSRequest(
        method=method, url=endpoint + path, data=data,
        headers={"Content-Type": "application/json"} if data is not None else {})
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials("AKIAKVSERVERTEST0001", "secret"), "lambda", "us-east-1").add_auth(request)
    prepared = urllib.request.Request(endpoint + path, data=data, method=method, headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(prepared) as answer:
            return answer.status, answer.headers, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"{}")
