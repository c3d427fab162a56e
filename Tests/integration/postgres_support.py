"""A throwaway PostgreSQL cluster for tests that need one (issue #18: the PostgreSQL backend).

`postgres_cluster` starts a cluster with Scripts/postgres.sh (a temp dir, a free port on
127.0.0.1, password authentication, an unprivileged owner when run as root) for the module that
uses it, and stops it afterwards. Import it into a test module:

    from postgres_support import postgres_cluster  # noqa: F401 (a fixture)

A test that asks for it fails, never skips, when PostgreSQL cannot start.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "Scripts" / "postgres.sh"


@dataclass(frozen=True)
class PostgresCluster:
    url: str
    password_file: str
    directory: str

    @property
    def password(self) -> str:
        return Path(self.password_file).read_text().strip()

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1].split("/", 1)[0])

    def environment(self) -> dict[str, str]:
        """The environment of a process that should reach the cluster (psql, a kvserver)."""
        return {**os.environ, "PGPASSWORD": self.password}


def start_cluster() -> PostgresCluster:
    result = subprocess.run(
        ["bash", str(SCRIPT), "start", "--watch", str(os.getpid())],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"Scripts/postgres.sh start failed:\n{result.stderr}"
    values = {}
    for line in result.stdout.splitlines():
        if line.startswith("export ") and "=" in line:
            name, value = line[len("export "):].split("=", 1)
            values[name] = shlex.split(value)[0] if value else ""
    return PostgresCluster(
        url=values["KVSTORE_TEST_POSTGRES_URL"],
        password_file=values["KVSTORE_TEST_POSTGRES_PASSWORD_FILE"],
        directory=values["KVSTORE_POSTGRES_DIR"])


def stop_cluster(cluster: PostgresCluster) -> None:
    subprocess.run(["bash", str(SCRIPT), "stop", cluster.directory], check=True, timeout=60)


@pytest.fixture(scope="module")
def postgres_cluster():
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        stop_cluster(cluster)
