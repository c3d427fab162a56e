"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction.

Sources:
[ES] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html
     (Statement, Parameters, ConsistentRead, NextToken, Limit, ReturnConsumedCapacity,
     ReturnValuesOnConditionCheckFailure; Items, NextToken, LastEvaluatedKey, ConsumedCapacity)
[BES] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html
     (up to 25 statements; per-statement Error with Code/Message/Item; Code values such as
     ValidationError, ResourceNotFound, ConditionalCheckFailed, DuplicateItem)
[ET] https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
     (up to 100 statements, ClientRequestToken, TransactionCanceledException)
[QL] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
     (statement forms, INSERT fails with DuplicateItemException "Duplicate primary key exists
     in table", UPDATE/DELETE must name the full key, RETURNING forms)
Texts of syntax errors as the Parity Suite's PartiQL grammar tests pinned them against real
DynamoDB ("Statement wasn't well formed, can't be processed: ..."); key and parameter texts
as DynamoDB Local's ValidationExceptionMessages spells them.
"""

import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error

MALFORMED = "Statement wasn't well formed, can't be processed: "
DUPLICATE = "Duplicate primary key exists in table"
INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"


@pytest.fixture(scope="module")
def hash_table(module_tables):
    return module_tables.create(hash_key=("pk", "S"))


@pytest.fixture(scope="module")
def sorted_table(module_tables, client):
    name = module_tables.create(
        hash_key=("pk", "S"), range_key=("sk", "N"),
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }])
    for i in range(1, 11):
        client.put_item(TableName=name, Item={
            "pk": {"S": "p"}, "sk": {"N": str(i)}, "g": {"S": "even" if i % 2 == 0 else "odd"},
            "v": {"N": str(i * 10)}})
    return name


def uid(prefix="k"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def run(client, statement, **kwargs):
    return client.execute_statement(Statement=statement, **kwargs)


# ---------------------------------------------------------------- statement forms

def test_insert_then_select_every_type(client, hash_table):
    key = uid()
    run(client, f"""INSERT INTO "{hash_table}" VALUE {{'pk': '{key}', 'n': 12.50, 's': 'x''y',
        'b': true, 'z': NULL, 'ss': <<'a', 'b'>>, 'ns': <<1, 2>>, 'l': [1, 'two', [3]],
        'm': {{'k': {{'deep': 'v'}}}}}}""")
    items = run(client, f"SELECT * FROM \"{hash_table}\" WHERE pk = '{key}'", ConsistentRead=True)["Items"]
    assert len(items) == 1
    item = items[0]
    assert item["n"] == {"N": "12.5"}
    assert item["s"] == {"S": "x'y"}
    assert item["b"] == {"BOOL": True}
    assert item["z"] == {"NULL": True}
    assert sorted(item["ss"]["SS"]) == ["a", "b"]
    assert sorted(item["ns"]["NS"]) == ["1", "2"]
    assert item["l"] == {"L": [{"N": "1"}, {"S": "two"}, {"L": [{"N": "3"}]}]}
    assert item["m"] == {"M": {"k": {"M": {"deep": {"S": "v"}}}}}


def test_insert_existing_key_is_duplicate_item(client, hash_table):
    key = uid()
    run(client, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{key}', 'a': 1}}")
    with pytest.raises(ClientError) as err:
        run(client, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{key}', 'a': 2}}")
    assert_error(err, "DuplicateItemException", DUPLICATE)
    got = client.get_item(TableName=hash_table, Key={"pk": {"S": key}}, ConsistentRead=True)["Item"]
    assert got["a"] == {"N": "1"}


def test_parameters_bind_in_order(client, hash_table):
    key = uid()
    run(client, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': ?, 'bin': ?, 'n': ?}}",
        Parameters=[{"S": key}, {"B": b"\x00\x01"}, {"N": "7"}])
    items = run(client, f"SELECT bin, n FROM \"{hash_table}\" WHERE pk = ?", Parameters=[{"S": key}])["Items"]
    assert items == [{"bin": {"B": b"\x00\x01"}, "n": {"N": "7"}}]


@pytest.mark.parametrize("parameters", [[], [{"S": "a"}, {"S": "b"}]])
def test_wrong_parameter_count(client, hash_table, parameters):
    kwargs = {"Parameters": parameters} if parameters else {}
    with pytest.raises(ClientError) as err:
        run(client, f"SELECT * FROM \"{hash_table}\" WHERE pk = ?", **kwargs)
    assert_error(err, "ValidationException", "Number of parameters in request and statement don't match.")


def test_update_set_remove_arithmetic_and_sets(client, hash_table):
    key = uid()
    client.put_item(TableName=hash_table, Item={
        "pk": {"S": key}, "n": {"N": "5"}, "gone": {"S": "x"}, "l": {"L": [{"N": "1"}]}, "ss": {"SS": ["a", "b"]}})
    result = run(client, f"""UPDATE "{hash_table}" SET n = n + 2 SET l = list_append(l, [2])
        SET ss = set_add(ss, <<'c'>>) REMOVE gone WHERE pk = '{key}' RETURNING ALL NEW *""")
    item = result["Items"][0]
    assert item["n"] == {"N": "7"}
    assert item["l"] == {"L": [{"N": "1"}, {"N": "2"}]}
    assert sorted(item["ss"]["SS"]) == ["a", "b", "c"]
    assert "gone" not in item
    result = run(client, f"UPDATE \"{hash_table}\" SET ss = set_delete(ss, <<'a'>>) WHERE pk = '{key}' RETURNING MODIFIED OLD *")
    assert sorted(result["Items"][0]["ss"]["SS"]) == ["a", "b", "c"]
    assert list(result["Items"][0]) == ["ss"]


def test_update_missing_item_fails_condition(client, hash_table):
    with pytest.raises(ClientError) as err:
        run(client, f"UPDATE \"{hash_table}\" SET a = 1 WHERE pk = '{uid()}'")
    assert_error(err, "ConditionalCheckFailedException", "The conditional request failed")


def test_update_extra_where_is_condition_with_old_item(client, hash_table):
    key = uid()
    client.put_item(TableName=hash_table, Item={"pk": {"S": key}, "v": {"N": "1"}})
    with pytest.raises(ClientError) as err:
        run(client, f"UPDATE \"{hash_table}\" SET v = 2 WHERE pk = '{key}' AND v = 5",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert_error(err, "ConditionalCheckFailedException", "The conditional request failed")
    assert err.value.response["Item"] == {"pk": {"S": key}, "v": {"N": "1"}}
    run(client, f"UPDATE \"{hash_table}\" SET v = 2 WHERE pk = '{key}' AND v = 1")
    assert client.get_item(TableName=hash_table, Key={"pk": {"S": key}})["Item"]["v"] == {"N": "2"}


@pytest.mark.parametrize("statement", [
    "UPDATE \"{t}\" SET a = 1 WHERE a = 1",
    "UPDATE \"{t}\" SET a = 1",
    "DELETE FROM \"{t}\" WHERE a = 'x'",
    "DELETE FROM \"{t}\" WHERE pk = 'x' OR pk = 'y'",
])
def test_writes_need_the_full_key(client, hash_table, statement):
    with pytest.raises(ClientError) as err:
        run(client, statement.format(t=hash_table))
    assert_error(err, "ValidationException", INCOMPLETE_KEY)


def test_delete_returning_all_old_and_missing_key_succeeds(client, hash_table):
    key = uid()
    client.put_item(TableName=hash_table, Item={"pk": {"S": key}, "a": {"S": "x"}})
    result = run(client, f"DELETE FROM \"{hash_table}\" WHERE pk = '{key}' RETURNING ALL OLD *")
    assert result["Items"] == [{"pk": {"S": key}, "a": {"S": "x"}}]
    assert run(client, f"DELETE FROM \"{hash_table}\" WHERE pk = '{key}'")["Items"] == []


def test_select_where_operators(client, sorted_table):
    def sks(where, **kwargs):
        items = run(client, f"SELECT sk FROM \"{sorted_table}\" WHERE {where}", **kwargs)["Items"]
        return sorted(int(i["sk"]["N"]) for i in items)

    assert sks("pk = 'p' AND sk BETWEEN 3 AND 5") == [3, 4, 5]
    assert sks("pk = 'p' AND sk > 8") == [9, 10]
    assert sks("pk = 'p' AND sk IN [1, 2]") == [1, 2]
    assert sks("pk = 'p' AND (v = 10 OR v = 100)") == [1, 10]
    assert sks("pk = 'p' AND NOT v <> 30") == [3]
    assert sks("pk = 'p' AND missing_attr IS MISSING AND v IS NOT MISSING AND sk <= 2") == [1, 2]
    assert sks("pk = 'p' AND attribute_type(v, 'N') AND size(g) = 3") == [1, 3, 5, 7, 9]
    assert sks("pk = 'p' AND contains(g, 'dd') AND sk < 4") == [1, 3]
    assert sks("pk = 'p' AND v IS NUMERIC AND g IS NOT NUMERIC AND sk < 3") == [1, 2]
    assert sks("v >= 90") == [9, 10]  # no key: a Scan with the WHERE as filter


def test_select_index_and_order_by(client, sorted_table):
    items = run(client, f"SELECT sk FROM \"{sorted_table}\".\"by-g\" WHERE g = 'even' ORDER BY sk DESC")["Items"]
    assert [int(i["sk"]["N"]) for i in items] == [10, 8, 6, 4, 2]
    with pytest.raises(ClientError) as err:
        run(client, f"SELECT * FROM \"{sorted_table}\".\"by-g\" WHERE g = 'even'", ConsistentRead=True)
    assert_error(err, "ValidationException", None)


def test_limit_and_next_token_paginate(client, sorted_table):
    statement = f"SELECT sk FROM \"{sorted_table}\" WHERE pk = 'p'"
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"Limit": 3}
        if token:
            kwargs["NextToken"] = token
        page = run(client, statement, **kwargs)
        pages += 1
        seen += [int(i["sk"]["N"]) for i in page["Items"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == list(range(1, 11))
    assert pages == 4


def test_in_on_the_partition_key_reads_each_partition(client, module_tables):
    name = module_tables.create(hash_key=("pk", "S"), range_key=("sk", "N"))
    for pk in ("a", "b", "c"):
        for sk in range(3):
            client.put_item(TableName=name, Item={"pk": {"S": pk}, "sk": {"N": str(sk)}})
    statement = f"SELECT pk, sk FROM \"{name}\" WHERE pk IN ['c', 'a'] AND sk >= 1"
    items = run(client, statement)["Items"]
    assert [(i["pk"]["S"], int(i["sk"]["N"])) for i in items] == [("c", 1), ("c", 2), ("a", 1), ("a", 2)]
    seen, token = [], None
    while True:
        page = run(client, statement, Limit=1, **({"NextToken": token} if token else {}))
        seen += [(i["pk"]["S"], int(i["sk"]["N"])) for i in page["Items"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [("c", 1), ("c", 2), ("a", 1), ("a", 2)]
    capacity = run(client, statement, ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    assert capacity == {"TableName": name, "CapacityUnits": 1.0}  # two Queries of 0.5 each
    ored = run(client, f"SELECT pk, sk FROM \"{name}\" WHERE (pk = 'c' OR pk = 'a') AND sk >= 1")["Items"]
    assert [(i["pk"]["S"], int(i["sk"]["N"])) for i in ored] == [("c", 1), ("c", 2), ("a", 1), ("a", 2)]


def test_limit_counts_items_evaluated_before_the_filter(client, sorted_table):
    page = run(client, f"SELECT sk FROM \"{sorted_table}\" WHERE pk = 'p' AND v > 25", Limit=3)
    assert [int(i["sk"]["N"]) for i in page["Items"]] == [3]
    assert "NextToken" in page


def test_next_token_is_checked(client, sorted_table):
    statement = f"SELECT sk FROM \"{sorted_table}\" WHERE pk = 'p'"
    token = run(client, statement, Limit=2)["NextToken"]
    with pytest.raises(ClientError) as err:
        run(client, statement, NextToken=token[:-1] + ("0" if token[-1] != "0" else "1"))
    assert_error(err, "ValidationException", "Invalid NextToken")
    with pytest.raises(ClientError) as err:
        run(client, statement + " AND sk > 0", NextToken=token)
    assert_error(err, "ValidationException", "NextToken does not match request")


def test_capacity_is_reported(client, hash_table):
    key = uid()
    write = run(client, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{key}'}}", ReturnConsumedCapacity="TOTAL")
    assert write["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 1.0}
    read = run(client, f"SELECT * FROM \"{hash_table}\" WHERE pk = '{key}'", ReturnConsumedCapacity="TOTAL")
    assert read["ConsumedCapacity"] == {"TableName": hash_table, "CapacityUnits": 0.5}
    strong = run(client, f"SELECT * FROM \"{hash_table}\" WHERE pk = '{key}'", ConsistentRead=True,
                 ReturnConsumedCapacity="TOTAL")
    assert strong["ConsumedCapacity"]["CapacityUnits"] == 1.0


@pytest.mark.parametrize("statement,message", [
    ("SELECTT * FROMM \"{t}\"", MALFORMED + "Expected data manipulation"),
    ("SELECT * FROM \"{t}\" WHERE pk = 1 foo", MALFORMED + "Unexpected token after expression"),
    ("SELECT * FROM \"{t}\" WHERE", MALFORMED + "Unexpected term"),
    ("SELECT * FROM \"{t}\" WHERE pk = 'a' AND", MALFORMED + "Missing right-hand side expression of infix operator"),
    ("SELECT * FROM \"{t}\" x WHERE pk = 'a'", "Aliasing is not supported"),
    ("INSERT INTO \"{t}\" VALUE {{'a': 1}}", "Key attribute should be present in the item: Key pk"),
    ("INSERT INTO \"{t}\" VALUE {{'pk': 1}}",
     "Key attribute's data type should match its data type in table's schema: Key pk"),
    ("EXISTS(SELECT * FROM \"{t}\" WHERE pk = 'a' AND b = 1)", "EXISTS can only be used in ExecuteTransaction write requests."),
])
def test_statement_errors(client, hash_table, statement, message):
    with pytest.raises(ClientError) as err:
        run(client, statement.format(t=hash_table))
    assert_error(err, "ValidationException", message)


def test_deep_or_long_statements_are_refused_not_fatal(client, hash_table):
    for statement in [
        f"SELECT * FROM \"{hash_table}\" WHERE " + "(" * 3000 + "a = 1" + ")" * 3000,
        f"SELECT * FROM \"{hash_table}\" WHERE " + "NOT " * 1500 + "a = 1",
        f"INSERT INTO \"{hash_table}\" VALUE {{'pk': 'x', 'l': " + "[" * 3000 + "]" * 3000 + "}",
    ]:
        with pytest.raises(ClientError) as err:
            run(client, statement)
        assert_error(err, "ValidationException", None)
    with pytest.raises(ClientError) as err:
        run(client, f"INSERT INTO \"{hash_table}\" VALUE {{'pk': 'x', 'l': " + "[" * 40 + "]" * 40 + "}")
    assert_error(err, "ValidationException",
                 "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit")
    assert client.list_tables()  # the server is still up


def test_unknown_table(client):
    with pytest.raises(ClientError) as err:
        run(client, "SELECT * FROM \"no_such_table_partiql\" WHERE pk = 'x'")
    assert_error(err, "ResourceNotFoundException", "Requested resource not found")


# ---------------------------------------------------------------- BatchExecuteStatement

def test_batch_reads_with_per_statement_errors(client, hash_table):
    key = uid()
    client.put_item(TableName=hash_table, Item={"pk": {"S": key}, "d": {"S": "x"}})
    responses = client.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{hash_table}\" WHERE pk = ?", "Parameters": [{"S": key}]},
        {"Statement": "SELECT * FROM \"no_such_table_partiql\" WHERE pk = 'x'"},
        {"Statement": f"SELECT * FROM \"{hash_table}\" WHERE pk = 'absent-{key}'"},
        {"Statement": f"SELECT * FROM \"{hash_table}\" WHERE"},
    ])["Responses"]
    assert responses[0] == {"TableName": hash_table, "Item": {"pk": {"S": key}, "d": {"S": "x"}}}
    assert responses[1]["Error"]["Code"] == "ResourceNotFound"
    assert responses[2] == {"TableName": hash_table}
    assert responses[3]["Error"] == {"Code": "ValidationError", "Message": MALFORMED + "Unexpected term"}


def test_batch_writes_with_per_statement_errors(client, hash_table):
    existing, fresh = uid(), uid()
    client.put_item(TableName=hash_table, Item={"pk": {"S": existing}, "v": {"N": "1"}})
    responses = client.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{fresh}'}}"},
        {"Statement": f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{existing}'}}"},
        {"Statement": f"UPDATE \"{hash_table}\" SET v = 2 WHERE pk = '{existing}' AND v = 9",
         "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
        {"Statement": f"DELETE FROM \"{hash_table}\" WHERE pk = '{fresh}-other'"},
    ])["Responses"]
    assert "Error" not in responses[0]
    assert responses[1]["Error"] == {"Code": "DuplicateItem", "Message": DUPLICATE}
    assert responses[2]["Error"]["Code"] == "ConditionalCheckFailed"
    assert responses[2]["Error"]["Item"] == {"pk": {"S": existing}, "v": {"N": "1"}}
    assert "Error" not in responses[3]
    assert client.get_item(TableName=hash_table, Key={"pk": {"S": fresh}}).get("Item") is not None


def test_batch_limits(client, hash_table):
    with pytest.raises(ClientError) as err:
        client.batch_execute_statement(Statements=[])
    assert_error(err, "ValidationException", None)
    statement = {"Statement": f"SELECT * FROM \"{hash_table}\" WHERE pk = 'a'"}
    with pytest.raises(ClientError) as err:
        client.batch_execute_statement(Statements=[statement] * 26)
    assert_error(err, "ValidationException", None)
    assert "less than or equal to 25" in err.value.response["Error"]["Message"]


# ---------------------------------------------------------------- ExecuteTransaction

def test_transaction_writes_are_all_or_nothing(client, hash_table):
    existing, fresh, other = uid(), uid(), uid()
    client.put_item(TableName=hash_table, Item={"pk": {"S": existing}, "v": {"N": "1"}})
    with pytest.raises(ClientError) as err:
        client.execute_transaction(TransactStatements=[
            {"Statement": f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{fresh}'}}"},
            {"Statement": f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{existing}'}}"},
            {"Statement": f"UPDATE \"{hash_table}\" SET v = 5 WHERE pk = '{other}'"},
        ])
    assert_error(err, "TransactionCanceledException", None)
    reasons = err.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "DuplicateItem", "ConditionalCheckFailed"]
    assert client.get_item(TableName=hash_table, Key={"pk": {"S": fresh}}, ConsistentRead=True).get("Item") is None


def test_transaction_exists_condition(client, hash_table):
    guard, target = uid(), uid()
    client.put_item(TableName=hash_table, Item={"pk": {"S": guard}, "state": {"S": "open"}})
    client.execute_transaction(TransactStatements=[
        {"Statement": f"EXISTS(SELECT * FROM \"{hash_table}\" WHERE pk = '{guard}' AND state = 'open')"},
        {"Statement": f"INSERT INTO \"{hash_table}\" VALUE {{'pk': '{target}'}}"},
    ])
    assert client.get_item(TableName=hash_table, Key={"pk": {"S": target}}, ConsistentRead=True).get("Item")
    with pytest.raises(ClientError) as err:
        client.execute_transaction(TransactStatements=[
            {"Statement": f"EXISTS(SELECT * FROM \"{hash_table}\" WHERE pk = '{guard}' AND state = 'closed')"},
            {"Statement": f"DELETE FROM \"{hash_table}\" WHERE pk = '{target}'"},
        ])
    assert [r["Code"] for r in err.value.response["CancellationReasons"]] == ["ConditionalCheckFailed", "None"]


def test_transaction_reads(client, hash_table):
    key = uid()
    client.put_item(TableName=hash_table, Item={"pk": {"S": key}, "a": {"N": "1"}})
    result = client.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT * FROM \"{hash_table}\" WHERE pk = ?", "Parameters": [{"S": key}]},
        {"Statement": f"SELECT * FROM \"{hash_table}\" WHERE pk = 'absent-{key}'"},
    ], ReturnConsumedCapacity="TOTAL")
    assert result["Responses"] == [{"Item": {"pk": {"S": key}, "a": {"N": "1"}}}, {}]
    assert result["ConsumedCapacity"] == [{"TableName": hash_table, "CapacityUnits": 4.0}]


def test_transaction_mixed_and_validation_errors(client, hash_table):
    with pytest.raises(ClientError) as err:
        client.execute_transaction(TransactStatements=[
            {"Statement": f"SELECT * FROM \"{hash_table}\" WHERE pk = 'a'"},
            {"Statement": f"INSERT INTO \"{hash_table}\" VALUE {{'pk': 'b'}}"},
        ])
    assert_error(err, "ValidationException",
                 "ExecuteTransaction API does not support both read and write operations in the same request.")
    with pytest.raises(ClientError) as err:
        client.execute_transaction(TransactStatements=[{"Statement": f"SELECT * FROM \"{hash_table}\" WHERE"}])
    assert_error(err, "ValidationException", "Validation failed in TransactStatements[0]: " + MALFORMED + "Unexpected term")
    with pytest.raises(ClientError) as err:
        client.execute_transaction(TransactStatements=[])
    assert_error(err, "ValidationException", None)


def test_transaction_client_token_is_idempotent(client, hash_table):
    key, token = uid(), uuid.uuid4().hex
    statements = [{"Statement": f"UPDATE \"{hash_table}\" SET n = n + 1 WHERE pk = '{key}'"}]
    client.put_item(TableName=hash_table, Item={"pk": {"S": key}, "n": {"N": "0"}})
    client.execute_transaction(TransactStatements=statements, ClientRequestToken=token)
    client.execute_transaction(TransactStatements=statements, ClientRequestToken=token)
    item = client.get_item(TableName=hash_table, Key={"pk": {"S": key}}, ConsistentRead=True)["Item"]
    assert item["n"] == {"N": "1"}
    with pytest.raises(ClientError) as err:
        client.execute_transaction(
            TransactStatements=[{"Statement": f"UPDATE \"{hash_table}\" SET n = n + 2 WHERE pk = '{key}'"}],
            ClientRequestToken=token)
    assert_error(err, "IdempotentParameterMismatchException", None)
