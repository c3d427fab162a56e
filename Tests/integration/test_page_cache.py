"""`--cache-size` (`KVSERVER_CACHE_SIZE`): SQLite's page cache over all connections, in MiB.

A server whose data is many times its page cache still answers every read and write right
(pages that do not fit are read again from the file system), and a value that is not a whole
number of MiB in range stops the server at start-up with a message naming the setting. See the
README's "Memory and start-up".
"""

from __future__ import annotations

import os
import subprocess

import botocore.config
import pytest

from conftest import server_binary, unique_name


def dynamodb(boto_session, url: str):
    config = botocore.config.Config(retries={"max_attempts": 1}, parameter_validation=False)
    return boto_session.client("dynamodb", endpoint_url=url, config=config)


def test_data_larger_than_the_page_cache_reads_back_whole(own_server, boto_session, tmp_path):
    url, _ = own_server("--data-dir", str(tmp_path), "--cache-size", "1")
    client = dynamodb(boto_session, url)
    name = unique_name("cache")
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}])
    # 3 MB of items under a 1 MiB cache (half of it for the writer and for each reader).
    payload = "x" * 3000
    for start in range(0, 1000, 25):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"p-{i % 4}"}, "sk": {"N": str(i)},
                                     "payload": {"S": f"{i}:{payload}"}}}}
            for i in range(start, start + 25)]})
    for i in (0, 333, 999):
        item = client.get_item(TableName=name, Key={"pk": {"S": f"p-{i % 4}"}, "sk": {"N": str(i)}})["Item"]
        assert item["payload"]["S"] == f"{i}:{payload}"
    seen = []
    kwargs = {"TableName": name, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p-1"}}}
    while True:
        page = client.query(**kwargs)
        seen += [int(item["sk"]["N"]) for item in page["Items"]]
        assert all(item["payload"]["S"] == f"{item['sk']['N']}:{payload}" for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert seen == list(range(1, 1000, 4))


@pytest.mark.parametrize("flags, environment, message", [
    (["--cache-size", "0"], {}, "cache_size must be 1...1073741824 MiB, got 0."),
    ([], {"KVSERVER_CACHE_SIZE": "lots"}, "KVSERVER_CACHE_SIZE is not a whole number of MiB: 'lots'"),
])
def test_a_cache_size_out_of_range_stops_the_server_at_start(tmp_path, flags, environment, message):
    if os.environ.get("KVSERVER_ENDPOINT"):
        pytest.skip("needs a kvserver binary to start with its own flags")
    proc = subprocess.run(
        [server_binary(), "--data-dir", str(tmp_path), "--port", "0", *flags],
        env={**os.environ, **environment}, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert "listening" not in proc.stdout
