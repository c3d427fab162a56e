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

    def storage_url(self, database: str, options: str = "") -> str:
        """kvserver-postgres's `--storage` URL of `database` on this cluster (`options`: more
        `&name=value` settings)."""
        base = self.url.rsplit("/", 1)[0]
        return f"{base}/{database}?password_file={self.password_file}&sslmode=disable{options}"

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


# --------------------------------------------------------------------------
# The whole suite on PostgreSQL (KVSERVER_TEST_STORAGE=postgres)
# --------------------------------------------------------------------------

def suite_storage() -> str:
    """The storage the suite's servers keep their data in: "sqlite" (the default) or "postgres"
    (KVSERVER_TEST_STORAGE=postgres: every kvserver the fixtures start becomes kvserver-postgres
    on a database of its own; see `SuiteDatabases`)."""
    return os.environ.get("KVSERVER_TEST_STORAGE", "sqlite")


def _psql() -> str:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True):
        return str(candidate)
    return "psql"


def run_sql(cluster: PostgresCluster, sql: str) -> None:
    """Runs `sql` on `cluster`'s maintenance database (CREATE/DROP DATABASE)."""
    result = subprocess.run(
        [_psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(cluster.port),
         "-U", "kvstore", "-d", "postgres", "-c", sql],
        env=cluster.environment(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"psql {sql!r} failed:\n{result.stderr}"


_fresh_databases = 0


def fresh_storage(cluster: PostgresCluster) -> str:
    """A `--storage` URL of a new, empty database on `cluster`: for a test whose nodes must not
    share leases or tables with the module's other nodes (a duty's lease is per database)."""
    global _fresh_databases
    _fresh_databases += 1
    name = f"kvfresh_{os.getpid()}_{_fresh_databases}"
    run_sql(cluster, f"CREATE DATABASE {name}")
    return cluster.storage_url(name)


class SuiteDatabases:
    """Databases of one cluster for the suite's servers on PostgreSQL.

    The cluster is the one Scripts/test.sh started (KVSTORE_TEST_POSTGRES_URL and
    KVSTORE_TEST_POSTGRES_PASSWORD_FILE), else a throwaway one started at first use and stopped
    when pytest exits. A server started `--in-memory` gets a new database, dropped when it stops
    (its data dies with it, as in memory); one started with `--data-dir D` gets the database of
    D, kept for the session, so a server restarted on D finds its tables again."""

    def __init__(self):
        self._cluster: PostgresCluster | None = None
        self._by_data_dir: dict[str, str] = {}
        self._counter = 0

    def cluster(self) -> PostgresCluster:
        if self._cluster is None:
            url = os.environ.get("KVSTORE_TEST_POSTGRES_URL")
            if url:
                self._cluster = PostgresCluster(
                    url=url, password_file=os.environ["KVSTORE_TEST_POSTGRES_PASSWORD_FILE"],
                    directory=os.environ.get("KVSTORE_POSTGRES_DIR", ""))
            else:
                self._cluster = start_cluster()  # stopped by its watcher when pytest exits
        return self._cluster

    def _run(self, sql: str) -> None:
        run_sql(self.cluster(), sql)

    def create(self) -> str:
        self._counter += 1
        name = f"kvtest_{os.getpid()}_{self._counter}"
        self._run(f"CREATE DATABASE {name}")
        return name

    def drop(self, name: str) -> None:
        self._run(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def for_data_dir(self, directory: str) -> str:
        key = os.path.realpath(directory)
        if key not in self._by_data_dir:
            self._by_data_dir[key] = self.create()
        return self._by_data_dir[key]

    def storage_url(self, name: str) -> str:
        # 8 connections per server: a few servers at once stay well under max_connections (200).
        return self.cluster().storage_url(name, "&pool_size=8")

    def server_command(self, binary: str, args: tuple[str, ...]) -> tuple[str, list[str], str | None]:
        """kvserver's command line `binary args` on PostgreSQL: kvserver-postgres with `--storage`
        instead of `--in-memory` (a fresh database, returned to drop at stop) or beside
        `--data-dir D` (D's database). Arguments that name a storage already are kept."""
        postgres_binary = os.environ.get(
            "KVSERVER_POSTGRES_BIN", str(Path(binary).with_name("kvserver-postgres")))
        args = list(args)
        if "--storage" in args:
            return binary, args, None
        if "--data-dir" in args and args.index("--data-dir") + 1 < len(args):
            name = self.for_data_dir(args[args.index("--data-dir") + 1])
            return postgres_binary, [*args, "--storage", self.storage_url(name)], None
        name = self.create()
        args = [a for a in args if a != "--in-memory"]
        return postgres_binary, [*args, "--storage", self.storage_url(name)], name


SUITE_DATABASES = SuiteDatabases()
