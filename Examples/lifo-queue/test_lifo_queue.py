"""Acceptance test of the LIFO task queue against kvserver (SCENARIOS.md, application 1).

Each test starts its own in-memory kvserver with a 0.2 s TTL sweep interval through the
published ``kvserver_factory`` fixture. No assertion depends on timing: the tests poll for
the state they expect, with generous deadlines.
"""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

from lifo_queue import (FAILURE, PENDING, SUCCESS, TAKEN, Dispatcher, Journal, LegacySystem,
                        ProcessingRun, Producer, QueueSystem, TaskStore, create_queue_table,
                        dynamodb_clients)

DEADLINE = 60.0


def wait_for(condition, what: str, timeout: float = DEADLINE, interval: float = 0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def queue_server(kvserver_factory):
    server = kvserver_factory("--ttl-interval", "0.2")
    dynamodb, streams = dynamodb_clients(server.url)
    stream_arn = create_queue_table(dynamodb)
    return dynamodb, streams, stream_arn


def all_items(dynamodb) -> list[dict]:
    items, start = [], {}
    while True:
        page = dynamodb.scan(TableName="QueueTable", ConsistentRead=True, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def pending_or_taken(store: TaskStore) -> int:
    count = 0
    for status in (PENDING, TAKEN):
        count += store.dynamodb.query(
            TableName=store.table_name, IndexName="task-status-created-index", Select="COUNT",
            KeyConditionExpression="taskStatus = :s", ExpressionAttributeValues={":s": {"S": status}})["Count"]
    return count


def test_each_claim_batch_is_the_ten_newest_pending_tasks(kvserver_factory):
    """One processor, a backlog of 35 tasks, and 12 newer tasks arriving while it works.
    Replaying the journal (a total order of creations, queries and claims) gives the exact
    set of PENDING tasks at each query: every batch must be its 10 newest, newest first."""
    dynamodb, _, _ = queue_server(kvserver_factory)
    journal = Journal()
    producer = Producer(dynamodb, journal)
    backlog = [producer.create_task(payload=f"backlog-{i}") for i in range(35)]
    arrivals: list[str] = []

    def newer_task_arrives(task_id: str) -> None:
        # Runs inside the legacy call, on the processor's thread: ordered in the journal.
        if len(legacy.calls) % 4 == 1 and len(arrivals) < 12:
            arrivals.append(producer.create_task(payload=f"arrival-{len(arrivals)}"))

    legacy = LegacySystem(max_concurrent=1, service_seconds=0.0, on_call=newer_task_arrives)
    store = TaskStore(dynamodb)
    dispatcher = Dispatcher(lambda d: ProcessingRun(d, store, legacy, journal, max_seconds=DEADLINE), max_runs=1)
    dispatcher.trigger()
    wait_for(lambda: dispatcher.active == 0, "the processing run to finish")
    dispatcher.shutdown()
    assert not dispatcher.errors

    pending: dict[str, int] = {}
    batches = 0
    for event in journal.events:
        if event[0] == "created":
            pending[event[1]] = event[2]
        elif event[0] == "batch":
            expected = sorted(pending.items(), key=lambda kv: kv[1], reverse=True)[:10]
            assert event[1] == expected, f"batch {batches} is not the 10 newest PENDING tasks"
            batches += 1
        elif event[0] == "claimed":
            pending.pop(event[1])
        elif event[0] in ("claim-lost", "released", "expired-while-taken"):
            pytest.fail(f"unexpected {event} with a single processor and a free legacy system")
    assert len(arrivals) == 12 and pending == {}
    done = [e[1] for e in journal.of("done")]
    assert sorted(done) == sorted(backlog + arrivals)
    # The backlog itself went newest first.
    assert [t for t in done if t in set(backlog)] == list(reversed(backlog))
    assert legacy.calls == done


def test_invalid_transitions_fail_with_conditional_check_failed(kvserver_factory):
    dynamodb, _, _ = queue_server(kvserver_factory)
    task_id = Producer(dynamodb, Journal()).create_task(payload="x")

    def move(from_status: str, to_status: str):
        return dynamodb.update_item(
            TableName="QueueTable", Key={"taskId": {"S": task_id}},
            UpdateExpression="set taskStatus = :toTaskStatus, taskUpdated = :taskUpdated",
            ConditionExpression="taskStatus = :fromTaskStatus",
            ExpressionAttributeValues={":toTaskStatus": {"S": to_status}, ":fromTaskStatus": {"S": from_status},
                                       ":taskUpdated": {"N": str(time.time_ns() // 1_000_000)}})

    def status() -> str:
        return dynamodb.get_item(TableName="QueueTable", Key={"taskId": {"S": task_id}},
                                 ConsistentRead=True)["Item"]["taskStatus"]["S"]

    # PENDING -> SUCCESS: the completion request expects TAKEN.
    with pytest.raises(ClientError) as error:
        move(TAKEN, SUCCESS)
    assert error.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert status() == PENDING
    move(PENDING, TAKEN)
    # A second claim of the same task (another processor) is refused.
    with pytest.raises(ClientError) as error:
        move(PENDING, TAKEN)
    assert error.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    move(TAKEN, FAILURE)
    with pytest.raises(ClientError) as error:
        move(TAKEN, SUCCESS)
    assert error.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    assert status() == FAILURE


def test_under_load_every_task_is_processed_exactly_once_and_the_queue_drains(kvserver_factory):
    """4 concurrent processing runs, a legacy system that takes 2 calls at a time (the rest is
    handed back to PENDING), 400 tasks produced at ~250/s, all triggered from the stream."""
    dynamodb, streams, stream_arn = queue_server(kvserver_factory)
    legacy = LegacySystem(max_concurrent=2, service_seconds=0.01)
    system = QueueSystem(dynamodb, streams, stream_arn, legacy, max_runs=4, run_seconds=1.0).start()
    try:
        task_ids = system.producer.run(count=400, rate_per_second=250, threads=4)
        created = {e[1]: e[2] for e in system.journal.of("created")}
        assert len(created) == 400

        # Load has stopped: the queue drains to idle.
        wait_for(lambda: len(system.journal.of("done")) >= 400, "all 400 tasks to finish")
        # Let the trigger read the rest of the stream (two passes that found nothing new),
        # so that late PENDING records cannot start a run after the snapshot below.
        empty = system.trigger.empty_polls
        wait_for(lambda: system.trigger.empty_polls >= empty + 2, "the trigger to catch up with the stream")
        wait_for(lambda: system.dispatcher.active == 0, "the processing runs to stop")
        assert pending_or_taken(system.store) == 0
        runs = system.dispatcher.runs_started
        time.sleep(1.0)  # nothing left to trigger: no new run starts
        assert system.dispatcher.runs_started == runs and system.dispatcher.active == 0
    finally:
        system.stop()
    assert system.trigger.error is None and not system.dispatcher.errors

    # No task processed twice: the legacy system saw each task exactly once, and each
    # task reached its final state exactly once, the one stored in the table.
    assert sorted(legacy.calls) == sorted(task_ids)
    done = {e[1]: e[2] for e in system.journal.of("done")}
    assert len(system.journal.of("done")) == 400 and set(done) == set(task_ids)
    stored = {item["taskId"]["S"]: item["taskStatus"]["S"] for item in all_items(dynamodb)}
    assert stored == done
    assert set(done.values()) == {SUCCESS, FAILURE}

    # Newest first within every claim batch; every batch item had been created.
    batches = [e[1] for e in system.journal.of("batch") if e[1]]
    assert batches
    for batch in batches:
        times = [created_at for _, created_at in batch]
        assert times == sorted(times, reverse=True) and len(set(times)) == len(times)
        assert all(created[task_id] == created_at for task_id, created_at in batch)
    print(f"\n  runs started: {system.dispatcher.runs_started}, claim batches: {len(batches)}, "
          f"handed back (legacy saturated): {len(system.journal.of('released'))}, "
          f"claims lost to another processor: {len(system.journal.of('claim-lost'))}, "
          f"self re-triggers: {len(system.journal.of('retrigger'))}, stream records: {system.trigger.records_seen}")


def test_tasks_never_processed_expire_through_ttl(kvserver_factory):
    """The legacy system is down: every claim is handed back, runs keep re-triggering while
    PENDING work remains, until TTL deletes the tasks; then the queue goes idle."""
    dynamodb, streams, stream_arn = queue_server(kvserver_factory)
    legacy = LegacySystem()
    legacy.available = False
    system = QueueSystem(dynamodb, streams, stream_arn, legacy, max_runs=2, run_seconds=0.5).start()
    try:
        # Expiry 2-3 s ahead (TTL is whole epoch seconds): time for runs to claim and hand back.
        task_ids = [system.producer.create_task(payload=f"doomed-{i}", ttl_seconds=3) for i in range(30)]
        wait_for(lambda: all_items(dynamodb) == [], "TTL to delete every task")
        wait_for(lambda: system.dispatcher.active == 0, "the queue to go idle")
        assert pending_or_taken(system.store) == 0
    finally:
        system.stop()
    assert system.trigger.error is None and not system.dispatcher.errors
    assert legacy.calls == [] and system.journal.of("done") == []
    assert len(system.journal.of("released")) > 0

    # Every task left through a TTL deletion, visible in the stream as a service REMOVE.
    removed = set()
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            for record in page["Records"]:
                if record["eventName"] == "REMOVE":
                    assert record["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
                    assert record["dynamodb"]["OldImage"]["taskStatus"]["S"] in (PENDING, TAKEN)
                    removed.add(record["dynamodb"]["Keys"]["taskId"]["S"])
            iterator = page.get("NextShardIterator") if page["Records"] else None
    assert removed == set(task_ids)


def test_trigger_variant_processes_every_task_exactly_once(kvserver_factory):
    """The same load on a stream trigger: kvserver delivers the table's changes, filtered to
    PENDING new images, to the StreamHandler endpoint, which starts processing runs."""
    dynamodb, streams, stream_arn = queue_server(kvserver_factory)
    legacy = LegacySystem(max_concurrent=2, service_seconds=0.01)
    system = QueueSystem(dynamodb, streams, stream_arn, legacy, max_runs=4, run_seconds=1.0,
                         trigger_mode="trigger").start()
    try:
        task_ids = system.producer.run(count=200, rate_per_second=200, threads=4)
        wait_for(lambda: len(system.journal.of("done")) >= 200, "all 200 tasks to finish")
        # The trigger has delivered everything once no call came for a second.
        wait_for(lambda: time.monotonic() - system.trigger.last_call > 1.0, "the trigger to go quiet")
        wait_for(lambda: system.dispatcher.active == 0, "the processing runs to stop")
        assert pending_or_taken(system.store) == 0
        runs = system.dispatcher.runs_started
        time.sleep(1.0)
        assert system.dispatcher.runs_started == runs and system.dispatcher.active == 0
    finally:
        system.stop()
    assert system.trigger.error is None and not system.dispatcher.errors
    assert sorted(legacy.calls) == sorted(task_ids)
    done = {e[1]: e[2] for e in system.journal.of("done")}
    assert len(system.journal.of("done")) == 200 and set(done) == set(task_ids)
    stored = {item["taskId"]["S"]: item["taskStatus"]["S"] for item in all_items(dynamodb)}
    assert stored == done
    # Only PENDING images reach the handler (the filter drops TAKEN/SUCCESS/FAILURE changes).
    assert 200 <= system.trigger.records_seen < 200 + len(system.journal.of("released")) + 1
