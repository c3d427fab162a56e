#!/usr/bin/env python3
"""Instructions kvserver spends from exec to its first answer (issue #17's cold start), counted
by callgrind: deterministic where run.py's cold start is a wall-clock median on a shared
machine.

    SWIFT_DETERMINISTIC_HASHING=1 python3 Scripts/bench/callgrind_start.py [--no-build] [--top 40]
        [--bin DIR] [--server kvserver|kvserver-postgres|kvnullserver] [--keep DIR] [--conformances 12]

Starts the release kvserver `--in-memory` (or kvnullserver, the bare SwiftNIO floor) under
`valgrind --tool=callgrind` (with callgrind_batch.py's work-arounds), sends one ListTables,
dumps the counters of every thread and prints the total and the top inclusive functions
(demangled). The count includes the dynamic loader and every thread started before the
answer; it excludes shutdown. `--keep DIR` leaves the dumps there for `callgrind_annotate`.

`--conformances N` also lists the Swift runtime's conformance scans (the first lookup of a
(type, protocol) pair walks every conformance record of the executable, about 330,000
instructions each) with the N callers above each one (callgrind's `--separate-callers`): what
in the start-up asked, by its cast, generic instantiation or interpolation. With N the count
itself is unchanged; only the dump is split by call chain.
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import call, release_bin_path
from callgrind_batch import prepare, start_under_callgrind, total

# The runtime function that walks the conformance sections on a cache miss (Swift 6.x runtime,
# statically linked): its inclusive cost per call chain is the cost of each miss.
CONFORMANCE_SCAN = "*swift_conformsToProtocolMaybeInstantiateSuperclasses*"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--bin", help="a folder holding the release executables (default: this checkout's)")
    parser.add_argument("--server", default="kvserver", help="kvserver (default), kvserver-postgres or kvnullserver")
    parser.add_argument("--keep", type=Path, help="write the callgrind dumps to this folder (kept)")
    parser.add_argument("--conformances", type=int, default=0, metavar="N",
                        help="list each conformance scan with N callers above it")
    args = parser.parse_args()

    binary = Path(args.bin) if args.bin else release_bin_path(build=not args.no_build, products=(args.server,))
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    out = args.keep or Path(tempfile.mkdtemp(prefix="kvcallgrind-start-"))
    work = Path(tempfile.mkdtemp(prefix="kvcallgrind-bin-"))
    server, shim = prepare(binary, work, name=args.server)
    server_args = ["0"] if args.server == "kvnullserver" else ["--in-memory", "--port", "0", "--log-level", "error"]
    valgrind_args = [f"--separate-callers{args.conformances}={CONFORMANCE_SCAN}"] if args.conformances else []
    process, host, port = start_under_callgrind(server, shim, out, server_args, valgrind_args=valgrind_args)
    try:
        status, _ = call(http.client.HTTPConnection(host, port, timeout=120), "ListTables", {})
        if status != 200:
            sys.exit(f"ListTables answered {status}")
        subprocess.run(["callgrind_control", "--dump=started", str(process.pid)], check=True, capture_output=True)
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)

    dumps = [d for d in out.glob(f"callgrind.out.{process.pid}*") if "started" in d.read_text(errors="ignore")[:4000]]
    if not dumps:
        sys.exit("no callgrind dump found")
    count = sum(total(dump) for dump in dumps)
    print(f"start-up to first answer: {count:,} instructions ({len(dumps)} dump(s) in {out})")
    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", *map(str, dumps)],
                              capture_output=True, text=True)
    lines = annotate.stdout.splitlines()
    if args.top > 0:
        print(demangle("\n".join(lines[: args.top + 20])))
    if args.conformances:
        print_conformance_scans(lines)


def print_conformance_scans(lines: list[str]) -> None:
    """The conformance scans by call chain (callgrind_annotate names each `scan'caller'caller...`)."""
    scans = []
    for line in lines:
        match = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+\S*:(\S*swift_conformsToProtocolMaybeInstantiateSuperclasses\S*)", line)
        if match and "'" in match.group(2):
            scans.append((int(match.group(1).replace(",", "")), match.group(2)))
    print(f"\nconformance scans: {len(scans)} call chains, {sum(c for c, _ in scans):,} instructions")
    for cost, chain in sorted(scans, reverse=True):
        callers = [demangle(name) for name in chain.split("'")[1:]]
        print(f"{cost:>12,}  " + "\n              <- ".join(callers))


def demangle(text: str) -> str:
    result = subprocess.run(["swift", "demangle", "--simplified"], input=text, capture_output=True, text=True)
    return result.stdout.rstrip("\n") if result.returncode == 0 and result.stdout else text


if __name__ == "__main__":
    main()
