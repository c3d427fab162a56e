"""DynamoDB Streams: answers to starting points that do not exist and to GetShardIterator
parameters that do not fit together.

Source for the error types (and the empty page): scylladb test/alternator/test_streams.py
(test_list_streams_with_nonexistent_last_stream, test_describe_stream_with_nonexistent_last_shard,
test_get_shard_iterator, test_get_shard_iterator_for_nonexistent_shard), which runs against
DynamoDB. "Invalid StreamArn" is DynamoDB's text for an ARN it cannot read, as a user quotes it
from the service in amazon-archives/logstash-input-dynamodb#18. The text for a SequenceNumber
given with TRIM_HORIZON or LATEST is not recorded anywhere we found; those tests check the type.
"""

from __future__ import annotations

import pytest

from conftest import assert_error, unique_name
from streams_support import clients

BOGUS_ARN = "kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas"


@pytest.fixture
def streamed(client, endpoint):
    streams = clients(endpoint)[1]
    name = unique_name("svalid")
    client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    yield streams, name, arn, shard
    client.delete_table(TableName=name)


def test_list_streams_with_a_start_that_is_no_stream_arn(streamed):
    streams, name, _, _ = streamed
    with pytest.raises(Exception) as e:
        streams.list_streams(TableName=name, ExclusiveStartStreamArn=BOGUS_ARN)
    assert_error(e, "ValidationException", "Invalid StreamArn")


def test_list_streams_after_a_stream_that_is_gone(streamed):
    streams, name, arn, _ = streamed
    gone = arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    # A well-formed ARN of no stream is a position, not an error: the table's stream sorts after it.
    assert [s["StreamArn"] for s in streams.list_streams(TableName=name, ExclusiveStartStreamArn=gone)["Streams"]] == [arn]
    assert streams.list_streams(TableName=name, ExclusiveStartStreamArn=arn)["Streams"] == []


def test_describe_stream_after_a_shard_that_does_not_exist(streamed):
    streams, _, arn, _ = streamed
    answer = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId="zzzzzzzzzzzzzzzzzzzzzzzzsfasdgagadfadfgagkjsdfsfsdjfjks")
    assert answer["StreamDescription"]["Shards"] == []
    assert "LastEvaluatedShardId" not in answer["StreamDescription"]


@pytest.mark.parametrize("kind", ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"])
def test_sequence_number_required(streamed, kind):
    streams, _, arn, shard = streamed
    with pytest.raises(Exception) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind)
    assert_error(e, "ValidationException", None)


@pytest.mark.parametrize("kind", ["TRIM_HORIZON", "LATEST"])
def test_sequence_number_not_allowed(streamed, kind):
    streams, _, arn, shard = streamed
    with pytest.raises(Exception) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind,
                                   SequenceNumber=shard["SequenceNumberRange"]["StartingSequenceNumber"])
    assert_error(e, "ValidationException", None)


def test_malformed_sequence_number(streamed):
    streams, _, arn, shard = streamed
    with pytest.raises(Exception) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                   SequenceNumber="sdfsafglldfngjdafnasdflgnaldklk")
    assert_error(e, "ValidationException", None)


def test_iterator_of_a_stream_arn_that_is_no_arn(streamed):
    streams, _, _, shard = streamed
    with pytest.raises(Exception) as e:
        streams.get_shard_iterator(StreamArn="sdfadfsddafgdafsgjnadflkgnalngalsdfnlkasnlkasdfasdfasf",
                                   ShardId=shard["ShardId"], ShardIteratorType="LATEST")
    assert_error(e, "ValidationException", "Invalid StreamArn")


def test_iterator_of_a_shard_that_does_not_exist(streamed):
    streams, _, arn, _ = streamed
    with pytest.raises(Exception) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId="adfasdasdasdasdasdasdasdasdasasdasd", ShardIteratorType="LATEST")
    assert_error(e, "ResourceNotFoundException", None)


def test_unknown_iterator_type(streamed):
    streams, _, arn, shard = streamed
    with pytest.raises(Exception) as e:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="bulle")
    assert_error(e, "ValidationException", None)
    assert e.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'bulle' at 'shardIteratorType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [")
