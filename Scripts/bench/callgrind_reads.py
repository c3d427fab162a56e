#!/usr/bin/env python3
"""Instruction counts of the read paths and of PutItem: the release kvserver under callgrind.

    python3 Scripts/bench/callgrind_reads.py [--requests 1000] [--no-build] [--bin DIR ...]

For changes to how the engine reaches storage (the backend seam, `Storage/EngineStorage.swift`)
before and after: GetItem (answered on the event loop), a Query of 10 items and of 100
items, a Scan page of 100, and PutItem, on a table with a sort key. Same method as
callgrind_writes.py (whose helpers it uses): file-backed server under callgrind, warm-up, then
`--requests` calls on one connection between zeroed and dumped counters.
"""

from __future__ import annotations

import argparse
import http.client
import os
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path, start_server
from callgrind_batch import prepare
from callgrind_metrics import per_request, print_comparison

PAYLOAD = "x" * 160
PARTITIONS = 50
PER_PARTITION = 120


def workloads() -> list:
    return [
        ("get", "GetItem", lambda i: {"TableName": "reads", "Key": {
            "pk": {"S": f"p{i % PARTITIONS}"}, "sk": {"N": str(i % PER_PARTITION)}}}),
        ("query10", "Query", lambda i: {"TableName": "reads", "KeyConditionExpression": "pk = :p",
                                        "ExpressionAttributeValues": {":p": {"S": f"p{i % PARTITIONS}"}}, "Limit": 10}),
        ("query100", "Query", lambda i: {"TableName": "reads", "KeyConditionExpression": "pk = :p",
                                         "ExpressionAttributeValues": {":p": {"S": f"p{i % PARTITIONS}"}}, "Limit": 100}),
        ("scan100", "Scan", lambda i: {"TableName": "reads", "Limit": 100}),
        ("put", "PutItem", lambda i: {"TableName": "reads", "Item": {
            "pk": {"S": f"w{i}"}, "sk": {"N": "1"}, "payload": {"S": PAYLOAD}}}),
    ]


def measure(server: Path, shim: Path, requests: int) -> dict:
    out = Path(tempfile.mkdtemp(prefix="kvcallgrind-r-"))
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
        status, answer = call(conn, "CreateTable", {
            "TableName": "reads", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"}]})
        if status != 200:
            raise RuntimeError(f"CreateTable failed: {status} {answer}")
        for p in range(PARTITIONS):
            for start in range(0, PER_PARTITION, 25):
                items = [{"PutRequest": {"Item": {"pk": {"S": f"p{p}"}, "sk": {"N": str(s)}, "payload": {"S": PAYLOAD}}}}
                         for s in range(start, min(start + 25, PER_PARTITION))]
                call(conn, "BatchWriteItem", {"RequestItems": {"reads": items}})
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
    print_comparison(folders, results, args.requests, width=12)

if __name__ == "__main__":
    main()
