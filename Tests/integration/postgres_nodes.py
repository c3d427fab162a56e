"""Several kvserver-postgres processes ("nodes") over one PostgreSQL database, for the tests of
what nodes share: the singleton duties' leases (test_postgres_failover.py) and stream-trigger
delivery (test_postgres_triggers.py)."""

from __future__ import annotations

import os
import signal
from contextlib import contextmanager

from conftest import _ServerProcess
from test_postgres_backend import postgres_server_binary


class PostgresNode:
    """One kvserver-postgres with `arguments`, started when made."""

    def __init__(self, *arguments: str):
        self.server = _ServerProcess(postgres_server_binary(), arguments)
        self.url = self.server.start()

    @property
    def pid(self) -> int:
        return self.server.proc.pid

    def kill(self):
        """`kill -9`: no shutdown, no lease release, connections dropped by the kernel."""
        os.kill(self.server.proc.pid, signal.SIGKILL)
        self.server.proc.wait(timeout=10)

    def stop(self):
        """SIGTERM: the server releases its leases as it stops."""
        self.server.stop()


@contextmanager
def running_nodes(make, argument_lists):
    """A node made by `make(*arguments)` for each of `argument_lists`, in order; every node
    started is stopped on the way out, also when a later one fails to start."""
    started = []
    try:
        for arguments in argument_lists:
            started.append(make(*arguments))
        yield started
    finally:
        for node in started:
            node.stop()
