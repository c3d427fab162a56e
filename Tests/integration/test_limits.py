"""Resource limits of the HTTP front end (issue 14) and what a client sees at each.

Each limit is a kvserver flag (see the README's "Limits and failure behaviour"):
--max-connections, --max-requests-in-flight, --max-pipelined-parts, --max-header-bytes,
--max-header-count, --idle-timeout, --request-timeout. The tests start servers with small
limits and talk raw sockets, since SDKs never send what these limits are about.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

AUTH = "AWS4-HMAC-SHA256 Credential=k/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00"


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname, parts.port


def request_bytes(op: str = "ListTables", body: str = "{}", extra: list[tuple[str, str]] = ()) -> bytes:
    headers = [("Host", "x"), ("Content-Type", "application/x-amz-json-1.0"),
               ("X-Amz-Target", f"DynamoDB_20120810.{op}"), ("Authorization", AUTH),
               ("Content-Length", str(len(body.encode())))] + list(extra)
    head = "POST / HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode() + body.encode()


_buffers: dict[int, bytes] = {}


def read_response(sock: socket.socket, timeout: float = 10.0) -> tuple[int, dict, bytes]:
    """One HTTP response: (status, lower-case headers, body). Bytes read past it (pipelined
    answers) are kept for the next call on the same socket."""
    sock.settimeout(timeout)
    data = _buffers.pop(id(sock), b"")
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed before a response head: {data!r}")
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    if len(rest) > length:
        _buffers[id(sock)] = rest[length:]
    return status, headers, rest[:length]


def closed_by_server(sock: socket.socket, timeout: float) -> bool:
    sock.settimeout(timeout)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True


def connect(url: str) -> socket.socket:
    return socket.create_connection(address(url), timeout=10)


def test_too_many_header_fields_is_400_and_closes(own_server):
    url, _ = own_server("--in-memory", "--max-header-count", "20")
    with connect(url) as sock:
        sock.sendall(request_bytes(extra=[(f"X-Extra-{i}", "v") for i in range(10)]))
        assert read_response(sock)[0] == 200
        sock.sendall(request_bytes(extra=[(f"X-Extra-{i}", "v") for i in range(30)]))
        status, headers, _ = read_response(sock)
        assert status == 400 and headers.get("connection") == "close"
        assert closed_by_server(sock, 5)


def test_oversized_headers_are_400_and_close(own_server):
    url, _ = own_server("--in-memory", "--max-header-bytes", "4096")
    with connect(url) as sock:
        sock.sendall(request_bytes(extra=[("X-Big", "a" * 3000)]))
        assert read_response(sock)[0] == 200
        sock.sendall(request_bytes(extra=[("X-Big", "a" * 5000)]))
        status, headers, _ = read_response(sock)
        assert status == 400 and headers.get("connection") == "close"
        assert closed_by_server(sock, 5)
    # A request line beyond the limit counts too.
    with connect(url) as sock:
        sock.sendall(request_bytes().replace(b"POST / ", b"POST /" + b"a" * 5000 + b" ", 1))
        assert read_response(sock)[0] == 400


def test_default_header_limit_rejects_a_huge_header(own_server):
    url, _ = own_server("--in-memory")
    with connect(url) as sock:
        sock.sendall(request_bytes(extra=[("X-Big", "a" * 40_000)]))
        assert read_response(sock)[0] == 400
    with connect(url) as sock:  # past NIO's own 80 KiB parser limit as well
        sock.sendall(request_bytes(extra=[("X-Big", "a" * 100_000)]))
        assert read_response(sock)[0] == 400


def test_connections_over_the_limit_get_503_and_close(own_server):
    url, _ = own_server("--in-memory", "--max-connections", "3")
    held = [connect(url) for _ in range(3)]
    try:
        for sock in held:  # all three are served
            sock.sendall(request_bytes())
            assert read_response(sock)[0] == 200
        with connect(url) as extra:
            status, headers, body = read_response(extra)
            assert status == 503 and headers.get("connection") == "close"
            assert json.loads(body)["__type"].endswith("#ServiceUnavailable")
            assert closed_by_server(extra, 5)
        held.pop().close()
        deadline = time.monotonic() + 5
        while True:  # the freed place is taken by the next connection
            with connect(url) as sock:
                sock.sendall(request_bytes())
                status = read_response(sock)[0]
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert status == 200
    finally:
        for sock in held:
            sock.close()


def test_requests_over_the_in_flight_limit_get_503(own_server):
    url, _ = own_server("--in-memory", "--max-requests-in-flight", "1")
    with connect(url) as sock:
        sock.sendall(request_bytes("CreateTable", json.dumps({
            "TableName": "busy", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})))
        assert read_response(sock)[0] == 200
    payload = "x" * 15_000
    body = json.dumps({"RequestItems": {"busy": [
        {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "v": {"S": payload}}}} for i in range(25)]}})
    statuses: list[int] = []
    messages: list[str] = []
    lock = threading.Lock()

    def hammer():
        with connect(url) as sock:
            for _ in range(30):
                sock.sendall(request_bytes("BatchWriteItem", body))
                status, _, answer = read_response(sock)
                with lock:
                    statuses.append(status)
                    if status != 200:
                        messages.append(json.loads(answer).get("message", ""))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(statuses) <= {200, 503}, statuses
    assert 503 in statuses and 200 in statuses, statuses
    assert all(m.startswith("Too many requests in flight") for m in messages), messages[:3]


def test_idle_connections_are_closed(own_server):
    url, _ = own_server("--in-memory", "--idle-timeout", "1")
    with connect(url) as sock:
        sock.sendall(request_bytes())
        assert read_response(sock)[0] == 200
        started = time.monotonic()
        assert closed_by_server(sock, 5)
        assert 0.9 < time.monotonic() - started < 3


def test_slow_requests_get_408_and_others_are_not_blocked(own_server):
    url, _ = own_server("--in-memory", "--request-timeout", "1", "--idle-timeout", "30")
    slow = connect(url)
    try:
        whole = request_bytes()
        started = time.monotonic()
        # A slowloris: a byte every 0.2 s never finishes its headers within the timeout.
        answered = None
        for i in range(len(whole)):
            try:
                slow.sendall(whole[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            if i == 5:
                # Meanwhile another client is served at once.
                with connect(url) as other:
                    t0 = time.monotonic()
                    other.sendall(request_bytes())
                    assert read_response(other)[0] == 200
                    assert time.monotonic() - t0 < 1
            time.sleep(0.2)
            if time.monotonic() - started > 3:
                break
        status, headers, _ = read_response(slow)
        answered = time.monotonic() - started
        assert status == 408 and headers.get("connection") == "close"
        assert answered < 3, answered
        assert closed_by_server(slow, 5)
    finally:
        slow.close()


def test_pipelined_requests_from_a_client_that_does_not_read(own_server):
    """A client that pipelines many requests before reading any answer is slowed down
    (reading pauses), never answered out of order, and gets every answer in the end."""
    url, _ = own_server("--in-memory", "--max-pipelined-parts", "8")
    count = 2000
    with connect(url) as sock:
        sender = threading.Thread(target=lambda: sock.sendall(request_bytes() * count))
        sender.start()
        time.sleep(1)
        answers = [read_response(sock)[0] for _ in range(count)]
        sender.join()
    assert answers == [200] * count
