#!/usr/bin/env python3
"""Soak test: a long mixed load against a file-backed kvserver, sampling its resources.

    python3 Scripts/bench/soak.py                      # 30 minutes, release build
    python3 Scripts/bench/soak.py --duration 600 --mix writes   # WAL size under a write load

Load (``--mix mixed``): client threads doing PutItem (a fifth of the items with a TTL a few
seconds ahead, so the sweeper keeps expiring them), conditional UpdateItem, Query, parallel
Scan segments and GetItem, plus one thread following the table's stream (GetShardIterator,
GetRecords). ``--mix writes`` sends PutItem only. Every ``--interval`` seconds it samples the
server's RSS, open file descriptors, the WAL and database file sizes and the latency
percentiles of that interval. At the end it compares the samples after warm-up (the first
``--warmup`` seconds) with the last ones: memory and descriptors must stay flat (growth under
10%). Results: ``Scripts/bench/results/soak-<mix>.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import AUTH, ROOT, release_bin_path, start_server  # noqa: E402

TABLE = "soak"
PARTITIONS = 200
KEYS_PER_PARTITION = 100
PAYLOAD = "p" * 300


class Client:
    """One keep-alive connection speaking both DynamoDB and DynamoDB Streams."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=30)

    def call(self, op: str, body: dict, streams: bool = False) -> tuple[int, dict]:
        target = ("DynamoDBStreams_20120810." if streams else "DynamoDB_20120810.") + op
        for attempt in range(2):
            try:
                self.conn.request("POST", "/", json.dumps(body), {
                    "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target, "Authorization": AUTH})
                response = self.conn.getresponse()
                data = response.read()
                return response.status, (json.loads(data) if data else {})
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


class Recorder:
    """Latencies and errors per interval, shared by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors = 0
        self.total = 0
        self.error_samples: list[str] = []

    def record(self, seconds: float, ok: bool, what: str = ""):
        with self.lock:
            self.latencies.append(seconds)
            self.total += 1
            if not ok:
                self.errors += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(what)

    def take(self) -> tuple[list[float], int]:
        with self.lock:
            taken, self.latencies = self.latencies, []
            errors, self.errors = self.errors, 0
        return taken, errors


def key(rng: random.Random) -> tuple[str, int]:
    return f"p{rng.randrange(PARTITIONS)}", rng.randrange(KEYS_PER_PARTITION)


def put_body(rng: random.Random) -> dict:
    pk, sk = key(rng)
    item = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "payload": {"S": PAYLOAD}, "n": {"N": str(rng.randrange(1000))}}
    if rng.random() < 0.2:
        item["expires"] = {"N": str(int(time.time()) + rng.randrange(2, 30))}
    return {"TableName": TABLE, "Item": item}


def mixed_request(rng: random.Random) -> tuple[str, dict]:
    roll = rng.random()
    if roll < 0.40:
        return "PutItem", put_body(rng)
    pk, sk = key(rng)
    if roll < 0.60:
        return "UpdateItem", {
            "TableName": TABLE, "Key": {"pk": {"S": pk}, "sk": {"N": str(sk)}},
            "UpdateExpression": "ADD hits :one SET payload = if_not_exists(payload, :p)",
            "ConditionExpression": "attribute_not_exists(locked)",
            "ExpressionAttributeValues": {":one": {"N": "1"}, ":p": {"S": PAYLOAD}}}
    if roll < 0.80:
        return "Query", {
            "TableName": TABLE, "KeyConditionExpression": "pk = :p AND sk >= :s", "Limit": 50,
            "ExpressionAttributeValues": {":p": {"S": pk}, ":s": {"N": str(sk // 2)}}}
    if roll < 0.85:
        return "Scan", {"TableName": TABLE, "Limit": 100, "Segment": rng.randrange(64), "TotalSegments": 64}
    return "GetItem", {"TableName": TABLE, "Key": {"pk": {"S": pk}, "sk": {"N": str(sk)}}}


def load_thread(host, port, mix, recorder, stop, seed):
    rng = random.Random(seed)
    client = Client(host, port)
    while not stop.is_set():
        op, body = ("PutItem", put_body(rng)) if mix == "writes" else mixed_request(rng)
        started = time.perf_counter()
        try:
            status, answer = client.call(op, body)
            ok = status == 200 or answer.get("__type", "").endswith("ConditionalCheckFailedException")
            what = f"{op} {status} {answer.get('__type')} {answer.get('message', answer.get('Message'))}"
        except Exception as error:  # noqa: BLE001 - a soak counts failures, it does not stop
            ok, what = False, f"{op} {error!r}"
        recorder.record(time.perf_counter() - started, ok, what)


def stream_thread(host, port, recorder, stop, records_seen):
    """Follows every shard of the table's stream from LATEST, like a trigger would."""
    client = Client(host, port)
    _, table = client.call("DescribeTable", {"TableName": TABLE})
    arn = table["Table"]["LatestStreamArn"]
    iterators: dict[str, str] = {}
    while not stop.is_set():
        started = time.perf_counter()
        try:
            _, described = client.call("DescribeStream", {"StreamArn": arn}, streams=True)
            for shard in described.get("StreamDescription", {}).get("Shards", []):
                if shard["ShardId"] not in iterators:
                    _, answer = client.call("GetShardIterator", {
                        "StreamArn": arn, "ShardId": shard["ShardId"], "ShardIteratorType": "LATEST"}, streams=True)
                    if "ShardIterator" in answer:
                        iterators[shard["ShardId"]] = answer["ShardIterator"]
            for shard_id, iterator in list(iterators.items()):
                status, page = client.call("GetRecords", {"ShardIterator": iterator, "Limit": 1000}, streams=True)
                if status != 200:
                    iterators.pop(shard_id, None)  # expired or trimmed: start again from LATEST
                    continue
                records_seen[0] += len(page.get("Records", []))
                if page.get("NextShardIterator"):
                    iterators[shard_id] = page["NextShardIterator"]
                else:
                    iterators.pop(shard_id, None)
            recorder.record(time.perf_counter() - started, True)
        except Exception as error:  # noqa: BLE001
            recorder.record(time.perf_counter() - started, False, f"stream {error!r}")
        time.sleep(0.2)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def growth(samples: list[dict], field: str, warmup: float) -> tuple[float, float, float]:
    """(value just after warm-up, value at the end, growth in %), each the mean of three samples."""
    after = [s for s in samples if s["t"] >= warmup]
    if len(after) < 4:
        after = samples
    start = statistics.mean(s[field] for s in after[:3])
    end = statistics.mean(s[field] for s in after[-3:])
    return start, end, (end - start) * 100.0 / start if start else 0.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=1800, help="seconds of load (default 1800)")
    parser.add_argument("--interval", type=float, default=10, help="seconds between samples (default 10)")
    parser.add_argument("--warmup", type=float, default=180, help="seconds before growth is measured (default 180)")
    parser.add_argument("--threads", type=int, default=4, help="load threads (default 4)")
    parser.add_argument("--mix", choices=["mixed", "writes"], default="mixed")
    parser.add_argument("--bin", help="kvserver binary (default: the release build)")
    parser.add_argument("--no-build", action="store_true", help="do not run swift build -c release first")
    parser.add_argument("--out", help="results file prefix (default Scripts/bench/results/soak-<mix>)")
    args = parser.parse_args()

    binary = Path(args.bin) if args.bin else release_bin_path(not args.no_build) / "kvserver"
    data_dir = Path(tempfile.mkdtemp(prefix="kvsoak-"))
    argv = [str(binary), "--port", "0", "--data-dir", str(data_dir), "--ttl-interval", "1",
            "--stream-retention", "300", "--log-level", "warning"]
    process, host, port = start_server(argv)
    stop = threading.Event()
    recorder = Recorder()
    stream_recorder = Recorder()
    records_seen = [0]
    samples: list[dict] = []
    try:
        setup = Client(host, port)
        status, answer = setup.call("CreateTable", {
            "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"}],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
        assert status == 200, answer
        status, answer = setup.call("UpdateTimeToLive", {
            "TableName": TABLE, "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}})
        assert status == 200, answer

        threads = [threading.Thread(target=load_thread, args=(host, port, args.mix, recorder, stop, seed), daemon=True)
                   for seed in range(args.threads)]
        if args.mix == "mixed":
            threads.append(threading.Thread(
                target=stream_thread, args=(host, port, stream_recorder, stop, records_seen), daemon=True))
        for thread in threads:
            thread.start()
        began = time.monotonic()
        next_sample = began + args.interval
        print(f"soak: {args.mix} load for {args.duration:.0f} s against pid {process.pid}, data in {data_dir}",
              flush=True)
        while True:
            time.sleep(max(0.0, next_sample - time.monotonic()))
            latencies, errors = recorder.take()
            stream_recorder.take()
            elapsed = time.monotonic() - began
            sample = {
                "t": round(elapsed, 1), "rss_mib": rss_kib(process.pid) / 1024,
                "fds": len(os.listdir(f"/proc/{process.pid}/fd")),
                "wal_mib": file_size(data_dir / "kvstore.sqlite-wal") / 2**20,
                "db_mib": file_size(data_dir / "kvstore.sqlite") / 2**20,
                "requests": len(latencies), "errors": errors,
                "rps": len(latencies) / args.interval,
                "p50_ms": percentile(latencies, 0.50) * 1000, "p95_ms": percentile(latencies, 0.95) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000, "stream_records": records_seen[0]}
            samples.append(sample)
            print(json.dumps({k: (round(v, 2) if isinstance(v, float) else v) for k, v in sample.items()}), flush=True)
            if process.poll() is not None:
                raise RuntimeError(f"kvserver exited with {process.returncode} during the soak")
            next_sample += args.interval
            if elapsed >= args.duration:
                break
    finally:
        stop.set()
        process.terminate()
        try:
            process.wait(timeout=30)
        except Exception:  # noqa: BLE001
            process.kill()
        shutil.rmtree(data_dir, ignore_errors=True)

    rss = growth(samples, "rss_mib", args.warmup)
    fds = growth(samples, "fds", args.warmup)
    wal_max = max(s["wal_mib"] for s in samples)
    total = sum(s["requests"] for s in samples)
    errors = sum(s["errors"] for s in samples)
    after = [s for s in samples if s["t"] >= args.warmup] or samples
    summary = {
        "mix": args.mix, "duration_s": args.duration, "threads": args.threads, "requests": total, "errors": errors,
        "error_samples": recorder.error_samples, "mean_rps": total / max(1.0, samples[-1]["t"]),
        "rss_mib_after_warmup": rss[0], "rss_mib_end": rss[1], "rss_growth_pct": rss[2],
        "fds_after_warmup": fds[0], "fds_end": fds[1], "fds_growth_pct": fds[2],
        "wal_mib_max": wal_max, "wal_mib_end": samples[-1]["wal_mib"], "db_mib_end": samples[-1]["db_mib"],
        "p50_ms_median": statistics.median(s["p50_ms"] for s in after),
        "p99_ms_median": statistics.median(s["p99_ms"] for s in after),
        "p99_ms_worst": max(s["p99_ms"] for s in after),
        "stream_records": records_seen[0],
        "flat": rss[2] < 10 and fds[2] < 10,
    }
    prefix = Path(args.out) if args.out else ROOT / "Scripts" / "bench" / "results" / f"soak-{args.mix}"
    prefix.parent.mkdir(parents=True, exist_ok=True)
    prefix.with_suffix(".json").write_text(json.dumps({"summary": summary, "samples": samples}, indent=1) + "\n")
    lines = [
        f"# Soak: {args.mix} load, {args.duration / 60:.0f} min, {args.threads} threads",
        "",
        f"- requests: {total:,} ({summary['mean_rps']:.0f}/s), errors: {errors}",
        f"- RSS after warm-up {rss[0]:.1f} MiB, at the end {rss[1]:.1f} MiB ({rss[2]:+.1f}%)",
        f"- file descriptors after warm-up {fds[0]:.0f}, at the end {fds[1]:.0f} ({fds[2]:+.1f}%)",
        f"- WAL at most {wal_max:.1f} MiB, at the end {summary['wal_mib_end']:.1f} MiB; database {summary['db_mib_end']:.1f} MiB",
        f"- latency per {args.interval:.0f} s interval after warm-up: p50 {summary['p50_ms_median']:.2f} ms, "
        f"p99 {summary['p99_ms_median']:.2f} ms (median), worst p99 {summary['p99_ms_worst']:.2f} ms",
        f"- stream records read: {records_seen[0]:,}",
        f"- flat after warm-up (growth < 10%): {'yes' if summary['flat'] else 'NO'}",
        "",
        "| t (s) | RSS MiB | fds | WAL MiB | DB MiB | req/s | p50 ms | p99 ms | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in samples:
        lines.append(f"| {s['t']:.0f} | {s['rss_mib']:.1f} | {s['fds']} | {s['wal_mib']:.1f} | {s['db_mib']:.1f} | "
                      f"{s['rps']:.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['errors']} |")
    prefix.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines[:9]))
    return 0 if summary["flat"] else 1


if __name__ == "__main__":
    sys.exit(main())
