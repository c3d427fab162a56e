"""What the benchmark scripts share: the release build, starting a server, one API call."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Any credentials are accepted; the header only has to look like SigV4.
AUTH = "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00"


# The release build's flags, kept in Scripts/release-flags for serve.sh and every benchmark
# (README "The release build"): every Swift module, the packages' too, with one section per
# function (for Scripts/link/kvserver.order) and concrete generic metadata reached through its
# accessors. Every release build of a checkout should pass the same flags: SwiftPM rebuilds
# every module when they change.
RELEASE_FLAGS = (ROOT / "Scripts" / "release-flags").read_text().split()


def release_bin_path(build: bool, products=("kvserver",)) -> Path:
    """The release build folder, building `products` first when `build`."""
    if build:
        for product in products:
            subprocess.run(["swift", "build", *RELEASE_FLAGS, "--product", product], cwd=ROOT, check=True)
    out = subprocess.run(["swift", "build", *RELEASE_FLAGS, "--show-bin-path"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.strip()
    return Path(out)


def start_server(argv: list[str]) -> tuple[subprocess.Popen, str, int]:
    """Starts a server that prints `listening on http://HOST:PORT` and returns it with its address."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    match = re.search(r"listening on http://([\d.]+):(\d+)", line)
    if not match:
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return process, match.group(1), int(match.group(2))


def call(conn: http.client.HTTPConnection, op: str, body: dict) -> tuple[int, dict]:
    """One DynamoDB API call on a keep-alive connection: (HTTP status, decoded body)."""
    conn.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{op}", "Authorization": AUTH})
    response = conn.getresponse()
    data = response.read()
    return response.status, (json.loads(data) if data else {})
