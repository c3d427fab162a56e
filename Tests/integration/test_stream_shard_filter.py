"""DescribeStream ShardFilter CHILD_SHARDS.

Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_DescribeStream.html
and API_streams_ShardFilter.html: with `ShardFilter {"Type": "CHILD_SHARDS", "ShardId": id}`
DescribeStream lists the shards whose parent is `id`; Type's only value is CHILD_SHARDS and
ShardId is 28 to 65 characters (the shape texts are DynamoDB's validation format).
"""

import time

import pytest

from conftest import assert_error
from streams_support import clients
from test_streams import create_streamed


def test_child_shards_of_a_shard(own_server):
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
        answer = streams.describe_stream(
            StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": parent["ShardId"]})["StreamDescription"]
        assert [s["ShardId"] for s in answer["Shards"]] == [child["ShardId"]]
        assert "LastEvaluatedShardId" not in answer
    newest = shards[-1]["ShardId"]
    answer = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": newest})
    assert answer["StreamDescription"]["Shards"] == []


def test_shard_filter_validation(own_server):
    url, _ = own_server("--in-memory")
    client, streams = clients(url)
    _, description = create_streamed(client, "KEYS_ONLY")
    arn = description["LatestStreamArn"]
    with pytest.raises(Exception) as e:
        streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "PARENT_SHARDS", "ShardId": "x" * 30})
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'PARENT_SHARDS' at 'shardFilter.type' failed to satisfy "
                 "constraint: Member must satisfy enum value set: [CHILD_SHARDS]")
    with pytest.raises(Exception) as e:
        streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": "short"})
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value 'short' at 'shardFilter.shardId' failed to satisfy "
                 "constraint: Member must have length greater than or equal to 28")
