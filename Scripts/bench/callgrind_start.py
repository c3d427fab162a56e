#!/usr/bin/env python3
"""Instructions kvserver spends from exec to its first answer (issue #17's cold start), counted
by callgrind: deterministic where run.py's cold_start_ms is a wall-clock median on a shared
machine.

    python3 Scripts/bench/callgrind_start.py [--no-build] [--top 40] [--bin DIR] [--server NAME]

Starts the release kvserver `--in-memory` under `valgrind --tool=callgrind` (with
callgrind_batch.py's work-arounds), sends one ListTables, dumps the counters of every thread
and prints the total and the top inclusive functions (demangled). The count includes the
dynamic loader and every thread started before the answer; it excludes shutdown.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path, start_server
from callgrind_batch import prepare, start_under_callgrind, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--bin", help="a folder holding the release executables (default: this checkout's)")
    parser.add_argument("--server", default="kvserver", help="kvserver (default) or kvserver-postgres")
    args = parser.parse_args()

    binary = Path(args.bin) if args.bin else release_bin_path(build=not args.no_build, products=(args.server,))
    out = Path(tempfile.mkdtemp(prefix="kvcallgrind-start-"))
    server, shim = prepare(binary, Path(tempfile.mkdtemp(prefix="kvcallgrind-bin-")), name=args.server)
    process, host, port = start_under_callgrind(server, shim, out, ["--in-memory", "--port", "0", "--log-level", "error"])
    try:
        status, _ = call(http.client.HTTPConnection(host, port, timeout=120), "ListTables", {})
        if status != 200:
            sys.exit(f"ListTables answered {status}")
        subprocess.run(["callgrind_control", "--dump=started", str(process.pid)], check=True, capture_output=True)
    finally:
        process.terminate()
        process.wait(timeout=60)

    dumps = [d for d in out.glob(f"callgrind.out.{process.pid}*") if "started" in d.read_text(errors="ignore")[:4000]]
    if not dumps:
        sys.exit("no callgrind dump found")
    count = sum(total(dump) for dump in dumps)
    print(f"start-up to first answer: {count:,} instructions ({len(dumps)} dump(s) in {out})")
    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", *map(str, dumps)], capture_output=True, text=True)
    demangled = subprocess.run(["swift", "demangle", "--simplified"], input=annotate.stdout, capture_output=True, text=True)
    if args.top > 0:
        print("\n".join((demangled.stdout or annotate.stdout).splitlines()[: args.top + 20]))


if __name__ == "__main__":
    main()
