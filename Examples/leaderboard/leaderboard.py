"""Race leaderboards on DynamoDB: streaming live results, bulk-loaded final scores.

* ``RaceSimulator``: per-second power output of every racer (deterministic for a seed).
* ``Aggregator``: sums the results and rewrites the race's live item
  ``{PK: "race-<id>", SK: "results", ts, results: "<JSON>", GSI: <classId>}`` every few seconds.
* ``Publisher``: follows the table's stream and prints the live ranking of each rewrite;
  ``TriggeredPublisher`` does the same as a Lambda-style handler that a stream trigger (event
  source mapping filtered to ``results`` items) calls with each batch.
* ``write_final_scores``: one item per racer, ``{PK, SK: "racer-<id>", GSI: <score>, ts}``, with
  BatchWriteItem, 25 puts per call, calls in parallel, UnprocessedItems retried with backoff.
* ``LeaderboardAPI``: the ranking of a race from GSI ``GSI_PK_Index``, paginated.

Credentials and region come from the environment, never from code.
"""

from __future__ import annotations

import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.config

TABLE_NAME = "Leaderboard"
INDEX_NAME = "GSI_PK_Index"
BATCH_SIZE = 25


def dynamodb_clients(endpoint_url: str | None = None):
    config = botocore.config.Config(retries={"max_attempts": 5, "mode": "standard"}, max_pool_connections=32)
    session = boto3.session.Session()
    return (session.client("dynamodb", endpoint_url=endpoint_url, config=config),
            session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config))


def create_table(dynamodb, table_name: str = TABLE_NAME) -> str:
    """Creates the table with its GSI and stream; returns the stream ARN."""
    description = dynamodb.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                              {"AttributeName": "SK", "AttributeType": "S"},
                              {"AttributeName": "GSI", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{
            "IndexName": INDEX_NAME,
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "GSI", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    dynamodb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
    return description["LatestStreamArn"]


def rank(scores: dict[str, Decimal]) -> list[tuple[str, Decimal]]:
    """Highest score first; equal scores by racer id."""
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


# --------------------------------------------------------------------------
# Race simulation and live aggregation
# --------------------------------------------------------------------------

@dataclass
class RaceSimulator:
    race_id: int
    racers: int = 1000
    seconds: int = 300
    seed: int = 0

    def racer_ids(self) -> list[str]:
        return [f"racer-{n:04d}" for n in range(1, self.racers + 1)]

    def results(self):
        """Yields (second, {racer: watts this second}) for seconds 1..N."""
        rng = random.Random(f"{self.race_id}/{self.seed}")
        strength = {racer: rng.uniform(0.6, 1.4) for racer in self.racer_ids()}
        for second in range(1, self.seconds + 1):
            yield second, {racer: Decimal(f"{rng.uniform(100, 300) * s:.1f}") for racer, s in strength.items()}


@dataclass
class Aggregator:
    """Keeps each racer's total output and rewrites the race's live item every
    ``rewrite_every`` seconds of race time, and at the end."""
    dynamodb: object
    race_id: int
    class_id: int
    race_start: int
    rewrite_every: int = 5
    table_name: str = TABLE_NAME
    totals: dict[str, Decimal] = field(default_factory=dict)
    rewrites: list[int] = field(default_factory=list)  # ts of every rewrite, in order

    def ingest(self, second: int, results: dict[str, Decimal], last: bool = False) -> None:
        for racer, watts in results.items():
            self.totals[racer] = self.totals.get(racer, Decimal(0)) + watts
        if second % self.rewrite_every == 0 or last:
            self.rewrite(self.race_start + second)

    def rewrite(self, ts: int) -> None:
        self.dynamodb.put_item(TableName=self.table_name, Item={
            "PK": {"S": f"race-{self.race_id}"},
            "SK": {"S": "results"},
            "ts": {"N": str(ts)},
            "results": {"S": json.dumps({racer: str(total) for racer, total in self.totals.items()})},
            "GSI": {"N": str(self.class_id)},
        })
        self.rewrites.append(ts)


class Publisher:
    """Follows the stream; for every write of a live ``results`` item, computes the ranking,
    prints the top of it (the live front end's feed) and keeps the frame."""

    def __init__(self, streams, stream_arn: str, top: int = 3, printer=print, poll_seconds: float = 0.05):
        self.streams = streams
        self.stream_arn = stream_arn
        self.top = top
        self.printer = printer
        self.poll_seconds = poll_seconds
        self.frames: list[tuple[str, int, list[tuple[str, Decimal]]]] = []  # (PK, ts, ranking)
        self.records_seen = 0
        self.error: BaseException | None = None
        self._iterators: dict[str, str | None] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="publisher", daemon=True)

    def start(self) -> "Publisher":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def poll_once(self) -> int:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self._iterators:
                self._iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        count = 0
        for shard_id, iterator in list(self._iterators.items()):
            if iterator is None:
                continue
            page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            self._iterators[shard_id] = page.get("NextShardIterator")
            for record in page["Records"]:
                count += 1
                self._publish(record)
        self.records_seen += count
        return count

    def _publish(self, record: dict) -> None:
        image = record["dynamodb"].get("NewImage")
        if record["eventName"] == "REMOVE" or image is None or image["SK"]["S"] != "results":
            return
        ranking = rank({racer: Decimal(total) for racer, total in json.loads(image["results"]["S"]).items()})
        race, ts = image["PK"]["S"], int(image["ts"]["N"])
        self.frames.append((race, ts, ranking))
        podium = ", ".join(f"{n}. {racer} {total}" for n, (racer, total) in enumerate(ranking[:self.top], 1))
        self.printer(f"[{race} ts={ts}] {podium}")

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                if self.poll_once() == 0:
                    self._stop.wait(self.poll_seconds)
        except BaseException as error:
            self.error = error
            raise


class TriggeredPublisher(Publisher):
    """The publisher as a stream-trigger handler: registers an event source mapping (through
    the ``lambda`` API of the endpoint) whose filter lets only writes of live ``results`` items
    through, and publishes each record it is called with. Calls come one batch at a time per
    shard, in stream order, so frames keep the order of the rewrites."""

    RESULTS_FILTER = {"dynamodb": {"NewImage": {"SK": {"S": ["results"]}}}}

    def __init__(self, lambda_client, stream_arn: str, top: int = 3, printer=print):
        super().__init__(streams=None, stream_arn=stream_arn, top=top, printer=printer)
        self.lambda_client = lambda_client
        self.mapping_uuid: str | None = None
        publisher = self

        class Endpoint(BaseHTTPRequestHandler):
            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                publisher.handler(event)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="triggered-publisher", daemon=True)

    def handler(self, event: dict, context=None) -> None:
        """What the Lambda function would run."""
        try:
            for record in event["Records"]:
                self._publish(record)
            self.records_seen += len(event["Records"])
        except BaseException as error:
            self.error = error
            raise

    def start(self) -> "TriggeredPublisher":
        self._thread.start()
        self.mapping_uuid = self.lambda_client.create_event_source_mapping(
            EventSourceArn=self.stream_arn, FunctionName=self.url, StartingPosition="TRIM_HORIZON",
            FilterCriteria={"Filters": [{"Pattern": json.dumps(self.RESULTS_FILTER)}]})["UUID"]
        return self

    def stop(self) -> None:
        if self.mapping_uuid:
            self.lambda_client.delete_event_source_mapping(UUID=self.mapping_uuid)
        self._server.shutdown()
        self._server.server_close()


# --------------------------------------------------------------------------
# Final scores and the leaderboard
# --------------------------------------------------------------------------

def write_final_scores(dynamodb, race_id: int, scores: dict[str, Decimal], ts: int,
                       table_name: str = TABLE_NAME, parallel_calls: int = 8, max_attempts: int = 10) -> int:
    """Writes one item per racer with BatchWriteItem: 25 puts per call, ``parallel_calls`` calls at
    once; UnprocessedItems are resent with exponential backoff and jitter. Returns the calls made."""
    requests = [{"PutRequest": {"Item": {
        "PK": {"S": f"race-{race_id}"}, "SK": {"S": racer}, "GSI": {"N": str(score)}, "ts": {"N": str(ts)}}}}
        for racer, score in scores.items()]
    chunks = [requests[i:i + BATCH_SIZE] for i in range(0, len(requests), BATCH_SIZE)]
    calls = 0
    calls_lock = threading.Lock()

    def send(chunk: list[dict]) -> None:
        nonlocal calls
        pending = {table_name: chunk}
        for attempt in range(max_attempts):
            answer = dynamodb.batch_write_item(RequestItems=pending)
            with calls_lock:
                calls += 1
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                return
            time.sleep(min(2.0, 0.05 * 2 ** attempt) * random.uniform(0.5, 1.0))
        raise RuntimeError(f"{sum(len(v) for v in pending.values())} puts still unprocessed "
                           f"after {max_attempts} attempts")

    with ThreadPoolExecutor(max_workers=parallel_calls) as pool:
        for future in [pool.submit(send, chunk) for chunk in chunks]:
            future.result()
    return calls


class LeaderboardAPI:
    def __init__(self, dynamodb, table_name: str = TABLE_NAME):
        self.dynamodb = dynamodb
        self.table_name = table_name
        self.last_pages = 0

    def ranking(self, race_id: int) -> list[tuple[str, Decimal]]:
        """(racer, score), best first, straight from the index order."""
        ranking: list[tuple[str, Decimal]] = []
        start: dict = {}
        self.last_pages = 0
        while True:
            page = self.dynamodb.query(
                TableName=self.table_name,
                IndexName=INDEX_NAME,
                KeyConditionExpression="PK = :ID",
                ExpressionAttributeValues={":ID": {"S": f"race-{race_id}"}},
                ScanIndexForward=False,
                Limit=1000,
                **start,
            )
            self.last_pages += 1
            # The race's live "results" item shares the partition (its GSI is the class id).
            ranking += [(item["SK"]["S"], Decimal(item["GSI"]["N"])) for item in page["Items"]
                        if item["SK"]["S"].startswith("racer-")]
            if "LastEvaluatedKey" not in page:
                return ranking
            start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def run_race(dynamodb, simulator: RaceSimulator, class_id: int, race_start: int, rewrite_every: int = 5,
             table_name: str = TABLE_NAME, seconds_per_second: float = 0.0) -> Aggregator:
    """Feeds the simulated results to an aggregator, fast-forwarded (``seconds_per_second`` of
    real time per race second)."""
    aggregator = Aggregator(dynamodb, simulator.race_id, class_id, race_start, rewrite_every, table_name)
    for second, results in simulator.results():
        aggregator.ingest(second, results, last=second == simulator.seconds)
        if seconds_per_second:
            time.sleep(seconds_per_second)
    return aggregator
