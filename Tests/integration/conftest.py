"""Shared fixtures for the kvserver black-box acceptance suite.

The suite talks to a DynamoDB-compatible endpoint only through public
interfaces (boto3, the AWS CLI, raw HTTP), so it can run unchanged against
kvserver, moto or real DynamoDB:

* ``KVSERVER_ENDPOINT`` set: use that endpoint, start nothing.
* otherwise: start ``$KVSERVER_BIN`` (default ``<repo>/.build/debug/kvserver``)
  as ``kvserver --in-memory --port 0`` and read the endpoint from the
  ``listening on http://...`` line it prints on stdout.
* ``KVSERVER_TEST_STORAGE=postgres``: every server the fixtures start is
  ``kvserver-postgres --storage postgres://...`` on a database of its own
  (``postgres_support.SuiteDatabases``), and the tests of features PostgreSQL
  does not have yet are deselected by the list in ``postgres_deselected.txt``.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import botocore.auth
import botocore.awsrequest
import botocore.config
import botocore.credentials
import pytest
from botocore.exceptions import ClientError

from postgres_support import SUITE_DATABASES, suite_storage

REPO_ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
DUMMY_KEY = "AKIAKVSERVERTEST0001"
DUMMY_SECRET = "kvserver-test-secret-key-not-a-real-one"
LISTEN_RE = re.compile(r"listening on (http://\S+)")
STARTUP_TIMEOUT = 10.0
STOP_GRACE = 5.0

# Real DynamoDB's error type prefixes (see /work/shared/DYNAMODB-FACTS.md).
VALIDATION_TYPE = "com.amazon.coral.validate#ValidationException"
DYNAMODB_PREFIX = "com.amazonaws.dynamodb.v20120810#"
CORAL_SERVICE_PREFIX = "com.amazon.coral.service#"


# --------------------------------------------------------------------------
# Server lifecycle
# --------------------------------------------------------------------------

class _ServerProcess:
    def __init__(self, binary: str, args: tuple[str, ...] = ("--in-memory",)):
        self.binary = binary
        self.args = args
        self.proc: subprocess.Popen | None = None
        # The PostgreSQL database made for this server (KVSERVER_TEST_STORAGE=postgres), dropped at stop.
        self.database: str | None = None
        self.stderr_file = tempfile.NamedTemporaryFile(
            prefix="kvserver-stderr-", suffix=".log", delete=False)
        self.stdout_lines: list[str] = []
        self._lines: "queue.Queue[str | None]" = queue.Queue()

    def _pump_stdout(self):
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stdout_lines.append(line)
            self._lines.put(line)
        self._lines.put(None)  # EOF

    def stderr_text(self) -> str:
        try:
            return Path(self.stderr_file.name).read_text(errors="replace")
        except OSError:
            return "<stderr unavailable>"

    def start(self) -> str:
        binary, args = self.binary, list(self.args)
        if suite_storage() == "postgres" and binary == server_binary():
            binary, args, self.database = SUITE_DATABASES.server_command(binary, self.args)
        if not os.path.isfile(binary) or not os.access(binary, os.X_OK):
            raise RuntimeError(
                f"kvserver binary not found or not executable: {binary} "
                "(build it with `swift build`, set KVSERVER_BIN, or set "
                "KVSERVER_ENDPOINT to test an already running endpoint)")
        self.proc = subprocess.Popen(
            [binary, *args, "--port", "0"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self.stderr_file,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            match = LISTEN_RE.search(line)
            if match:
                return match.group(1).rstrip("/")
        rc = self.proc.poll()
        self.stop()
        why = (f"exited with code {rc} before printing" if rc is not None
               else f"did not print within {STARTUP_TIMEOUT:.0f}s")
        raise RuntimeError(
            f"kvserver ({self.binary}) {why} 'listening on http://...'.\n"
            f"--- stdout ---\n{''.join(self.stdout_lines)}"
            f"--- stderr ---\n{self.stderr_text()}")

    def stop(self):
        proc = self.proc
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=STOP_GRACE)
        if self.database is not None:
            # An in-memory server's data dies with it (on PostgreSQL: its own database).
            SUITE_DATABASES.drop(self.database)
            self.database = None


def server_binary() -> str:
    return os.environ.get("KVSERVER_BIN", str(REPO_ROOT / ".build" / "debug" / "kvserver"))


@pytest.fixture
def own_server():
    """Starts dedicated servers with chosen flags (short TTL or stream durations, a data
    directory to restart on): ``url, server = own_server("--in-memory", "--ttl-interval", "0.2")``.
    ``server.stop()`` stops one early; all are stopped at the end of the test."""
    if os.environ.get("KVSERVER_ENDPOINT"):
        pytest.skip("needs a kvserver binary to start with its own flags")
    started: list[_ServerProcess] = []

    def start(*args: str):
        server = _ServerProcess(server_binary(), tuple(args))
        started.append(server)
        return server.start(), server

    yield start
    for server in started:
        server.stop()


# --------------------------------------------------------------------------
# The suite on PostgreSQL: what is deselected, and why
# --------------------------------------------------------------------------

DESELECTED_ON_POSTGRES = Path(__file__).with_name("postgres_deselected.txt")


def postgres_deselections() -> list[str]:
    """The node id prefixes (`test_x.py`, `test_x.py::test_y`) of `postgres_deselected.txt`:
    one per line, `#` starts a comment (each group says why)."""
    prefixes = []
    for line in DESELECTED_ON_POSTGRES.read_text().splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            prefixes.append(entry)
    return prefixes


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL (KVSERVER_TEST_STORAGE=postgres), deselect the tests listed in
    postgres_deselected.txt: reported by pytest as deselected, never skipped inside a test."""
    if suite_storage() != "postgres":
        return
    prefixes = postgres_deselections()

    def listed(nodeid: str) -> bool:
        path, separator, rest = nodeid.partition("::")
        nodeid = path.rsplit("/", 1)[-1] + separator + rest
        return any(nodeid == p or nodeid.startswith(p + "::") or nodeid.startswith(p + "[")
                   for p in prefixes)

    kept = [item for item in items if not listed(item.nodeid)]
    deselected = [item for item in items if listed(item.nodeid)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.fixture(scope="session")
def endpoint():
    """Base URL of the endpoint under test (no trailing slash)."""
    external = os.environ.get("KVSERVER_ENDPOINT")
    if external:
        yield external.rstrip("/")
        return
    server = _ServerProcess(server_binary())
    url = server.start()
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def against_real_aws(endpoint) -> bool:
    return "amazonaws.com" in endpoint


# --------------------------------------------------------------------------
# boto3
# --------------------------------------------------------------------------

def _boto_config():
    # One attempt, so that errors (including throttling) surface as-is, and no
    # client-side parameter validation, so that the *server* validates.
    return botocore.config.Config(
        region_name=REGION,
        retries={"max_attempts": 1, "mode": "standard"},
        parameter_validation=False,
        connect_timeout=10,
        read_timeout=60,
    )


@pytest.fixture(scope="session")
def boto_session():
    return boto3.session.Session(
        aws_access_key_id=os.environ.get("KVSERVER_TEST_ACCESS_KEY", DUMMY_KEY),
        aws_secret_access_key=os.environ.get("KVSERVER_TEST_SECRET_KEY", DUMMY_SECRET),
        region_name=REGION,
    )


@pytest.fixture(scope="session")
def client(boto_session, endpoint):
    """Low-level ``client("dynamodb")``."""
    return boto_session.client("dynamodb", endpoint_url=endpoint, config=_boto_config())


@pytest.fixture(scope="session")
def resource(boto_session, endpoint):
    return boto_session.resource("dynamodb", endpoint_url=endpoint, config=_boto_config())


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------

def unique_name(prefix: str = "kvtest") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def key_schema(hash_key=("pk", "S"), range_key=None):
    ks = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    ad = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key is not None:
        ks.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        ad.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    return ks, ad


class TableFactory:
    """Creates uniquely named tables and deletes them at cleanup."""

    def __init__(self, client):
        self.client = client
        self.names: list[str] = []

    def track(self, name: str) -> str:
        self.names.append(name)
        return name

    def create(self, hash_key=("pk", "S"), range_key=None, name=None,
               wait=True, **kwargs) -> str:
        name = name or unique_name()
        ks, ad = key_schema(hash_key, range_key)
        params = {"TableName": name, "KeySchema": ks, "AttributeDefinitions": ad}
        if "ProvisionedThroughput" not in kwargs and "BillingMode" not in kwargs:
            params["BillingMode"] = "PAY_PER_REQUEST"
        params.update(kwargs)
        self.client.create_table(**params)
        self.track(name)
        if wait:
            wait_active(self.client, name)
        return name

    def cleanup(self):
        for name in reversed(self.names):
            delete_table_quietly(self.client, name)
        self.names.clear()


def wait_active(client, name: str):
    client.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120})


def delete_table_quietly(client, name: str):
    try:
        client.delete_table(TableName=name)
        return
    except ClientError as e:
        code = e.response["Error"]["Code"]
        if code == "ResourceNotFoundException":
            return
        if code != "ValidationException":  # e.g. deletion protection
            return
    # Probably protected against deletion: switch protection off and retry.
    try:
        client.update_table(TableName=name, DeletionProtectionEnabled=False)
        wait_active(client, name)
        client.delete_table(TableName=name)
    except Exception:  # best effort: never fail a test in cleanup
        pass


@pytest.fixture
def make_table(client):
    """``make_table(hash_key=("pk","S"), range_key=None, **create_kwargs)`` -> name.

    Tables are PAY_PER_REQUEST unless told otherwise, waited ACTIVE, and
    deleted after the test."""
    factory = TableFactory(client)
    yield factory.create
    factory.cleanup()


@pytest.fixture
def table_names(client):
    """A TableFactory whose ``track(name)`` registers tables a test creates
    itself (e.g. through the CLI) for deletion afterwards."""
    factory = TableFactory(client)
    yield factory
    factory.cleanup()


@pytest.fixture(scope="module")
def module_tables(client):
    """Module-scoped TableFactory for tests that share tables."""
    factory = TableFactory(client)
    yield factory
    factory.cleanup()


# --------------------------------------------------------------------------
# Error assertions
# --------------------------------------------------------------------------

def assert_error(excinfo_or_error, code: str, message: str | None, status: int = 400):
    """Assert a botocore ClientError's code, exact message and HTTP status."""
    err = getattr(excinfo_or_error, "value", excinfo_or_error)
    assert isinstance(err, ClientError), f"expected ClientError, got {err!r}"
    resp = err.response
    got_code = resp["Error"]["Code"]
    got_msg = resp["Error"].get("Message")
    got_status = resp["ResponseMetadata"]["HTTPStatusCode"]
    assert (got_code, got_status) == (code, status), (
        f"expected {code}/{status}, got {got_code}/{got_status}: {got_msg!r}")
    if message is not None:
        assert got_msg == message, f"message mismatch:\n  expected: {message!r}\n  actual:   {got_msg!r}"


# --------------------------------------------------------------------------
# Raw HTTP
# --------------------------------------------------------------------------

class RawResponse:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def header(self, name: str):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def __repr__(self):
        return f"RawResponse({self.status}, {self.headers}, {self.body[:300]!r})"


class RawHttp:
    def __init__(self, endpoint: str, credentials):
        self.endpoint = endpoint
        self.credentials = credentials
        parts = urlsplit(endpoint)
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.netloc = parts.netloc

    def request(self, method: str, path: str = "/", body: bytes | str = b"",
                headers: dict | None = None) -> RawResponse:
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn_cls = (http.client.HTTPSConnection if self.scheme == "https"
                    else http.client.HTTPConnection)
        conn = conn_cls(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=body or None, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
            return RawResponse(resp.status, hdrs, data)
        finally:
            conn.close()

    def post(self, operation: str | None, body="{}", *, sign: bool = True,
             content_type: str | None = "application/x-amz-json-1.0",
             target: str | None = None, extra_headers: dict | None = None) -> RawResponse:
        """POST / with DynamoDB headers; ``operation`` None sends no X-Amz-Target
        (unless ``target`` gives a raw value). Signed with SigV4 unless
        ``sign=False``."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if target is not None:
            headers["X-Amz-Target"] = target
        elif operation is not None:
            headers["X-Amz-Target"] = f"DynamoDB_20120810.{operation}"
        headers.update(extra_headers or {})
        if sign:
            req = botocore.awsrequest.AWSRequest(
                method="POST", url=self.endpoint + "/", data=body, headers=headers)
            botocore.auth.SigV4Auth(self.credentials, "dynamodb", REGION).add_auth(req)
            headers = dict(req.headers.items())
        headers.setdefault("Host", self.netloc)
        return self.request("POST", "/", body, headers)


@pytest.fixture(scope="session")
def raw_http(endpoint, boto_session):
    """Raw HTTP access: ``raw_http.post("ListTables", {...}, sign=True)`` or
    ``raw_http.request("GET", "/")``."""
    creds = boto_session.get_credentials().get_frozen_credentials()
    return RawHttp(endpoint, botocore.credentials.Credentials(
        creds.access_key, creds.secret_key, creds.token))


# The auth-server fixture (servers started with --auth FILE), for the security tests.
from auth_support import auth_server_factory  # noqa: E402,F401
