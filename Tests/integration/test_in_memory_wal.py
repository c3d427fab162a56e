"""`--in-memory` keeps its WAL small: the database and its WAL live in memory (a private
directory on tmpfs), so its defaults are a 4 MiB checkpoint size and an 8 MiB WAL size limit
instead of file mode's 16 and 64 MiB (README, "Options"; `StorageSettings.inMemory`). Under a
steady write load file mode's WAL peaks near three times its checkpoint size, which in memory
mode would be about 48 MiB of the machine's memory for no measurable gain.
"""

from __future__ import annotations

import os
from pathlib import Path

import botocore.config

from conftest import unique_name


def memory_directory(pid: int) -> Path:
    base = Path(os.environ.get("KVSERVER_MEMORY_DIR") or "/dev/shm")
    found = list(base.glob(f"kvserver-mem-{pid}-*"))
    assert len(found) == 1, f"the in-memory server's directory under {base}: {found}"
    return found[0]


def write_megabytes(client, name: str, megabytes: int) -> None:
    payload = "x" * 8000
    count = megabytes * 1024 * 1024 // 8000
    for start in range(0, count, 25):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"k-{i}"}, "payload": {"S": payload}}}}
            for i in range(start, min(start + 25, count))]})


def test_the_wal_stays_near_its_in_memory_checkpoint_size(own_server, boto_session):
    url, server = own_server("--in-memory")
    client = boto_session.client("dynamodb", endpoint_url=url,
                                 config=botocore.config.Config(retries={"max_attempts": 1}))
    name = unique_name("walmem")
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    wal = memory_directory(server.proc.pid) / "kvstore.sqlite-wal"
    largest = 0
    for _ in range(8):
        write_megabytes(client, name, 6)
        largest = max(largest, wal.stat().st_size if wal.exists() else 0)
    # 48 MB written. With file mode's 16 MiB checkpoint size the WAL restarts near 32 MiB and
    # keeps up to 64 MiB; with 4 MiB it restarts near 8 MiB (the writer checkpoints itself at
    # twice the size) and the background checkpoint may lag a little behind a burst.
    assert largest < 16 * 1024 * 1024, f"WAL reached {largest} bytes"
    # Every item is there (each round wrote the same 786 keys again).
    item = client.get_item(TableName=name, Key={"pk": {"S": "k-785"}})["Item"]
    assert item["payload"]["S"] == "x" * 8000
    counted, kwargs = 0, {"TableName": name, "Select": "COUNT"}
    while True:
        page = client.scan(**kwargs)
        counted += page["Count"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert counted == 6 * 1024 * 1024 // 8000
