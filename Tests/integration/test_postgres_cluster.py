"""Scripts/postgres.sh, the throwaway PostgreSQL cluster behind the PostgreSQL backend's tests:
it starts on loopback only, demands the password, does not run as root, and `stop` leaves no
process and no files behind."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from postgres_support import postgres_cluster, start_cluster, stop_cluster  # noqa: F401 (a fixture)


def psql(cluster, sql: str, password: bool = True) -> subprocess.CompletedProcess:
    env = cluster.environment() if password else {k: v for k, v in os.environ.items() if k != "PGPASSWORD"}
    return subprocess.run(
        ["psql", "-X", "-A", "-t", "-w", "-d", cluster.url, "-c", sql],
        capture_output=True, text=True, env=env, timeout=30)


def test_accepts_the_password_and_refuses_without_it(postgres_cluster):
    ok = psql(postgres_cluster, "SELECT current_user || ' ' || current_database()")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "kvstore kvstore"
    refused = psql(postgres_cluster, "SELECT 1", password=False)
    assert refused.returncode != 0
    assert "password" in refused.stderr


def test_listens_on_loopback_only_and_not_as_root(postgres_cluster):
    settings = psql(postgres_cluster, "SHOW listen_addresses")
    assert settings.stdout.strip() == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", postgres_cluster.port), timeout=5):
        pass
    pid = int(Path(postgres_cluster.directory, "data", "postmaster.pid").read_text().split()[0])
    assert os.stat(f"/proc/{pid}").st_uid != 0


def test_stop_ends_the_server_and_removes_its_files():
    cluster = start_cluster()
    pid = int(Path(cluster.directory, "data", "postmaster.pid").read_text().split()[0])
    stop_cluster(cluster)
    assert not Path(cluster.directory).exists()
    assert not Path(f"/proc/{pid}").exists()


def test_a_replica_is_a_read_only_standby_on_loopback_that_follows_the_primary(postgres_cluster):
    # `start-replica` (test_postgres_replica.py's standby): pg_basebackup -R of the cluster.
    from test_postgres_replica import _start_replica, eventually

    replica = _start_replica(postgres_cluster)
    try:
        assert psql(replica, "SELECT pg_is_in_recovery()").stdout.strip() == "t"
        assert psql(replica, "SHOW listen_addresses").stdout.strip() == "127.0.0.1"
        assert psql(replica, "SELECT 1", password=False).returncode != 0
        pid = int(Path(replica.directory, "data", "postmaster.pid").read_text().split()[0])
        assert os.stat(f"/proc/{pid}").st_uid != 0
        assert psql(postgres_cluster, "CREATE TABLE followed (x int); INSERT INTO followed VALUES (7)").returncode == 0
        eventually(lambda: psql(replica, "SELECT x FROM followed").stdout.strip() == "7", what="replication")
        written = psql(replica, "INSERT INTO followed VALUES (8)")
        assert written.returncode != 0 and "read-only" in written.stderr
    finally:
        stop_cluster(replica)
    assert not Path(replica.directory).exists()
    assert not Path(f"/proc/{pid}").exists()
