"""Helpers for reading a table's change stream with boto3's dynamodbstreams client."""

from __future__ import annotations

import boto3
import botocore.config


def clients(endpoint: str):
    session = boto3.session.Session(
        aws_access_key_id="AKIAKVSERVERTEST0001", aws_secret_access_key="secret", region_name="us-east-1")
    config = botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False)
    return (session.client("dynamodb", endpoint_url=endpoint, config=config),
            session.client("dynamodbstreams", endpoint_url=endpoint, config=config))


def read_all(streams, stream_arn: str, iterator_type: str = "TRIM_HORIZON") -> list[dict]:
    """Every record currently in every shard of the stream, in shard order then sequence order."""
    records: list[dict] = []
    shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType=iterator_type)["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            records += page["Records"]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return records
