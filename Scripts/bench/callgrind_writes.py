#!/usr/bin/env python3
"""Instruction counts of every item write path: the release kvserver under callgrind.

    python3 Scripts/bench/callgrind_writes.py [--requests 1000] [--no-build] [--bin DIR ...]

For comparing a change to the write pipeline (`Sources/KVStore/Writes`) before and after:
wrk's figures move by about ±10% on a shared machine, instruction counts do not. For each
binary folder (`--bin`, repeatable; default the release build of this tree) the server runs
file-backed under `valgrind --tool=callgrind` (see callgrind_batch.py for the work-arounds) on
two tables, `plain` (key only) and `derived` (a global index and TTL, so the old item is read),
and for each workload sends warm-up requests, then `--requests` calls on one connection between
zeroed and dumped counters, and prints the instructions per request.

The read paths have their own script, callgrind_reads.py.
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path
from callgrind_batch import prepare, start_under_callgrind
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


def measure(server: Path, shim: Path, requests: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="kvcallgrind-w-"))
    data = tempfile.mkdtemp(prefix="kvcallgrind-data-")
    process, host, port = start_under_callgrind(server, shim, out, ["--data-dir", data, "--port", "0", "--log-level", "error"])
    result = {}
    try:
        conn = http.client.HTTPConnection(host, port, timeout=300)
        for body in (table("plain", False), table("derived", True)):
            status, answer = call(conn, "CreateTable", body)
            if status != 200:
                raise RuntimeError(f"CreateTable failed: {status} {answer}")
        call(conn, "UpdateTimeToLive", {"TableName": "derived",
                                        "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True}})
        for name in ("plain", "derived"):
            for label, op, body in workloads(name):
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
    args = parser.parse_args()
    folders = [Path(b) for b in args.bin] if args.bin else [release_bin_path(build=not args.no_build)]
    results = []
    for folder in folders:
        server, shim = prepare(folder, Path(tempfile.mkdtemp(prefix="kvcallgrind-bin-")))
        results.append(measure(server, shim, args.requests))
    print_comparison(folders, results, args.requests, width=22)

if __name__ == "__main__":
    main()
