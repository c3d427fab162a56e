"""DynamoDB Streams: StreamSpecification, the Streams API, records and shards.

Sources: DynamoDB Streams API reference (ListStreams, DescribeStream, GetShardIterator,
GetRecords, StreamRecord, Record), developer guide "Change data capture for DynamoDB Streams";
UpdateTable stream error texts as captured from DynamoDB in a public error catalogue
("Table already has an enabled stream: TableName: <t>", "Table has no stream to disable: TableName: <t>").
"""

from __future__ import annotations

import threading
import time

import pytest

from conftest import assert_error, unique_name
from streams_support import clients, read_all


def create_streamed(client, view="NEW_AND_OLD_IMAGES", name=None, range_key=False):
    name = name or unique_name("streams")
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
    description = client.create_table(
        TableName=name, KeySchema=keys, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view})["TableDescription"]
    return name, description


@pytest.fixture
def streams_client(boto_session, endpoint):
    return clients(endpoint)[1]


@pytest.mark.parametrize("view", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_every_view_type_and_event(client, streams_client, view):
    name, description = create_streamed(client, view)
    try:
        assert description["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": view}
        arn = description["LatestStreamArn"]
        assert arn.endswith("/stream/" + description["LatestStreamLabel"])
        client.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
        client.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "2"}})
        client.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "2"}})  # no change: no record
        client.delete_item(TableName=name, Key={"pk": {"S": "a"}})
        client.delete_item(TableName=name, Key={"pk": {"S": "a"}})  # nothing to delete: no record
        records = read_all(streams_client, arn)
        assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
        for record in records:
            assert record["eventSource"] == "aws:dynamodb"
            assert record["eventVersion"] == "1.1"
            assert record["awsRegion"] == "us-east-1"
            assert record["eventID"]
            assert "userIdentity" not in record
            change = record["dynamodb"]
            assert change["Keys"] == {"pk": {"S": "a"}}
            assert change["StreamViewType"] == view
            assert change["SizeBytes"] > 0
            assert change["SequenceNumber"].isdigit()
            assert "ApproximateCreationDateTime" in change
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
        assert numbers == sorted(numbers) and len(set(numbers)) == 3
        insert, modify, remove = (r["dynamodb"] for r in records)
        new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
        old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
        assert ("NewImage" in insert) == new and ("OldImage" not in insert)
        assert ("NewImage" in modify) == new and ("OldImage" in modify) == old
        assert ("NewImage" not in remove) and ("OldImage" in remove) == old
        if new:
            assert modify["NewImage"] == {"pk": {"S": "a"}, "v": {"N": "2"}}
        if old:
            assert modify["OldImage"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    finally:
        client.delete_table(TableName=name)


def test_update_item_records_and_describe_stream(client, streams_client):
    name, description = create_streamed(client, "NEW_IMAGE", range_key=True)
    try:
        arn = description["LatestStreamArn"]
        client.update_item(TableName=name, Key={"pk": {"S": "k"}, "sk": {"N": "1"}},
                           UpdateExpression="SET c = :one", ExpressionAttributeValues={":one": {"N": "1"}})
        client.update_item(TableName=name, Key={"pk": {"S": "k"}, "sk": {"N": "1"}},
                           UpdateExpression="ADD c :one", ExpressionAttributeValues={":one": {"N": "1"}})
        stream = streams_client.describe_stream(StreamArn=arn)["StreamDescription"]
        assert stream["StreamStatus"] == "ENABLED"
        assert stream["StreamViewType"] == "NEW_IMAGE"
        assert stream["TableName"] == name
        assert stream["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                       {"AttributeName": "sk", "KeyType": "RANGE"}]
        assert len(stream["Shards"]) == 1
        shard = stream["Shards"][0]
        assert shard["ShardId"].startswith("shardId-")
        assert "StartingSequenceNumber" in shard["SequenceNumberRange"]
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
        records = read_all(streams_client, arn)
        assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
        assert records[1]["dynamodb"]["NewImage"]["c"] == {"N": "2"}
    finally:
        client.delete_table(TableName=name)


def test_list_streams_filters_and_paginates(client, streams_client):
    names = [create_streamed(client)[0] for _ in range(3)]
    try:
        listed = streams_client.list_streams(TableName=names[0])["Streams"]
        assert [s["TableName"] for s in listed] == [names[0]]
        seen, start = [], None
        while True:
            kwargs = {"Limit": 1}
            if start:
                kwargs["ExclusiveStartStreamArn"] = start
            page = streams_client.list_streams(**kwargs)
            seen += [s["StreamArn"] for s in page["Streams"]]
            start = page.get("LastEvaluatedStreamArn")
            if not start:
                break
        assert len(seen) == len(set(seen))
        for name in names:
            assert any(f"table/{name}/stream/" in arn for arn in seen)
    finally:
        for name in names:
            client.delete_table(TableName=name)


def test_iterator_types(client, streams_client):
    name, description = create_streamed(client, "KEYS_ONLY")
    try:
        arn = description["LatestStreamArn"]
        for index in range(5):
            client.put_item(TableName=name, Item={"pk": {"S": f"k{index}"}})
        shard = streams_client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        everything = read_all(streams_client, arn)
        third = everything[2]["dynamodb"]["SequenceNumber"]

        def read(kind, **extra):
            iterator = streams_client.get_shard_iterator(
                StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra)["ShardIterator"]
            return streams_client.get_records(ShardIterator=iterator)

        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read("AT_SEQUENCE_NUMBER", SequenceNumber=third)["Records"]] \
            == ["k2", "k3", "k4"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read("AFTER_SEQUENCE_NUMBER", SequenceNumber=third)["Records"]] \
            == ["k3", "k4"]
        latest = read("LATEST")
        assert latest["Records"] == [] and latest["NextShardIterator"]
        client.put_item(TableName=name, Item={"pk": {"S": "k5"}})
        after = streams_client.get_records(ShardIterator=latest["NextShardIterator"])
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in after["Records"]] == ["k5"]
        iterator = streams_client.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        first = streams_client.get_records(ShardIterator=iterator, Limit=2)
        assert len(first["Records"]) == 2
        second = streams_client.get_records(ShardIterator=first["NextShardIterator"], Limit=1000)
        assert len(second["Records"]) == 4
    finally:
        client.delete_table(TableName=name)


def test_disable_and_reenable_makes_a_new_stream(client, streams_client):
    name, description = create_streamed(client, "NEW_IMAGE")
    try:
        first_arn = description["LatestStreamArn"]
        client.put_item(TableName=name, Item={"pk": {"S": "before"}})
        with pytest.raises(Exception) as error:
            client.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        assert_error(error, "ValidationException", f"Table already has an enabled stream: TableName: {name}")
        client.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        table = client.describe_table(TableName=name)["Table"]
        assert "StreamSpecification" not in table
        assert table["LatestStreamArn"] == first_arn
        with pytest.raises(Exception) as error:
            client.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        assert_error(error, "ValidationException", f"Table has no stream to disable: TableName: {name}")
        client.put_item(TableName=name, Item={"pk": {"S": "while-disabled"}})
        time.sleep(0.01)
        client.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        second_arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        assert second_arn != first_arn
        client.put_item(TableName=name, Item={"pk": {"S": "after"}})
        old = streams_client.describe_stream(StreamArn=first_arn)["StreamDescription"]
        assert old["StreamStatus"] == "DISABLED"
        assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in old["Shards"])
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(streams_client, first_arn)] == ["before"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(streams_client, second_arn)] == ["after"]
        # A drained closed shard ends the iteration: no NextShardIterator.
        shard = old["Shards"][0]["ShardId"]
        iterator = streams_client.get_shard_iterator(
            StreamArn=first_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        page = streams_client.get_records(ShardIterator=iterator)
        assert len(page["Records"]) == 1 and "NextShardIterator" not in page
    finally:
        client.delete_table(TableName=name)


def test_stream_validation_errors(client, streams_client):
    with pytest.raises(Exception) as error:
        client.create_table(
            TableName=unique_name("streams"), KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True})
    assert_error(error, "ValidationException",
                 "One or more parameter values were invalid: Table is being created with a stream enabled, "
                 "UpdateViewType is required")
    with pytest.raises(Exception) as error:
        streams_client.get_records(ShardIterator="not-an-iterator")
    assert_error(error, "ValidationException", None)
    with pytest.raises(Exception) as error:
        streams_client.describe_stream(
            StreamArn="arn:aws:dynamodb:us-east-1:000000000000:table/missing-table/stream/2024-01-01T00:00:00.000")
    assert_error(error, "ResourceNotFoundException", None)
    with pytest.raises(Exception) as error:
        streams_client.get_shard_iterator(
            StreamArn="arn:aws:dynamodb:us-east-1:000000000000:table/x/stream/y", ShardId="shardId-1",
            ShardIteratorType="SIDEWAYS")
    assert_error(error, "ValidationException", None)


def test_concurrent_writers_every_change_once_in_item_order(client, streams_client):
    name, description = create_streamed(client, "NEW_IMAGE")
    try:
        arn = description["LatestStreamArn"]
        writers, updates = 6, 40

        def write(worker):
            own = clients(client.meta.endpoint_url)[0]
            for version in range(updates):
                own.put_item(TableName=name, Item={"pk": {"S": f"item-{worker}"}, "version": {"N": str(version)}})

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        records = read_all(streams_client, arn)
        assert len(records) == writers * updates
        for worker in range(writers):
            versions = [int(r["dynamodb"]["NewImage"]["version"]["N"]) for r in records
                        if r["dynamodb"]["Keys"]["pk"]["S"] == f"item-{worker}"]
            assert versions == list(range(updates))
    finally:
        client.delete_table(TableName=name)


def test_restart_continues_from_last_sequence_number(own_server, tmp_path):
    url, server = own_server("--data-dir", str(tmp_path))
    client, streams = clients(url)
    name, description = create_streamed(client, "KEYS_ONLY")
    arn = description["LatestStreamArn"]
    for index in range(3):
        client.put_item(TableName=name, Item={"pk": {"S": f"k{index}"}})
    seen = read_all(streams, arn)
    last = seen[-1]["dynamodb"]["SequenceNumber"]
    server.stop()
    url, server = own_server("--data-dir", str(tmp_path))
    client, streams = clients(url)
    client.put_item(TableName=name, Item={"pk": {"S": "k3"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=last)["ShardIterator"]
    rest = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in rest] == ["k3"]
    assert int(rest[0]["dynamodb"]["SequenceNumber"]) > int(last)


def test_iterators_expire_and_records_are_trimmed(own_server):
    url, _ = own_server("--in-memory", "--stream-iterator-lifetime", "0.5", "--stream-retention", "1",
                        "--ttl-interval", "0.1")
    client, streams = clients(url)
    name, description = create_streamed(client, "KEYS_ONLY")
    arn = description["LatestStreamArn"]
    client.put_item(TableName=name, Item={"pk": {"S": "old"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = read_all(streams, arn)
    time.sleep(0.8)
    with pytest.raises(Exception) as error:
        streams.get_records(ShardIterator=iterator)
    assert_error(error, "ExpiredIteratorException", None)
    time.sleep(1.5)  # past retention: the record is trimmed
    assert read_all(streams, arn) == []
    with pytest.raises(Exception) as error:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                   SequenceNumber=first[0]["dynamodb"]["SequenceNumber"])
    assert_error(error, "TrimmedDataAccessException", None)


def test_shards_roll_over_with_lineage(own_server):
    url, _ = own_server("--in-memory", "--stream-shard-rollover", "0.3")
    client, streams = clients(url)
    name, description = create_streamed(client, "KEYS_ONLY")
    arn = description["LatestStreamArn"]
    for index in range(3):
        client.put_item(TableName=name, Item={"pk": {"S": f"k{index}"}})
        time.sleep(0.4)
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) >= 3
    for parent, child in zip(shards, shards[1:]):
        assert child["ParentShardId"] == parent["ShardId"]
        assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(streams, arn)] == ["k0", "k1", "k2"]
