"""BatchWriteItem.

Sources: [DL] architect/dynalite test/batchWriteItem.js (recorded from DynamoDB):
"1 validation error detected: Value null at 'requestItems' failed to satisfy constraint:
Member must not be null", "Value '{}' at 'requestItems' ... length greater than or equal to 1",
"Map value must satisfy constraint: [Member must have length less than or equal to 25, ...]",
"Provided list of item keys contains duplicates", "Requested resource not found",
"The provided key element does not match the schema",
"Item size has exceeded the maximum allowed size", and `{"UnprocessedItems": {}}` on success.
[API] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
"""

import random
import re
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name

MAP_VALUE = ("Map value must satisfy constraint: [Member must have length less than or equal to 25, "
             "Member must have length greater than or equal to 1]")


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


def test_put_and_delete_across_tables(client, module_tables, table):
    other = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))
    client.put_item(TableName=table, Item={"pk": {"S": "bw-gone"}})
    resp = client.batch_write_item(RequestItems={
        table: [{"PutRequest": {"Item": {"pk": {"S": "bw-1"}, "v": {"N": "1"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "bw-gone"}}}}],
        other: [{"PutRequest": {"Item": {"pk": {"S": "bw-2"}, "sk": {"N": "2"}}}}],
    })
    assert resp["UnprocessedItems"] == {}
    assert "ConsumedCapacity" not in resp
    assert client.get_item(TableName=table, Key={"pk": {"S": "bw-1"}}, ConsistentRead=True)["Item"]["v"] == {"N": "1"}
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "bw-gone"}}, ConsistentRead=True)
    assert "Item" in client.get_item(TableName=other, Key={"pk": {"S": "bw-2"}, "sk": {"N": "2"}}, ConsistentRead=True)


def test_delete_of_missing_item_succeeds(client, table):
    resp = client.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": {"pk": {"S": "bw-never"}}}}]})
    assert resp["UnprocessedItems"] == {}


def test_missing_request_items(raw_http):
    # boto3 cannot send this request (it reads RequestItems client-side), so raw HTTP.
    resp = raw_http.post("BatchWriteItem", {})
    assert resp.status == 400
    body = resp.json()
    assert body["__type"] == "com.amazon.coral.validate#ValidationException"
    assert body["message"] == ("1 validation error detected: Value null at 'requestItems' failed to satisfy "
                               "constraint: Member must not be null")


def test_empty_request_items(client):
    # Parity Suite tier3/error-messages/batchWriteItem (validated against DynamoDB).
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={})
    assert_error(e, "ValidationException", "The requestItems parameter is required for BatchWriteItem")


def test_empty_request_items_reported_before_other_parameters(client):
    # The required-parameter text comes before the enum checks (dynalite test/batchGetItem.js
    # records this order for the missing map).
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={}, ReturnConsumedCapacity="hi")
    assert_error(e, "ValidationException", "The requestItems parameter is required for BatchWriteItem")


def test_more_than_25_requests(client, table):
    requests = [{"PutRequest": {"Item": {"pk": {"S": f"bw-26-{i}"}}}} for i in range(26)]
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={table: requests})
    assert_error(e, "ValidationException", None)
    message = e.value.response["Error"]["Message"]
    # The map is printed by DynamoDB's Java front end; only its frame is stable.
    assert re.fullmatch(r"1 validation error detected: Value '\{.+\}' at 'requestItems' failed to satisfy "
                        r"constraint: " + re.escape(MAP_VALUE), message), message


def test_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={unique_name(): [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]})
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")


@pytest.mark.parametrize("order", ["put-first", "delete-first"])
def test_duplicate_keys_rejected(client, table, order):
    put = {"PutRequest": {"Item": {"pk": {"S": "bw-dup"}, "c": {"S": "c"}}}}
    delete = {"DeleteRequest": {"Key": {"pk": {"S": "bw-dup"}}}}
    requests = [put, delete] if order == "put-first" else [delete, put]
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={table: requests})
    assert_error(e, "ValidationException", "Provided list of item keys contains duplicates")
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "bw-dup"}}, ConsistentRead=True)


def test_key_mismatch(client, table):
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"other": {"S": "x"}}}}]})
    assert_error(e, "ValidationException", "The provided key element does not match the schema")


def test_item_too_large(client, table):
    item = {"pk": {"S": "bw-big"}, "b": {"S": "x" * 409_600}}
    with pytest.raises(ClientError) as e:
        client.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": item}}]})
    assert_error(e, "ValidationException", "Item size has exceeded the maximum allowed size")


def test_invalid_item_fails_whole_batch(client, table):
    with pytest.raises(ClientError):
        client.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": "bw-valid"}}}},
            {"PutRequest": {"Item": {"pk": {"N": "1"}}}},
        ]})
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "bw-valid"}}, ConsistentRead=True)


def test_leaderboard_parallel_bulk_write(client, module_tables):
    """1,000 racers through parallel BatchWriteItem calls (25 per call, 8 threads),
    retrying UnprocessedItems as the AWS documentation asks clients to."""
    name = module_tables.create(
        hash_key=("PK", "S"), range_key=("SK", "S"),
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"},
                              {"AttributeName": "GSI", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-score",
                                 "KeySchema": [{"AttributeName": "GSI", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    rng = random.Random(5)
    racers = [{"PK": {"S": f"race-{i}"}, "SK": {"S": f"racer-{i}"}, "GSI": {"N": str(rng.randint(0, 99))},
               "ts": {"N": str(1_700_000_000 + i)}} for i in range(1000)]
    chunks = [racers[i:i + 25] for i in range(0, len(racers), 25)]
    errors = []

    def worker(my_chunks):
        try:
            for chunk in my_chunks:
                pending = {name: [{"PutRequest": {"Item": item}} for item in chunk]}
                for attempt in range(10):
                    resp = client.batch_write_item(RequestItems=pending)
                    pending = resp["UnprocessedItems"]
                    if not pending:
                        break
                    time.sleep(0.05 * 2 ** attempt)
                assert not pending
        except Exception as exc:  # surfaced in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(chunks[k::8],)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    count = 0
    kwargs = {"TableName": name, "Select": "COUNT", "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert count == 1000
    score = racers[0]["GSI"]
    expected = sum(1 for r in racers if r["GSI"] == score)
    got = client.query(TableName=name, IndexName="by-score", KeyConditionExpression="GSI = :s",
                       ExpressionAttributeValues={":s": score}, Select="COUNT")["Count"]
    assert got == expected
