"""A LIFO task queue on DynamoDB: newest task first, old tasks shed through TTL.

Components (each one would be its own service or Lambda function in production):

* ``Producer``: inserts PENDING tasks into ``QueueTable``.
* ``Trigger``: follows the table's change stream (DynamoDB Streams API) and asks the
  ``Dispatcher`` for a processing run whenever a task is (again) PENDING; or, as a Lambda
  function would, ``StreamHandler``: an HTTP endpoint the stream trigger (event source
  mapping, filtered to PENDING new images) calls with each batch.
* ``Dispatcher``: runs at most N processing runs at once (like a Lambda concurrency limit).
* ``ProcessingRun``: for a bounded time, takes the 10 newest PENDING tasks from the GSI,
  claims each one with a conditional UpdateItem, calls the legacy system and records the
  outcome; re-triggers itself if PENDING work remains when its time is up.
* ``LegacySystem``: the throughput-limited downstream system; refuses work when saturated.

Credentials and region come from the environment (AWS_ACCESS_KEY_ID, ...), never from code.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.config
from botocore.exceptions import ClientError

TABLE_NAME = "QueueTable"
INDEX_NAME = "task-status-created-index"
TTL_ATTRIBUTE = "ttl"

PENDING, TAKEN, SUCCESS, FAILURE = "PENDING", "TAKEN", "SUCCESS", "FAILURE"


def dynamodb_clients(endpoint_url: str | None = None):
    """(dynamodb, dynamodbstreams) clients; ``endpoint_url`` None means AWS itself."""
    config = botocore.config.Config(retries={"max_attempts": 5, "mode": "standard"},
                                    max_pool_connections=32)
    session = boto3.session.Session()
    return (session.client("dynamodb", endpoint_url=endpoint_url, config=config),
            session.client("dynamodbstreams", endpoint_url=endpoint_url, config=config))


def now_millis() -> int:
    return time.time_ns() // 1_000_000


def create_queue_table(dynamodb, table_name: str = TABLE_NAME) -> str:
    """Creates the table, its GSI, the stream and TTL; returns the stream ARN."""
    description = dynamodb.create_table(
        TableName=table_name,
        KeySchema=[{"AttributeName": "taskId", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "taskId", "AttributeType": "S"},
            {"AttributeName": "taskStatus", "AttributeType": "S"},
            {"AttributeName": "taskCreated", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[{
            "IndexName": INDEX_NAME,
            "KeySchema": [{"AttributeName": "taskStatus", "KeyType": "HASH"},
                          {"AttributeName": "taskCreated", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "ALL"},
        }],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    dynamodb.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1})
    dynamodb.update_time_to_live(
        TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE})
    return description["LatestStreamArn"]


# --------------------------------------------------------------------------
# What happened, in order: used by the demo's summary and by the acceptance test.
# --------------------------------------------------------------------------

class Journal:
    """Thread-safe, totally ordered log of ("created" | "batch" | "done" | ...) events."""

    def __init__(self):
        self._lock = threading.Lock()
        self.events: list[tuple] = []

    def add(self, *event) -> None:
        with self._lock:
            self.events.append(event)

    def of(self, kind: str) -> list[tuple]:
        with self._lock:
            return [e for e in self.events if e[0] == kind]


# --------------------------------------------------------------------------
# Producer
# --------------------------------------------------------------------------

class Producer:
    def __init__(self, dynamodb, journal: Journal, table_name: str = TABLE_NAME, ttl_seconds: float = 3600):
        self.dynamodb = dynamodb
        self.journal = journal
        self.table_name = table_name
        self.ttl_seconds = ttl_seconds
        self._lock = threading.Lock()
        self._last_created = 0

    def _next_created(self) -> int:
        # Distinct, increasing creation times, so "newest" is never ambiguous.
        with self._lock:
            self._last_created = max(now_millis(), self._last_created + 1)
            return self._last_created

    def create_task(self, payload: str = "", ttl_seconds: float | None = None) -> str:
        task_id = str(uuid.uuid4())
        created = self._next_created()
        expires = int(time.time() + (self.ttl_seconds if ttl_seconds is None else ttl_seconds))
        self.dynamodb.put_item(TableName=self.table_name, Item={
            "taskId": {"S": task_id},
            "taskStatus": {"S": PENDING},
            "taskCreated": {"N": str(created)},
            "taskUpdated": {"N": str(created)},
            TTL_ATTRIBUTE: {"N": str(expires)},
            "payload": {"S": payload},
        })
        self.journal.add("created", task_id, created)
        return task_id

    def run(self, count: int, rate_per_second: float, threads: int = 4, ttl_seconds: float | None = None) -> list[str]:
        """Creates ``count`` tasks at about ``rate_per_second`` from ``threads`` threads."""
        interval = threads / rate_per_second
        ids: list[str] = []
        ids_lock = threading.Lock()

        def worker(n: int) -> None:
            next_at = time.monotonic()
            for i in range(n):
                task_id = self.create_task(payload=f"job-{uuid.uuid4().hex[:8]}", ttl_seconds=ttl_seconds)
                with ids_lock:
                    ids.append(task_id)
                next_at += interval
                time.sleep(max(0.0, next_at - time.monotonic()))

        shares = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for future in [pool.submit(worker, n) for n in shares]:
                future.result()
        return ids


# --------------------------------------------------------------------------
# The legacy system
# --------------------------------------------------------------------------

class Saturated(Exception):
    """The legacy system has no capacity left right now."""


class LegacySystem:
    """At most ``max_concurrent`` calls at once, each taking ``service_seconds``.
    About one task in ten fails (decided by its id, so reruns agree)."""

    def __init__(self, max_concurrent: int = 2, service_seconds: float = 0.01, on_call=None):
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self.service_seconds = service_seconds
        self.on_call = on_call  # test hook: called with the task id inside each call
        self.available = True
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def process(self, task_id: str, payload: str) -> bool:
        if not self.available or not self._slots.acquire(blocking=False):
            raise Saturated()
        try:
            with self._lock:
                self.calls.append(task_id)
            if self.on_call:
                self.on_call(task_id)
            time.sleep(self.service_seconds)
            return hashlib.sha256(task_id.encode()).digest()[0] >= 26  # ~10% fail
        finally:
            self._slots.release()


# --------------------------------------------------------------------------
# Processing
# --------------------------------------------------------------------------

class TaskStore:
    """The two requests the processors make, exactly as in the application."""

    def __init__(self, dynamodb, table_name: str = TABLE_NAME):
        self.dynamodb = dynamodb
        self.table_name = table_name

    def newest_pending(self, limit: int = 10) -> list[dict]:
        answer = self.dynamodb.query(
            TableName=self.table_name,
            IndexName=INDEX_NAME,
            KeyConditionExpression="taskStatus = :taskStatus",
            ExpressionAttributeValues={":taskStatus": {"S": PENDING}},
            Limit=limit,
            ScanIndexForward=False,
        )
        return answer["Items"]

    def transition(self, task_id: str, from_status: str, to_status: str) -> bool:
        """True if the task moved; False if it was not in ``from_status`` (someone else has it,
        or it expired and is gone)."""
        try:
            self.dynamodb.update_item(
                TableName=self.table_name,
                Key={"taskId": {"S": task_id}},
                UpdateExpression="set taskStatus = :toTaskStatus, taskUpdated = :taskUpdated",
                ConditionExpression="taskStatus = :fromTaskStatus",
                ExpressionAttributeValues={
                    ":toTaskStatus": {"S": to_status},
                    ":fromTaskStatus": {"S": from_status},
                    ":taskUpdated": {"N": str(now_millis())},
                },
            )
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise


class Dispatcher:
    """Starts processing runs on request, at most ``max_runs`` at once. A request that
    arrives while all runs are busy is remembered and served when one finishes."""

    def __init__(self, run_factory, max_runs: int = 4):
        self.run_factory = run_factory
        self.max_runs = max_runs
        self._pool = ThreadPoolExecutor(max_workers=max_runs, thread_name_prefix="processing-run")
        self._lock = threading.Lock()
        self._active = 0
        self._wanted = False
        self.runs_started = 0
        self.errors: list[BaseException] = []

    def trigger(self) -> None:
        with self._lock:
            if self._active >= self.max_runs:
                self._wanted = True
                return
            self._active += 1
            self.runs_started += 1
        self._pool.submit(self._run)

    def _run(self) -> None:
        try:
            self.run_factory(self).run()
        except BaseException as error:  # surfaced by the demo / test
            self.errors.append(error)
        with self._lock:
            self._active -= 1
            again, self._wanted = self._wanted, False
        if again:
            self.trigger()

    @property
    def active(self) -> int:
        with self._lock:
            return self._active + (1 if self._wanted else 0)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)


class ProcessingRun:
    """One processing run: polls for at most ``max_seconds``, then re-triggers itself if
    PENDING tasks remain. Ends early once the queue is empty."""

    def __init__(self, dispatcher: Dispatcher, store: TaskStore, legacy: LegacySystem, journal: Journal,
                 max_seconds: float = 1.0, saturated_backoff: float = 0.02):
        self.dispatcher = dispatcher
        self.store = store
        self.legacy = legacy
        self.journal = journal
        self.max_seconds = max_seconds
        self.saturated_backoff = saturated_backoff

    def run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        while time.monotonic() < deadline:
            batch = self.store.newest_pending(limit=10)
            self.journal.add("batch", [(item["taskId"]["S"], int(item["taskCreated"]["N"])) for item in batch])
            if not batch:
                return  # idle: the next PENDING stream record triggers a new run
            for item in batch:
                if time.monotonic() >= deadline:
                    break
                self._process(item)
        if self.store.newest_pending(limit=1):
            self.journal.add("retrigger")
            self.dispatcher.trigger()

    def _process(self, item: dict) -> None:
        task_id = item["taskId"]["S"]
        if not self.store.transition(task_id, PENDING, TAKEN):
            self.journal.add("claim-lost", task_id)  # another processor took it first
            return
        self.journal.add("claimed", task_id)
        try:
            ok = self.legacy.process(task_id, item.get("payload", {}).get("S", ""))
        except Saturated:
            # Give it back; its MODIFY back to PENDING re-triggers processing.
            released = self.store.transition(task_id, TAKEN, PENDING)
            self.journal.add("released" if released else "expired-while-taken", task_id)
            time.sleep(self.saturated_backoff)
            return
        outcome = SUCCESS if ok else FAILURE
        if self.store.transition(task_id, TAKEN, outcome):
            self.journal.add("done", task_id, outcome)
        else:
            self.journal.add("expired-while-taken", task_id)


# --------------------------------------------------------------------------
# Trigger: the stream consumer
# --------------------------------------------------------------------------

class Trigger:
    """Reads every shard of the table's stream and asks for a processing run whenever a
    record shows a task that is PENDING (a new task, or one handed back)."""

    def __init__(self, streams, stream_arn: str, dispatcher: Dispatcher, poll_seconds: float = 0.05):
        self.streams = streams
        self.stream_arn = stream_arn
        self.dispatcher = dispatcher
        self.poll_seconds = poll_seconds
        self.records_seen = 0
        self.empty_polls = 0  # passes over all shards that found no new record
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="trigger", daemon=True)
        self._iterators: dict[str, str | None] = {}
        self.error: BaseException | None = None

    def start(self) -> "Trigger":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _refresh_shards(self) -> None:
        shards = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            if shard["ShardId"] not in self._iterators:
                self._iterators[shard["ShardId"]] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def _loop(self) -> None:
        try:
            while not self._stop.is_set():
                self._refresh_shards()
                wanted, seen = False, 0
                for shard_id, iterator in list(self._iterators.items()):
                    if iterator is None:
                        continue  # closed shard, fully read
                    page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                    self._iterators[shard_id] = page.get("NextShardIterator")
                    for record in page["Records"]:
                        seen += 1
                        new_image = record["dynamodb"].get("NewImage", {})
                        if new_image.get("taskStatus", {}).get("S") == PENDING:
                            wanted = True
                self.records_seen += seen
                if wanted:
                    self.dispatcher.trigger()
                if seen == 0:
                    self.empty_polls += 1
                self._stop.wait(self.poll_seconds)
        except BaseException as error:
            self.error = error
            raise


class StreamHandler:
    """The trigger as a Lambda-style handler: the stream trigger (an event source mapping whose
    filter lets only PENDING new images through) POSTs each batch here, and every batch asks
    for a processing run. Same interface as ``Trigger`` (start, stop, records_seen, error)."""

    PENDING_FILTER = {"dynamodb": {"NewImage": {"taskStatus": {"S": [PENDING]}}}}

    def __init__(self, lambda_client, stream_arn: str, dispatcher: Dispatcher):
        self.lambda_client = lambda_client
        self.stream_arn = stream_arn
        self.dispatcher = dispatcher
        self.records_seen = 0
        self.last_call = time.monotonic()
        self.error: BaseException | None = None
        self.mapping_uuid: str | None = None
        handler = self

        class Endpoint(BaseHTTPRequestHandler):
            def do_POST(self):
                event = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                handler.handler(event)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, name="stream-handler", daemon=True)

    def handler(self, event: dict, context=None) -> None:
        """What the Lambda function would run: any delivered record is a PENDING task."""
        self.last_call = time.monotonic()
        self.records_seen += len(event["Records"])
        if event["Records"]:
            self.dispatcher.trigger()

    def start(self) -> "StreamHandler":
        self._thread.start()
        mapping = self.lambda_client.create_event_source_mapping(
            EventSourceArn=self.stream_arn, FunctionName=self.url, StartingPosition="TRIM_HORIZON",
            BatchSize=100, FilterCriteria={"Filters": [{"Pattern": json.dumps(self.PENDING_FILTER)}]})
        self.mapping_uuid = mapping["UUID"]
        return self

    def stop(self) -> None:
        if self.mapping_uuid:
            self.lambda_client.delete_event_source_mapping(UUID=self.mapping_uuid)
        self._server.shutdown()
        self._server.server_close()


@dataclass
class QueueSystem:
    """The whole application wired together."""
    dynamodb: object
    streams: object
    stream_arn: str
    legacy: LegacySystem
    table_name: str = TABLE_NAME
    max_runs: int = 4
    run_seconds: float = 1.0
    journal: Journal = field(default_factory=Journal)
    #: "poll": read the stream with the Streams API; "trigger": a stream trigger calls ``StreamHandler``.
    trigger_mode: str = "poll"

    def __post_init__(self):
        self.store = TaskStore(self.dynamodb, self.table_name)
        self.producer = Producer(self.dynamodb, self.journal, self.table_name)
        self.dispatcher = Dispatcher(
            lambda dispatcher: ProcessingRun(dispatcher, self.store, self.legacy, self.journal, self.run_seconds),
            max_runs=self.max_runs)
        if self.trigger_mode == "trigger":
            lambda_client = boto3.session.Session().client(
                "lambda", endpoint_url=self.dynamodb.meta.endpoint_url,
                config=botocore.config.Config(retries={"max_attempts": 5, "mode": "standard"}))
            self.trigger = StreamHandler(lambda_client, self.stream_arn, self.dispatcher)
        else:
            self.trigger = Trigger(self.streams, self.stream_arn, self.dispatcher)

    def start(self) -> "QueueSystem":
        self.trigger.start()
        return self

    def stop(self) -> None:
        self.trigger.stop()
        self.dispatcher.shutdown()
