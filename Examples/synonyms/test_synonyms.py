"""Acceptance test of the synonyms pipeline against kvserver (SCENARIOS.md, application 3).

The consumer runs as its own process; the test SIGKILLs it while a burst of changes is
being written, restarts it, and checks that synonyms.txt converges to exactly the table.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest

HERE = Path(__file__).resolve().parent
TABLE = "Synonyms"
DEADLINE = 60.0


def wait_for(condition, what: str, timeout: float = DEADLINE):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class ConsumerProcess:
    def __init__(self, endpoint: str, workdir: Path):
        self.endpoint = endpoint
        self.workdir = workdir
        self.output = workdir / "synonyms.txt"
        self.checkpoint = workdir / "synonyms.checkpoint.json"
        self.runs = 0
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.runs += 1
        self.log = self.workdir / f"consumer-{self.runs}.log"
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(HERE / "synonyms_consumer.py"), "--endpoint", self.endpoint,
                 "--table", TABLE, "--output", str(self.output), "--checkpoint", str(self.checkpoint),
                 "--batch-size", "10"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.kill()

    def records_applied(self) -> int:
        try:
            return json.loads(self.checkpoint.read_text())["records_applied"]
        except (OSError, ValueError):
            return 0

    def lines(self) -> list[str]:
        try:
            return self.output.read_text().splitlines()
        except OSError:
            return []

    def assert_alive(self) -> None:
        assert self.proc.poll() is None, f"consumer exited: {self.log.read_text()}"


def table_lines(dynamodb) -> list[str]:
    items, start = [], {}
    while True:
        page = dynamodb.scan(TableName=TABLE, ConsistentRead=True, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    return sorted(", ".join(item[c]["S"] for c in ("Base_Term", "Synonym_1", "Synonym_2") if c in item)
                  for item in items)


def put_row(dynamodb, row_id: str, base: str, first: str, second: str) -> None:
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": row_id}, "Base_Term": {"S": base},
                                             "Synonym_1": {"S": first}, "Synonym_2": {"S": second}})


@pytest.fixture
def synonyms_table(kvserver):
    dynamodb = boto3.session.Session().client("dynamodb", endpoint_url=kvserver)
    dynamodb.create_table(
        TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    dynamodb.get_waiter("table_exists").wait(TableName=TABLE, WaiterConfig={"Delay": 1})
    yield dynamodb
    dynamodb.delete_table(TableName=TABLE)


def test_file_converges_to_the_table_through_a_consumer_crash(kvserver, synonyms_table, tmp_path):
    dynamodb = synonyms_table
    consumer = ConsumerProcess(kvserver, tmp_path)
    consumer.start()
    try:
        put_row(dynamodb, "1", "danish", "croissant", "pastry")
        put_row(dynamodb, "t-typo", "danihs", "croisant", "pasty")
        dynamodb.update_item(TableName=TABLE, Key={"id": {"S": "t-typo"}},
                             UpdateExpression="SET Base_Term = :b", ExpressionAttributeValues={":b": {"S": "donut"}})
        dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": "t-typo"}})
        wait_for(lambda: consumer.lines() == ["danish, croissant, pastry"], "the first row in synonyms.txt")
        consumer.assert_alive()

        # A burst of inserts, updates and deletes; the consumer is killed while it is behind.
        burst_done = threading.Event()

        def burst() -> None:
            for round_ in range(8):
                for n in range(25):
                    put_row(dynamodb, f"t-{n:02d}", f"term {n}", f"alias {n}.{round_}", f"other {n}")
                for n in range(0, 25, 3):
                    dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": f"t-{n:02d}"}})
            burst_done.set()

        writer = threading.Thread(target=burst)
        writer.start()
        before = consumer.records_applied()
        wait_for(lambda: consumer.records_applied() >= before + 40 or burst_done.is_set(),
                 "the consumer to make progress")
        consumer.kill()
        killed_at = consumer.records_applied()
        time.sleep(0.3)  # writes keep arriving while the consumer is down
        consumer.start()
        writer.join()
        assert burst_done.is_set()

        # Back to the real content: drop every temporary row, add the second real one.
        for n in range(25):
            dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": f"t-{n:02d}"}})
        put_row(dynamodb, "2", "frozen custard", "gelato", "ice cream")
        expected = ["danish, croissant, pastry", "frozen custard, gelato, ice cream"]
        assert table_lines(dynamodb) == expected
        wait_for(lambda: sorted(consumer.lines()) == expected, "synonyms.txt to converge")
        consumer.assert_alive()
        time.sleep(0.5)  # and it stays converged
        lines = consumer.lines()
        assert sorted(lines) == expected and len(lines) == len(set(lines)) == 2
        assert consumer.records_applied() > killed_at
        print(f"\n  consumer killed after {killed_at} records, converged after {consumer.records_applied()}")
        assert "resuming from checkpoint" in consumer.log.read_text()
    finally:
        consumer.stop()


# --------------------------------------------------------------------------
# The same pipeline on a stream trigger (kvserver calls synonyms_handler.py)
# --------------------------------------------------------------------------

class HandlerProcess:
    def __init__(self, workdir: Path, port: int):
        self.workdir = workdir
        self.port = port
        self.output = workdir / "synonyms.txt"
        self.state = workdir / "synonyms.state.json"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "synonyms_handler.py"), "--port", str(self.port),
             "--output", str(self.output), "--state", str(self.state)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert "listening" in line, line

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.kill()

    def records_applied(self) -> int:
        try:
            return json.loads(self.state.read_text())["records_applied"]
        except (OSError, ValueError):
            return 0

    def lines(self) -> list[str]:
        try:
            return self.output.read_text().splitlines()
        except OSError:
            return []


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_trigger_variant_converges_through_a_handler_crash(kvserver, synonyms_table, tmp_path):
    dynamodb = synonyms_table
    handler = HandlerProcess(tmp_path, free_port())
    handler.start()
    lam = boto3.session.Session().client("lambda", endpoint_url=kvserver)
    stream_arn = dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    mapping = lam.create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=f"http://127.0.0.1:{handler.port}/",
        StartingPosition="TRIM_HORIZON", BatchSize=10)
    try:
        put_row(dynamodb, "1", "danish", "croissant", "pastry")
        put_row(dynamodb, "t-typo", "danihs", "croisant", "pasty")
        dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": "t-typo"}})
        wait_for(lambda: handler.lines() == ["danish, croissant, pastry"], "the first row in synonyms.txt")

        burst_done = threading.Event()

        def burst() -> None:
            for round_ in range(6):
                for n in range(20):
                    put_row(dynamodb, f"t-{n:02d}", f"term {n}", f"alias {n}.{round_}", f"other {n}")
                for n in range(0, 20, 3):
                    dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": f"t-{n:02d}"}})
            burst_done.set()

        writer = threading.Thread(target=burst)
        writer.start()
        before = handler.records_applied()
        wait_for(lambda: handler.records_applied() >= before + 30 or burst_done.is_set(), "the handler to make progress")
        handler.kill()  # deliveries fail while it is down; kvserver retries them
        time.sleep(0.5)
        handler.start()
        writer.join()
        for n in range(20):
            dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": f"t-{n:02d}"}})
        put_row(dynamodb, "2", "frozen custard", "gelato", "ice cream")
        expected = ["danish, croissant, pastry", "frozen custard, gelato, ice cream"]
        assert table_lines(dynamodb) == expected
        wait_for(lambda: sorted(handler.lines()) == expected, "synonyms.txt to converge")
        state = lam.get_event_source_mapping(UUID=mapping["UUID"])
        assert state["State"] == "Enabled"
    finally:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
        handler.stop()
