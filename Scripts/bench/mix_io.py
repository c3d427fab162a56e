#!/usr/bin/env python3
"""Page reads and group commits per request of run.py's workloads, one server, in sequence.

    python3 Scripts/bench/mix_io.py [--phases put,get,mix,get,mix] [--duration 3] [--no-build] [-- SERVER ARGS]

Starts the release kvserver (file mode, pinned like run.py), loads run.py's tables, then runs the
wrk workloads named by `--phases` one after the other on the same server and prints, per
request, the read and write system calls and bytes read (`/proc/PID/io`), the server CPU, and
the PutItems per group commit (the `kvserver_group_commit_size` metric). Counts, unlike the
µs, hold on a busy machine. Arguments after `--` go to the server (e.g. `--cache-size 512`, so
that the whole table fits the page caches and only cache resets show). See README, "Why the
80/20 mix costs more than its parts".
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
import urllib.request
from pathlib import Path

import run
from benchlib import release_bin_path


def io_counters(pid: int) -> dict:
    lines = Path(f"/proc/{pid}/io").read_text().splitlines()
    return {name: int(value) for name, value in (line.split(":") for line in lines)}


def group_commits(server: run.Server) -> tuple[float, float]:
    """(groups, writes) committed so far."""
    text = urllib.request.urlopen(server.url + "/metrics").read().decode()
    groups = re.search(r"^kvserver_group_commit_size_count\S*\s+(\S+)", text, re.M)
    writes = re.search(r"^kvserver_group_commit_size_sum\S*\s+(\S+)", text, re.M)
    return (float(groups.group(1)) if groups else 0.0, float(writes.group(1)) if writes else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phases", default="put,get,mix,get,mix")
    parser.add_argument("--duration", type=float, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("server_args", nargs="*")
    args = parser.parse_args()
    run.ensure_tools()
    binary = release_bin_path(build=not args.no_build)
    data = tempfile.mkdtemp(prefix="kvbench-io-")
    server = run.Server([str(binary / "kvserver"), "--data-dir", data, "--port", "0", "--log-level", "error",
                         *args.server_args])
    try:
        run.load(server)
        for phase in args.phases.split(","):
            before, commits_before = io_counters(server.proc.pid), group_commits(server)
            result = run.wrk(server, f"{phase}.lua", args.connections, args.duration)
            after, commits_after = io_counters(server.proc.pid), group_commits(server)
            n = max(result["requests"], 1)
            groups = commits_after[0] - commits_before[0]
            writes = commits_after[1] - commits_before[1]
            per_commit = f"{writes / groups:5.2f}" if groups > 10 else "    -"
            print(f"{phase:6s} {n:>8,} requests  {result['cpu_us_per_request']:5.1f} µs  "
                  f"read syscalls {(after['syscr'] - before['syscr']) / n:5.2f}  "
                  f"bytes read {(after['rchar'] - before['rchar']) / n:>7,.0f}  "
                  f"write syscalls {(after['syscw'] - before['syscw']) / n:5.2f}  writes/commit {per_commit}", flush=True)
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
