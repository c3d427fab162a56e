"""Time to live: UpdateTimeToLive / DescribeTimeToLive and the expiry sweeper.

Sources: API reference UpdateTimeToLive, DescribeTimeToLive; developer guide "Time to Live (TTL)"
(Number attribute of epoch seconds, items more than five years past are not deleted, expired items
stay readable until deleted, TTL deletions appear in streams with userIdentity Service /
dynamodb.amazonaws.com); texts as captured from DynamoDB in a public error catalogue
("TimeToLive is already enabled", "TimeToLive is already disabled",
"TimeToLive is active on a different AttributeName: current AttributeName is <a>").
"""

from __future__ import annotations

import time

import pytest

from conftest import assert_error, unique_name
from streams_support import clients, read_all


def make_table(client, *, stream=False, gsi=False):
    name = unique_name("ttl")
    params = dict(
        TableName=name, KeySchema=[{"AttributeName": "taskId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "taskId", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    if stream:
        params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if gsi:
        params["AttributeDefinitions"] += [{"AttributeName": "taskStatus", "AttributeType": "S"}]
        params["GlobalSecondaryIndexes"] = [{
            "IndexName": "by-status", "KeySchema": [{"AttributeName": "taskStatus", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    client.create_table(**params)
    return name


def test_update_and_describe(client):
    name = make_table(client)
    try:
        assert client.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
        answer = client.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        assert answer["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
        assert client.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
            "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
        with pytest.raises(Exception) as error:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        assert_error(error, "ValidationException", "TimeToLive is already enabled")
        with pytest.raises(Exception) as error:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "other"})
        assert_error(error, "ValidationException",
                     "TimeToLive is active on a different AttributeName: current AttributeName is expires")
        client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
        with pytest.raises(Exception) as error:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
        assert_error(error, "ValidationException", "TimeToLive is already disabled")
        with pytest.raises(Exception) as error:
            client.describe_time_to_live(TableName=unique_name("missing"))
        assert_error(error, "ResourceNotFoundException", None)
    finally:
        client.delete_table(TableName=name)


def test_sweeper_deletes_expired_items_only(own_server):
    url, _ = own_server("--in-memory", "--ttl-interval", "0.2")
    client, streams = clients(url)
    name = make_table(client, stream=True, gsi=True)
    now = int(time.time())
    # Items written before TTL is enabled are indexed when it is.
    client.put_item(TableName=name, Item={"taskId": {"S": "early"}, "taskStatus": {"S": "PENDING"},
                                          "expires": {"N": str(now - 10)}})
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    items = {
        "expired": {"N": str(now - 60)},
        "expires-soon": {"N": str(now + 1)},
        "future": {"N": str(now + 3600)},
        "ancient": {"N": str(now - 6 * 365 * 24 * 3600)},  # more than five years ago: ignored
        "string-ttl": {"S": str(now - 60)},  # not a Number: ignored
        "fraction": {"N": f"{now - 30}.75"},
    }
    for key, ttl in items.items():
        client.put_item(TableName=name, Item={"taskId": {"S": key}, "taskStatus": {"S": "PENDING"}, "expires": ttl})
    client.put_item(TableName=name, Item={"taskId": {"S": "no-ttl"}, "taskStatus": {"S": "PENDING"}})
    deadline = time.time() + 10
    remaining = None
    while time.time() < deadline:
        remaining = sorted(i["taskId"]["S"] for i in client.scan(TableName=name)["Items"])
        if remaining == ["ancient", "future", "no-ttl", "string-ttl"]:
            break
        time.sleep(0.2)
    assert remaining == ["ancient", "future", "no-ttl", "string-ttl"]
    indexed = client.query(TableName=name, IndexName="by-status", KeyConditionExpression="taskStatus = :s",
                           ExpressionAttributeValues={":s": {"S": "PENDING"}})["Items"]
    assert sorted(i["taskId"]["S"] for i in indexed) == remaining
    arn = client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    removals = [r for r in read_all(streams, arn) if r["eventName"] == "REMOVE"]
    assert sorted(r["dynamodb"]["Keys"]["taskId"]["S"] for r in removals) == [
        "early", "expired", "expires-soon", "fraction"]
    for record in removals:
        assert record["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
        assert "OldImage" in record["dynamodb"]
    # A user delete carries no userIdentity.
    client.delete_item(TableName=name, Key={"taskId": {"S": "future"}})
    last = read_all(streams, arn)[-1]
    assert last["eventName"] == "REMOVE" and "userIdentity" not in last


def test_expired_items_are_readable_until_swept(own_server):
    url, _ = own_server("--in-memory", "--ttl-interval", "3600")
    client, _ = clients(url)
    name = make_table(client)
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    client.put_item(TableName=name, Item={"taskId": {"S": "late"}, "expires": {"N": "1"}})
    time.sleep(0.3)
    assert client.get_item(TableName=name, Key={"taskId": {"S": "late"}}).get("Item")
