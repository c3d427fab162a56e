"""Starting kvserver with an auth file (signature verification on), for the security tests.

API (shared with the policy tests)::

    server = start_auth_server(tmp_path, {"identities": [...]}, extra_args=["--audit-log", path])
    ddb = server.client("AKIA...", "secret")                      # boto3, retries off
    streams = server.client("AKIA...", "secret", service="dynamodbstreams")
    server.write_config({...})                                    # atomic rewrite; reloaded within 2 s
    server.stop()

or the ``auth_server_factory`` fixture, which stops every server it started at teardown::

    def test_x(auth_server_factory):
        server = auth_server_factory({"identities": [...]})

With ``--tls-cert CERT`` among ``extra_args`` the endpoint is ``https://`` and clients trust
CERT (a self-signed certificate is its own CA).
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import boto3
import botocore.config
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
LISTEN_RE = re.compile(r"listening on (https?://\S+)")
STARTUP_TIMEOUT = 15.0
STOP_GRACE = 5.0

ALLOW_ALL_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
}


def server_binary() -> str:
    return os.environ.get("KVSERVER_BIN", str(REPO_ROOT / ".build" / "debug" / "kvserver"))


class AuthServer:
    """A kvserver process started with ``--auth FILE``."""

    def __init__(self, config_path: Path, args: list[str]):
        self.config_path = config_path
        self.args = args
        self.proc: subprocess.Popen | None = None
        self.endpoint = ""
        self.verify: str | bool = True
        if "--tls-cert" in args:
            self.verify = args[args.index("--tls-cert") + 1]
        self.stdout_lines: list[str] = []
        self._lines: "queue.Queue[str | None]" = queue.Queue()
        self.stderr_file = tempfile.NamedTemporaryFile(prefix="kvserver-auth-stderr-", suffix=".log", delete=False)

    def start(self) -> "AuthServer":
        binary = server_binary()
        self.proc = subprocess.Popen(
            [binary, "--in-memory", "--port", "0", *self.args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self.stderr_file, text=True, bufsize=1)
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            match = LISTEN_RE.search(line)
            if match:
                self.endpoint = match.group(1).rstrip("/")
                return self
        rc = self.proc.poll()
        self.stop()
        raise RuntimeError(
            f"kvserver did not start (exit code {rc}).\n--- stdout ---\n{''.join(self.stdout_lines)}"
            f"--- stderr ---\n{self.stderr_text()}")

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stdout_lines.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def stderr_text(self) -> str:
        try:
            return Path(self.stderr_file.name).read_text(errors="replace")
        except OSError:
            return "<stderr unavailable>"

    def client(self, access_key: str, secret: str, session_token: str | None = None, service: str = "dynamodb"):
        """A boto3 client for ``dynamodb`` or ``dynamodbstreams`` signing with these credentials,
        retries off (every answer surfaces as is)."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret,
            aws_session_token=session_token,
            verify=self.verify,
            config=botocore.config.Config(
                retries={"total_max_attempts": 1, "mode": "standard"},
                connect_timeout=10,
                read_timeout=30,
            ),
        )

    def write_config(self, config: dict) -> None:
        """Rewrites the auth file atomically (write a temporary file, rename it over)."""
        write_json_atomically(self.config_path, config)

    def hangup(self) -> None:
        """Sends SIGHUP (reload the auth file and certificate, reopen the audit log)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGHUP)

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_GRACE)


def write_json_atomically(path: Path, value: dict) -> None:
    path = Path(path)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".auth-", suffix=".json")
    with os.fdopen(fd, "w") as handle:
        json.dump(value, handle)
    os.replace(temporary, path)


def start_auth_server(tmp_path, auth_config: dict, extra_args: list[str] = []) -> AuthServer:
    """Writes ``auth_config`` to ``tmp_path/auth.json`` and starts kvserver with ``--auth`` on it."""
    config_path = Path(tmp_path) / "auth.json"
    write_json_atomically(config_path, auth_config)
    return AuthServer(config_path, ["--auth", str(config_path), *extra_args]).start()


@pytest.fixture
def auth_server_factory(tmp_path):
    """``auth_server_factory(config, extra_args=[...])`` starts a server with that auth file;
    every one is stopped at teardown."""
    started: list[AuthServer] = []
    counter = [0]

    def start(auth_config: dict, extra_args: list[str] = []) -> AuthServer:
        counter[0] += 1
        directory = Path(tmp_path) / f"server{counter[0]}"
        directory.mkdir()
        server = start_auth_server(directory, auth_config, extra_args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
