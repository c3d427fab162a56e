"""Pre-signed request pools for measuring the server with signature verification on.

wrk's Lua has no SHA-256, so requests cannot be signed per request inside wrk. Instead a pool
of complete, correctly signed raw HTTP requests (each body its own, hashed and signed) is
written just before a workload runs, and `wrk/signed.lua` sends them in turn. A signature
stays valid for 5 minutes (the server's allowed clock skew), so a pool is only good for a
workload that starts at once and runs shorter than that (the default run is 10 s per
workload; a pool is made per workload). PutItem pools hold PUT_POOL unique keys; a longer or
faster run cycles through them again (overwrites instead of inserts).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import random
from pathlib import Path

BENCH_KEY = "AKIABENCHMARK0000001"
BENCH_SECRET = "bench-secret-not-a-real-one"
BENCH_ACCOUNT = "111122223333"
GET_POOL = 20000
PUT_POOL = 50000


def auth_file(path: Path) -> Path:
    """An auth file with one identity allowed everything, for the benchmark key."""
    path.write_text(json.dumps({"identities": [{
        "arn": f"arn:aws:iam::{BENCH_ACCOUNT}:user/bench",
        "keys": [{"accessKeyId": BENCH_KEY, "secretAccessKey": BENCH_SECRET}],
        "policies": [{"Version": "2012-10-17",
                      "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}],
    }]}))
    return path


def signed_request(host: str, target: str, body: bytes, amz_date: str, signing_key: bytes) -> bytes:
    """One raw HTTP/1.1 request signed with SigV4 (host, content-type, x-amz-date, x-amz-target)."""
    headers = {"content-type": "application/x-amz-json-1.0", "host": host, "x-amz-date": amz_date,
               "x-amz-target": f"DynamoDB_20120810.{target}"}
    names = sorted(headers)
    canonical = "\n".join(["POST", "/", "", "".join(f"{n}:{headers[n]}\n" for n in names), ";".join(names),
                           hashlib.sha256(body).hexdigest()])
    scope = f"{amz_date[:8]}/us-east-1/dynamodb/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signature = hmac.new(signing_key, to_sign.encode(), hashlib.sha256).hexdigest()
    head = (f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.0\r\n"
            f"X-Amz-Target: DynamoDB_20120810.{target}\r\nX-Amz-Date: {amz_date}\r\n"
            f"Authorization: AWS4-HMAC-SHA256 Credential={BENCH_KEY}/{scope}, SignedHeaders={';'.join(names)}, "
            f"Signature={signature}\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def write_pool(path: Path, workload: str, host: str, keys: int, payload: str) -> Path:
    """Writes a pool for `get` (random existing keys k-1..k-keys) or `put` (unique new keys),
    requests separated by NUL bytes, signed now."""
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    signing_key = ("AWS4" + BENCH_SECRET).encode()
    for part in (amz_date[:8], "us-east-1", "dynamodb", "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    prefix = random.randrange(1, 2_000_000_000)
    requests = []
    if workload == "get":
        for _ in range(GET_POOL):
            body = json.dumps({"TableName": "bench", "Key": {"pk": {"S": f"k-{random.randint(1, keys)}"}}},
                              separators=(",", ":")).encode()
            requests.append(signed_request(host, "GetItem", body, amz_date, signing_key))
    elif workload == "put":
        for counter in range(1, PUT_POOL + 1):
            body = json.dumps({"TableName": "bench", "Item": {"pk": {"S": f"s{prefix}-{counter}"},
                                                             "payload": {"S": payload}, "n": {"N": str(counter)}}},
                              separators=(",", ":")).encode()
            requests.append(signed_request(host, "PutItem", body, amz_date, signing_key))
    else:
        raise ValueError(workload)
    path.write_bytes(b"\0".join(requests))
    return path
