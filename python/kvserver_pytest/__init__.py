"""pytest fixtures that run a throwaway kvserver for your own tests.

Use it from your conftest.py (or install this directory with ``pip install ./python``,
which registers the fixtures as a pytest plugin automatically)::

    from kvserver_pytest import kvserver, kvserver_process, kvserver_factory  # noqa: F401

    def test_something(kvserver):            # kvserver is the endpoint URL
        client = boto3.client("dynamodb", endpoint_url=kvserver, region_name="us-east-1")

Fixtures:

* ``kvserver`` (session): endpoint URL (``http://127.0.0.1:PORT``) of one
  ``kvserver --in-memory --port 0`` started for the whole test session.
* ``kvserver_process`` (session): the same server as a :class:`KVServer`
  (``url``, ``pid``, ``startup_seconds``, ``log_path`` of its stderr log).
* ``kvserver_factory`` (function): ``kvserver_factory("--ttl-interval", "0.2")`` starts
  another in-memory server with extra flags and returns its :class:`KVServer`; every
  server it started is stopped at the end of the test.

The binary is ``$KVSERVER_BIN`` if set, else ``kvserver`` on ``PATH``, else the
``.build/{debug,release}/kvserver`` of the kvserver checkout this file lives in.
Servers are stopped by PID: SIGTERM, then SIGKILL after a grace period.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

__all__ = ["KVServer", "find_binary", "start_kvserver", "kvserver", "kvserver_process", "kvserver_factory"]

LISTEN_RE = re.compile(r"listening on (http://\S+)")
STARTUP_TIMEOUT = 10.0
STOP_GRACE = 5.0


def find_binary() -> str:
    """Path of the kvserver executable to run."""
    explicit = os.environ.get("KVSERVER_BIN")
    if explicit:
        return explicit
    on_path = shutil.which("kvserver")
    if on_path:
        return on_path
    for root in Path(__file__).resolve().parents:
        for flavour in ("debug", "release"):
            candidate = root / ".build" / flavour / "kvserver"
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
    raise RuntimeError("kvserver binary not found: set KVSERVER_BIN, put kvserver on PATH, "
                       "or run `swift build` in the kvserver checkout")


@dataclass
class KVServer:
    """A running ``kvserver`` process."""
    url: str
    pid: int
    startup_seconds: float
    args: tuple[str, ...]
    log_path: str
    process: subprocess.Popen = field(repr=False)
    stdout_lines: list[str] = field(default_factory=list, repr=False)

    def stop(self) -> None:
        """SIGTERM by PID (the server drains in-flight requests), SIGKILL if it lingers."""
        if self.process.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_GRACE)


def start_kvserver(*extra_args: str, binary: str | None = None,
                   timeout: float = STARTUP_TIMEOUT) -> KVServer:
    """Start ``kvserver --in-memory --port 0 <extra_args>`` and wait for its URL line."""
    binary = binary or find_binary()
    args = ("--in-memory", "--port", "0", *extra_args)
    log = tempfile.NamedTemporaryFile(prefix="kvserver-", suffix=".log", delete=False)
    started = time.monotonic()
    with log:
        process = subprocess.Popen([binary, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=log, text=True, bufsize=1)
    lines: "queue.Queue[str | None]" = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:  # keep draining so the server never blocks on stdout
            seen.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name=f"kvserver-stdout-{process.pid}", daemon=True).start()
    deadline = started + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        if line is None:
            break
        match = LISTEN_RE.search(line)
        if match:
            return KVServer(url=match.group(1).rstrip("/"), pid=process.pid,
                            startup_seconds=time.monotonic() - started, args=args,
                            log_path=log.name, process=process, stdout_lines=seen)
    code = process.poll()
    if code is None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    raise RuntimeError(f"{binary} {' '.join(args)} did not print its URL within {timeout:.0f}s "
                       f"(exit code {code}); stdout: {''.join(seen)!r}; log: {log.name}")


@pytest.fixture(scope="session")
def kvserver_process():
    server = start_kvserver()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kvserver(kvserver_process) -> str:
    return kvserver_process.url


@pytest.fixture
def kvserver_factory():
    started: list[KVServer] = []

    def start(*extra_args: str) -> KVServer:
        server = start_kvserver(*extra_args)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
