#!/usr/bin/env python3
"""run.py's workloads on PostgreSQL (issue #18): kvserver-postgres over a throwaway cluster,
one node, then two nodes over the same database.

    python3 Scripts/bench/postgres_bench.py [--duration 8] [--connections 32] [--only put,get] [--no-build]

Builds the release kvserver-postgres, starts a PostgreSQL cluster with Scripts/postgres.sh (a
temp dir, a free port, stopped at the end), loads run.py's tables through the first node and
runs run.py's wrk scripts (PutItem, GetItem, Query of 100, conditional UpdateItem,
BatchWriteItem, the 80/20 mix):

- one node: the server pinned to CPU 0 and wrk to CPU 1, as in run.py; PostgreSQL is not
  pinned, so on a 2-core machine its backends share both cores with them;
- two nodes: a second kvserver-postgres on the same database (also on CPU 0) and two wrk
  processes on CPU 1, half the connections each, one per node, at the same time; requests/s is
  their sum and server CPU per request both servers' CPU over all requests.

Server CPU per request is kvserver's own (from /proc/PID/stat); PostgreSQL's (the postmaster and
its backends, from /proc) is reported apart. Results go to Scripts/bench/results/postgres.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from benchlib import ROOT, release_bin_path
from run import KEYS, RESULTS, TICKS, WRK_DIR, Server, ensure_tools, load, wrk

sys.path.insert(0, str(ROOT / "Tests" / "integration"))
from postgres_support import start_cluster, stop_cluster  # noqa: E402

WORKLOADS = [("put", "put.lua"), ("get", "get.lua"), ("query", "query.lua"), ("update", "update.lua"),
             ("batch", "batch.lua"), ("mix", "mix.lua")]


def postgres_cpu_seconds(directory: str) -> float:
    """CPU seconds of every process of the cluster in `directory` (the postmaster and its backends)."""
    # Scripts/postgres.sh keeps the cluster's data in DIR/data.
    postmaster = int((Path(directory) / "data" / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        pid = int(stat.parent.name)
        if pid == postmaster or int(fields[1]) == postmaster:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def wrk_pair(servers: list[Server], script: str, connections: int, duration: float) -> dict:
    """One wrk per server at the same time, `connections` split between them."""
    env = dict(os.environ, BENCH_LUA_PATH=str(WRK_DIR), BENCH_KEYS=str(KEYS))
    before = sum(server.cpu_seconds() for server in servers)
    outputs: list[str] = [""] * len(servers)

    def run(index: int):
        args = ["taskset", "-c", "1", "wrk", "-t1", f"-c{max(1, connections // len(servers))}",
                f"-d{int(duration)}s", "-s", str(WRK_DIR / script), servers[index].url]
        outputs[index] = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(servers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = sum(server.cpu_seconds() for server in servers) - before
    rate = sum(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)) for out in outputs)
    total = sum(int(re.search(r"(\d+) requests in", out).group(1)) for out in outputs)
    errors = sum(int(m.group(1)) for out in outputs for m in [re.search(r"Non-2xx or 3xx responses: (\d+)", out)] if m)
    return {"rps": rate, "requests": total, "errors": errors, "cpu_us_per_request": cpu * 1e6 / max(total, 1)}


def measured(directory: str, body) -> dict:
    """`body()`'s result with PostgreSQL's CPU per request added."""
    before = postgres_cpu_seconds(directory)
    result = body()
    result["postgres_cpu_us_per_request"] = (postgres_cpu_seconds(directory) - before) * 1e6 / max(result["requests"], 1)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", default="")
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    wanted = set(filter(None, args.only.split(",")))
    ensure_tools()
    binary = release_bin_path(build=not args.no_build, products=("kvserver-postgres",)) / "kvserver-postgres"
    cluster = start_cluster()
    results: dict[str, dict] = {}
    servers: list[Server] = []
    try:
        # A pool of 32 per node: as many connections as wrk opens, so a request never waits for one.
        storage = f"{cluster.url}?password_file={cluster.password_file}&sslmode=disable&pool_size=32"
        servers.append(Server([str(binary), "--storage", storage, "--port", "0", "--log-level", "error"]))
        load(servers[0])
        for name, script in WORKLOADS:
            if not wanted or name in wanted:
                results[f"one/{name}"] = measured(
                    cluster.directory, lambda: wrk(servers[0], script, args.connections, args.duration))
        servers.append(Server([str(binary), "--storage", storage, "--port", "0", "--log-level", "error"]))
        time.sleep(0.5)
        for name, script in WORKLOADS:
            if not wanted or name in wanted:
                results[f"two/{name}"] = measured(
                    cluster.directory, lambda: wrk_pair(servers, script, args.connections, args.duration))
    finally:
        for server in servers:
            server.stop()
        stop_cluster(cluster)
    lines = ["| workload | req/s | kvserver CPU µs/req | PostgreSQL CPU µs/req | errors |", "|---|---|---|---|---|"]
    for name, result in results.items():
        rate = result["rps"] * (25 if name.endswith("/batch") else 1)
        unit = " items/s" if name.endswith("/batch") else ""
        lines.append(f"| {name} | {rate:,.0f}{unit} | {result['cpu_us_per_request']:.1f} | "
                     f"{result['postgres_cpu_us_per_request']:.1f} | {result['errors']} |")
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "postgres.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "postgres.md").write_text(
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {args.connections} connections, "
        f"{args.duration:.0f}s per workload.\n\n{table}\n")


if __name__ == "__main__":
    sys.exit(main())
