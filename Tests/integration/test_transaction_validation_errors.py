"""TransactWriteItems: which faults cancel the transaction with a ValidationError reason and
which refuse the request up front, and the transaction size limits.

Sources:
[PS46] paritysuite/dynamodb-conformance PRs #46 and #60 (tests/tier3/error-messages/
       transactWriteItems.test.ts, captured against DynamoDB in four regions): a key attribute
       of the wrong type (or a non-scalar) is found while the transaction runs, so it cancels
       it with a ValidationError reason (a Put item: PutItem's "Type mismatch for key" text; a
       lookup Key: "The provided key element does not match the schema"); an empty string or
       binary key value is refused up front with a top-level ValidationException.
[DX]   nubo-db/dynoxide src/actions/transact_write_items.rs (conformance-captured): the text for
       items over the 4 MB aggregate.
[API]  https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
       (up to 100 actions; aggregate size of the items no more than 4 MB).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]"
EMPTY_KEY = ("One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
             "contain an empty string value. Key: pk")
MISMATCH = "The provided key element does not match the schema"


@pytest.fixture(scope="module")
def table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


def _cancelled(e, codes, messages):
    assert_error(e, "TransactionCanceledException", CANCELLED.format(", ".join(codes)))
    reasons = e.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == codes
    for reason, message in zip(reasons, messages):
        if message is not None:
            assert reason["Message"] == message


@pytest.mark.parametrize("value, actual", [({"N": "5"}, "N"), ({"L": [{"S": "x"}]}, "L")])
def test_put_with_a_key_of_the_wrong_type_cancels(client, table, value, actual):
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "tv-ok"}}}},
            {"Put": {"TableName": table, "Item": {"pk": value}}}])
    _cancelled(e, ["None", "ValidationError"], [None, (
        f"One or more parameter values were invalid: Type mismatch for key pk expected: S actual: {actual}")])
    # Nothing was written, not even the valid action.
    assert "Item" not in client.get_item(TableName=table, Key={"pk": {"S": "tv-ok"}})


@pytest.mark.parametrize("action", ["Update", "Delete", "ConditionCheck"])
def test_lookup_key_of_the_wrong_type_cancels(client, table, action):
    body = {"TableName": table, "Key": {"pk": {"N": "5"}}}
    if action == "Update":
        body.update(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    if action == "ConditionCheck":
        body["ConditionExpression"] = "attribute_not_exists(pk)"
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[{action: body}])
    _cancelled(e, ["ValidationError"], [MISMATCH])


@pytest.mark.parametrize("action", ["Put", "Update", "Delete", "ConditionCheck"])
def test_empty_key_value_is_refused_up_front(client, table, action):
    if action == "Put":
        body = {"TableName": table, "Item": {"pk": {"S": ""}}}
    else:
        body = {"TableName": table, "Key": {"pk": {"S": ""}}}
    if action == "Update":
        body.update(UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    if action == "ConditionCheck":
        body["ConditionExpression"] = "attribute_not_exists(pk)"
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"N": "1"}}}},  # would cancel, but is never run
            {action: body}])
    assert_error(e, "ValidationException", EMPTY_KEY)


def test_reasons_keep_their_positions_with_a_condition_failure(client, table):
    client.put_item(TableName=table, Item={"pk": {"S": "tv-exists"}})
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[
            {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "tv-exists"}},
                                "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Delete": {"TableName": table, "Key": {"pk": {"B": b"x"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "tv-new"}}}}])
    _cancelled(e, ["ConditionalCheckFailed", "ValidationError", "None"],
               ["The conditional request failed", MISMATCH, None])


def test_items_over_four_megabytes_in_all(client, table):
    # [API] 4 MB aggregate; [DX] the text. Twelve items of ~350 KB each.
    items = [{"Put": {"TableName": table, "Item": {"pk": {"S": f"tv-big-{i}"}, "p": {"S": "x" * 350_000}}}}
             for i in range(12)]
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=items)
    assert_error(e, "ValidationException",
                 "Collection size of items exceeded, which can also be caused by the aggregate size of the items "
                 "in the transaction exceeding the 4MB limit")


def test_items_under_four_megabytes_in_all(client, table):
    items = [{"Put": {"TableName": table, "Item": {"pk": {"S": f"tv-ok-{i}"}, "p": {"S": "x" * 350_000}}}}
             for i in range(10)]
    client.transact_write_items(TransactItems=items)


def test_more_than_one_hundred_actions(client, table):
    items = [{"Put": {"TableName": table, "Item": {"pk": {"S": f"tv-n-{i}"}}}} for i in range(101)]
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=items)
    assert_error(e, "ValidationException", None)
    assert ("at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"
            in e.value.response["Error"]["Message"])


def test_put_with_an_index_key_of_the_wrong_type_cancels(client, make_table):
    # The Parity Suite's tests/tier2/transactions/transactIndexKeys.test.ts (checked against
    # DynamoDB): a secondary index key of the wrong type cancels; an empty one is refused up front.
    table = make_table(hash_key=("pk", "S"), AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": "a"}, "g": {"S": "x"}}}}])
    _cancelled(e, ["ValidationError"], [
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: N Actual: S IndexName: by-g"])
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": "a"}, "g": {"L": []}}}}])
    _cancelled(e, ["ValidationError"], [None])


def test_update_emptying_an_index_key_is_refused_up_front(client, make_table):
    # transactIndexKeys.test.ts: SET of an empty string to an index key is a top-level
    # ValidationException even inside a transaction; dynoxide records the text (as UpdateItem's).
    table = make_table(hash_key=("pk", "S"), AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[{"Update": {
            "TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET g = :v",
            "ExpressionAttributeValues": {":v": {"S": ""}}}}])
    assert_error(e, "ValidationException",
                 "One or more parameter values are not valid. The update expression attempted to update a secondary "
                 "index key to a value that is not supported. The AttributeValue for a key attribute cannot contain "
                 "an empty string value.")
    # Of the wrong type instead: found while the transaction runs.
    with pytest.raises(ClientError) as e:
        client.transact_write_items(TransactItems=[{"Update": {
            "TableName": table, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET g = :v",
            "ExpressionAttributeValues": {":v": {"N": "5"}}}}])
    _cancelled(e, ["ValidationError"], [None])
