"""Eventually consistent reads from a PostgreSQL read replica (issue #18: `kvserver-postgres
--storage PRIMARY --storage-replica REPLICA`), black-box through boto3.

The replica is a real streaming standby of the module's cluster (`Scripts/postgres.sh
start-replica`). Reads are shown to come from it by pausing its WAL replay
(`pg_wal_replay_pause()`): a write through kvserver is then on the primary only, so a read that
misses it was served by the replica, and one that sees it by the primary.

DynamoDB's rule (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html):
reads are eventually consistent by default and may miss a write that just completed; with
`ConsistentRead` true (tables and local indexes only) they reflect every write that succeeded
before them; global secondary index reads are always eventually consistent. TransactGetItems
is strongly consistent (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import uuid

import pytest
from botocore.exceptions import ClientError

import boto3
import botocore.config

from conftest import REGION, _ServerProcess
from postgres_support import (  # noqa: F401 (postgres_cluster: a fixture)
    SCRIPT, PostgresCluster, _psql, postgres_cluster, start_cluster, stop_cluster)
from test_postgres_backend import _client, postgres_server_binary


def _start_replica(primary: PostgresCluster) -> PostgresCluster:
    result = subprocess.run(
        ["bash", str(SCRIPT), "start-replica", primary.directory, "--watch", str(os.getpid())],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"Scripts/postgres.sh start-replica failed:\n{result.stderr}"
    values = dict(line[len("export "):].split("=", 1) for line in result.stdout.splitlines() if line.startswith("export "))
    return PostgresCluster(
        url=values["KVSTORE_TEST_POSTGRES_REPLICA_URL"], password_file=primary.password_file,
        directory=values["KVSTORE_POSTGRES_REPLICA_DIR"])


def _script(*args: str) -> None:
    result = subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"postgres.sh {args} failed:\n{result.stderr}"


def sql_value(cluster: PostgresCluster, sql: str, database: str = "kvstore") -> str:
    result = subprocess.run(
        [_psql(), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(cluster.port),
         "-U", "kvstore", "-d", database, "-c", sql],
        env=cluster.environment(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"psql {sql!r} failed:\n{result.stderr}"
    return result.stdout.strip()


def eventually(check, timeout: float = 30.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what} did not hold within {timeout} s"
        time.sleep(0.1)


def wait_replayed(primary: PostgresCluster, replica: PostgresCluster) -> None:
    """Waits until the replica has replayed everything the primary has written so far. (A
    read cannot tell: one of a table the replica lacks is answered by the primary.)"""
    # The insert position: with the test cluster's synchronous_commit = off, a commit may still
    # be in the WAL buffers, past pg_current_wal_lsn() (the write position).
    position = sql_value(primary, "SELECT pg_current_wal_insert_lsn()")
    eventually(lambda: sql_value(replica, f"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn") == "t",
               what="the replica replaying the primary's writes")


@contextlib.contextmanager
def replay_paused(replica: PostgresCluster):
    """The replica's WAL replay paused (its data frozen as of now) for the body."""
    sql_value(replica, "SELECT pg_wal_replay_pause()")
    try:
        eventually(lambda: sql_value(replica, "SELECT pg_get_wal_replay_pause_state()") == "paused",
                   what="replay paused")
        yield
    finally:
        sql_value(replica, "SELECT pg_wal_replay_resume()")


@pytest.fixture(scope="module")
def replica(postgres_cluster):  # noqa: F811 (the fixture)
    cluster = _start_replica(postgres_cluster)
    try:
        yield cluster
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", cluster.directory], timeout=60)


@pytest.fixture(scope="module")
def server(postgres_cluster, replica):  # noqa: F811 (the fixture)
    """One kvserver-postgres writing to the primary and reading from the replica."""
    options = "&sslmode=disable&pool_size=8"
    primary_url = f"{postgres_cluster.url}?password_file={postgres_cluster.password_file}{options}"
    replica_url = f"{replica.url}?password_file={replica.password_file}{options}"
    process = _ServerProcess(postgres_server_binary(), ("--storage", primary_url, "--storage-replica", replica_url))
    url = process.start()
    try:
        yield process, _client(url), url
    finally:
        process.stop()


def _name():
    return f"rep-{uuid.uuid4().hex[:10]}"


def _create(client, name):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST")
    return name


def _key(sk: int):
    return {"pk": {"S": "p"}, "sk": {"N": str(sk)}}


def _get(client, name, sk, consistent=False):
    return client.get_item(TableName=name, Key=_key(sk), ConsistentRead=consistent).get("Item")


def _query_sks(client, name, consistent=False):
    items = client.query(TableName=name, KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "p"}}, ConsistentRead=consistent)["Items"]
    return [int(item["sk"]["N"]) for item in items]


def _scan_sks(client, name, consistent=False):
    return sorted(int(item["sk"]["N"]) for item in client.scan(TableName=name, ConsistentRead=consistent)["Items"])


def _gsi_sks(client, name):
    items = client.query(TableName=name, IndexName="byG", KeyConditionExpression="g = :g",
                         ExpressionAttributeValues={":g": {"S": "G"}})["Items"]
    return sorted(int(item["sk"]["N"]) for item in items)


def _batch_sks(client, name, consistent=False):
    found = client.batch_get_item(RequestItems={name: {"Keys": [_key(1), _key(2)], "ConsistentRead": consistent}})
    return sorted(int(item["sk"]["N"]) for item in found["Responses"][name])


def test_eventually_consistent_reads_come_from_the_replica(server, replica, postgres_cluster):  # noqa: F811
    _, client, _ = server
    name = _create(client, _name())
    client.put_item(TableName=name, Item={**_key(1), "g": {"S": "G"}, "v": {"S": "old"}})
    wait_replayed(postgres_cluster, replica)

    with replay_paused(replica):
        client.put_item(TableName=name, Item={**_key(2), "g": {"S": "G"}, "v": {"S": "new"}})
        client.update_item(TableName=name, Key=_key(1), UpdateExpression="SET v = :v",
                           ExpressionAttributeValues={":v": {"S": "changed"}})

        # Strongly consistent reads: the primary, every acknowledged write.
        assert _get(client, name, 2, consistent=True)["v"] == {"S": "new"}
        assert _get(client, name, 1, consistent=True)["v"] == {"S": "changed"}
        assert _query_sks(client, name, consistent=True) == [1, 2]
        assert _scan_sks(client, name, consistent=True) == [1, 2]
        assert _batch_sks(client, name, consistent=True) == [1, 2]
        got = client.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": _key(2)}}])
        assert got["Responses"][0]["Item"]["v"] == {"S": "new"}

        # Eventually consistent reads (the default): the replica, frozen before both writes.
        assert _get(client, name, 2) is None
        assert _get(client, name, 1)["v"] == {"S": "old"}
        assert _query_sks(client, name) == [1]
        assert _scan_sks(client, name) == [1]
        assert _batch_sks(client, name) == [1]
        assert _gsi_sks(client, name) == [1]
        selected = client.execute_statement(Statement=f'SELECT * FROM "{name}" WHERE pk = ?',
                                            Parameters=[{"S": "p"}])["Items"]
        assert [int(item["sk"]["N"]) for item in selected] == [1]

        # A conditional write checks against the primary, never the stale replica.
        with pytest.raises(ClientError) as taken:
            client.put_item(TableName=name, Item=_key(2), ConditionExpression="attribute_not_exists(pk)")
        assert taken.value.response["Error"]["Code"] == "ConditionalCheckFailedException"

    # Replay resumed: the replica catches up, and eventually consistent reads see the writes.
    eventually(lambda: _get(client, name, 2), what="the second item on the replica")
    wait_replayed(postgres_cluster, replica)
    assert _get(client, name, 1)["v"] == {"S": "changed"}
    assert _query_sks(client, name) == [1, 2]
    assert _scan_sks(client, name) == [1, 2]
    assert _batch_sks(client, name) == [1, 2]
    eventually(lambda: _gsi_sks(client, name) == [1, 2], what="the index on the replica")


def test_stream_reads_come_from_the_primary(server, replica, postgres_cluster):  # noqa: F811
    # DynamoDB Streams: GetRecords reads the primary's gap-free records (docs/postgres-backend.md,
    # "Read replica"), so a change is readable at once even while the replica lags.
    _, client, url = server
    name = _name()
    described = client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
    streams = boto3.session.Session(
        aws_access_key_id="AKIDPOSTGRESTEST", aws_secret_access_key="secret", region_name=REGION,
    ).client("dynamodbstreams", endpoint_url=url, config=botocore.config.Config(
        region_name=REGION, retries={"max_attempts": 1, "mode": "standard"}))
    arn = described["LatestStreamArn"]
    wait_replayed(postgres_cluster, replica)
    with replay_paused(replica):
        client.put_item(TableName=name, Item={"pk": {"S": "a"}})
        assert client.get_item(TableName=name, Key={"pk": {"S": "a"}}).get("Item") is None
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        assert [record["dynamodb"]["Keys"] for record in records] == [{"pk": {"S": "a"}}]


def test_a_table_the_replica_has_not_replayed_yet_is_never_missing(server, replica):
    _, client, _ = server
    with replay_paused(replica):
        name = _create(client, _name())
        client.put_item(TableName=name, Item={**_key(1), "g": {"S": "G"}})
        # The replica has no such table yet: the primary answers (no ResourceNotFoundException).
        assert _get(client, name, 1) is not None
        assert _query_sks(client, name) == [1]
        assert _scan_sks(client, name) == [1]
        assert _batch_sks(client, name) == [1]
        assert client.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
        # A table that exists nowhere is still missing.
        with pytest.raises(ClientError) as missing:
            client.get_item(TableName=_name(), Key=_key(1))
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_reads_go_on_while_the_replica_is_down_and_return_to_it(server, replica, postgres_cluster):  # noqa: F811
    process, client, _ = server
    name = _create(client, _name())
    client.put_item(TableName=name, Item={**_key(1), "g": {"S": "G"}})
    wait_replayed(postgres_cluster, replica)
    assert _get(client, name, 1) is not None
    assert "kv.storage.replica.down" not in process.stderr_text()

    _script("halt", replica.directory)
    try:
        # Written while the replica is down: only the primary can answer these.
        client.put_item(TableName=name, Item={**_key(2), "g": {"S": "G"}})
        started = time.monotonic()
        assert _get(client, name, 2) is not None
        assert _query_sks(client, name) == [1, 2]
        assert _scan_sks(client, name) == [1, 2]
        assert _batch_sks(client, name) == [1, 2]
        assert _gsi_sks(client, name) == [1, 2]
        for _ in range(20):
            assert _get(client, name, 2) is not None
        # The first read waited at most for the replica's bound (5 s); the others not at all.
        assert time.monotonic() - started < 15
        log = process.stderr_text()
        assert log.count("kv.storage.replica.down") == 1, log
        # Logged without item values or the password.
        assert replica.password not in log
    finally:
        _script("restart", replica.directory)

    # Back: once the recheck (every 2 s) found it answering, eventually consistent reads return
    # to the replica, shown again by a write its paused replay does not have.
    wait_replayed(postgres_cluster, replica)
    with replay_paused(replica):
        client.put_item(TableName=name, Item={**_key(3), "g": {"S": "G"}})
        assert _get(client, name, 3, consistent=True) is not None
        eventually(lambda: _get(client, name, 3) is None, timeout=30, what="eventually consistent reads on the replica again")
    assert "kv.storage.replica.serving" in process.stderr_text()
    assert process.stderr_text().count("kv.storage.replica.down") == 1


def test_a_replica_that_is_not_a_standby_is_refused_at_start(postgres_cluster, monkeypatch):  # noqa: F811
    options = f"?password_file={postgres_cluster.password_file}&sslmode=disable&pool_size=2"
    url = f"{postgres_cluster.url}{options}"
    # The primary named as its own replica, through the environment (KVSERVER_STORAGE_REPLICA).
    monkeypatch.setenv("KVSERVER_STORAGE_REPLICA", url)
    process = _ServerProcess(postgres_server_binary(), ("--storage", url))
    with pytest.raises(RuntimeError) as refused:
        process.start()
    assert "--storage-replica" in str(refused.value)
    assert "not a standby" in str(refused.value)


def test_a_standby_of_another_cluster_is_refused_at_start(postgres_cluster):  # noqa: F811 (the fixture)
    other = start_cluster()
    try:
        others_replica = _start_replica(other)
        try:
            options = "&sslmode=disable&pool_size=2"
            process = _ServerProcess(postgres_server_binary(), (
                "--storage", f"{postgres_cluster.url}?password_file={postgres_cluster.password_file}{options}",
                "--storage-replica", f"{others_replica.url}?password_file={others_replica.password_file}{options}"))
            with pytest.raises(RuntimeError) as refused:
                process.start()
            assert "standby of another PostgreSQL cluster" in str(refused.value)
        finally:
            stop_cluster(others_replica)
    finally:
        stop_cluster(other)


def test_a_replica_needs_a_primary():
    process = _ServerProcess(postgres_server_binary(), ("--storage-replica", "postgres://kvstore@127.0.0.1:1/kvstore"))
    with pytest.raises(RuntimeError) as refused:
        process.start()
    assert "--storage-replica: a read replica needs --storage" in str(refused.value)
