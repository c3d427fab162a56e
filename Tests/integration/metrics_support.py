"""Reading kvserver's ``GET /metrics`` (Prometheus text format) in tests."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SAMPLE_RE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def fetch(url: str, key: str | None = None, secret: str | None = None) -> tuple[int, str, dict]:
    """GET url (signed with SigV4 for ``dynamodb`` when a key is given): status, body, headers."""
    headers = {}
    if key:
        request = AWSRequest(method="GET", url=url)
        SigV4Auth(Credentials(key, secret), "dynamodb", "us-east-1").add_auth(request)
        headers = dict(request.headers)
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def parse(text: str) -> list[tuple[str, dict, float]]:
    """Every sample: (name, labels, value)."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE_RE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        labels = dict(LABEL_RE.findall(match.group(2) or ""))
        samples.append((match.group(1), labels, float(match.group(3))))
    return samples


def value(samples, name: str, **labels) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when none)."""
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == w for k, w in labels.items()))


def scrape(endpoint: str, key: str | None = None, secret: str | None = None):
    status, body, _ = fetch(endpoint + "/metrics", key, secret)
    assert status == 200, body
    return parse(body)
