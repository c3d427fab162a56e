"""ListTables: sorting, pagination, Limit validation.

Limit texts follow DynamoDB's generic constraint format recorded in
[DL] architect/dynalite validations/index.js (validateFns.greaterThanOrEqual /
lessThanOrEqual: "Value '<v>' at '<lowerCamelPath>' failed to satisfy
constraint: Member must have value greater than or equal to <n>") with
ListTables' documented Limit range 1..100 (API reference).
"""

import uuid

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error


@pytest.fixture(scope="module")
def three_tables(module_tables):
    prefix = f"kvlist-{uuid.uuid4().hex[:10]}-"
    names = [module_tables.create(name=prefix + suffix) for suffix in ("c", "a", "b")]
    return sorted(names)


def _all_table_names(client, **kwargs):
    names, start = [], None
    while True:
        params = dict(kwargs)
        if start:
            params["ExclusiveStartTableName"] = start
        resp = client.list_tables(**params)
        names.extend(resp["TableNames"])
        start = resp.get("LastEvaluatedTableName")
        if not start:
            return names


def test_list_tables_contains_created_sorted(client, three_tables):
    names = _all_table_names(client)
    assert names == sorted(names)
    assert [n for n in names if n in three_tables] == three_tables


def test_list_tables_limit_one_pages(client, three_tables):
    resp = client.list_tables(ExclusiveStartTableName=three_tables[0], Limit=1)
    assert resp["TableNames"] == [three_tables[1]]
    assert resp["LastEvaluatedTableName"] == three_tables[1]
    resp = client.list_tables(ExclusiveStartTableName=three_tables[1], Limit=1)
    assert resp["TableNames"] == [three_tables[2]]


def test_list_tables_paginate_with_limit_one(client, three_tables):
    names = _all_table_names(client, Limit=1)
    assert names == sorted(names)
    assert [n for n in names if n in three_tables] == three_tables


def test_list_tables_exclusive_start_after_everything(client, three_tables):
    resp = client.list_tables(ExclusiveStartTableName="z" * 255)
    assert resp["TableNames"] == []
    assert "LastEvaluatedTableName" not in resp


def test_list_tables_exclusive_start_is_exclusive(client, three_tables):
    resp = client.list_tables(ExclusiveStartTableName=three_tables[0])
    assert three_tables[0] not in resp["TableNames"]
    assert all(n > three_tables[0] for n in resp["TableNames"])


def test_list_tables_paginator(client, three_tables):
    names = []
    for page in client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
        names.extend(page["TableNames"])
    assert [n for n in names if n in three_tables] == three_tables


@pytest.mark.parametrize("limit", [1, 100])
def test_list_tables_limit_bounds_accepted(client, limit):
    resp = client.list_tables(Limit=limit)
    assert len(resp["TableNames"]) <= limit


def test_list_tables_limit_zero(client):
    with pytest.raises(ClientError) as e:
        client.list_tables(Limit=0)
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                 "constraint: Member must have value greater than or equal to 1")


def test_list_tables_limit_too_big(client):
    with pytest.raises(ClientError) as e:
        client.list_tables(Limit=101)
    assert_error(e, "ValidationException",
                 "1 validation error detected: Value '101' at 'limit' failed to satisfy "
                 "constraint: Member must have value less than or equal to 100")
