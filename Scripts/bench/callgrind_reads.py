#!/usr/bin/env python3
"""Instruction counts of the read paths: the release kvserver under callgrind.

    python3 Scripts/bench/callgrind_reads.py [--requests 1000] [--no-build] [--bin DIR ...]

For changes to the point and range reads (`Sources/KVStore/Storage/ItemRange.swift`, the SQLite
adapter's reads, the backend seam `Storage/EngineStorage.swift`) before and after. Same method
as callgrind_writes.py: the file-backed server under callgrind, warm-up, then `--requests` calls
on one connection between zeroed and dumped counters. Tables: `plain` (key only, 200 items) and
`sorted` (pk, sk) with a local and a global index, 20 partitions of 10 items and one `wide`
partition of 120 (GetItem, projections, Query with key conditions, filters, start keys and
index fetches, Query of 100, Scan pages).
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path
from callgrind_batch import prepare, start_under_callgrind
from callgrind_metrics import per_request, print_comparison
from callgrind_writes import PAYLOAD, table


def sorted_table() -> dict:
    """The table the read workloads read: (pk, sk) with a local index on `l` (KEYS_ONLY, so a
    request for other attributes fetches the item) and a global index on `g`."""
    strings = ("pk", "sk", "l", "g")
    return {"TableName": "sorted", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in strings],
            "LocalSecondaryIndexes": [{"IndexName": "by-l", "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            "GlobalSecondaryIndexes": [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]}


def seed(conn: http.client.HTTPConnection) -> None:
    """20 partitions of 10 items in `sorted` (each global index partition `g` holds 20 items
    with equal index keys, ordered by table key), a `wide` partition of 120, and 200 items in
    `plain`."""
    for p in range(20):
        call(conn, "BatchWriteItem", {"RequestItems": {"sorted": [{"PutRequest": {"Item": {
            "pk": {"S": f"q{p}"}, "sk": {"S": f"s{j:02d}"}, "l": {"S": f"l{9 - j}"}, "g": {"S": f"g{j}"},
            "payload": {"S": PAYLOAD}}}} for j in range(10)]}})
    for start in range(0, 120, 24):
        call(conn, "BatchWriteItem", {"RequestItems": {"sorted": [{"PutRequest": {"Item": {
            "pk": {"S": "wide"}, "sk": {"S": f"s{start + j:03d}"}, "l": {"S": "l"}, "g": {"S": "wide"},
            "payload": {"S": PAYLOAD}}}} for j in range(24)]}})
    for i in range(0, 200, 25):
        call(conn, "BatchWriteItem", {"RequestItems": {"plain": [{"PutRequest": {"Item": {
            "pk": {"S": f"r{i + j}"}, "payload": {"S": PAYLOAD}}}} for j in range(25)]}})


def workloads() -> list:
    def q(i):
        return {"S": f"q{i % 20}"}
    return [
        ("get", "GetItem", lambda i: {"TableName": "plain", "Key": {"pk": {"S": f"r{i % 200}"}}}),
        ("get_projected", "GetItem", lambda i: {"TableName": "plain", "Key": {"pk": {"S": f"r{i % 200}"}},
                                                "ProjectionExpression": "payload"}),
        ("query10", "Query", lambda i: {"TableName": "sorted", "KeyConditionExpression": "pk = :p",
                                        "ExpressionAttributeValues": {":p": q(i)}}),
        ("query_begins", "Query", lambda i: {"TableName": "sorted", "KeyConditionExpression": "pk = :p AND begins_with(sk, :s)",
                                             "ExpressionAttributeValues": {":p": q(i), ":s": {"S": "s0"}}}),
        ("query_desc_start", "Query", lambda i: {"TableName": "sorted", "KeyConditionExpression": "pk = :p",
                                                 "ScanIndexForward": False, "Limit": 3,
                                                 "ExclusiveStartKey": {"pk": q(i), "sk": {"S": "s08"}},
                                                 "ExpressionAttributeValues": {":p": q(i)}}),
        ("query_filter", "Query", lambda i: {"TableName": "sorted", "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
                                             "FilterExpression": "l <> :l",
                                             "ExpressionAttributeValues": {":p": q(i), ":a": {"S": "s02"}, ":b": {"S": "s07"},
                                                                           ":l": {"S": "l5"}}}),
        ("query_lsi_fetch", "Query", lambda i: {"TableName": "sorted", "IndexName": "by-l", "Select": "ALL_ATTRIBUTES",
                                                "KeyConditionExpression": "pk = :p", "Limit": 5,
                                                "ExpressionAttributeValues": {":p": q(i)}}),
        ("query_gsi_start", "Query", lambda i: {"TableName": "sorted", "IndexName": "by-g", "KeyConditionExpression": "g = :g",
                                                "ExclusiveStartKey": {"g": {"S": f"g{i % 10}"}, "pk": q(i), "sk": {"S": f"s{i % 10:02d}"}},
                                                "ExpressionAttributeValues": {":g": {"S": f"g{i % 10}"}}}),
        ("query100", "Query", lambda i: {"TableName": "sorted", "KeyConditionExpression": "pk = :p", "Limit": 100,
                                         "ExpressionAttributeValues": {":p": {"S": "wide"}}}),
        ("scan25", "Scan", lambda i: {"TableName": "plain", "Limit": 25}),
        ("scan100", "Scan", lambda i: {"TableName": "plain", "Limit": 100}),
        ("scan_segment_start", "Scan", lambda i: {"TableName": "sorted", "Limit": 10, "Segment": 0, "TotalSegments": 1,
                                                  "ExclusiveStartKey": {"pk": q(i), "sk": {"S": "s04"}}}),
    ]


def measure(server: Path, shim: Path, requests: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="kvcallgrind-r-"))
    data = tempfile.mkdtemp(prefix="kvcallgrind-data-")
    process, host, port = start_under_callgrind(server, shim, out, ["--data-dir", data, "--port", "0", "--log-level", "error"])
    result = {}
    try:
        conn = http.client.HTTPConnection(host, port, timeout=300)
        for body in (table("plain", False), sorted_table()):
            status, answer = call(conn, "CreateTable", body)
            if status != 200:
                raise RuntimeError(f"CreateTable failed: {status} {answer}")
        seed(conn)
        for label, op, body in workloads():
            result[label] = per_request(process.pid, out, conn, label, op, body, requests, warmup=50)
    finally:
        process.terminate()
        process.wait(timeout=120)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--bin", action="append", help="a folder holding a release kvserver (repeatable)")
    args = parser.parse_args()
    folders = [Path(b) for b in args.bin] if args.bin else [release_bin_path(build=not args.no_build)]
    results = []
    for folder in folders:
        server, shim = prepare(folder, Path(tempfile.mkdtemp(prefix="kvcallgrind-bin-")))
        results.append(measure(server, shim, args.requests))
    print_comparison(folders, results, args.requests, width=22)

if __name__ == "__main__":
    main()
