#!/usr/bin/env python3
"""Durability under kill -9: no acknowledged write is lost.

    python3 Scripts/bench/crash_durability.py [--seconds 5] [--writers 8] [--durability normal] [--no-build]

Starts a release kvserver on a data directory, runs WRITERS threads doing PutItem with unique
keys (each records a key only after its 200 response), kills the server with SIGKILL mid-load,
restarts it on the same directory and checks with BatchGetItem that every acknowledged key is
there. Exits 1 if any acknowledged write is missing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchlib import call, release_bin_path, start_server


def start(binary: Path, data: str, durability: str):
    return start_server([str(binary), "--data-dir", data, "--port", "0", "--durability", durability,
                         "--log-level", "error"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--durability", choices=["normal", "full"], default="normal")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    binary = release_bin_path(build=not args.no_build) / "kvserver"
    data = tempfile.mkdtemp(prefix="kvcrash-")
    server, host, port = start(binary, data, args.durability)
    status, _ = call(http.client.HTTPConnection(host, port), "CreateTable", {
        "TableName": "durable", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    assert status == 200
    acknowledged: list[list[str]] = [[] for _ in range(args.writers)]

    def writer(worker: int):
        conn = http.client.HTTPConnection(host, port)
        counter = 0
        while True:
            counter += 1
            key = f"w{worker}-{counter}"
            try:
                status, _ = call(conn, "PutItem", {"TableName": "durable", "Item": {"pk": {"S": key}, "v": {"N": str(counter)}}})
            except (OSError, http.client.HTTPException):
                return  # the server is gone: this write was never acknowledged
            if status == 200:
                acknowledged[worker].append(key)

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(args.writers)]
    for thread in threads:
        thread.start()
    time.sleep(args.seconds)
    os.kill(server.pid, signal.SIGKILL)
    server.wait()
    for thread in threads:
        thread.join(timeout=10)
    keys = [key for worker in acknowledged for key in worker]
    print(f"{len(keys)} writes acknowledged before kill -9 ({args.durability} durability)")

    server, host, port = start(binary, data, args.durability)
    conn = http.client.HTTPConnection(host, port)
    missing = []
    try:
        for first in range(0, len(keys), 100):
            chunk = keys[first:first + 100]
            request = {"RequestItems": {"durable": {"Keys": [{"pk": {"S": k}} for k in chunk], "ProjectionExpression": "pk"}}}
            found = set()
            while request["RequestItems"]:
                status, answer = call(conn, "BatchGetItem", request)
                assert status == 200, answer
                found |= {item["pk"]["S"] for item in answer["Responses"].get("durable", [])}
                request = {"RequestItems": answer.get("UnprocessedKeys", {})}
            missing += [k for k in chunk if k not in found]
    finally:
        server.terminate()
        server.wait(timeout=10)
    if missing:
        print(f"LOST {len(missing)} acknowledged writes, e.g. {missing[:5]}")
        return 1
    print("no acknowledged write was lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
