#!/usr/bin/env python3
"""What point-in-time recovery costs per write: storage and PutItem latency.

    python3 Scripts/bench/pitr_cost.py [--items 2000] [--rounds 5] [--no-build] [--debug]

Two identical tables, one with PITR enabled, get the same writes from one connection: ITEMS
PutItems of new ~200-byte items, then ROUNDS-1 rounds overwriting each of them (an UpdateItem-
like change), then deletes of half. Afterwards the server is stopped and the SQLite file is
measured with `dbstat`: the bytes of the PITR change log (`p<storage id>` and its index) per
logged write, and the item table size for comparison. PutItem p50 on both tables is printed too.
"""

from __future__ import annotations

import argparse
import http.client
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from benchlib import call as api_call
from benchlib import release_bin_path, start_server


def call(conn, op, body):
    status, answer = api_call(conn, op, body)
    if status != 200:
        raise RuntimeError(f"{op}: {status} {str(answer)[:200]}")
    return answer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--debug", action="store_true", help="use the debug build in .build/debug")
    args = parser.parse_args()
    if args.debug:
        binary = Path(__file__).resolve().parents[2] / ".build" / "debug" / "kvserver"
    else:
        binary = release_bin_path(build=not args.no_build) / "kvserver"
    data = tempfile.mkdtemp(prefix="kvpitr-")
    server, host, port = start_server([str(binary), "--data-dir", data, "--port", "0", "--log-level", "error"])
    conn = http.client.HTTPConnection(host, port)
    latencies = {"plain": [], "pitr": []}
    try:
        for table in ("plain", "pitr"):
            call(conn, "CreateTable", {
                "TableName": table, "BillingMode": "PAY_PER_REQUEST",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        call(conn, "UpdateContinuousBackups", {
            "TableName": "pitr", "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
        writes = 0
        for round_number in range(args.rounds):
            for n in range(args.items):
                for table in ("plain", "pitr"):
                    item = {"pk": {"S": f"item-{n:08d}"}, "round": {"N": str(round_number)},
                            "payload": {"S": "x" * 160}}
                    started = time.perf_counter()
                    call(conn, "PutItem", {"TableName": table, "Item": item})
                    latencies[table].append(time.perf_counter() - started)
                writes += 1
        for n in range(0, args.items, 2):
            for table in ("plain", "pitr"):
                call(conn, "DeleteItem", {"TableName": table, "Key": {"pk": {"S": f"item-{n:08d}"}}})
            writes += 1
    finally:
        conn.close()
        server.terminate()
        server.wait(timeout=30)
    db = sqlite3.connect(f"file:{data}/kvstore.sqlite?mode=ro", uri=True)
    sizes = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    catalog = {name: sid for name, sid in db.execute("SELECT name, storage_id FROM kv_tables")}
    log_name = f"p{catalog['pitr']}"
    log_bytes = sizes.get(log_name, 0) + sizes.get(f"{log_name}_at", 0)
    rows = db.execute(f"SELECT COUNT(*), SUM(LENGTH(old)) FROM {log_name}").fetchone()
    print(f"{writes} writes per table ({args.items} puts of new items, {args.items * (args.rounds - 1)} overwrites, "
          f"{args.items // 2} deletes)")
    print(f"change log: {rows[0]} rows, {log_bytes} bytes on disk = {log_bytes / max(rows[0], 1):.0f} bytes per write "
          f"(old images {rows[1] or 0} bytes)")
    print(f"item table: plain {sizes.get('t' + str(catalog['plain']), 0)} bytes, "
          f"pitr {sizes.get('t' + str(catalog['pitr']), 0)} bytes")
    for table, values in latencies.items():
        print(f"PutItem p50 {table}: {statistics.median(values) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
