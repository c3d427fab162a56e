#!/usr/bin/env python3
"""The benchmark suite: kvserver against a bare SwiftNIO null server on this machine.

    python3 Scripts/bench/run.py [--duration 10] [--connections 32] [--only put,get] [--mode file|memory|both] [--auth [--auth-rounds 6]]
    python3 Scripts/bench/run.py --no-build --only cold_start [--cold-start-samples 9]

Builds release binaries, pins the server to CPU 0 and wrk to CPU 1, and reports requests/s,
the ratio to the null server measured in the same run (before and after the workloads; the
higher counts), server CPU microseconds per request (from /proc/PID/stat) and the null
server's CPU per request as a ratio to it (steadier than req/s on a shared machine),
single-connection latency (the null server's too), cold start (kvserver --in-memory and the null server alike, exec to
the first answer read: see cold_start()) and RSS (all, and private; idle and after the run). Each
mode (`--mode`, default both: a SQLite file in a temp directory, and `--in-memory`) runs the
workloads on a fresh server. Results are printed as a table and written to
Scripts/bench/results/latest.{json,md}.

With --auth, GetItem and PutItem are also measured with signature verification on against
off, in the same run (file mode): pools of pre-signed requests (sigv4_pool.py, wrk/signed.lua)
are sent at the same time to two fresh servers on copies of the same data, both pinned to the
server CPU, one without verification (get_presigned, put_presigned) and one started with
`--auth` (get_auth, put_auth), each under its own wrk, six rounds. `auth_overhead` is the
median over the rounds of each round's extra server CPU per request (on against off, measured
in the same seconds on the same core), with every round's figure listed; get_auth/put_auth
and get_presigned/put_presigned show each variant's median round.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sigv4_pool
from benchlib import AUTH, ROOT, call, release_bin_path, start_server

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
    result = wrk_result(out, server.cpu_seconds() - before)
    if latency:
        def ms(label):
            match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
            value, unit = float(match.group(1)), match.group(2)
            return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
        result["p50_ms"], result["p99_ms"] = ms("50"), ms("99")
    return result


def wrk_result(out: str, cpu_seconds: float) -> dict:
    """wrk's output and the server CPU it cost: requests/s, requests, non-2xx answers, µs each."""
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "requests": total,
            "errors": int(errors.group(1)) if errors else 0, "cpu_us_per_request": cpu_seconds * 1e6 / max(total, 1)}


COLD_START_REQUEST = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.0\r\n"
                      b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nAuthorization: " + AUTH.encode() +
                      b"\r\nContent-Length: 2\r\n\r\n{}")


def free_port() -> int:
    """A port the kernel hands out for port 0 (bound without listening, so nothing lingers)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn_pinned(argv: list[str], cpu: int) -> int:
    """posix_spawn of `argv` itself (no shell, no taskset) on CPU `cpu`, stdout/stderr to /dev/null.

    The child inherits the caller's affinity, so the caller is pinned to `cpu` around the call
    (posix_spawn returns once the child has exec'd) and then to the other CPU.
    """
    os.sched_setaffinity(0, {cpu})
    try:
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=[
            (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
            (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    finally:
        os.sched_setaffinity(0, {1 - cpu})


def first_answer(port: int, deadline: float) -> None:
    """Connects until the port accepts (each refusal retried at once), sends one ListTables and
    reads the whole 200 answer."""
    while True:
        try:
            conn = socket.create_connection(("127.0.0.1", port))
            break
        except ConnectionRefusedError:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"nothing listening on port {port}")
    with conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.sendall(COLD_START_REQUEST)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer) < answer.index(b"\r\n\r\n") + 4 + body_length(answer):
            chunk = conn.recv(65536)
            if not chunk:
                raise RuntimeError(f"connection closed after {answer!r}")
            answer += chunk
    if not answer.startswith(b"HTTP/1.1 200"):
        raise RuntimeError(f"ListTables answered {answer[:200]!r}")


def body_length(answer: bytes) -> int:
    match = re.search(rb"(?im)^content-length:\s*(\d+)", answer)
    return int(match.group(1)) if match else 0


def cold_start_once(argv: list[str]) -> float:
    """Milliseconds from just before posix_spawn of `argv` (whose last element is the port) to
    the first answer read in full; the server is then stopped with SIGTERM and reaped."""
    port = int(argv[-1])
    started = time.perf_counter()
    pid = spawn_pinned(argv, cpu=0)
    try:
        first_answer(port, started + 30)
        return (time.perf_counter() - started) * 1000
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)


def cold_start(binary: Path, samples: int = 9) -> dict[str, dict]:
    """Cold start of kvserver `--in-memory` and, as the floor, of kvnullserver, measured alike.

    The interval of one sample runs from just before `os.posix_spawn` of the server's own
    executable (pinned to CPU 0 by the parent's affinity, which the child inherits; no shell,
    no taskset) to the moment the harness, on CPU 1, has read the whole answer to one
    ListTables: it covers the spawn and exec, the dynamic loader, the server's start-up, its
    listen, the connection and the first request. The port is chosen beforehand (bound to port
    0 by the harness and released) and passed with --port, so the harness needs no output of
    the server: it retries connect() at once on each refusal. The interval also holds the
    harness's own few tens of µs: building posix_spawn's arguments, moving itself back to CPU 1
    (briefly sharing CPU 0 with the child) and its refused connects. The two servers
    alternate, after one discarded start of each (the first after a build reads the
    executable from disk); each figure is the median, with the fastest and all samples.
    """
    servers = {
        "cold_start_ms": lambda port: [str(binary / "kvserver"), "--in-memory", "--log-level", "error", "--port", str(port)],
        "null/cold_start_ms": lambda port: [str(binary / "kvnullserver"), str(port)],
    }
    measured: dict[str, list[float]] = {name: [] for name in servers}
    previous = os.sched_getaffinity(0)
    try:
        for round_ in range(samples + 1):
            for name, argv in servers.items():
                elapsed = cold_start_once(argv(free_port()))
                if round_ > 0:
                    measured[name].append(elapsed)
    finally:
        os.sched_setaffinity(0, previous)
    return {name: {"value": statistics.median(values), "fastest": min(values), "samples": [round(v, 2) for v in values]}
            for name, values in measured.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", default="")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--mode", choices=["file", "memory", "both"], default="both")
    parser.add_argument("--auth", action="store_true",
                        help="also measure GetItem/PutItem with signature verification on vs off")
    parser.add_argument("--auth-rounds", type=int, default=6,
                        help="alternating rounds of --auth's comparison (the overhead: the median of the rounds' own)")
    parser.add_argument("--cold-start-samples", type=int, default=9,
                        help="starts of each server for the cold-start figures (`--only cold_start`: only those)")
    args = parser.parse_args()
    ensure_tools()
    binary = release_bin_path(build=not args.no_build, products=("kvserver", "kvnullserver"))
    wanted = set(filter(None, args.only.split(",")))
    results: dict[str, dict] = {}
    if wanted == {"cold_start"}:
        # Only these figures: printed and written to results/cold_start.json, latest.* untouched.
        results.update(cold_start(binary, args.cold_start_samples))
        report(results, args, file="cold_start")
        return 0

    results["null"] = measure_null(binary, args)
    if not wanted or "latency" in wanted:
        results["null/latency"] = measure_null_latency(binary, args)
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
    results.update(cold_start(binary, args.cold_start_samples))
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
            own["loaded_data_mb"] = {"value": data_mb(server)}
            server.stop()
        if auth:
            measure_auth(binary, data, args, own, rounds=max(1, args.auth_rounds))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    for name, result in own.items():
        results[f"{mode}/{name}"] = result


def data_mb(server: Server) -> float:
    """The items' own size after the run: DescribeTable's TableSizeBytes of the bench tables
    (counted live here), what the files on disk or in tmpfs hold besides SQLite's overhead."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
    total = 0
    for table in ("bench", "benchsorted"):
        status, answer = call(conn, "DescribeTable", {"TableName": table})
        if status == 200:
            total += int(answer["Table"].get("TableSizeBytes", 0))
    return total / (1 << 20)


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


def measure_null_latency(binary: Path, args) -> dict:
    """The null server's single-connection latency: the floor under latency_get/latency_put
    (the loopback round trip, wrk and an HTTP exchange, no work)."""
    null = Server([str(binary / "kvnullserver"), "0"])
    try:
        return wrk(null, "null.lua", 1, min(args.duration, 5), latency=True)
    finally:
        null.stop()


def presigned(server: Server, workload: str, args) -> dict:
    """A workload of pre-signed requests, the pool signed just before wrk starts (profile.py)."""
    with tempfile.TemporaryDirectory(prefix="kvbench-pool-") as folder:
        pool = sigv4_pool.write_pool(Path(folder) / "pool", workload, f"{server.host}:{server.port}", KEYS,
                                     "x" * 160)
        return wrk(server, "signed.lua", args.connections, args.duration, extra_env={"BENCH_POOL": str(pool)})


def wrk_side_by_side(servers: dict, script: str, connections: int, duration: float, extra_env=None) -> dict:
    """One workload sent to several servers at once, one wrk each (all on the wrk CPU, the
    servers all pinned to the server CPU): every server runs in the same seconds on the same
    core, so a change in the machine's speed during the run touches them alike. `extra_env`
    maps a server's label to more environment for its wrk. Results by label, as `wrk` gives."""
    env = dict(os.environ, BENCH_LUA_PATH=str(WRK_DIR), BENCH_KEYS=str(KEYS))
    before = {label: server.cpu_seconds() for label, server in servers.items()}
    running = {label: subprocess.Popen(
        ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{int(duration)}s",
         "-s", str(WRK_DIR / script), server.url],
        stdout=subprocess.PIPE, text=True, env=dict(env, **(extra_env or {}).get(label, {})))
        for label, server in servers.items()}
    outputs = {label: process.communicate()[0] for label, process in running.items()}
    return {label: wrk_result(outputs[label], server.cpu_seconds() - before[label]) for label, server in servers.items()}


def presigned_side_by_side(servers: dict, workload: str, args) -> dict:
    """`wrk_side_by_side` of pre-signed requests, each pool signed for its server's host and
    port just before the run."""
    with tempfile.TemporaryDirectory(prefix="kvbench-pool-") as folder:
        pools = {label: sigv4_pool.write_pool(Path(folder) / f"pool-{label}", workload,
                                              f"{server.host}:{server.port}", KEYS, "x" * 160)
                 for label, server in servers.items()}
        return wrk_side_by_side(servers, "signed.lua", args.connections, args.duration,
                                {label: {"BENCH_POOL": str(pool)} for label, pool in pools.items()})


def measure_auth(binary: Path, data: str, args, results, rounds: int = 6):
    """Pre-signed GetItem and PutItem sent at the same time to two servers started on copies of
    the same data, one without and one with `--auth`, both pinned to the server CPU, each under
    its own wrk: `rounds` rounds, each on fresh servers. Each round compares its own pair; the
    overhead is the median of those comparisons. (This machine's speed drifts by more than
    verification costs from one minute to the next, and by up to half: servers measured one
    after the other, even back to back in alternating order, gave rounds from -17% to +43%.
    Side by side, a drift slows both alike.)"""
    with tempfile.TemporaryDirectory(prefix="kvbench-auth-") as folder:
        auth = sigv4_pool.auth_file(Path(folder) / "auth.json")
        copies = {}
        for label in ("presigned", "auth"):
            copies[label] = str(Path(folder) / f"data-{label}")
            shutil.copytree(data, copies[label])
        runs: dict[str, list[dict]] = {}
        for _ in range(rounds):
            servers = {}
            try:
                for label in ("presigned", "auth"):
                    argv = [str(binary / "kvserver"), "--data-dir", copies[label], "--port", "0", "--log-level", "error"]
                    servers[label] = Server(argv + (["--auth", str(auth)] if label == "auth" else []))
                for name in ("get", "put"):
                    for label, measured in presigned_side_by_side(servers, name, args).items():
                        runs.setdefault(f"{name}_{label}", []).append(measured)
            finally:
                for server in servers.values():
                    server.stop()
    for name, measured in runs.items():
        results[name] = sorted(measured, key=lambda result: result["cpu_us_per_request"])[len(measured) // 2]
    for name in ("get", "put"):
        pairs = list(zip(runs[f"{name}_presigned"], runs[f"{name}_auth"]))
        extra = [(on["cpu_us_per_request"] / off["cpu_us_per_request"] - 1) * 100 for off, on in pairs]
        results[f"auth_overhead_{name}"] = {
            "value": statistics.median(extra), "rounds": extra,
            "off_cpu_us": [off["cpu_us_per_request"] for off, _ in pairs],
            "on_cpu_us": [on["cpu_us_per_request"] for _, on in pairs]}


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


def report(results, args, file="latest"):
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
            fastest = f" (fastest {result['fastest']:.1f})" if "fastest" in result else ""
            lines.append(f"| {name} | {result['value']:.1f}{fastest} | | | | | | |")
    for name, result in results.items():
        if "auth_overhead" in name:
            rounds = ", ".join(f"{value:+.1f}" for value in result.get("rounds", []))
            lines.append(f"| {name} (% server CPU/req, median of rounds: {rounds}) | {result['value']:+.1f} | | | | | | |")
    for name, result in results.items():
        if "items_per_second" in result:
            lines.append(f"| {name} items/s | {result['items_per_second']:,.0f} | | | | | | |")
    table = "\n".join(lines)
    print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{file}.json").write_text(json.dumps(results, indent=2) + "\n")
    if file != "latest":
        return
    (RESULTS / "latest.md").write_text(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
                                       f"{args.connections} connections, {args.duration:.0f}s per workload.\n\n{table}\n")


if __name__ == "__main__":
    sys.exit(main())
