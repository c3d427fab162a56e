#!/usr/bin/env python3
"""Where a workload's server CPU goes: perf samples of a release kvserver under one wrk workload.

    python3 Scripts/bench/profile.py get            # any of: put get query update batch mix
    python3 Scripts/bench/profile.py put --syscalls # also count system calls per request
    python3 Scripts/bench/profile.py get --auth     # pre-signed requests to a server with --auth

Starts the server like run.py (pinned to CPU 0, wrk on CPU 1, same data), records it with
`perf record -g` while wrk runs, and prints two tables: the share of samples per thread, and
the share per "owner" -- the innermost stack frame that belongs to our modules (KVServer,
KVStore), so library time (malloc, hashing, SQLite) is charged to the code that asked for it;
samples without such a frame are shown as kernel / NIO / other. `--syscalls` adds system calls
per request (perf tracepoints). Needs `perf` (Debian: linux-perf). valgrind 3.19 cannot read the
DWARF 5 debug info of Swift 6 binaries, so callgrind is not used here.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402
from benchlib import release_bin_path  # noqa: E402

SYSCALLS = "futex fcntl epoll_ctl epoll_wait pread64 pwrite64 writev read write fdatasync".split()


def owner(frames: list[str]) -> str:
    for frame in frames:
        if re.search(r"\$s\d+(KVServer|KVStore)", frame):
            return frame
    leaf = frames[0] if frames else ""
    if "[kernel" in leaf or leaf.startswith(("__x64_sys", "do_syscall")):
        return "[kernel]"
    if any("NIO" in frame for frame in frames):
        return "[NIO, no frame of ours]"
    return "[other] " + leaf


def demangle(symbols: list[str]) -> list[str]:
    if shutil.which("swift") is None:
        return symbols
    out = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input="\n".join(symbols),
                         capture_output=True, text=True).stdout.splitlines()
    return out if len(out) == len(symbols) else symbols


def report(data: Path, top: int):
    script = subprocess.run(["perf", "script", "-i", str(data), "-F", "comm,ip,sym,dso"],
                            capture_output=True, text=True).stdout
    threads, owners = collections.Counter(), collections.Counter()
    total = 0
    for block in script.split("\n\n"):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if len(lines) < 2:
            continue
        total += 1
        threads[lines[0].split()[0]] += 1
        frames = []
        for line in lines[1:]:
            symbol, _, dso = line.split(None, 1)[-1].rpartition(" (")
            frames.append(symbol if "kernel" not in dso else "[kernel] " + symbol)
        owners[owner(frames)] += 1
    print(f"{total} samples\n\nby thread:")
    for name, count in threads.most_common():
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("\nby innermost frame of ours:")
    ranked = owners.most_common(top)
    for (name, count), shown in zip(ranked, demangle([name for name, _ in ranked])):
        print(f"  {100 * count / total:5.1f}%  {shown[:150]}")


def count_syscalls(server, args):
    """A second wrk run under `perf stat`: system calls and context switches per request."""
    stats = Path(tempfile.mkdtemp()) / "stat.txt"
    events = [arg for name in SYSCALLS for arg in ("-e", f"syscalls:sys_enter_{name}")]
    counter = subprocess.Popen(["perf", "stat", *events, "-e", "context-switches", "-p", str(server.proc.pid),
                                "-o", str(stats)], stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    result = run.wrk(server, f"{args.workload}.lua", args.connections, args.duration)
    counter.send_signal(2)
    counter.wait()
    print("per request:")
    for line in stats.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].replace(",", "").isdigit():
            count = int(parts[0].replace(",", ""))
            name = parts[1].replace("syscalls:sys_enter_", "")
            print(f"  {name:18} {count / max(result['requests'], 1):7.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["put", "get", "query", "update", "batch", "mix"])
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--syscalls", action="store_true")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--auth", action="store_true",
                        help="verify signatures: pre-signed get/put requests (as run.py --auth) to a server with --auth")
    args = parser.parse_args()
    if args.auth and args.workload not in ("get", "put"):
        parser.error("--auth profiles get or put only")
    run.ensure_tools()
    binary = release_bin_path(not args.no_build) / "kvserver"
    with tempfile.TemporaryDirectory() as work:
        argv = [str(binary), "--port", "0", "--data-dir", work, "--log-level", "error"]
        server = run.Server(argv)
        try:
            run.load(server)
            if args.auth:
                # The data is loaded unsigned; the same files are then served with verification.
                server.stop()
                server = run.Server(argv + ["--auth", str(run.sigv4_pool.auth_file(Path(work) / "auth.json"))])
            data = Path(work) / "perf.data"
            recorder = subprocess.Popen(["perf", "record", "-g", "-F", "2000", "-o", str(data), "-p", str(server.proc.pid)],
                                        stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            if args.auth:
                result = run.presigned(server, args.workload, args)
            else:
                result = run.wrk(server, f"{args.workload}.lua", args.connections, args.duration)
            recorder.send_signal(2)
            recorder.wait()
            print(f"{args.workload}: {result['rps']:,.0f} req/s, {result['cpu_us_per_request']:.1f} µs server CPU per request")
            if args.syscalls:
                count_syscalls(server, args)
            report(data, args.top)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
