"""DynamoDB Streams on kvserver-postgres (issue #18): three kvservers over one PostgreSQL
database, writes going through all three, stream consumers (boto3 `dynamodbstreams`) reading
through all three.

The nodes roll their shards over every second (`--stream-shard-rollover 1`), so a consumer
must follow the shard lineage (a parent read to its end before its child, as the DynamoDB
Streams developer guide asks of a consumer: "process a parent shard before its child shard").
Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
(shards, lineage, 24-hour retention), the DynamoDB Streams API reference (DescribeStream,
GetShardIterator, GetRecords).
"""

from __future__ import annotations

import random
import threading
import time
import uuid

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import REGION, _ServerProcess
from postgres_support import fresh_storage, postgres_cluster  # noqa: F401 (a fixture)
from test_postgres_backend import _client, postgres_server_binary, running_nodes


def _streams_client(url: str):
    return boto3.session.Session(
        aws_access_key_id="AKIDPOSTGRESTEST", aws_secret_access_key="secret", region_name=REGION,
    ).client("dynamodbstreams", endpoint_url=url, config=botocore.config.Config(
        region_name=REGION, retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60))


@pytest.fixture(scope="module")
def cluster(postgres_cluster):  # noqa: F811 (the fixture)
    """Three kvservers over one database, rolling stream shards over every second."""
    with running_nodes(postgres_cluster, "--stream-shard-rollover", "1") as urls:
        yield [_client(url) for url in urls], [_streams_client(url) for url in urls]


def _streamed_table(client, view="NEW_AND_OLD_IMAGES"):
    name = f"pgs-{uuid.uuid4().hex[:10]}"
    description = client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view})["TableDescription"]
    return name, description["LatestStreamArn"]


def _shards(streams, arn):
    shards = []
    start = None
    while True:
        page = streams.describe_stream(StreamArn=arn, **({"ExclusiveStartShardId": start} if start else {}))
        shards += page["StreamDescription"]["Shards"]
        start = page["StreamDescription"].get("LastEvaluatedShardId")
        if not start:
            return shards


class LineageConsumer:
    """Reads every shard of a stream from TRIM_HORIZON, a parent to its end before its
    children, each call through a random node; keeps what it read in reading order."""

    def __init__(self, streams_clients, arn):
        self.clients = streams_clients
        self.arn = arn
        self.iterators: dict[str, str | None] = {}
        self.parents: dict[str, str | None] = {}
        self.order: list[str] = []
        self.records: list[dict] = []

    def _any(self):
        return random.choice(self.clients)

    def poll(self) -> int:
        """One pass over the shards; returns how many records it read."""
        for shard in _shards(self._any(), self.arn):
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self._any().get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                self.parents[shard_id] = shard.get("ParentShardId")
                self.order.append(shard_id)
        read = 0
        for shard_id in self.order:
            iterator = self.iterators[shard_id]
            parent = self.parents[shard_id]
            if iterator is None or (parent in self.iterators and self.iterators[parent] is not None):
                continue  # finished, or its parent is not yet
            while iterator is not None:
                page = self._any().get_records(ShardIterator=iterator, Limit=50)
                self.records += page["Records"]
                read += len(page["Records"])
                iterator = page.get("NextShardIterator")
                if not page["Records"]:
                    break
            self.iterators[shard_id] = iterator
        return read


def test_stream_of_a_table_is_read_through_every_node(cluster):
    clients, streams = cluster
    name, arn = _streamed_table(clients[0], "NEW_IMAGE")
    # A stream created on node 0 is listed and described by the others.
    for streams_client in streams:
        listed = streams_client.list_streams(TableName=name)["Streams"]
        assert [s["StreamArn"] for s in listed] == [arn]
    clients[1].put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    clients[2].put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "2"}})
    open_shard = _shards(streams[2], arn)[-1]
    latest = streams[0].get_shard_iterator(
        StreamArn=arn, ShardId=open_shard["ShardId"], ShardIteratorType="LATEST")["ShardIterator"]
    assert streams[1].get_records(ShardIterator=latest)["Records"] == []
    clients[0].delete_item(TableName=name, Key={"pk": {"S": "a"}})
    page = streams[2].get_records(ShardIterator=latest)
    # The write went to the shard LATEST was taken on, or (past the rollover) to its child.
    if page["Records"]:
        assert [r["eventName"] for r in page["Records"]] == ["REMOVE"]
        assert page["Records"][0]["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
        assert "OldImage" not in page["Records"][0]["dynamodb"]
    consumer = LineageConsumer(streams, arn)
    consumer.poll()
    assert [r["eventName"] for r in consumer.records] == ["INSERT", "MODIFY", "REMOVE"]
    assert [r["dynamodb"].get("NewImage") for r in consumer.records] == [
        {"pk": {"S": "a"}, "v": {"N": "1"}}, {"pk": {"S": "a"}, "v": {"N": "2"}}, None]
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in consumer.records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3

    # Disabling the stream on one node closes its shard for every node's readers.
    clients[1].update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in _shards(streams[0], arn))
    clients[2].put_item(TableName=name, Item={"pk": {"S": "b"}})
    assert consumer.poll() == 0
    assert all(iterator is None for iterator in consumer.iterators.values())
    clients[0].delete_table(TableName=name)


def test_consumer_reads_every_change_once_in_item_order_while_three_nodes_write(cluster):
    """Issue #18's multi-node stream test: several clients write (puts, updates, deletes) to
    shared items through all three nodes while a consumer follows the stream's shards through
    all three: every acknowledged change is read exactly once, each item's records in order,
    each old image the previous record's new image."""
    clients, streams = cluster
    name, arn = _streamed_table(clients[0])
    items = [f"item{i}" for i in range(8)]
    acknowledged_ops: set[str] = set()
    removed: dict[str, dict] = {}  # op id of the removed image -> the image DeleteItem returned
    lock = threading.Lock()
    errors: list[BaseException] = []

    def write(worker: int):
        try:
            client = clients[worker % 3]
            rng = random.Random(worker)
            for step in range(40):
                key = {"pk": {"S": rng.choice(items)}}
                op = f"w{worker}-{step}"
                choice = rng.random()
                if choice < 0.45:
                    client.put_item(TableName=name, Item={**key, "op": {"S": op}, "n": {"N": "0"}})
                    with lock:
                        acknowledged_ops.add(op)
                elif choice < 0.8:
                    client.update_item(TableName=name, Key=key, UpdateExpression="SET op = :op ADD n :one",
                                       ExpressionAttributeValues={":op": {"S": op}, ":one": {"N": "1"}})
                    with lock:
                        acknowledged_ops.add(op)
                else:
                    old = client.delete_item(TableName=name, Key=key, ReturnValues="ALL_OLD").get("Attributes")
                    if old is not None:
                        with lock:
                            removed[old["op"]["S"]] = old
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    consumer = LineageConsumer(streams, arn)
    writers = [threading.Thread(target=write, args=(worker,)) for worker in range(6)]
    for thread in writers:
        thread.start()
    while any(thread.is_alive() for thread in writers):
        consumer.poll()
        time.sleep(0.05)
    for thread in writers:
        thread.join()
    assert not errors, errors
    expected = len(acknowledged_ops) + len(removed)
    deadline = time.time() + 60
    while len(consumer.records) < expected and time.time() < deadline:
        consumer.poll()
        time.sleep(0.1)
    time.sleep(1.5)  # past a rollover: nothing more may come
    consumer.poll()

    records = consumer.records
    assert len(consumer.order) >= 2, "the writes spanned at least one shard rollover"
    new_ops = [r["dynamodb"]["NewImage"]["op"]["S"] for r in records if r["eventName"] != "REMOVE"]
    assert len(new_ops) == len(set(new_ops)), "a change was read twice"
    assert set(new_ops) == acknowledged_ops, "every acknowledged put and update is read"
    removals = [r["dynamodb"]["OldImage"] for r in records if r["eventName"] == "REMOVE"]
    assert sorted(image["op"]["S"] for image in removals) == sorted(removed)
    for image in removals:
        assert image == removed[image["op"]["S"]]
    assert len(records) == expected

    # Per item: one chain, in reading order; its end is the item as stored.
    current: dict[str, dict | None] = {}
    for record in records:
        change = record["dynamodb"]
        key = change["Keys"]["pk"]["S"]
        assert change.get("OldImage") == current.get(key), f"{key}: a record out of order"
        assert record["eventName"] == ("INSERT" if current.get(key) is None else
                                       ("REMOVE" if "NewImage" not in change else "MODIFY"))
        current[key] = change.get("NewImage")
    for key in items:
        stored = clients[1].get_item(TableName=name, Key={"pk": {"S": key}}, ConsistentRead=True).get("Item")
        assert stored == current.get(key)

    # Sequence numbers increase in reading order: along each shard and from a parent into its
    # child (whose range starts after the parent's ends).
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    shards = {s["ShardId"]: s for s in _shards(streams[0], arn)}
    for shard in shards.values():
        parent = shard.get("ParentShardId")
        if parent in shards:
            assert int(shard["SequenceNumberRange"]["StartingSequenceNumber"]) > int(
                shards[parent]["SequenceNumberRange"]["EndingSequenceNumber"])
    clients[0].delete_table(TableName=name)
    with pytest.raises(ClientError) as gone:
        streams[1].describe_stream(StreamArn=arn)
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_drained_disabled_stream_is_forgotten_without_undoing_another_nodes_update(postgres_cluster):  # noqa: F811
    """Past retention, each node's maintenance drops a disabled stream whose shards are gone
    from the table's definition. A node whose cached definition is older than another node's
    UpdateTable must drop it from the stored definition, keeping that update (here a GSI)."""
    # A database of its own: the module's cluster nodes hold the stream-trimming lease of theirs.
    storage = fresh_storage(postgres_cluster)
    flags = ("--stream-retention", "1", "--ttl-interval", "0.1")
    servers = [_ServerProcess(postgres_server_binary(), ("--storage", storage, *flags)) for _ in range(2)]
    try:
        first, second = (_client(server.start()) for server in servers)
        name, arn = _streamed_table(first)
        first.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        second.describe_table(TableName=name)  # the second node caches the table: stream disabled, no index
        first.update_table(
            TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}}])
        deadline = time.time() + 20
        while time.time() < deadline and first.describe_table(TableName=name)["Table"].get("LatestStreamArn"):
            time.sleep(0.2)
        table = first.describe_table(TableName=name)["Table"]
        assert "LatestStreamArn" not in table, "the drained stream is forgotten"
        assert [index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])] == ["byG"]
        time.sleep(1)  # both nodes' maintenance ran again
        table = second.describe_table(TableName=name)["Table"]
        assert [index["IndexName"] for index in table.get("GlobalSecondaryIndexes", [])] == ["byG"]
    finally:
        for server in servers:
            server.stop()


def test_records_past_retention_are_trimmed(postgres_cluster):  # noqa: F811
    """24-hour retention (here 1 s): trimmed records are gone from GetRecords, and an iterator at
    a trimmed number is TrimmedDataAccessException, as on SQLite (test_streams.py).
    https://docs.aws.amazon.com/amazondynamodbstreams/latest/APIReference/API_GetShardIterator.html"""
    # A database of its own: the module's cluster nodes hold the stream-trimming lease of theirs.
    storage = fresh_storage(postgres_cluster)
    server = _ServerProcess(postgres_server_binary(), ("--storage", storage, "--stream-retention", "1", "--ttl-interval", "0.1"))
    try:
        url = server.start()
        client, streams = _client(url), _streams_client(url)
        name, arn = _streamed_table(client, "KEYS_ONLY")
        client.put_item(TableName=name, Item={"pk": {"S": "old"}})
        consumer = LineageConsumer([streams], arn)
        consumer.poll()
        assert [r["dynamodb"]["Keys"] for r in consumer.records] == [{"pk": {"S": "old"}}]
        number = consumer.records[0]["dynamodb"]["SequenceNumber"]
        shard = _shards(streams, arn)[0]["ShardId"]
        time.sleep(2.5)
        assert LineageConsumer([streams], arn).poll() == 0
        with pytest.raises(ClientError) as trimmed:
            streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       SequenceNumber=number)
        assert trimmed.value.response["Error"]["Code"] == "TrimmedDataAccessException"
        client.put_item(TableName=name, Item={"pk": {"S": "new"}})
        fresh = LineageConsumer([streams], arn)
        fresh.poll()
        assert [r["dynamodb"]["Keys"] for r in fresh.records] == [{"pk": {"S": "new"}}]
        assert int(fresh.records[0]["dynamodb"]["SequenceNumber"]) > int(number)
    finally:
        server.stop()
