#!/usr/bin/env python3
"""Instruction counts of signature verification: GetItem and PutItem with `--auth` vs without.

    python3 Scripts/bench/callgrind_auth.py [--requests 2000] [--no-build] [--top 40] [--diff 40] [--keep DIR]

run.py --auth measures the same thing in server CPU microseconds, which move by ±10% on a
shared machine; instruction counts do not, so verification changes are compared with these.
SHA-256 blocks are compressed by the CPU's SHA extensions in production but by CSHA256's portable C
under valgrind (which hides them), so those instructions are reported apart.
Each variant runs the release kvserver (file-backed) under callgrind (see callgrind_batch.py
for the valgrind work-arounds), sends the same pre-signed requests (sigv4_pool.py) on one
keep-alive connection after a warm-up, and reports instructions per request; the overhead is
the difference as a share of the unverified count. `--diff N` prints the N functions whose own
(exclusive) instructions per request grew most with `--auth`: where verification's cost is.
`--keep DIR` copies the callgrind outputs there (`get-auth.out`, ...) for `callgrind_annotate`.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import release_bin_path, start_server
from callgrind_batch import prepare
from sigv4_pool import BENCH_SECRET, auth_file, signed_request

PAYLOAD = "x" * 160


def signing_key(amz_date: str) -> bytes:
    key = ("AWS4" + BENCH_SECRET).encode()
    for part in (amz_date[:8], "us-east-1", "dynamodb", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def requests_for(host: str, workload: str, count: int, prefix: str) -> list[bytes]:
    amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    key = signing_key(amz_date)
    out = []
    for n in range(count):
        if workload == "put":
            body = {"TableName": "bench", "Item": {"pk": {"S": f"{prefix}-{n}"}, "payload": {"S": PAYLOAD}}}
            target = "PutItem"
        else:
            body = {"TableName": "bench", "Key": {"pk": {"S": f"seed-{n % 200}"}}}
            target = "GetItem"
        out.append(signed_request(host, target, json.dumps(body, separators=(",", ":")).encode(), amz_date, key))
    return out


def exchange(sock: socket.socket, raw: bytes) -> None:
    """Sends one request and reads its answer (Content-Length framed)."""
    sock.sendall(raw)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError("connection closed")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(head.decode(errors="replace") + rest.decode(errors="replace"))
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    while len(rest) < length:
        rest += sock.recv(65536)


def exclusive_by_function(dump: Path, count: int) -> dict[str, int]:
    """Each function's own instructions per request, by its demangled name."""
    annotated = subprocess.run(["callgrind_annotate", "--threshold=100", str(dump)], capture_output=True,
                               text=True).stdout
    rows = []
    for line in annotated.splitlines():
        match = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
        if match and "file:function" not in line:
            # Without the object's path: each run has its own copy of the binary.
            rows.append((int(match.group(1).replace(",", "")), re.sub(r"\s+\[[^\]]*\]$", "", match.group(2))))
    demangled = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(name for _, name in rows),
                               capture_output=True, text=True).stdout.splitlines()
    names = demangled if len(demangled) == len(rows) else [name for _, name in rows]
    out: dict[str, int] = {}
    for (instructions, _), name in zip(rows, names):
        out[name] = out.get(name, 0) + instructions // count
    return out


def measure(binary: Path, auth: bool, workloads: list[str], count: int, top: int,
            keep: Path | None = None, functions: dict | None = None) -> dict[str, int]:
    work = Path(tempfile.mkdtemp(prefix="kvcallgrind-auth-"))
    server, shim = prepare(binary, work)
    out = work / "out"
    out.mkdir()
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/callgrind.out.%p",
            str(server), "--data-dir", str(work / "data"), "--port", "0", "--log-level", "error"]
    if auth:
        argv += ["--auth", str(auth_file(work / "auth.json"))]
    os.environ["LD_PRELOAD"] = str(shim)
    try:
        process, host, port = start_server(argv)
    finally:
        del os.environ["LD_PRELOAD"]
    results = {}
    try:
        sock = socket.create_connection((host, port), timeout=120)
        address = f"{host}:{port}"
        create = {"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                  "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                  "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}
        amz_date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        exchange(sock, signed_request(address, "CreateTable", json.dumps(create).encode(), amz_date,
                                      signing_key(amz_date)))
        for raw in requests_for(address, "put", 200, "seed"):
            exchange(sock, raw)
        for workload in workloads:
            for raw in requests_for(address, workload, 200, f"warm{workload}"):
                exchange(sock, raw)
            batch = requests_for(address, workload, count, f"m{workload}")
            subprocess.run(["callgrind_control", "--zero", str(process.pid)], check=True, capture_output=True)
            for raw in batch:
                exchange(sock, raw)
            subprocess.run(["callgrind_control", f"--dump={workload}", str(process.pid)], check=True,
                           capture_output=True)
            dump = max(out.glob(f"callgrind.out.{process.pid}.*"), key=lambda p: p.stat().st_mtime)
            total = next(int(line.split()[1]) for line in dump.read_text(errors="ignore").splitlines()
                         if line.startswith(("summary:", "totals:")))
            results[workload] = total // count
            # valgrind hides the CPU's SHA extensions, so CSHA256 compresses with its portable C
            # here: report those instructions apart (on the real CPU they are a few hundred cycles).
            annotated = subprocess.run(["callgrind_annotate", "--threshold=100", str(dump)], capture_output=True,
                                       text=True).stdout
            sha = sum(int(line.split()[0].replace(",", "")) for line in annotated.splitlines()
                      if "kv_sha256_blocks_portable" in line and line.strip()[:1].isdigit())
            results[workload + "_sha"] = sha // count
            if auth:
                # Verification's own instructions, inclusive: the background threads (group commit,
                # the auth file's reload check) move the totals by a few thousand between runs.
                inclusive = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(dump)],
                                           capture_output=True, text=True).stdout
                demangled = subprocess.run(["swift", "demangle", "--simplified"], input=inclusive,
                                           capture_output=True, text=True).stdout or inclusive
                own = 0
                # The server asks the authorizer for a remembered allow before building its input
                # (`allowsAsBefore`): counted once (its protocol witness holds its body).
                remembered = 0
                for line in demangled.splitlines():
                    name = re.sub(r"\s+\[[^\]]*\]$", "", line).strip()
                    if name.endswith((":SigV4Authenticator.authenticate(_:)", ":IAMPolicyAuthorizer.authorize(_:)")):
                        own += int(line.split()[0].replace(",", ""))
                    elif "allowsAsBefore" in name and "IAMPolicyAuthorizer" in name:
                        remembered = max(remembered, int(line.split()[0].replace(",", "")))
                results[workload + "_own"] = (own + remembered) // count
            if keep:
                keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(dump, keep / f"{workload}-{'auth' if auth else 'plain'}.out")
            if functions is not None:
                functions[workload] = exclusive_by_function(dump, count)
            if top and auth:
                annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", str(dump)],
                                          capture_output=True, text=True)
                demangled = subprocess.run(["swift", "demangle", "--simplified"], input=annotate.stdout,
                                           capture_output=True, text=True)
                print(f"--- {workload} with --auth, inclusive:")
                print("\n".join((demangled.stdout or annotate.stdout).splitlines()[:top]))
    finally:
        process.terminate()
        process.wait(timeout=60)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--only", default="get,put")
    parser.add_argument("--bin-dir", default=None, help="a folder holding a kvserver binary to measure instead")
    parser.add_argument("--top", type=int, default=0, help="print the top N inclusive functions with --auth")
    parser.add_argument("--diff", type=int, default=0,
                        help="print the N functions whose own instructions per request grow most with --auth")
    parser.add_argument("--keep", type=Path, default=None, help="copy the callgrind outputs to this folder")
    args = parser.parse_args()
    binary = Path(args.bin_dir) if args.bin_dir else release_bin_path(build=not args.no_build)
    workloads = args.only.split(",")
    plain_functions: dict = {}
    verified_functions: dict = {}
    plain = measure(binary, False, workloads, args.requests, 0, args.keep, plain_functions if args.diff else None)
    verified = measure(binary, True, workloads, args.requests, args.top, args.keep,
                       verified_functions if args.diff else None)
    for workload in workloads if args.diff else []:
        before, after = plain_functions[workload], verified_functions[workload]
        growth = sorted(((after.get(name, 0) - before.get(name, 0), name) for name in set(before) | set(after)),
                        reverse=True)
        print(f"--- {workload}: own instructions per request, --auth minus without (largest growth first)")
        for delta, name in growth[:args.diff]:
            print(f"{delta:>+9,}  {name[:200]}")
    for workload in workloads:
        off, on = plain[workload], verified[workload]
        sha = verified[workload + "_sha"]
        print(f"{workload}: {off:,} instructions/request without --auth, {on:,} with "
              f"(+{on - off:,}, +{100 * (on - off) / off:.1f}%); of which SHA-256 block compression "
              f"{sha:,} (portable C under valgrind), without it +{on - off - sha:,} (+{100 * (on - off - sha) / off:.1f}%); "
              f"authenticate + authorize inclusive {verified[workload + '_own']:,}, without SHA-256 blocks "
              f"{verified[workload + '_own'] - sha:,}")


if __name__ == "__main__":
    sys.exit(main())
