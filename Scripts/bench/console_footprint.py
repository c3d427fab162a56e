#!/usr/bin/env python3
"""What the web console costs a server nobody opens it on: idle RSS and cold start.

    python3 Scripts/bench/console_footprint.py BINARY [BASELINE_BINARY]

For BINARY (and BASELINE_BINARY, e.g. a build without the console, if given) it starts
`kvserver --in-memory --port 0` seven times each way and reports the median of:
- cold start: milliseconds from exec to the first answered ListTables;
- idle RSS (VmRSS, and RssAnon: private memory) one second after that answer;
- with the console on, RSS after a browser-like fetch of every console file (what opening it costs).
`--no-console` runs of BINARY give the same figures for the same binary without the route.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import call, start_server  # noqa: E402

FILES = ["/console", "/console/app.js", "/console/api.js", "/console/sigv4.js", "/console/ui.js", "/console/items.js",
         "/console/tables.js", "/console/table.js", "/console/item.js", "/console/partiql.js", "/console/stream.js",
         "/console/metrics.js", "/console/console.css", "/console/icon.svg", "/console/config.json"]


RUNS = 7


def rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def one(binary: str, extra: list[str], open_console: bool) -> dict:
    started = time.perf_counter()
    proc, host, port = start_server([binary, "--in-memory", "--port", "0", "--log-level", "error", *extra])
    try:
        conn = http.client.HTTPConnection(host, port)
        call(conn, "ListTables", {})
        cold = (time.perf_counter() - started) * 1000
        time.sleep(1)
        result = {"cold_ms": cold, "rss_kb": rss_kb(proc.pid, "VmRSS"), "anon_kb": rss_kb(proc.pid, "RssAnon")}
        if open_console:
            for path in FILES:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                assert response.status == 200, (path, response.status)
            time.sleep(0.5)
            result["opened_rss_kb"] = rss_kb(proc.pid, "VmRSS")
            result["opened_anon_kb"] = rss_kb(proc.pid, "RssAnon")
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def report(label: str, binary: str, extra: list[str], open_console: bool) -> None:
    runs = [one(binary, extra, open_console) for _ in range(RUNS)]
    fastest = min(run["cold_ms"] for run in runs)
    line = (f"{label}: cold start {median(runs, 'cold_ms'):.1f} ms (fastest {fastest:.1f}), idle RSS {median(runs, 'rss_kb') / 1024:.2f} MB "
            f"(private {median(runs, 'anon_kb') / 1024:.2f} MB)")
    if open_console:
        line += (f", after serving every console file {median(runs, 'opened_rss_kb') / 1024:.2f} MB "
                 f"(private {median(runs, 'opened_anon_kb') / 1024:.2f} MB)")
    print(line, flush=True)


def main() -> int:
    binary = sys.argv[1]
    report("console on ", binary, [], True)
    report("--no-console", binary, ["--no-console"], False)
    if len(sys.argv) > 2:
        report("baseline   ", sys.argv[2], [], False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
