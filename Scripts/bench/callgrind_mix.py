#!/usr/bin/env python3
"""What a GetItem costs after a commit: instructions under callgrind, GetItem and PutItem alone
and alternating.

    python3 Scripts/bench/callgrind_mix.py [--requests 400] [--no-build] [--bin DIR] [-- SERVER ARGS]

In WAL mode SQLite drops a reader connection's whole page cache when another connection has
committed since its last read, so a GetItem that follows a PutItem reads its B-tree path again
(see README, "Why the 80/20 mix costs more than its parts"). Same method as callgrind_reads.py
(the file-backed release server under callgrind, one connection, warm-up, counters zeroed and
dumped around each workload) on a key-only table of 5,000 items: `get` (GetItem only), `put`
(PutItem of new items only), `pair` (PutItem and GetItem alternating; per request) and `get`
again. Also prints the bytes the server read per request (`/proc/PID/io` rchar: database pages
and the request). The dumps are kept for `callgrind_annotate`.
"""

from __future__ import annotations

import argparse
import http.client
import subprocess
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path
from callgrind_batch import prepare, start_under_callgrind, total

PAYLOAD = "x" * 160
ITEMS = 5000


def io_counters(pid: int) -> dict:
    lines = Path(f"/proc/{pid}/io").read_text().splitlines()
    return {name: int(value) for name, value in (line.split(":") for line in lines)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--bin", help="a folder holding a release kvserver")
    parser.add_argument("server_args", nargs="*", help="after --: more server arguments")
    args = parser.parse_args()
    folder = Path(args.bin) if args.bin else release_bin_path(build=not args.no_build)
    out = Path(tempfile.mkdtemp(prefix="kvcallgrind-mix-"))
    server, shim = prepare(folder, out)
    data = tempfile.mkdtemp(prefix="kvcallgrind-data-")
    process, host, port = start_under_callgrind(server, shim, out, ["--data-dir", data, "--port", "0", "--log-level", "error", *args.server_args])
    conn = http.client.HTTPConnection(host, port, timeout=300)

    def get(i):
        return "GetItem", {"TableName": "bench", "Key": {"pk": {"S": f"k{(i * 7919) % ITEMS}"}}}

    def put(i):
        return "PutItem", {"TableName": "bench", "Item": {"pk": {"S": f"m{i}"}, "payload": {"S": PAYLOAD}}}

    def measure(tag: str, requests: list, warmup: int = 50) -> None:
        for op, body in requests[:warmup]:
            call(conn, op, body)
        subprocess.run(["callgrind_control", "--zero", str(process.pid)], check=True, capture_output=True)
        before = io_counters(process.pid)
        for op, body in requests[warmup:]:
            status, answer = call(conn, op, body)
            if status != 200:
                raise RuntimeError(f"{op} failed: {status} {answer}")
        after = io_counters(process.pid)
        subprocess.run(["callgrind_control", f"--dump={tag}", str(process.pid)], check=True, capture_output=True)
        dumps = sorted(out.glob(f"callgrind.out.{process.pid}.*"), key=lambda p: p.stat().st_mtime)
        count = len(requests) - warmup
        print(f"  {tag:10s} {total(dumps[-1]) // count:>9,} instructions/request  "
              f"{(after['rchar'] - before['rchar']) // count:>7,} bytes read/request  ({dumps[-1].name})", flush=True)

    try:
        call(conn, "CreateTable", {"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        for start in range(0, ITEMS, 25):
            call(conn, "BatchWriteItem", {"RequestItems": {"bench": [
                {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "payload": {"S": PAYLOAD}}}} for i in range(start, start + 25)]}})
        n = args.requests
        print(f"{n} requests each, one connection:")
        measure("get", [get(i) for i in range(n + 50)])
        measure("put", [put(i) for i in range(n + 50)])
        pairs = []
        for i in range(n // 2 + 25):
            pairs += [put(100_000 + i), get(i)]
        measure("pair", pairs)
        measure("get", [get(i + 3) for i in range(n + 50)])
    finally:
        process.terminate()
        process.wait(timeout=120)
    print(f"dumps in {out}")


if __name__ == "__main__":
    main()
