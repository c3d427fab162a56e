#!/usr/bin/env python3
"""Instruction counts of BatchWriteItem: the release kvserver under callgrind.

    python3 Scripts/bench/callgrind_batch.py [--requests 300] [--no-build] [--out DIR] [--general]

wrk figures move by about ±10% on a shared machine; instruction counts do not, so changes to
the write path are compared with these. Starts the server under `valgrind --tool=callgrind`
(file-backed, like run.py), sends warm-up requests, zeroes the counters, sends `--requests`
BatchWriteItem calls of 25 ~200-byte PutRequests with unique keys on one connection, dumps the
counters and prints the instructions per request plus the top inclusive functions.

Two work-arounds for valgrind 3.19: it cannot read the DWARF 5 debug info Swift writes (the
server runs from a copy with `objcopy --strip-debug`, which keeps the symbol table), and it
crashes when libdispatch's main thread calls `sigsuspend` with a mask in read-only memory
(a preloaded shim copies the mask to the stack first). Needs a C compiler for the shim.
"""

from __future__ import annotations

import argparse
import os
import http.client
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from benchlib import call, release_bin_path, start_server

PAYLOAD = "x" * 160

SIGSUSPEND_SHIM = r"""
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, 8);
}
"""


def prepare(binary: Path, work: Path, name: str = "kvserver") -> tuple[Path, Path]:
    """A debug-info-free copy of the server `name` and the sigsuspend shim, both in `work`."""
    server = work / name
    subprocess.run(["objcopy", "--strip-debug", str(binary / name), str(server)], check=True)
    source = work / "sigsuspend_shim.c"
    source.write_text(SIGSUSPEND_SHIM)
    shim = work / "sigsuspend_shim.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(shim), str(source)], check=True)
    return server, shim


def start_under_callgrind(server: Path, shim: Path, out: Path, args: list[str], env: dict | None = None,
                          valgrind_args: list[str] | None = None):
    """Starts `server args` under callgrind (with `valgrind_args`), its dumps in `out`, with the
    sigsuspend shim preloaded and `env` added for the server only; returns `start_server`'s
    (process, host, port)."""
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out.%p", *(valgrind_args or []),
            str(server), *args]
    saved = dict(os.environ)
    os.environ.update(env or {})
    os.environ["LD_PRELOAD"] = str(shim)
    try:
        return start_server(argv)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def total(dump: Path) -> int:
    """The instruction count of a callgrind dump."""
    for line in dump.read_text(errors="ignore").splitlines():
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    return 0


def batch(prefix: str, start: int, general: bool) -> dict:
    items = [{"PutRequest": {"Item": {"pk": {"S": f"b{prefix}-{start + i}"}, "payload": {"S": PAYLOAD}}}} for i in range(25)]
    body = {"RequestItems": {"bench": items}}
    if general:
        # A null member is valid but not the ordinary shape: the body takes the JSON-tree path.
        body["ReturnItemCollectionMetrics"] = None
    return body


def send(conn: http.client.HTTPConnection, prefix: str, count: int, general: bool = False) -> None:
    for n in range(count):
        status, answer = call(conn, "BatchWriteItem", batch(prefix, n * 25, general))
        if status != 200 or answer.get("UnprocessedItems"):
            raise RuntimeError(f"BatchWriteItem failed: {status} {answer}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--general", action="store_true",
                        help="bodies the direct decoder declines, to measure the JSON-tree path")
    parser.add_argument("--out", default=None, help="folder for callgrind.out.* (default: a temp folder)")
    args = parser.parse_args()

    binary = release_bin_path(build=not args.no_build)
    out = Path(args.out or tempfile.mkdtemp(prefix="kvcallgrind-"))
    out.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="kvcallgrind-data-")
    server, shim = prepare(binary, Path(tempfile.mkdtemp(prefix="kvcallgrind-bin-")))
    process, host, port = start_under_callgrind(server, shim, out, ["--data-dir", data, "--port", "0", "--log-level", "error"])
    try:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        call(conn, "CreateTable", {"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        send(conn, "warm", args.warmup, args.general)
        subprocess.run(["callgrind_control", "--zero", str(process.pid)], check=True, capture_output=True)
        started = time.monotonic()
        send(conn, "measured", args.requests, args.general)
        elapsed = time.monotonic() - started
        subprocess.run(["callgrind_control", "--dump=measured", str(process.pid)], check=True, capture_output=True)
    finally:
        process.terminate()
        process.wait(timeout=60)

    dumps = sorted(out.glob(f"callgrind.out.{process.pid}.*"))
    dump = next((d for d in dumps if "measured" in d.read_text(errors="ignore")[:4000]), dumps[-1] if dumps else None)
    if dump is None:
        sys.exit("no callgrind dump found")
    count = total(dump)
    print(f"dump: {dump}")
    print(f"requests: {args.requests} ({elapsed:.1f} s under valgrind)")
    print(f"instructions: {count:,} total, {count // args.requests:,} per request, {count // (args.requests * 25):,} per item")
    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(dump)], capture_output=True, text=True)
    demangled = subprocess.run(["swift", "demangle", "--simplified"], input=annotate.stdout, capture_output=True, text=True)
    print("\n".join((demangled.stdout or annotate.stdout).splitlines()[:80]))


if __name__ == "__main__":
    main()
