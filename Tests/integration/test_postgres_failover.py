"""Several kvserver-postgres nodes over one PostgreSQL database when one of them dies (issue #18):
the singleton duties (the TTL sweeper here) run on exactly one node at a time under a lease and
pass to another node when the holder is killed with `kill -9`; no write a node acknowledged
before it died is lost; colliding TransactWriteItems calls through different nodes are canceled
at once with a TransactionConflict reason instead of waiting for each other.

The lease lifetime is shortened with `KVSERVER_POSTGRES_LEASE_TTL_MS` (default 10 s) so that a
takeover takes a few seconds here.
"""

from __future__ import annotations

import random
import threading
import time
import uuid

import pytest
from botocore.exceptions import ClientError

from metrics_support import scrape, value
from postgres_nodes import PostgresNode, running_nodes
from postgres_support import postgres_cluster  # noqa: F401 (a fixture)
from test_postgres_backend import _client, _code, _create, _name

LEASE_TTL_MS = 3000
TTL_DELETED = "dynamodb_time_to_live_deleted_item_count_total"


class _Node(PostgresNode):
    def __init__(self, *arguments: str):
        super().__init__(*arguments)
        self.client = _client(self.url)

    def swept(self, table: str) -> float:
        return value(scrape(self.url), TTL_DELETED, table=table)


def _start_nodes(postgres_cluster, monkeypatch, lease_ttl_ms: int):  # noqa: F811 (the fixture)
    """Three fresh kvserver-postgres nodes over one database (the environment is read at start)."""
    monkeypatch.setenv("KVSERVER_POSTGRES_LEASE_TTL_MS", str(lease_ttl_ms))
    storage = f"{postgres_cluster.url}?password_file={postgres_cluster.password_file}&sslmode=disable&pool_size=8"
    with running_nodes(_Node, [("--storage", storage)] * 3) as nodes:
        yield nodes


@pytest.fixture
def cluster_nodes(postgres_cluster, monkeypatch):  # noqa: F811 (the fixture)
    """Three nodes with short duty leases."""
    yield from _start_nodes(postgres_cluster, monkeypatch, LEASE_TTL_MS)


@pytest.fixture
def long_lease_nodes(postgres_cluster, monkeypatch):  # noqa: F811 (the fixture)
    """Three nodes whose duty leases live 20 s: a takeover sooner than that was a release."""
    yield from _start_nodes(postgres_cluster, monkeypatch, 20_000)


def _expired_items(client, table: str, prefix: str, count: int):
    # https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
    # (items whose TTL attribute is a past epoch second are deleted in the background).
    past = str(int(time.time()) - 60)
    keys = []
    for i in range(count):
        key = {"pk": {"S": f"{prefix}{i}"}, "sk": {"N": "0"}}
        client.put_item(TableName=table, Item={**key, "exp": {"N": past}})
        keys.append(key)
    return keys


def _wait_gone(client, table: str, keys, timeout: float) -> list:
    deadline = time.monotonic() + timeout
    left = list(keys)
    while left and time.monotonic() < deadline:
        left = [key for key in left if "Item" in client.get_item(TableName=table, Key=key, ConsistentRead=True)]
        if left:
            time.sleep(0.2)
    return left


def _ttl_table(client) -> str:
    table = _create(client, _name("ttl"))
    client.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    return table


def test_exactly_one_node_sweeps(cluster_nodes):
    nodes = cluster_nodes
    table = _ttl_table(nodes[0].client)
    # Written through every node; the sweeper's node learns of the table from the database.
    keys = []
    for index, node in enumerate(nodes):
        keys += _expired_items(node.client, table, f"n{index}-", 10)
    assert _wait_gone(nodes[1].client, table, keys, timeout=20) == []
    time.sleep(1.5)  # more passes on every node: nothing is deleted twice or by a second node
    swept = [node.swept(table) for node in nodes]
    assert sorted(swept) == [0, 0, 30], swept


def test_a_clean_shutdown_hands_the_ttl_duty_over_at_once(long_lease_nodes):
    nodes = long_lease_nodes
    table = _ttl_table(nodes[0].client)
    first = _expired_items(nodes[0].client, table, "before-", 5)
    assert _wait_gone(nodes[0].client, table, first, timeout=20) == []
    holders = [node for node in nodes if node.swept(table) > 0]
    assert len(holders) == 1
    survivors = [node for node in nodes if node is not holders[0]]
    holders[0].stop()  # the lease is released on the way out
    stopped = time.monotonic()
    after = _expired_items(survivors[0].client, table, "after-", 5)
    # The others try to take the duty every third of the lifetime (6.7 s) and sweep every second:
    # within about 8 s of a release. Without one, the stopped node's last renewal (at most 6.7 s
    # before it stopped) would keep the lease for at least 13.3 s more.
    assert _wait_gone(survivors[0].client, table, after, timeout=11) == []
    assert time.monotonic() - stopped < 12.5
    assert sum(node.swept(table) for node in survivors) == 5


def test_kill_9_mid_load_loses_no_acknowledged_write_and_the_ttl_duty_moves(cluster_nodes):
    nodes = cluster_nodes
    ttl_table = _ttl_table(nodes[0].client)
    first = _expired_items(nodes[0].client, ttl_table, "before-", 10)
    assert _wait_gone(nodes[0].client, ttl_table, first, timeout=20) == []
    holders = [node for node in nodes if node.swept(ttl_table) > 0]
    assert len(holders) == 1, [node.swept(ttl_table) for node in nodes]
    victim = holders[0]
    survivors = [node for node in nodes if node is not victim]

    # Clients write through all three nodes; the TTL holder is killed mid-load.
    data = _create(nodes[0].client, _name("load"))
    acknowledged: list[dict] = []
    lock = threading.Lock()
    stop = threading.Event()
    unexpected: list[Exception] = []

    def writer(worker: int):
        rng = random.Random(worker)
        sequence = 0
        while not stop.is_set():
            node = nodes[rng.randrange(3)]
            item = {"pk": {"S": f"w{worker}"}, "sk": {"N": str(sequence)}, "v": {"S": uuid.uuid4().hex}}
            sequence += 1
            try:
                node.client.put_item(TableName=data, Item=item)
            except ClientError as error:
                # A node whose database connection broke mid-request answers a 500; never acknowledged.
                if error.response["ResponseMetadata"]["HTTPStatusCode"] < 500:
                    unexpected.append(error)
                continue
            except Exception:  # the killed node: connection refused or reset, never acknowledged
                continue
            with lock:
                acknowledged.append(item)

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    with lock:
        before_kill = len(acknowledged)
    victim.kill()
    killed_at = time.monotonic()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    assert unexpected == []
    assert before_kill > 0
    assert len(acknowledged) > before_kill  # the survivors kept serving after the kill

    # Every acknowledged write is there, read back through a survivor.
    reader = survivors[0].client
    missing = []
    for start in range(0, len(acknowledged), 100):
        batch = acknowledged[start:start + 100]
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in batch]
        found = {}
        request = {data: {"Keys": keys, "ConsistentRead": True}}
        while request:
            response = reader.batch_get_item(RequestItems=request)
            for item in response["Responses"].get(data, []):
                found[(item["pk"]["S"], item["sk"]["N"])] = item
            request = response.get("UnprocessedKeys") or {}
        missing += [item for item in batch if found.get((item["pk"]["S"], item["sk"]["N"])) != item]
    assert missing == [], f"{len(missing)} of {len(acknowledged)} acknowledged writes lost"
    print(f"acknowledged writes: {before_kill} before the kill, {len(acknowledged)} in all, every one read back")

    # The TTL duty passed to a survivor: items expired after the kill are deleted.
    after = _expired_items(survivors[1].client, ttl_table, "after-", 10)
    assert _wait_gone(survivors[1].client, ttl_table, after, timeout=LEASE_TTL_MS / 1000 + 20) == []
    assert time.monotonic() - killed_at < LEASE_TTL_MS / 1000 + 25
    assert sum(node.swept(ttl_table) for node in survivors) == 10


def test_colliding_transactions_through_several_nodes_are_canceled_at_once(cluster_nodes):
    """Transfers between four accounts through all three nodes: a call colliding with an ongoing
    one is canceled with a TransactionConflict reason (its items are locked up front in key
    order without waiting, so two calls never deadlock), and the total never changes."""
    nodes = [node.client for node in cluster_nodes]
    name = _create(nodes[0], _name("bank"))
    accounts = [{"pk": {"S": "acct"}, "sk": {"N": str(i)}} for i in range(4)]
    for account in accounts:
        nodes[0].put_item(TableName=name, Item={**account, "bal": {"N": "100"}})
    outcomes = {"ok": 0, "conflict": 0, "condition": 0}
    slowest = [0.0]
    lock = threading.Lock()
    errors = []

    def transfer(worker: int):
        client = nodes[worker % 3]
        rng = random.Random(worker)
        try:
            for _ in range(20):
                source, target = rng.sample(accounts, 2)
                amount = {":x": {"N": str(rng.randint(1, 40))}}
                started = time.monotonic()
                try:
                    client.transact_write_items(TransactItems=[
                        {"Update": {"TableName": name, "Key": source, "UpdateExpression": "SET bal = bal - :x",
                                    "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": amount}},
                        {"Update": {"TableName": name, "Key": target, "UpdateExpression": "SET bal = bal + :x",
                                    "ExpressionAttributeValues": amount}},
                    ])
                    outcome = "ok"
                except ClientError as error:
                    # https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
                    # (TransactionCanceledException; an ongoing transaction: TransactionConflict).
                    assert _code(error) == "TransactionCanceledException", error.response
                    codes = [reason["Code"] for reason in error.response["CancellationReasons"]]
                    if "TransactionConflict" in codes:
                        outcome = "conflict"
                        conflict = error.response["CancellationReasons"][codes.index("TransactionConflict")]
                        assert conflict["Message"] == "Transaction is ongoing for the item"
                        assert error.response["Error"]["Message"] == (
                            "Transaction cancelled, please refer cancellation reasons for specific reasons "
                            f"[{', '.join(codes)}]")
                    else:
                        assert codes == ["ConditionalCheckFailed", "None"], codes
                        outcome = "condition"
                with lock:
                    outcomes[outcome] += 1
                    slowest[0] = max(slowest[0], time.monotonic() - started)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=transfer, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(outcomes.values()) == 160
    assert outcomes["ok"] > 0
    balances = [int(nodes[1].get_item(TableName=name, Key=account, ConsistentRead=True)["Item"]["bal"]["N"])
                for account in accounts]
    assert sum(balances) == 400 and min(balances) >= 0, balances
    print(f"transfers: {outcomes}, slowest call {slowest[0]:.3f} s")
