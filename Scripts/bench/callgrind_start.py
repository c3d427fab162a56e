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
        print_conformance_scans(dumps)


SCAN_PREFIX = ("swift_conformsToProtocolMaybeInstantiateSuperclasses(swift::TargetMetadata<swift::InProcess> const*, "
               "swift::TargetProtocolDescriptor<swift::InProcess> const*, bool)'")


def conformance_scans(dumps: list[Path]) -> dict[str, list[int]]:
    """{call chain: [calls, inclusive instructions]} of the scan function, read from the dumps'
    call records (`cfn=` / `calls=` / cost line); a scan inside another scan is not counted twice."""
    chains: dict[str, list[int]] = {}
    for dump in dumps:
        names: dict[str, str] = {}
        callee = None
        pending_calls = None
        for line in dump.read_text(errors="ignore").splitlines():
            if line.startswith("cfn=") or line.startswith("fn="):
                match = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
                if match:
                    if match.group(2) is not None:
                        names[match.group(1)] = match.group(2)
                    if line.startswith("cfn="):
                        callee = names.get(match.group(1))
                continue
            if line.startswith("calls="):
                pending_calls = int(line.split("=", 1)[1].split()[0])
                continue
            if pending_calls is not None:
                if callee and callee.startswith(SCAN_PREFIX) and "swift_conformsToProtocolMaybeInstantiateSuperclasses" not in callee[len(SCAN_PREFIX):]:
                    fields = line.split()
                    cost = int(fields[1]) if len(fields) > 1 else 0
                    entry = chains.setdefault(callee[len(SCAN_PREFIX):], [0, 0])
                    entry[0] += pending_calls
                    entry[1] += cost
                pending_calls = None
                callee = None
    return chains


def print_conformance_scans(dumps: list[Path], minimum: int = 100_000) -> None:
    """The conformance scans of at least `minimum` instructions by call chain: the runtime entry
    point that asked, then the Swift frames above it (the runtime's own frames left out)."""
    chains = conformance_scans(dumps)
    costly = sorted(((cost, calls, chain) for chain, (calls, cost) in chains.items() if cost >= minimum), reverse=True)
    print(f"\nconformance scans of at least {minimum:,} instructions: {len(costly)} call chains, "
          f"{sum(c for c, _, _ in costly):,} of {sum(c for _, c in chains.values()):,} instructions in scans")
    for cost, calls, chain in costly:
        frames = chain.split("'")
        entry = frames[0].split("(")[0]
        swift = [demangle(f) for f in frames if f.startswith("$s")][:6]
        print(f"{cost:>11,} {calls:>3}x  {entry}\n" + "".join(f"{'':18}<- {f[:200]}\n" for f in swift), end="")


def demangle(text: str) -> str:
    if not text.strip():
        return text
    result = subprocess.run(["swift", "demangle", "--simplified"], input=text, capture_output=True, text=True)
    return result.stdout.rstrip("\n") if result.returncode == 0 and result.stdout else text


if __name__ == "__main__":
    main()
