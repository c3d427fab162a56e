"""Helpers shared by the Query / Scan / index suites (not a test module).

Everything here goes through the public API only, so the suites stay runnable
against real DynamoDB.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError


def put_many(client, table: str, items, threads: int = 8):
    """PutItem every item, in parallel (BatchWriteItem is not assumed)."""
    items = list(items)

    def put(item):
        client.put_item(TableName=table, Item=item)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for _ in pool.map(put, items):
            pass


def paginate(call, **params):
    """Runs a Query or Scan to the end, following LastEvaluatedKey.

    Returns (items, pages) where pages is the list of raw responses."""
    items, pages = [], []
    while True:
        resp = call(**params)
        pages.append(resp)
        items.extend(resp.get("Items", []))
        lek = resp.get("LastEvaluatedKey")
        if not lek:
            return items, pages
        params["ExclusiveStartKey"] = lek
        assert len(pages) < 100_000, "pagination does not terminate"


def wait_index_active(client, table: str, index: str, timeout: float = 300.0):
    """Waits until the GSI is ACTIVE and no longer backfilling."""
    deadline = time.monotonic() + timeout
    while True:
        desc = client.describe_table(TableName=table)["Table"]
        for gsi in desc.get("GlobalSecondaryIndexes", []):
            if gsi["IndexName"] == index and gsi["IndexStatus"] == "ACTIVE" and not gsi.get("Backfilling"):
                return gsi
        if time.monotonic() > deadline:
            raise AssertionError(f"index {index} not ACTIVE after {timeout}s: {desc.get('GlobalSecondaryIndexes')}")
        time.sleep(0.2)


def wait_index_gone(client, table: str, index: str, timeout: float = 300.0):
    deadline = time.monotonic() + timeout
    while True:
        desc = client.describe_table(TableName=table)["Table"]
        names = [g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])]
        if index not in names:
            return desc
        if time.monotonic() > deadline:
            raise AssertionError(f"index {index} still present after {timeout}s")
        time.sleep(0.2)


def error_of(call, **params) -> ClientError:
    try:
        call(**params)
    except ClientError as e:
        return e
    raise AssertionError("expected the call to fail")


def gsi(name, hash_key, range_key=None, projection="ALL", non_key=None, throughput=None):
    ks = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        ks.append({"AttributeName": range_key, "KeyType": "RANGE"})
    proj = {"ProjectionType": projection}
    if non_key is not None:
        proj["NonKeyAttributes"] = non_key
    spec = {"IndexName": name, "KeySchema": ks, "Projection": proj}
    if throughput is not None:
        spec["ProvisionedThroughput"] = throughput
    return spec


def lsi(name, hash_key, range_key, projection="ALL", non_key=None):
    return gsi(name, hash_key, range_key, projection, non_key)


def attr_defs(**types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]
