#!/usr/bin/env python3
"""Makes the fuzz targets' seed corpora (Fuzz/Corpus/TARGET) from the test suite.

    python3 Scripts/fuzz_corpus.py [--bin .build/debug/kvserver] [--per-target 300]

Starts a kvserver and a recording proxy in front of it, runs a part of the black-box suite
(Tests/integration) through the proxy, and turns what the tests sent into seeds:

- requests:    "<X-Amz-Target>\\n<body>" per request (the format FuzzTargets.requests reads);
- json:        the request bodies;
- expressions: one selector byte (0 condition, 1 filter, 2 key condition, 3 update,
               4 projection) then the expression text;
- itemcodec:   a 0 byte then an item in DynamoDB JSON (PutItem items and the like).

Seeds are deduplicated and at most --per-target per target are kept, spread over the
operations, smallest first. The files are named by their SHA-1, so running it again only adds.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import http.server
import json
import os
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "test_put_item.py", "test_update_item.py", "test_query.py", "test_scan.py", "test_condition_expressions.py",
    "test_batch_write.py", "test_batch_get.py", "test_transactions.py", "test_streams.py", "test_create_table.py",
    "test_expression_validation.py", "test_projection_expressions.py", "test_legacy_parameters.py",
    "test_attribute_values.py", "test_integer_members.py",
]
EXPRESSIONS = {"ConditionExpression": 0, "FilterExpression": 1, "KeyConditionExpression": 2,
               "UpdateExpression": 3, "ProjectionExpression": 4}


def start_kvserver(binary: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([binary, "--in-memory", "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"kvserver did not start: {line!r}")
    return process, line.split("listening on", 1)[1].strip()


def recording_proxy(upstream: str, recorded: list[tuple[str, bytes]]):
    parts = urlsplit(upstream)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            target = self.headers.get("X-Amz-Target")
            if method == "POST" and target:
                with lock:
                    recorded.append((target, body))
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
            connection.request(method, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in ("connection", "content-length", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            connection.close()

        def do_POST(self):
            self.forward("POST")

        def do_GET(self):
            self.forward("GET")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def items_in(value, out: list):
    """Every DynamoDB-JSON item of a request (Item, Key, items of batches and transactions)."""
    if isinstance(value, dict):
        for name, member in value.items():
            if name in ("Item", "Key", "ExclusiveStartKey") and isinstance(member, dict):
                out.append(member)
            items_in(member, out)
    elif isinstance(value, list):
        for member in value:
            items_in(member, out)


def expressions_in(value, out: list):
    if isinstance(value, dict):
        for name, member in value.items():
            if name in EXPRESSIONS and isinstance(member, str):
                out.append(bytes([EXPRESSIONS[name]]) + member.encode())
            expressions_in(member, out)
    elif isinstance(value, list):
        for member in value:
            expressions_in(member, out)


def choose(seeds: dict[str, list[bytes]], limit: int) -> list[bytes]:
    """Up to `limit` distinct seeds, round-robin over the groups, smallest first within each."""
    groups = [sorted(set(group), key=len) for group in seeds.values()]
    chosen: list[bytes] = []
    seen: set[bytes] = set()
    index = 0
    while len(chosen) < limit and any(index < len(group) for group in groups):
        for group in groups:
            if index < len(group) and group[index] not in seen and len(group[index]) <= 16_384:
                seen.add(group[index])
                chosen.append(group[index])
                if len(chosen) == limit:
                    break
        index += 1
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=str(ROOT / ".build" / "debug" / "kvserver"))
    parser.add_argument("--per-target", type=int, default=300)
    args = parser.parse_args()

    process, upstream = start_kvserver(args.bin)
    recorded: list[tuple[str, bytes]] = []
    proxy, proxy_url = recording_proxy(upstream, recorded)
    try:
        environment = dict(os.environ, KVSERVER_ENDPOINT=proxy_url)
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "--no-header", "-p", "no:cacheprovider",
                        *[str(ROOT / "Tests" / "integration" / name) for name in TESTS]],
                       cwd=ROOT / "Tests" / "integration", env=environment, check=False)
    finally:
        proxy.shutdown()
        process.terminate()
        process.wait(timeout=10)

    seeds: dict[str, dict[str, list[bytes]]] = {t: defaultdict(list) for t in ("requests", "json", "expressions", "itemcodec")}
    for target, body in recorded:
        operation = target.rsplit(".", 1)[-1]
        seeds["requests"][operation].append(target.encode() + b"\n" + body)
        seeds["json"][operation].append(body)
        try:
            document = json.loads(body)
        except ValueError:
            continue
        expressions: list[bytes] = []
        expressions_in(document, expressions)
        for expression in expressions:
            seeds["expressions"][str(expression[0])].append(expression)
        items: list = []
        items_in(document, items)
        for item in items:
            seeds["itemcodec"][operation].append(b"\x00" + json.dumps(item, separators=(",", ":")).encode())

    for target, groups in seeds.items():
        directory = ROOT / "Fuzz" / "Corpus" / target
        directory.mkdir(parents=True, exist_ok=True)
        chosen = choose(groups, args.per_target)
        for seed in chosen:
            (directory / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        print(f"{target}: {len(chosen)} seeds from {sum(len(g) for g in groups.values())} recorded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
