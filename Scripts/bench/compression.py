#!/usr/bin/env python3
"""Server CPU of a compressed vs an uncompressed Query response, and what it buys on a link.

    python3 Scripts/bench/compression.py                  # release build, then measure
    python3 Scripts/bench/compression.py --no-build --bin .build/debug/kvserver --requests 300

Loads one partition whose Query answer is about `--response-kb` KB of JSON (items of 400 bytes
each, a mix of repeated and varied text, as tables hold), then sends the same Query `--requests`
times on one keep-alive connection, once with no Accept-Encoding, once with `gzip` and once with
`deflate`. Server CPU is read from /proc/PID/stat (user + system) around each run; the same run
without Accept-Encoding but with a small (GetItem) answer checks that clients that do not ask for
compression pay nothing extra. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random

from benchlib import AUTH, call, release_bin_path, start_server

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def run(conn, pid: int, body: bytes, target: str, accept: str | None, requests: int) -> tuple[float, int]:
    """Server CPU µs per request and bytes per response body."""
    headers = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target, "Authorization": AUTH}
    if accept:
        headers["Accept-Encoding"] = accept
    size = 0
    before = cpu_seconds(pid)
    for _ in range(requests):
        conn.request("POST", "/", body, headers)
        response = conn.getresponse()
        data = response.read()
        assert response.status == 200, data[:200]
        size = len(data)
    return (cpu_seconds(pid) - before) / requests * 1e6, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", help="kvserver binary (default: the release build)")
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--response-kb", type=int, default=100)
    parser.add_argument("--link-mbit", type=float, default=100.0, help="link speed for the transfer-time column")
    args = parser.parse_args()

    binary = args.bin or str(release_bin_path(not args.no_build) / "kvserver")
    process, host, port = start_server([binary, "--in-memory", "--port", "0"])
    try:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        call(conn, "CreateTable", {
            "TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]})
        rng = random.Random(7)
        words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
        count = args.response_kb * 1024 // 400
        for i in range(count):
            text = " ".join(rng.choice(words) for _ in range(40))[:300]
            status, answer = call(conn, "PutItem", {"TableName": "bench", "Item": {
                "pk": {"S": "p"}, "sk": {"N": str(i)}, "text": {"S": text},
                "n": {"N": str(rng.randrange(10**9))}, "id": {"S": f"{rng.getrandbits(64):016x}"}}})
            assert status == 200, answer
        query = json.dumps({"TableName": "bench", "KeyConditionExpression": "pk = :p",
                            "ExpressionAttributeValues": {":p": {"S": "p"}}}).encode()
        get = json.dumps({"TableName": "bench", "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}}}).encode()
        query_target, get_target = "DynamoDB_20120810.Query", "DynamoDB_20120810.GetItem"
        run(conn, process.pid, query, query_target, "gzip", 50)  # warm up
        rows = []
        plain_cpu, plain_size = run(conn, process.pid, query, query_target, None, args.requests)
        for accept in (None, "gzip", "deflate"):
            cpu, size = (plain_cpu, plain_size) if accept is None else run(conn, process.pid, query, query_target, accept, args.requests)
            transfer_us = size * 8 / (args.link_mbit * 1e6) * 1e6
            rows.append((f"Query, Accept-Encoding: {accept or '(none)'}", cpu, size, transfer_us))
        small_plain, small_size = run(conn, process.pid, get, get_target, None, args.requests)
        small_gzip, _ = run(conn, process.pid, get, get_target, "gzip", args.requests)
    finally:
        process.terminate()
        process.wait(timeout=10)

    print(f"{count} items, {args.requests} requests per row, one connection; transfer at {args.link_mbit:g} Mbit/s\n")
    print("| request | server CPU per request | response body | transfer time |")
    print("|---|---|---|---|")
    for name, cpu, size, transfer in rows:
        print(f"| {name} | {cpu:,.0f} µs | {size:,} B | {transfer:,.0f} µs |")
    print(f"| GetItem ({small_size} B), no Accept-Encoding | {small_plain:,.0f} µs | {small_size:,} B | |")
    print(f"| GetItem ({small_size} B), Accept-Encoding: gzip (below 4 KB: sent as is) | {small_gzip:,.0f} µs | {small_size:,} B | |")
    extra = rows[1][1] - rows[0][1]
    saved = rows[0][3] - rows[1][3]
    print(f"\ngzip costs {extra:,.0f} µs of server CPU per response and saves {saved:,.0f} µs of transfer "
          f"at {args.link_mbit:g} Mbit/s ({rows[0][2] / max(rows[1][2], 1):.1f}x smaller).")


if __name__ == "__main__":
    main()
