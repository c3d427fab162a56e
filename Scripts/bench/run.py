#!/usr/bin/env python3
"""The benchmark suite: kvserver against a bare SwiftNIO null server on this machine.

    python3 Scripts/bench/run.py [--duration 10] [--connections 32] [--only put,get] [--mode file|memory|both] [--auth [--auth-rounds 3]]

Builds release binaries, pins the server to CPU 0 and wrk to CPU 1, and reports requests/s,
the ratio to the null server measured in the same run (before and after the workloads; the
higher counts), server CPU microseconds per request (from /proc/PID/stat) and the null
server's CPU per request as a ratio to it (steadier than req/s on a shared machine),
single-connection latency, cold start and RSS (all, and private; idle and after the run). Each
mode (`--mode`, default both: a SQLite file in a temp directory, and `--in-memory`) runs the
workloads on a fresh server. Results are printed as a table and written to
Scripts/bench/results/latest.{json,md}.

With --auth, GetItem and PutItem are also measured with signature verification on against
off, in the same run (file mode): pools of pre-signed requests (sigv4_pool.py, wrk/signed.lua)
are sent, on the same data, to a fresh server without verification (get_presigned,
put_presigned) and to a fresh one started with `--auth` (get_auth, put_auth), three rounds in
alternating order, each figure the round with the least CPU; `auth_overhead` is the extra
server CPU per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sigv4_pool
from benchlib import ROOT, call, release_bin_path, start_server

WRK_DIR = ROOT / "Scripts" / "bench" / "wrk"
RESULTS = ROOT / "Scripts" / "bench" / "results"
TICKS = os.sysconf("SC_CLK_TCK")
KEYS = 20000


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, **kwargs)


def ensure_tools():
    if shutil.which("wrk") is None:
        sh("apt-get", "update", "-qq")
        sh("apt-get", "install", "-y", "-qq", "wrk")


class Server:
    def __init__(self, argv, cpu="0"):
        self.proc, self.host, self.port = start_server(["taskset", "-c", cpu, *argv])
        self.url = f"http://{self.host}:{self.port}"

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def rss_mb(self, field="VmRSS") -> float:
        """Resident memory from /proc/PID/status: VmRSS (all), or e.g. RssAnon (private, not file-backed)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def load(server: Server):
    """Tables: bench (pk S; k-1..k-KEYS with a taskStatus) and benchsorted (pk S, sk N; 150 items in partition-1)."""
    conn = http.client.HTTPConnection(server.host, server.port)
    call(conn, "CreateTable", {"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
                               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    call(conn, "CreateTable", {"TableName": "benchsorted", "BillingMode": "PAY_PER_REQUEST",
                               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                             {"AttributeName": "sk", "KeyType": "RANGE"}],
                               "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                                        {"AttributeName": "sk", "AttributeType": "N"}]})
    payload = "x" * 160

    def put_range(start, stop):
        own = http.client.HTTPConnection(server.host, server.port)
        batch_ok = True
        index = start
        while index < stop:
            chunk = range(index, min(index + 25, stop))
            items = [{"pk": {"S": f"k-{i}"}, "payload": {"S": payload}, "taskStatus": {"S": "PENDING"}} for i in chunk]
            if batch_ok:
                status, answer = call(own, "BatchWriteItem", {"RequestItems": {"bench": [{"PutRequest": {"Item": it}} for it in items]}})
                if status == 200 and not answer.get("UnprocessedItems"):
                    index += len(items)
                    continue
                batch_ok = False
            for item in items:
                call(own, "PutItem", {"TableName": "bench", "Item": item})
            index += len(items)

    threads = [threading.Thread(target=put_range, args=(1 + part * KEYS // 4, 1 + (part + 1) * KEYS // 4)) for part in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for sk in range(150):
        call(conn, "PutItem", {"TableName": "benchsorted", "Item": {"pk": {"S": "partition-1"}, "sk": {"N": str(sk)},
                                                                     "payload": {"S": payload}}})


def wrk(server: Server, script: str, connections: int, duration: float, latency=False, extra_env=None) -> dict:
    env = dict(os.environ, BENCH_LUA_PATH=str(WRK_DIR), BENCH_KEYS=str(KEYS), **(extra_env or {}))
    before = server.cpu_seconds()
    args = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{int(duration)}s", "-s", str(WRK_DIR / script)]
    if latency:
        args.append("--latency")
    out = subprocess.run([*args, server.url], capture_output=True, text=True, env=env, check=True).stdout
    cpu = server.cpu_seconds() - before
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result = {"rps": rate, "requests": total, "errors": int(errors.group(1)) if errors else 0,
              "cpu_us_per_request": cpu * 1e6 / max(total, 1)}
    if latency:
        def ms(label):
            match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
            value, unit = float(match.group(1)), match.group(2)
            return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
        result["p50_ms"], result["p99_ms"] = ms("50"), ms("99")
    return result


def cold_start(binary: Path) -> float:
    """Milliseconds from exec to the first answered ListTables, in-memory."""
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        server = Server([str(binary / "kvserver"), "--in-memory", "--port", "0", "--log-level", "error"])
        conn = http.client.HTTPConnection(server.host, server.port)
        call(conn, "ListTables", {})
        samples.append((time.perf_counter() - started) * 1000)
        server.stop()
    return sorted(samples)[len(samples) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", default="")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--mode", choices=["file", "memory", "both"], default="both")
    parser.add_argument("--auth", action="store_true",
                        help="also measure GetItem/PutItem with signature verification on vs off")
    parser.add_argument("--auth-rounds", type=int, default=3,
                        help="alternating rounds of --auth's comparison (each figure: the round with the least CPU)")
    args = parser.parse_args()
    ensure_tools()
    binary = release_bin_path(build=not args.no_build, products=("kvserver", "kvnullserver"))
    wanted = set(filter(None, args.only.split(",")))
    results: dict[str, dict] = {}

    results["null"] = measure_null(binary, args)
    modes = ["file", "memory"] if args.mode == "both" else [args.mode]
    for mode in modes:
        run_mode(binary, mode, args, wanted, results)
    # The ceiling is measured before and after the workloads; the higher of the two counts, so
    # a machine busy with something else during one of them does not flatter the ratios.
    after = measure_null(binary, args)
    if after["rps"] > results["null"]["rps"]:
        results["null"] = after
    for name, result in results.items():
        if "rps" in result and name != "null" and "latency" not in name:
            result["ratio_to_null"] = result["rps"] / results["null"]["rps"]
            result["cpu_ratio_to_null"] = results["null"]["cpu_us_per_request"] / result["cpu_us_per_request"]
    results["cold_start_ms"] = {"value": cold_start(binary)}
    report(results, args)
    failed = [name for name, result in results.items() if result.get("errors")]
    if failed:
        print(f"non-2xx responses in: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def run_mode(binary: Path, mode: str, args, wanted, results):
    """The workloads on a fresh server in `mode`; result names are prefixed `file/`, `memory/`."""
    data = tempfile.mkdtemp(prefix="kvbench-")
    storage = ["--in-memory"] if mode == "memory" else ["--data-dir", data]
    server = Server([str(binary / "kvserver"), *storage, "--port", "0", "--log-level", "error"])
    time.sleep(0.5)
    own: dict[str, dict] = {}
    own["idle_rss_mb"] = {"value": server.rss_mb()}
    own["idle_rss_private_mb"] = {"value": server.rss_mb("RssAnon")}
    auth = args.auth and mode == "file"
    try:
        try:
            run_workloads(server, args, wanted, own)
        finally:
            own["loaded_rss_mb"] = {"value": server.rss_mb()}
            own["loaded_rss_private_mb"] = {"value": server.rss_mb("RssAnon")}
            if mode == "memory":
                own["loaded_tmpfs_mb"] = {"value": tmpfs_mb(server.proc.pid)}
            server.stop()
        if auth:
            measure_auth(binary, data, args, own, rounds=max(1, args.auth_rounds))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    for name, result in own.items():
        results[f"{mode}/{name}"] = result


def tmpfs_mb(pid: int) -> float:
    """Size of the in-memory database's files (a WAL database on /dev/shm, not in the RSS)."""
    total = 0
    for directory in Path("/dev/shm").glob(f"kvserver-mem-{pid}-*"):
        total += sum(f.stat().st_size for f in directory.iterdir() if f.is_file())
    return total / (1 << 20)


def measure_null(binary: Path, args) -> dict:
    null = Server([str(binary / "kvnullserver"), "0"])
    try:
        return wrk(null, "null.lua", args.connections, args.duration)
    finally:
        null.stop()


def presigned(server: Server, workload: str, args) -> dict:
    """A workload of pre-signed requests, the pool signed just before wrk starts."""
    with tempfile.TemporaryDirectory(prefix="kvbench-pool-") as folder:
        pool = sigv4_pool.write_pool(Path(folder) / "pool", workload, f"{server.host}:{server.port}", KEYS,
                                     "x" * 160)
        return wrk(server, "signed.lua", args.connections, args.duration, extra_env={"BENCH_POOL": str(pool)})


def measure_auth(binary: Path, data: str, args, results, rounds: int = 3):
    """The same pre-signed workloads against a fresh server without and one with `--auth` on
    the same data, `rounds` times in alternating order; each figure is the round with the least
    server CPU per request. (A long-running server against a fresh one, or always the same
    order, biased the comparison by more than the verification itself costs.)"""
    with tempfile.TemporaryDirectory(prefix="kvbench-auth-") as folder:
        auth = sigv4_pool.auth_file(Path(folder) / "auth.json")
        plain = [str(binary / "kvserver"), "--data-dir", data, "--port", "0", "--log-level", "error"]
        runs: dict[str, list[dict]] = {}
        for round in range(rounds):
            variants = [("presigned", plain), ("auth", plain + ["--auth", str(auth)])]
            for label, argv in variants if round % 2 == 0 else reversed(variants):
                server = Server(argv)
                try:
                    for name in ("get", "put"):
                        runs.setdefault(f"{name}_{label}", []).append(presigned(server, name, args))
                finally:
                    server.stop()
    for name, measured in runs.items():
        results[name] = min(measured, key=lambda result: result["cpu_us_per_request"])
    for name in ("get", "put"):
        off, on = results[f"{name}_presigned"], results[f"{name}_auth"]
        results[f"auth_overhead_{name}"] = {"value": (on["cpu_us_per_request"] / off["cpu_us_per_request"] - 1) * 100}


def run_workloads(server, args, wanted, results):
    load(server)
    workloads = [("put", "put.lua"), ("get", "get.lua"), ("query", "query.lua"), ("update", "update.lua"),
                 ("batch", "batch.lua"), ("mix", "mix.lua")]
    for name, script in workloads:
        if wanted and name not in wanted:
            continue
        results[name] = wrk(server, script, args.connections, args.duration)
    if not wanted or "latency" in wanted:
        results["latency_get"] = wrk(server, "get.lua", 1, min(args.duration, 5), latency=True)
        results["latency_put"] = wrk(server, "put.lua", 1, min(args.duration, 5), latency=True)


def report(results, args):
    for name, result in results.items():
        if name.endswith("/batch"):
            result["items_per_second"] = result["rps"] * 25

    lines = ["| workload | req/s | vs null | server CPU µs/req | vs null by CPU | errors | p50 ms | p99 ms |",
             "|---|---|---|---|---|---|---|---|"]
    for name, result in results.items():
        if "rps" not in result:
            continue
        ratio = f"{result['ratio_to_null']:.0%}" if "ratio_to_null" in result else ""
        cpu_ratio = f"{result['cpu_ratio_to_null']:.0%}" if "cpu_ratio_to_null" in result else ""
        latency = (f"{result['p50_ms']:.3f} | {result['p99_ms']:.3f}" if "p50_ms" in result else " | ")
        lines.append(
            f"| {name} | {result['rps']:,.0f} | {ratio} | {result['cpu_us_per_request']:.1f} | {cpu_ratio} | "
            f"{result['errors']} | {latency} |")
    for name, result in results.items():
        if "value" in result and "auth_overhead" not in name:
            lines.append(f"| {name} | {result['value']:.1f} | | | | | | |")
    for name, result in results.items():
        if "auth_overhead" in name:
            lines.append(f"| {name} (% server CPU/req) | {result['value']:+.1f} | | | | | | |")
    for name, result in results.items():
        if "items_per_second" in result:
            lines.append(f"| {name} items/s | {result['items_per_second']:,.0f} | | | | | | |")
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                                       f"{args.connections} connections, {args.duration:.0f}s per workload.\n\n{table}\n")


if __name__ == "__main__":
    sys.exit(main())
