#!/usr/bin/env python3
"""Instruction counts of every item write path (or, with --reads, of the read paths): the
release kvserver under callgrind.

    python3 Scripts/bench/callgrind_writes.py [--requests 1000] [--no-build] [--bin DIR ...] [--reads]

For comparing a change to the write pipeline (`Sources/KVStore/Writes`) before and after:
wrk's figures move by about ±10% on a shared machine, instruction counts do not. For each
binary folder (`--bin`, repeatable; default the release build of this tree) the server runs
file-backed under `valgrind --tool=callgrind` (see callgrind_batch.py for the work-arounds) on
two tables, `plain` (key only) and `derived` (a global index and TTL, so the old item is read),
and for each workload sends warm-up requests, then `--requests` calls on one connection between
zeroed and dumped counters, and prints the instructions per request.

`--reads` measures GetItem, Query and Scan instead (for changes to the range and point reads,
`Sources/KVStore/Storage/ItemRange.swift` and the SQLite adapter's reads): a `sorted` table
(pk, sk) with a local and a global index is seeded with 20 partitions of 10 items, then each
read workload runs the same way.
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path, start_server
from callgrind_batch import prepare
from callgrind_metrics import per_request, print_comparison

PAYLOAD = "x" * 160


def table(name: str, derived: bool) -> dict:
    body = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
    if derived:
        body["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        body["GlobalSecondaryIndexes"] = [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                           "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    return body


def workloads(table_name: str) -> list:
    def item(prefix, i):
        return {"pk": {"S": f"{prefix}{i}"}, "g": {"S": f"g{i % 10}"}, "ttl": {"N": "4000000000"},
                "payload": {"S": PAYLOAD}}
    t = table_name
    return [
        ("put", "PutItem", lambda i: {"TableName": t, "Item": item("p", i)}),
        ("put_cond", "PutItem", lambda i: {"TableName": t, "Item": item("c", i),
                                           "ConditionExpression": "attribute_not_exists(pk)"}),
        ("update", "UpdateItem", lambda i: {"TableName": t, "Key": {"pk": {"S": f"p{i}"}},
                                            "UpdateExpression": "SET n = if_not_exists(n, :z) + :one",
                                            "ExpressionAttributeValues": {":z": {"N": "0"}, ":one": {"N": "1"}}}),
        ("update_new", "UpdateItem", lambda i: {"TableName": t, "Key": {"pk": {"S": f"p{i}"}},
                                                "UpdateExpression": "SET m = :one", "ReturnValues": "ALL_NEW",
                                                "ExpressionAttributeValues": {":one": {"N": "1"}}}),
        ("delete", "DeleteItem", lambda i: {"TableName": t, "Key": {"pk": {"S": f"c{i}"}}}),
        ("batch25", "BatchWriteItem", lambda i: {"RequestItems": {t: [
            {"PutRequest": {"Item": item(f"b{i}-", j)}} for j in range(25)]}}),
        ("transact2", "TransactWriteItems", lambda i: {"TransactItems": [
            {"Put": {"TableName": t, "Item": item("t", i)}},
            {"Update": {"TableName": t, "Key": {"pk": {"S": f"p{i}"}}, "UpdateExpression": "SET x = :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}}]}),
    ]


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


def seed_reads(conn: http.client.HTTPConnection) -> None:
    """20 partitions of 10 items in `sorted` (each global index partition `g` holds 20 items
    with equal index keys, ordered by table key) and 200 items in `plain`."""
    for p in range(20):
        call(conn, "BatchWriteItem", {"RequestItems": {"sorted": [{"PutRequest": {"Item": {
            "pk": {"S": f"q{p}"}, "sk": {"S": f"s{j:02d}"}, "l": {"S": f"l{9 - j}"}, "g": {"S": f"g{j}"},
            "payload": {"S": PAYLOAD}}}} for j in range(10)]}})
    for i in range(0, 200, 25):
        call(conn, "BatchWriteItem", {"RequestItems": {"plain": [{"PutRequest": {"Item": {
            "pk": {"S": f"r{i + j}"}, "payload": {"S": PAYLOAD}}}} for j in range(25)]}})


def read_workloads() -> list:
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
        ("scan25", "Scan", lambda i: {"TableName": "plain", "Limit": 25}),
        ("scan_segment_start", "Scan", lambda i: {"TableName": "sorted", "Limit": 10, "Segment": 0, "TotalSegments": 1,
                                                  "ExclusiveStartKey": {"pk": q(i), "sk": {"S": "s04"}}}),
    ]


def measure(server: Path, shim: Path, requests: int, reads: bool = False) -> dict:
    import os
    out = Path(tempfile.mkdtemp(prefix="kvcallgrind-w-"))
    data = tempfile.mkdtemp(prefix="kvcallgrind-data-")
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out.%p",
            str(server), "--data-dir", data, "--port", "0", "--log-level", "error"]
    saved = dict(os.environ)
    os.environ["LD_PRELOAD"] = str(shim)
    try:
        process, host, port = start_server(argv)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    result = {}
    try:
        conn = http.client.HTTPConnection(host, port, timeout=300)
        tables = [table("plain", False), sorted_table()] if reads else [table("plain", False), table("derived", True)]
        for body in tables:
            status, answer = call(conn, "CreateTable", body)
            if status != 200:
                raise RuntimeError(f"CreateTable failed: {status} {answer}")
        if reads:
            seed_reads(conn)
        else:
            call(conn, "UpdateTimeToLive", {"TableName": "derived",
                                            "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}})
        suites = [("read", read_workloads())] if reads else [(name, workloads(name)) for name in ("plain", "derived")]
        for name, suite in suites:
            for label, op, body in suite:
                tag = f"{name}-{label}"
                result[tag] = per_request(process.pid, out, conn, tag, op, body, requests, warmup=50)
    finally:
        process.terminate()
        process.wait(timeout=120)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--bin", action="append", help="a folder holding a release kvserver (repeatable)")
    parser.add_argument("--reads", action="store_true", help="GetItem, Query and Scan instead of the writes")
    args = parser.parse_args()
    folders = [Path(b) for b in args.bin] if args.bin else [release_bin_path(build=not args.no_build)]
    results = []
    for folder in folders:
        server, shim = prepare(folder, Path(tempfile.mkdtemp(prefix="kvcallgrind-bin-")))
        results.append(measure(server, shim, args.requests, args.reads))
    print_comparison(folders, results, args.requests, width=22)

if __name__ == "__main__":
    main()
