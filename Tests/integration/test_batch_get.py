"""BatchGetItem.

Sources: [DL] architect/dynalite test/batchGetItem.js and validations/batchGetItem.js
(recorded from DynamoDB): "Value '{}' at 'requestItems' failed to satisfy constraint: Member
must have length greater than or equal to 1", "Value '[...]' at 'requestItems.<t>.member.keys'
failed to satisfy constraint: Member must have length less than or equal to 100",
"Too many items requested for the BatchGetItem call", "Provided list of item keys contains
duplicates", "Requested resource not found", "The provided key element does not match the schema",
"One or more parameter values were invalid: Duplicate value in attribute name: a".
[API] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
(16 MB response limit, UnprocessedKeys).
"""


import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name


@pytest.fixture(scope="module")
def table(module_tables, client):
    name = module_tables.create(hash_key=("pk", "S"))
    for i in range(10):
        client.put_item(TableName=name, Item={"pk": {"S": f"bg-{i}"}, "n": {"N": str(i)},
                                              "doc": {"M": {"a": {"S": "x"}, "b": {"S": "y"}}}})
    return name


def keys(*ids):
    return [{"pk": {"S": f"bg-{i}"}} for i in ids]


def test_get_across_tables_with_missing_keys(client, module_tables, table):
    other = module_tables.create(hash_key=("id", "N"))
    client.put_item(TableName=other, Item={"id": {"N": "7"}, "v": {"S": "seven"}})
    resp = client.batch_get_item(RequestItems={
        table: {"Keys": keys(1, 2, 99), "ConsistentRead": True},
        other: {"Keys": [{"id": {"N": "7"}}, {"id": {"N": "8"}}]},
    })
    got = sorted(item["pk"]["S"] for item in resp["Responses"][table])
    assert got == ["bg-1", "bg-2"]
    assert resp["Responses"][other] == [{"id": {"N": "7"}, "v": {"S": "seven"}}]
    assert resp["UnprocessedKeys"] == {}


def test_projection_expression_and_names(client, table):
    resp = client.batch_get_item(RequestItems={table: {
        "Keys": keys(3), "ProjectionExpression": "#d.a, n", "ExpressionAttributeNames": {"#d": "doc"}}})
    assert resp["Responses"][table] == [{"doc": {"M": {"a": {"S": "x"}}}, "n": {"N": "3"}}]


def test_attributes_to_get(client, table):
    resp = client.batch_get_item(RequestItems={table: {"Keys": keys(4), "AttributesToGet": ["n"]}})
    assert resp["Responses"][table] == [{"n": {"N": "4"}}]


def test_table_without_matches_is_listed(client, table):
    resp = client.batch_get_item(RequestItems={table: {"Keys": keys(98)}})
    assert resp["Responses"] == {table: []}


def test_empty_request_items(client):
    # Parity Suite tier3/error-messages/batchGetItem (validated against DynamoDB); dynalite
    # test/batchGetItem.js records the same text.
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={})
    assert_error(e, "ValidationException", "The requestItems parameter is required for BatchGetItem")


def test_more_than_100_keys_in_one_table(client, table):
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={table: {"Keys": keys(*range(101))}})
    # DynamoDB prints no value and the member path in wire case here (Parity Suite
    # tier3/error-messages/batchGetItem, validated against DynamoDB).
    assert_error(e, "ValidationException",
                 f"1 validation error detected: Value at 'RequestItems.{table}.member.Keys' failed to satisfy "
                 "constraint: Member must have length less than or equal to 100")


def test_more_than_100_keys_over_tables(client, module_tables, table):
    other = module_tables.create(hash_key=("pk", "S"))
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={table: {"Keys": keys(*range(100))}, other: {"Keys": keys(100)}})
    assert_error(e, "ValidationException", "Too many items requested for the BatchGetItem call")


def test_duplicate_keys(client, table):
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={table: {"Keys": keys(1, 2, 1)}})
    assert_error(e, "ValidationException", "Provided list of item keys contains duplicates")


def test_duplicate_attributes_to_get(client, table):
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={table: {"Keys": keys(1), "AttributesToGet": ["a", "a"]}})
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Duplicate value in attribute name: a")


def test_missing_table(client):
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={unique_name(): {"Keys": keys(1)}})
    assert_error(e, "ResourceNotFoundException", "Requested resource not found")


def test_key_mismatch(client, table):
    with pytest.raises(ClientError) as e:
        client.batch_get_item(RequestItems={table: {"Keys": [{"pk": {"S": "a"}, "x": {"S": "b"}}]}})
    assert_error(e, "ValidationException", "The provided key element does not match the schema")


def test_16mb_response_limit_returns_unprocessed_keys(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"))
    blob = "x" * 390_000
    ids = [f"big-{i}" for i in range(50)]  # about 19.5 MB in all
    for i in range(0, 50, 10):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": k}, "blob": {"S": blob}}}} for k in ids[i:i + 10]]})
    request = {name: {"Keys": [{"pk": {"S": k}} for k in ids], "ProjectionExpression": "pk, #b",
                      "ExpressionAttributeNames": {"#b": "blob"}}}
    first = client.batch_get_item(RequestItems=request)
    assert first["UnprocessedKeys"], "a response over 16 MB must leave keys unprocessed"
    unprocessed = first["UnprocessedKeys"][name]
    # Unprocessed keys come back with the table's other parameters, ready to resend.
    assert unprocessed["ProjectionExpression"] == "pk, #b"
    assert unprocessed["ExpressionAttributeNames"] == {"#b": "blob"}
    seen = {item["pk"]["S"] for item in first["Responses"][name]}
    pending = first["UnprocessedKeys"]
    for _ in range(10):
        if not pending:
            break
        resp = client.batch_get_item(RequestItems=pending)
        seen |= {item["pk"]["S"] for item in resp["Responses"].get(name, [])}
        pending = resp["UnprocessedKeys"]
    assert seen == set(ids)
