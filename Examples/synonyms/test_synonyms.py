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
