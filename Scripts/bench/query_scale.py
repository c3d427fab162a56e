#!/usr/bin/env python3
"""Query / GetItem / Scan at scale against a release kvserver (a benchmark, not a test).

    python3 Scripts/bench/query_scale.py                 # builds release, 1,000 and up to 1,000,000 items
    python3 Scripts/bench/query_scale.py --no-build --big 200000 --max-load-seconds 120

What it does:
  1. the release build of kvserver (benchlib.release_bin_path, unless --no-build), starts it on 127.0.0.1 with a
     temporary --data-dir (file-backed, durability normal), and stops it by PID at the end.
  2. Loads a small table (1,000 items) and a big one (--big items, default 1,000,000, or as many as
     fit in --max-load-seconds) with parallel PutItem requests over keep-alive HTTP connections
     from several processes. Items: pk "p<partition>", sk N 0..149 (150 items per partition),
     ~100 bytes of payload.
  3. Measures p50/p99 latency of Query (one 150-item partition, Limit 100) and GetItem on both.
  4. Scans the big table page by page (1 MB pages) while sampling the server's VmRSS from
     /proc/<pid>/status, to show memory stays flat.

Requests carry a dummy SigV4-shaped Authorization header: kvserver accepts any credentials.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PER_PARTITION = 150
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIABENCH/20240101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-target, Signature=00")


class Client:
    """One keep-alive connection speaking DynamoDB JSON."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=120)

    def call(self, op: str, body: dict) -> dict:
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{op}",
                   "Authorization": AUTH}
        for attempt in range(3):
            try:
                self.conn.request("POST", "/", body=data, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt == 2:
                    raise
        out = json.loads(payload)
        if resp.status != 200:
            raise RuntimeError(f"{op} failed: {resp.status} {out}")
        return out


def item(partition: int, sort: int) -> dict:
    return {"pk": {"S": f"p{partition:07d}"}, "sk": {"N": str(sort)},
            "payload": {"S": f"{partition:07d}-{sort:03d}-" + "x" * 84}, "n": {"N": str(partition * 1000 + sort)}}


def _loader(args):
    host, port, table, start, stop, deadline = args
    client = Client(host, port)
    done = 0
    for i in range(start, stop):
        if time.time() > deadline:
            break
        client.call("PutItem", {"TableName": table, "Item": item(i // PER_PARTITION, i % PER_PARTITION)})
        done += 1
    return start, done


def load(host, port, table, count, workers, max_seconds):
    """Loads items 0..count-1 in `workers` processes; returns the number of items stored
    (a prefix of whole slices: each worker stops at the deadline)."""
    deadline = time.time() + max_seconds
    chunk = 2000
    jobs = [(host, port, table, s, min(s + chunk, count), deadline) for s in range(0, count, chunk)]
    t0 = time.time()
    loaded, done_by_start = 0, {}
    with mp.Pool(workers) as pool:
        for start, done in pool.imap_unordered(_loader, jobs):
            loaded += done
            done_by_start[start] = done
    # the longest prefix of fully loaded slices: every key below it is stored
    prefix = 0
    for start, stop in ((j[3], j[4]) for j in jobs):
        if done_by_start.get(start) != stop - start:
            break
        prefix = stop
    return loaded, prefix, time.time() - t0


def percentile(values, p):
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def rss_kib(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1))


def measure(client, table, loaded, samples):
    partitions = max(1, loaded // PER_PARTITION)
    full = [p for p in range(partitions) if (p + 1) * PER_PARTITION <= loaded] or [0]
    q, g = [], []
    for _ in range(samples):
        p = random.choice(full)
        t = time.perf_counter()
        out = client.call("Query", {"TableName": table, "KeyConditionExpression": "pk = :p",
                                    "ExpressionAttributeValues": {":p": {"S": f"p{p:07d}"}}, "Limit": 100})
        q.append((time.perf_counter() - t) * 1000)
        assert out["Count"] == 100, out["Count"]
        i = random.randrange(loaded)
        key = item(i // PER_PARTITION, i % PER_PARTITION)
        t = time.perf_counter()
        out = client.call("GetItem", {"TableName": table, "Key": {"pk": key["pk"], "sk": key["sk"]}})
        g.append((time.perf_counter() - t) * 1000)
        assert "Item" in out
    return q, g


def create_table(client, name):
    client.call("CreateTable", {
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}]})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--binary", default=None)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--max-load-seconds", type=float, default=180)
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--samples", type=int, default=2000)
    args = ap.parse_args()

    if not args.no_build:
        from benchlib import release_bin_path  # the release build's flags, in one place
        release_bin_path(build=True)
    binary = args.binary or str(REPO / ".build" / "release" / "kvserver")
    data_dir = tempfile.mkdtemp(prefix="kvbench-")
    proc = subprocess.Popen([binary, "--data-dir", data_dir, "--port", "0", "--host", "127.0.0.1",
                             "--log-level", "warning"], stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"listening on http://([\d.]+):(\d+)", line)
        if not m:
            raise SystemExit(f"kvserver did not start: {line!r}")
        host, port = m.group(1), int(m.group(2))
        client = Client(host, port)
        rows = []
        for label, table, count, cap in [("small", "bench-small", args.small, 600),
                                         ("big", "bench-big", args.big, args.max_load_seconds)]:
            create_table(client, table)
            loaded, prefix, seconds = load(host, port, table, count, args.workers, cap)
            print(f"loaded {loaded:,} items into {table} in {seconds:.1f}s ({loaded / seconds:,.0f} puts/s)",
                  flush=True)
            q, g = measure(client, table, prefix, args.samples)
            rows.append((label, loaded, seconds, q, g))

        big_loaded = rows[-1][1]
        rss_before = rss_kib(proc.pid)
        samples, pages, scanned = [rss_before], 0, 0
        t0 = time.time()
        body = {"TableName": "bench-big"}
        while True:
            out = client.call("Scan", body)
            pages += 1
            scanned += out["Count"]
            samples.append(rss_kib(proc.pid))
            if "LastEvaluatedKey" not in out:
                break
            body["ExclusiveStartKey"] = out["LastEvaluatedKey"]
        scan_seconds = time.time() - t0
        assert scanned == big_loaded, (scanned, big_loaded)

        print()
        print(f"{'table':<6} {'items':>10} {'load s':>8} {'Query p50':>10} {'Query p99':>10} "
              f"{'Get p50':>8} {'Get p99':>8}   (ms; Query = one 150-item partition, Limit 100)")
        for label, loaded, seconds, q, g in rows:
            print(f"{label:<6} {loaded:>10,} {seconds:>8.1f} {statistics.median(q):>10.2f} {percentile(q, 99):>10.2f} "
                  f"{statistics.median(g):>8.2f} {percentile(g, 99):>8.2f}")
        print()
        print(f"Scan of bench-big: {scanned:,} items in {pages} pages, {scan_seconds:.1f}s "
              f"({scanned / scan_seconds:,.0f} items/s)")
        print(f"server RSS (MiB): before {rss_before / 1024:.1f}, min {min(samples) / 1024:.1f}, "
              f"max {max(samples) / 1024:.1f}, after {samples[-1] / 1024:.1f}")
        step = max(1, len(samples) // 10)
        print("RSS samples every ~10% of the scan (MiB): "
              + ", ".join(f"{s / 1024:.0f}" for s in samples[::step]))
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
