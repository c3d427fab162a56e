#!/usr/bin/env python3
"""Two kvserver builds side by side: the same workloads at the same time, on the same core.

    python3 Scripts/bench/ab.py --bin OLD_DIR --bin NEW_DIR [--mode memory|file] [--only mix,get]
                                [--rounds 5] [--duration 8] [--connections 32]

run.py measures one server after another, so on a machine whose speed drifts from one minute
to the next (this one's has moved by up to half) a 5% change is lost in the drift. Here each
round starts one fresh server per binary (pinned to CPU 0, each on its own data: the same
tables and items as run.py's), and each workload is sent to all of them at once, one wrk each
on CPU 1 (run.wrk_side_by_side): a drift during the run slows them alike. Per workload it
prints each binary's server CPU per request and requests/s (median round) and, against the
first binary, the median of the rounds' own ratios with every round listed. Both servers share
one core, so their requests/s are about half of run.py's; compare CPU per request.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402

WORKLOADS = {"put": "put.lua", "get": "get.lua", "query": "query.lua", "update": "update.lua",
             "batch": "batch.lua", "mix": "mix.lua"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", action="append", required=True, help="a folder holding a release kvserver (twice or more)")
    parser.add_argument("--mode", choices=["memory", "file"], default="memory")
    parser.add_argument("--only", default="get,put,mix", help=f"comma-separated, of: {', '.join(WORKLOADS)}")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=float, default=8)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if len(args.bin) < 2:
        parser.error("give --bin at least twice")
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workloads: {', '.join(unknown)}")
    run.ensure_tools()
    labels = [f"{index}:{Path(folder).name}" for index, folder in enumerate(args.bin)]
    measured: dict[str, dict[str, list[dict]]] = {name: {label: [] for label in labels} for name in wanted}
    for round_number in range(max(1, args.rounds)):
        folders = [tempfile.mkdtemp(prefix="kvbench-ab-") for _ in labels]
        servers = {}
        try:
            for label, folder, data in zip(labels, args.bin, folders):
                storage = ["--in-memory"] if args.mode == "memory" else ["--data-dir", data]
                servers[label] = run.Server([str(Path(folder) / "kvserver"), *storage, "--port", "0", "--log-level", "error"])
            for server in servers.values():
                run.load(server)
            for name in wanted:
                results = run.wrk_side_by_side(servers, WORKLOADS[name], args.connections, args.duration)
                for label, result in results.items():
                    measured[name][label].append(result)
        finally:
            for server in servers.values():
                server.stop()
            for data in folders:
                shutil.rmtree(data, ignore_errors=True)
        print(f"round {round_number + 1} of {args.rounds} done", file=sys.stderr)

    base = labels[0]
    print(f"{args.mode} mode, {args.connections} connections per server, {args.duration:g}s per workload, "
          f"{args.rounds} rounds; server CPU µs per request (median round), requests/s, and against {base}")
    for name in wanted:
        for label in labels:
            runs = measured[name][label]
            cpu = statistics.median(r["cpu_us_per_request"] for r in runs)
            rps = statistics.median(r["rps"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            line = f"  {name:<7} {label:<28} {cpu:8.1f} µs {rps:10,.0f}/s"
            if errors:
                line += f"  {errors} errors"
            if label != base:
                ratios = [(r["cpu_us_per_request"] / b["cpu_us_per_request"] - 1) * 100
                          for r, b in zip(runs, measured[name][base])]
                line += f"  {statistics.median(ratios):+6.1f}% (rounds: {', '.join(f'{x:+.1f}' for x in ratios)})"
            print(line)


if __name__ == "__main__":
    main()
