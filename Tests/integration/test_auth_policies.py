"""IAM identity-policy enforcement with ``kvserver --auth FILE`` (issue 13).

Each identity of the auth file gets its own policies; every case calls the server with that
identity's keys through boto3 and checks what DynamoDB answers: success, or
``AccessDeniedException`` (HTTP 400) with IAM's exact texts:

* implicit deny: "User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no
  identity-based policy allows the ACTION action"
* explicit deny: "User: ARN is not authorized to perform: ACTION on resource: RESOURCE with an
  explicit deny in an identity-based policy"
  (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)

Actions and resources per operation:
https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
Transactions: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
LeadingKeys / Attributes / Select:
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from auth_support import start_auth_server
from conftest import assert_error

ACCOUNT = "111122223333"
REGION = "us-east-1"


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def table_arn(resource: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{resource}"


def allow(actions, resources, condition=None) -> dict:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(actions, resources) -> dict:
    return {"Effect": "Deny", "Action": actions, "Resource": resources}


def identity(name: str, *statements: dict) -> dict:
    return {
        "arn": user_arn(name),
        "keys": [{"accessKeyId": f"AKIA{name.upper():0<16}"[:20], "secretAccessKey": f"secret-of-{name}"}],
        "policies": [{"Version": "2012-10-17", "Statement": list(statements)}] if statements else [],
    }


ORDERS = "arn:aws:dynamodb:*:*:table/Orders"

IDENTITIES = [
    identity("admin", allow("dynamodb:*", "*")),
    # The example: only Query and UpdateItem on QueueTable and its indexes.
    identity("worker", allow(["dynamodb:Query", "dynamodb:UpdateItem"],
                             ["arn:aws:dynamodb:*:*:table/QueueTable", "arn:aws:dynamodb:*:*:table/QueueTable/index/*"])),
    # Everything, except deleting from Orders.
    identity("nodelete", allow("dynamodb:*", "*"), deny(["dynamodb:DeleteItem", "dynamodb:DeleteTable"], ORDERS)),
    # Batches on Orders only; PutItem everywhere (which does not cover BatchWriteItem).
    identity("batcher", allow(["dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"], ORDERS),
             allow("dynamodb:PutItem", "*")),
    # Transactional writes without ConditionCheckItem, reads via GetItem on Orders only.
    identity("txwriter", allow(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], "*"),
             allow("dynamodb:GetItem", ORDERS)),
    # Only the items whose partition key is the caller's user name.
    identity("alice", allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:BatchGetItem"], ORDERS,
                            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}})),
    # Only some attributes, and only when asking for specific attributes.
    identity("attrs", allow(["dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"], ORDERS,
                            {"ForAllValues:StringEquals": {"dynamodb:Attributes": ["customer", "order", "status", "amount"]},
                             "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"}})),
    # Stream reader for Orders only.
    identity("streamer", allow(["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"],
                               "arn:aws:dynamodb:*:*:table/Orders/stream/*"),
             allow("dynamodb:ListStreams", "*")),
    # Index queries only.
    identity("indexer", allow("dynamodb:Query", "arn:aws:dynamodb:*:*:table/Orders/index/ByStatus")),
    # No policies at all.
    identity("nobody"),
]


def keys_of(name: str) -> tuple[str, str]:
    entry = next(i for i in IDENTITIES if i["arn"] == user_arn(name))
    return entry["keys"][0]["accessKeyId"], entry["keys"][0]["secretAccessKey"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = start_auth_server(tmp_path_factory.mktemp("auth-policies"), {"identities": IDENTITIES})
    try:
        admin = srv.client(*keys_of("admin"))
        admin.create_table(
            TableName="Orders",
            KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"}, {"AttributeName": "order", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                  {"AttributeName": "order", "AttributeType": "S"},
                                  {"AttributeName": "status", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "ByStatus", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            BillingMode="PAY_PER_REQUEST")
        admin.create_table(
            TableName="QueueTable",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "state", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "ByState", "KeySchema": [{"AttributeName": "state", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PAY_PER_REQUEST")
        admin.create_table(
            TableName="Users",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
            BillingMode="PAY_PER_REQUEST")
        for table in ("Orders", "QueueTable", "Users"):
            admin.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        for customer in ("alice", "bob"):
            for order in ("1", "2"):
                admin.put_item(TableName="Orders", Item={
                    "customer": {"S": customer}, "order": {"S": order}, "status": {"S": "OPEN"},
                    "amount": {"N": "10"}, "cardNumber": {"S": "4111-SECRET"}})
        admin.put_item(TableName="QueueTable", Item={"id": {"S": "job-1"}, "state": {"S": "READY"}})
        admin.put_item(TableName="Users", Item={"id": {"S": "u1"}})
        yield srv
    finally:
        srv.stop()


def client(server, name: str, service: str = "dynamodb"):
    return server.client(*keys_of(name), service=service)


def expect_implicit(call, user: str, action: str, resource: str):
    with pytest.raises(ClientError) as excinfo:
        call()
    assert_error(excinfo, "AccessDeniedException",
                 f"User: {user_arn(user)} is not authorized to perform: {action} on resource: {resource} "
                 f"because no identity-based policy allows the {action} action")


def expect_explicit(call, user: str, action: str, resource: str):
    with pytest.raises(ClientError) as excinfo:
        call()
    assert_error(excinfo, "AccessDeniedException",
                 f"User: {user_arn(user)} is not authorized to perform: {action} on resource: {resource} "
                 f"with an explicit deny in an identity-based policy")


def test_access_denied_is_a_400_access_denied_exception(server):
    nobody = client(server, "nobody")
    with pytest.raises(ClientError) as excinfo:
        nobody.list_tables()
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"


def test_no_policies_denies_everything(server):
    nobody = client(server, "nobody")
    expect_implicit(lambda: nobody.list_tables(), "nobody", "dynamodb:ListTables", table_arn("*"))
    expect_implicit(lambda: nobody.describe_table(TableName="Orders"), "nobody", "dynamodb:DescribeTable", table_arn("Orders"))
    expect_implicit(lambda: nobody.get_item(TableName="Orders", Key={"customer": {"S": "a"}, "order": {"S": "1"}}),
                    "nobody", "dynamodb:GetItem", table_arn("Orders"))
    expect_implicit(lambda: nobody.describe_limits(), "nobody", "dynamodb:DescribeLimits", "*")


def test_example_policy_allows_only_its_actions_on_its_table(server):
    worker = client(server, "worker")
    page = worker.query(TableName="QueueTable", KeyConditionExpression="id = :id",
                        ExpressionAttributeValues={":id": {"S": "job-1"}})
    assert page["Count"] == 1
    page = worker.query(TableName="QueueTable", IndexName="ByState", KeyConditionExpression="#s = :s",
                        ExpressionAttributeNames={"#s": "state"}, ExpressionAttributeValues={":s": {"S": "READY"}})
    assert page["Count"] == 1
    worker.update_item(TableName="QueueTable", Key={"id": {"S": "job-1"}}, UpdateExpression="SET #s = :s",
                       ExpressionAttributeNames={"#s": "state"}, ExpressionAttributeValues={":s": {"S": "READY"}})
    expect_implicit(lambda: worker.put_item(TableName="QueueTable", Item={"id": {"S": "x"}}),
                    "worker", "dynamodb:PutItem", table_arn("QueueTable"))
    expect_implicit(lambda: worker.get_item(TableName="QueueTable", Key={"id": {"S": "job-1"}}),
                    "worker", "dynamodb:GetItem", table_arn("QueueTable"))
    expect_implicit(lambda: worker.query(TableName="Orders", KeyConditionExpression="customer = :c",
                                         ExpressionAttributeValues={":c": {"S": "alice"}}),
                    "worker", "dynamodb:Query", table_arn("Orders"))
    expect_implicit(lambda: worker.scan(TableName="QueueTable"), "worker", "dynamodb:Scan", table_arn("QueueTable"))
    expect_implicit(lambda: worker.delete_table(TableName="QueueTable"),
                    "worker", "dynamodb:DeleteTable", table_arn("QueueTable"))


def test_table_name_given_as_arn_is_checked_as_that_table(server):
    worker = client(server, "worker")
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/QueueTable"
    page = worker.query(TableName=arn, KeyConditionExpression="id = :id", ExpressionAttributeValues={":id": {"S": "job-1"}})
    assert page["Count"] == 1


def test_index_query_checked_against_the_index_arn(server):
    indexer = client(server, "indexer")
    page = indexer.query(TableName="Orders", IndexName="ByStatus", KeyConditionExpression="#s = :s",
                         ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "OPEN"}})
    assert page["Count"] >= 4
    expect_implicit(lambda: indexer.query(TableName="Orders", KeyConditionExpression="customer = :c",
                                          ExpressionAttributeValues={":c": {"S": "alice"}}),
                    "indexer", "dynamodb:Query", table_arn("Orders"))
    expect_implicit(lambda: indexer.scan(TableName="Orders", IndexName="ByStatus"),
                    "indexer", "dynamodb:Scan", table_arn("Orders/index/ByStatus"))


def test_explicit_deny_wins_over_allow(server):
    nodelete = client(server, "nodelete")
    key = {"customer": {"S": "bob"}, "order": {"S": "1"}}
    assert nodelete.get_item(TableName="Orders", Key=key)["Item"]["customer"] == {"S": "bob"}
    expect_explicit(lambda: nodelete.delete_item(TableName="Orders", Key=key),
                    "nodelete", "dynamodb:DeleteItem", table_arn("Orders"))
    expect_explicit(lambda: nodelete.delete_table(TableName="Orders"),
                    "nodelete", "dynamodb:DeleteTable", table_arn("Orders"))
    # The deny names only Orders: deleting elsewhere is allowed.
    nodelete.put_item(TableName="Users", Item={"id": {"S": "tmp"}})
    nodelete.delete_item(TableName="Users", Key={"id": {"S": "tmp"}})
    # And the item is still there.
    assert "Item" in client(server, "admin").get_item(TableName="Orders", Key=key)


def test_batches_are_checked_per_table(server):
    batcher = client(server, "batcher")
    got = batcher.batch_get_item(RequestItems={"Orders": {"Keys": [{"customer": {"S": "bob"}, "order": {"S": "1"}}]}})
    assert len(got["Responses"]["Orders"]) == 1
    batcher.batch_write_item(RequestItems={"Orders": [
        {"PutRequest": {"Item": {"customer": {"S": "carol"}, "order": {"S": "1"}, "status": {"S": "NEW"}}}}]})
    expect_implicit(lambda: batcher.batch_get_item(RequestItems={
        "Orders": {"Keys": [{"customer": {"S": "bob"}, "order": {"S": "1"}}]},
        "Users": {"Keys": [{"id": {"S": "u1"}}]}}),
        "batcher", "dynamodb:BatchGetItem", table_arn("Users"))
    # PutItem on Users does not grant BatchWriteItem there.
    expect_implicit(lambda: batcher.batch_write_item(RequestItems={
        "Users": [{"PutRequest": {"Item": {"id": {"S": "u9"}}}}]}),
        "batcher", "dynamodb:BatchWriteItem", table_arn("Users"))
    # A denied batch writes nothing, not even to the allowed table.
    with pytest.raises(ClientError):
        batcher.batch_write_item(RequestItems={
            "Orders": [{"PutRequest": {"Item": {"customer": {"S": "dave"}, "order": {"S": "1"}}}}],
            "Users": [{"PutRequest": {"Item": {"id": {"S": "u9"}}}}]})
    admin = client(server, "admin")
    assert "Item" not in admin.get_item(TableName="Orders", Key={"customer": {"S": "dave"}, "order": {"S": "1"}})


def test_transactions_need_each_item_action(server):
    tx = client(server, "txwriter")
    tx.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Users", "Item": {"id": {"S": "tx1"}}}},
        {"Update": {"TableName": "Orders", "Key": {"customer": {"S": "bob"}, "order": {"S": "2"}},
                    "UpdateExpression": "SET #s = :s", "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":s": {"S": "OPEN"}}}}])
    expect_implicit(lambda: tx.transact_write_items(TransactItems=[
        {"Put": {"TableName": "Users", "Item": {"id": {"S": "tx2"}}}},
        {"ConditionCheck": {"TableName": "Orders", "Key": {"customer": {"S": "bob"}, "order": {"S": "1"}},
                            "ConditionExpression": "attribute_exists(customer)"}}]),
        "txwriter", "dynamodb:ConditionCheckItem", table_arn("Orders"))
    assert "Item" not in client(server, "admin").get_item(TableName="Users", Key={"id": {"S": "tx2"}})
    got = tx.transact_get_items(TransactItems=[
        {"Get": {"TableName": "Orders", "Key": {"customer": {"S": "bob"}, "order": {"S": "1"}}}}])
    assert got["Responses"][0]["Item"]["customer"] == {"S": "bob"}
    expect_implicit(lambda: tx.transact_get_items(TransactItems=[
        {"Get": {"TableName": "Orders", "Key": {"customer": {"S": "bob"}, "order": {"S": "1"}}}},
        {"Get": {"TableName": "Users", "Key": {"id": {"S": "u1"}}}}]),
        "txwriter", "dynamodb:GetItem", table_arn("Users"))


def test_leading_keys_limit_items_to_the_callers_partition(server):
    alice = client(server, "alice")
    own = {"customer": {"S": "alice"}, "order": {"S": "1"}}
    other = {"customer": {"S": "bob"}, "order": {"S": "1"}}
    assert alice.get_item(TableName="Orders", Key=own)["Item"]["customer"] == {"S": "alice"}
    expect_implicit(lambda: alice.get_item(TableName="Orders", Key=other), "alice", "dynamodb:GetItem", table_arn("Orders"))
    alice.put_item(TableName="Orders", Item={"customer": {"S": "alice"}, "order": {"S": "3"}})
    expect_implicit(lambda: alice.put_item(TableName="Orders", Item={"customer": {"S": "bob"}, "order": {"S": "3"}}),
                    "alice", "dynamodb:PutItem", table_arn("Orders"))
    page = alice.query(TableName="Orders", KeyConditionExpression="customer = :c",
                       ExpressionAttributeValues={":c": {"S": "alice"}})
    assert {item["customer"]["S"] for item in page["Items"]} == {"alice"}
    expect_implicit(lambda: alice.query(TableName="Orders", KeyConditionExpression="customer = :c",
                                        ExpressionAttributeValues={":c": {"S": "bob"}}),
                    "alice", "dynamodb:Query", table_arn("Orders"))
    expect_implicit(lambda: alice.batch_get_item(RequestItems={"Orders": {"Keys": [own, other]}}),
                    "alice", "dynamodb:BatchGetItem", table_arn("Orders"))
    assert len(alice.batch_get_item(RequestItems={"Orders": {"Keys": [own]}})["Responses"]["Orders"]) == 1


def test_attributes_condition_limits_what_is_read_and_written(server):
    attrs = client(server, "attrs")
    key = {"customer": {"S": "bob"}, "order": {"S": "1"}}
    item = attrs.get_item(TableName="Orders", Key=key, ProjectionExpression="#s, amount",
                          ExpressionAttributeNames={"#s": "status"})["Item"]
    assert set(item) == {"status", "amount"}
    expect_implicit(lambda: attrs.get_item(TableName="Orders", Key=key, ProjectionExpression="amount, cardNumber"),
                    "attrs", "dynamodb:GetItem", table_arn("Orders"))
    # Without a projection the request asks for all attributes (Select ALL_ATTRIBUTES).
    expect_implicit(lambda: attrs.get_item(TableName="Orders", Key=key), "attrs", "dynamodb:GetItem", table_arn("Orders"))
    page = attrs.query(TableName="Orders", KeyConditionExpression="customer = :c", ProjectionExpression="amount",
                       ExpressionAttributeValues={":c": {"S": "bob"}})
    assert all(set(i) == {"amount"} for i in page["Items"])
    attrs.update_item(TableName="Orders", Key=key, UpdateExpression="SET #s = :s",
                      ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "OPEN"}})
    expect_implicit(lambda: attrs.update_item(TableName="Orders", Key=key, UpdateExpression="SET cardNumber = :s",
                                              ExpressionAttributeValues={":s": {"S": "stolen"}}),
                    "attrs", "dynamodb:UpdateItem", table_arn("Orders"))
    assert client(server, "admin").get_item(TableName="Orders", Key=key)["Item"]["cardNumber"] == {"S": "4111-SECRET"}


def test_streams_checked_against_the_stream_arn(server):
    admin = client(server, "admin")
    orders_stream = admin.describe_table(TableName="Orders")["Table"]["LatestStreamArn"]
    users_stream = admin.describe_table(TableName="Users")["Table"]["LatestStreamArn"]
    streams = client(server, "streamer", service="dynamodbstreams")
    listed = streams.list_streams()["Streams"]
    assert {s["TableName"] for s in listed} >= {"Orders", "Users"}
    shards = streams.describe_stream(StreamArn=orders_stream)["StreamDescription"]["Shards"]
    assert shards
    iterator = streams.get_shard_iterator(StreamArn=orders_stream, ShardId=shards[0]["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert streams.get_records(ShardIterator=iterator)["Records"]
    users_resource = table_arn("Users/stream/" + users_stream.split("/stream/")[1])
    expect_implicit(lambda: streams.describe_stream(StreamArn=users_stream),
                    "streamer", "dynamodb:DescribeStream", users_resource)
    users_shard = admin_streams_shard(server, users_stream)
    expect_implicit(lambda: streams.get_shard_iterator(StreamArn=users_stream, ShardId=users_shard,
                                                       ShardIteratorType="TRIM_HORIZON"),
                    "streamer", "dynamodb:GetShardIterator", users_resource)
    # An iterator handed out to someone else still names the Users stream.
    users_iterator = client(server, "admin", service="dynamodbstreams").get_shard_iterator(
        StreamArn=users_stream, ShardId=users_shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    expect_implicit(lambda: streams.get_records(ShardIterator=users_iterator),
                    "streamer", "dynamodb:GetRecords", users_resource)
    # The streams identity has no DynamoDB table actions.
    plain = client(server, "streamer")
    expect_implicit(lambda: plain.describe_table(TableName="Orders"), "streamer", "dynamodb:DescribeTable", table_arn("Orders"))


def admin_streams_shard(server, stream_arn: str) -> str:
    admin_streams = client(server, "admin", service="dynamodbstreams")
    return admin_streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]


def test_policy_change_takes_effect_without_restart(server):
    """Editing the policies in the auth file changes decisions once the server reloads it."""
    nobody = client(server, "nobody")
    expect_implicit(lambda: nobody.describe_limits(), "nobody", "dynamodb:DescribeLimits", "*")
    updated = [dict(i) for i in IDENTITIES]
    for entry in updated:
        if entry["arn"] == user_arn("nobody"):
            entry["policies"] = [{"Version": "2012-10-17", "Statement": [allow("dynamodb:DescribeLimits", "*")]}]
    server.write_config({"identities": updated})
    try:
        deadline = time.monotonic() + 5
        while True:
            try:
                nobody.describe_limits()
                break
            except ClientError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.write_config({"identities": IDENTITIES})
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                nobody.describe_limits()
                time.sleep(0.2)
            except ClientError:
                break
