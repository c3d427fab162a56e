#!/usr/bin/env python3
"""Instruction counts of GetItem and PutItem with metrics recording on and off.

    python3 Scripts/bench/callgrind_metrics.py [--requests 2000] [--no-build]

Starts the release kvserver (file-backed) under `valgrind --tool=callgrind` twice, once as is
(metrics on, the default) and once with KVSERVER_METRICS=0, and with `--access-log` as a third
run when `--access-log` is given; for each, sends warm-up requests, then `--requests` GetItem
calls and `--requests` PutItem calls (200-byte items, one connection), each measured between
zeroed and dumped counters. Instruction counts are repeatable on a shared machine where wrk's
figures are not (see callgrind_batch.py for the valgrind work-arounds used here).
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path, start_server
from callgrind_batch import prepare, start_under_callgrind, total

PAYLOAD = "x" * 160


def per_request(pid: int, out: Path, conn, tag: str, op: str, body, requests: int, warmup: int = 0) -> int:
    """Instructions per request of `requests` calls of `op` (bodies `body(i)`) on `conn` to the
    server `pid` running under callgrind: `warmup` calls on other indexes first (the same shapes,
    so caches and statements are ready), then counters zeroed, the calls, a dump named `tag`."""
    for i in range(requests, requests + warmup):
        call(conn, op, body(i))
    subprocess.run(["callgrind_control", "--zero", str(pid)], check=True, capture_output=True)
    for i in range(requests):
        status, answer = call(conn, op, body(i))
        if status != 200:
            raise RuntimeError(f"{op} failed: {status} {answer}")
    subprocess.run(["callgrind_control", f"--dump={tag}", str(pid)], check=True, capture_output=True)
    dumps = sorted(out.glob(f"callgrind.out.{pid}.*"), key=lambda p: p.stat().st_mtime)
    return total(dumps[-1]) // requests


def print_comparison(folders: list[Path], results: list[dict], requests: int, width: int) -> None:
    """One row per workload, one column per binary, and the last against the first."""
    print(f"instructions per request ({requests} requests each, one connection):")
    print("  " + f"{'workload':{width}s}" + "".join(f"{str(f)[-28:]:>30s}" for f in folders))
    for tag in results[0]:
        cells = [f"{r.get(tag, 0):>30,}" for r in results]
        if len(results) > 1 and results[0].get(tag):
            delta = results[-1][tag] - results[0][tag]
            cells.append(f"  {delta:+,} ({100 * delta / results[0][tag]:+.1f}%)")
        print(f"  {tag:{width}s}" + "".join(cells))


def measure(server: Path, shim: Path, requests: int, env: dict, extra: list[str]) -> dict:
    out = Path(tempfile.mkdtemp(prefix="kvcallgrind-m-"))
    data = tempfile.mkdtemp(prefix="kvcallgrind-data-")
    process, host, port = start_under_callgrind(
        server, shim, out, ["--data-dir", data, "--port", "0", "--log-level", "error", *extra], env)
    result = {}
    try:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        call(conn, "CreateTable", {"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        for i in range(200):
            call(conn, "PutItem", {"TableName": "bench", "Item": {"pk": {"S": f"k{i}"}, "payload": {"S": PAYLOAD}}})
            call(conn, "GetItem", {"TableName": "bench", "Key": {"pk": {"S": f"k{i}"}}})
        for name, op, body in [
            ("get", "GetItem", lambda i: {"TableName": "bench", "Key": {"pk": {"S": f"k{i % 200}"}}}),
            ("put", "PutItem", lambda i: {"TableName": "bench",
                                          "Item": {"pk": {"S": f"m{i}"}, "payload": {"S": PAYLOAD}}}),
        ]:
            result[name] = per_request(process.pid, out, conn, name, op, body, requests)
    finally:
        process.terminate()
        process.wait(timeout=60)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--access-log", action="store_true", help="also measure with --access-log to a file")
    args = parser.parse_args()
    binary = release_bin_path(build=not args.no_build)
    server, shim = prepare(binary, Path(tempfile.mkdtemp(prefix="kvcallgrind-bin-")))
    runs = [("metrics off", {"KVSERVER_METRICS": "0"}, []), ("metrics on", {}, [])]
    if args.access_log:
        log = Path(tempfile.mkdtemp(prefix="kvaccess-")) / "access.log"
        runs.append(("metrics on + access log", {}, ["--access-log", str(log)]))
    results = {label: measure(server, shim, args.requests, env, extra) for label, env, extra in runs}
    base = results["metrics off"]
    print(f"instructions per request ({args.requests} requests each, one connection):")
    for label, counts in results.items():
        cells = []
        for name in ("get", "put"):
            delta = counts[name] - base[name]
            cells.append(f"{name} {counts[name]:,} ({delta:+,}, {100 * delta / base[name]:+.1f}%)")
        print(f"  {label:26s} " + "   ".join(cells))


if __name__ == "__main__":
    main()
