"""Keeps a search engine's synonyms.txt equal to a DynamoDB table of synonym rows.

    python3 synonyms_consumer.py --endpoint http://127.0.0.1:8000 --table Synonyms \\
        --output synonyms.txt --checkpoint synonyms.checkpoint.json

Reads the table's change stream (DynamoDB Streams API) and applies every INSERT, MODIFY and
REMOVE to its view of the table (row id -> "base, synonym, synonym"). After each batch of
records it rewrites synonyms.txt (atomically, one line per row, ordered by id), then saves a
checkpoint: the view plus the last sequence number applied in each shard.

Delivery is at-least-once: if the process dies after writing the file but before the
checkpoint, it re-reads those records on restart. Applying a record is idempotent (a row is
set to its new image, or removed), so re-applied records change nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import boto3

COLUMNS = ("Base_Term", "Synonym_1", "Synonym_2")


def atomic_write(path: Path, text: str) -> None:
    with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{path.name}.", delete=False) as tmp:
        tmp.write(text)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)


def row_line(image: dict) -> str:
    return ", ".join(image[column]["S"] for column in COLUMNS if image.get(column, {}).get("S"))


class Checkpoint:
    def __init__(self, path: Path, stream_arn: str):
        self.path = path
        self.stream_arn = stream_arn
        self.rows: dict[str, str] = {}
        self.shards: dict[str, dict] = {}  # shard id -> {"sequence": str | None, "finished": bool}
        self.records_applied = 0
        self.resumed = False
        if path.exists():
            saved = json.loads(path.read_text())
            if saved["stream_arn"] == stream_arn:  # a recreated table starts over
                self.rows, self.shards = saved["rows"], saved["shards"]
                self.records_applied = saved["records_applied"]
                self.resumed = True

    def save(self) -> None:
        atomic_write(self.path, json.dumps({"stream_arn": self.stream_arn, "rows": self.rows,
                                            "shards": self.shards, "records_applied": self.records_applied}))


class SynonymsConsumer:
    def __init__(self, dynamodb, streams, table: str, output: Path, checkpoint_path: Path,
                 batch_size: int = 100, log=print):
        self.streams = streams
        self.output = output
        self.batch_size = batch_size
        self.log = log
        self.stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
        self.checkpoint = Checkpoint(checkpoint_path, self.stream_arn)
        self.iterators: dict[str, str] = {}

    def apply(self, record: dict) -> None:
        change = record["dynamodb"]
        row_id = change["Keys"]["id"]["S"]
        if record["eventName"] == "REMOVE":
            self.checkpoint.rows.pop(row_id, None)
        else:
            self.checkpoint.rows[row_id] = row_line(change["NewImage"])

    def publish(self) -> None:
        """Writes synonyms.txt; a search engine would be told to reload it here."""
        lines = [self.checkpoint.rows[row_id] for row_id in sorted(self.checkpoint.rows)]
        atomic_write(self.output, "".join(line + "\n" for line in lines))

    def list_shards(self) -> list[dict]:
        shards, start = [], {}
        while True:
            description = self.streams.describe_stream(StreamArn=self.stream_arn, **start)["StreamDescription"]
            shards += description["Shards"]
            if not description.get("LastEvaluatedShardId"):
                return shards
            start = {"ExclusiveStartShardId": description["LastEvaluatedShardId"]}

    def iterator_for(self, shard_id: str) -> str:
        if shard_id not in self.iterators:
            sequence = self.checkpoint.shards.get(shard_id, {}).get("sequence")
            where = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": sequence} if sequence
                     else {"ShardIteratorType": "TRIM_HORIZON"})
            self.iterators[shard_id] = self.streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, **where)["ShardIterator"]
        return self.iterators[shard_id]

    def poll_once(self) -> int:
        """Reads one batch from every readable shard; a child shard is read only once its
        parent is finished, so each row's changes are applied in order. Returns records applied."""
        shards = self.list_shards()
        known = {shard["ShardId"] for shard in shards}
        applied = 0
        for shard in shards:
            shard_id = shard["ShardId"]
            state = self.checkpoint.shards.setdefault(shard_id, {"sequence": None, "finished": False})
            if state["finished"]:
                continue
            parent = shard.get("ParentShardId")
            if parent in known and not self.checkpoint.shards.get(parent, {}).get("finished"):
                continue
            page = self.streams.get_records(ShardIterator=self.iterator_for(shard_id), Limit=self.batch_size)
            records = page["Records"]
            for record in records:
                self.apply(record)
            if records:
                state["sequence"] = records[-1]["dynamodb"]["SequenceNumber"]
                self.checkpoint.records_applied += len(records)
                applied += len(records)
                self.publish()
            if page.get("NextShardIterator"):
                self.iterators[shard_id] = page["NextShardIterator"]
            else:
                state["finished"] = True
                self.iterators.pop(shard_id, None)
            if records or state["finished"]:
                self.checkpoint.save()  # after the file: a crash in between means re-delivery
        return applied

    def run(self, poll_seconds: float = 0.1) -> None:
        if self.checkpoint.resumed:
            self.log(f"resuming from checkpoint: {self.checkpoint.records_applied} records applied, "
                     f"{len(self.checkpoint.rows)} rows")
        self.publish()
        while True:
            applied = self.poll_once()
            if applied:
                self.log(f"applied {applied} records (total {self.checkpoint.records_applied}), "
                         f"{len(self.checkpoint.rows)} lines in {self.output}")
            else:
                time.sleep(poll_seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default=None, help="DynamoDB endpoint (default: AWS)")
    parser.add_argument("--table", default="Synonyms")
    parser.add_argument("--output", type=Path, default=Path("synonyms.txt"))
    parser.add_argument("--checkpoint", type=Path, default=Path("synonyms.checkpoint.json"))
    parser.add_argument("--batch-size", type=int, default=100, help="GetRecords Limit")
    args = parser.parse_args()
    session = boto3.session.Session()
    consumer = SynonymsConsumer(session.client("dynamodb", endpoint_url=args.endpoint),
                                session.client("dynamodbstreams", endpoint_url=args.endpoint),
                                args.table, args.output, args.checkpoint, args.batch_size,
                                log=lambda line: print(line, flush=True))
    try:
        consumer.run()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
