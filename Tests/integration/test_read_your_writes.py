"""Reads see every acknowledged write, whichever connection answers them.

A GetItem runs on the event loop, on the idle writer's connection when it can borrow it and
on the loop thread's own reader connection otherwise (README, "Threads and SQLite"). Either way
a read that starts after a write was acknowledged must see it, and a key's value read by one
client never goes backwards. Several clients write and read concurrently, so reads land on both
kinds of connection while group commits run; in both storage modes.
"""

from __future__ import annotations

import threading

import botocore.config
import pytest

from conftest import unique_name


@pytest.mark.parametrize("mode", ["memory", "file"])
def test_every_read_sees_the_writes_acknowledged_before_it(own_server, boto_session, tmp_path, mode):
    url, _ = own_server(*(["--in-memory"] if mode == "memory" else ["--data-dir", str(tmp_path)]))
    config = botocore.config.Config(retries={"max_attempts": 1}, max_pool_connections=4)
    name = unique_name("ryw")
    setup = boto_session.client("dynamodb", endpoint_url=url, config=config)
    setup.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    writers, rounds = 6, 150
    failures: list[str] = []
    # Each writer's latest acknowledged version, published after the write returned.
    acknowledged = [0] * writers
    done = threading.Event()

    def writer(index: int):
        client = boto_session.client("dynamodb", endpoint_url=url, config=config)
        key = {"pk": {"S": f"w{index}"}}
        try:
            for version in range(1, rounds + 1):
                client.put_item(TableName=name, Item={**key, "v": {"N": str(version)}, "pad": {"S": "x" * 200}})
                acknowledged[index] = version
                seen = int(client.get_item(TableName=name, Key=key)["Item"]["v"]["N"])
                if seen != version:
                    failures.append(f"w{index} wrote {version} and read {seen}")
        except Exception as error:  # noqa: BLE001 - reported below with the others
            failures.append(f"w{index}: {error!r}")

    def reader():
        client = boto_session.client("dynamodb", endpoint_url=url, config=config)
        last = [0] * writers
        try:
            while not done.is_set():
                for index in range(writers):
                    floor = acknowledged[index]
                    answer = client.get_item(TableName=name, Key={"pk": {"S": f"w{index}"}})
                    seen = int(answer["Item"]["v"]["N"]) if "Item" in answer else 0
                    if seen < floor or seen < last[index]:
                        failures.append(f"reader saw w{index} at {seen} after {max(floor, last[index])}")
                    last[index] = seen
        except Exception as error:  # noqa: BLE001
            failures.append(f"reader: {error!r}")

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    readers = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads + readers:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    for thread in readers:
        thread.join()
    assert failures == []
    for index in range(writers):
        item = setup.get_item(TableName=name, Key={"pk": {"S": f"w{index}"}})["Item"]
        assert item["v"]["N"] == str(rounds)
