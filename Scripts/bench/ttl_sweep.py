#!/usr/bin/env python3
"""TTL sweep under write load: 100,000 expired items deleted while a client keeps writing.

    python3 Scripts/bench/ttl_sweep.py [--items 100000] [--no-build]

Loads ITEMS items whose TTL is already in the past with TTL disabled, enables TTL (the sweeper
then indexes and deletes them in batches of 100 per transaction), and meanwhile times PutItem
calls on another table from one connection. Reports how long the sweep took and the PutItem
latency percentiles and maximum during it: the sweep must not stall writers for long.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import tempfile
import threading
import time

from benchlib import call as api_call
from benchlib import release_bin_path, start_server


def call(conn, op, body):
    status, answer = api_call(conn, op, body)
    if status != 200:
        raise RuntimeError(f"{op}: {status} {str(answer)[:200]}")
    return answer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    binary = release_bin_path(build=not args.no_build) / "kvserver"
    data = tempfile.mkdtemp(prefix="kvttl-")
    server, host, port = start_server([str(binary), "--data-dir", data, "--port", "0", "--ttl-interval", "0.5",
                                       "--log-level", "error"])
    try:
        conn = http.client.HTTPConnection(host, int(port))
        for name in ("expiring", "writes"):
            call(conn, "CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                                       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                       "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        past = str(int(time.time()) - 60)

        def load(start, stop):
            own = http.client.HTTPConnection(host, int(port))
            for first in range(start, stop, 25):
                puts = [{"PutRequest": {"Item": {"pk": {"S": f"e-{i}"}, "expires": {"N": past}, "payload": {"S": "x" * 100}}}}
                        for i in range(first, min(first + 25, stop))]
                request = {"RequestItems": {"expiring": puts}}
                while request["RequestItems"]:
                    request = {"RequestItems": call(own, "BatchWriteItem", request).get("UnprocessedItems", {})}

        started = time.perf_counter()
        threads = [threading.Thread(target=load, args=(p * args.items // 4, (p + 1) * args.items // 4)) for p in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"loaded {args.items} expired items in {time.perf_counter() - started:.1f}s")

        latencies: list[float] = []
        stop = threading.Event()

        def writer():
            own = http.client.HTTPConnection(host, int(port))
            counter = 0
            while not stop.is_set():
                counter += 1
                begin = time.perf_counter()
                call(own, "PutItem", {"TableName": "writes", "Item": {"pk": {"S": f"w-{counter}"}, "payload": {"S": "y" * 100}}})
                latencies.append((time.perf_counter() - begin) * 1000)

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(1)
        baseline = len(latencies)
        call(conn, "UpdateTimeToLive", {"TableName": "expiring",
                                        "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}})
        sweep_start = time.perf_counter()
        while call(conn, "Scan", {"TableName": "expiring", "Select": "COUNT", "Limit": 1}).get("Count", 0) > 0:
            time.sleep(0.2)
        swept = time.perf_counter() - sweep_start
        stop.set()
        thread.join()
        during = sorted(latencies[baseline:])
        quiet = sorted(latencies[:baseline])

        def pct(values, p):
            return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")

        print(f"swept {args.items} items in {swept:.1f}s ({args.items / swept:,.0f} items/s)")
        print(f"PutItem before the sweep: p50 {pct(quiet, .5):.2f} ms, p99 {pct(quiet, .99):.2f} ms ({len(quiet)} calls)")
        print(f"PutItem during the sweep: p50 {pct(during, .5):.2f} ms, p99 {pct(during, .99):.2f} ms, "
              f"max {during[-1] if during else float('nan'):.2f} ms ({len(during)} calls)")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
