"""Conditional writes under contention: the LIFO queue's task claim (SCENARIOS.md, scenario 1).

16 processors, each with its own boto3 client (own connection pool), race to claim the same
PENDING task with
    UpdateItem(Key={taskId}, UpdateExpression="set taskStatus = :toTaskStatus, taskUpdated = :taskUpdated",
               ConditionExpression="taskStatus = :fromTaskStatus")
DynamoDB's conditional writes are atomic per item, so exactly one wins and every other one gets
ConditionalCheckFailedException ("The conditional request failed", [DL] dynalite updateItem.js).
Repeated for 20 tasks.
"""

import threading

import pytest
from botocore.exceptions import ClientError

from conftest import _boto_config

WORKERS = 16
TASKS = 20


@pytest.fixture(scope="module")
def queue_table(module_tables):
    return module_tables.create(hash_key=("taskId", "S"))


@pytest.fixture(scope="module")
def worker_clients(boto_session, endpoint):
    return [boto_session.client("dynamodb", endpoint_url=endpoint, config=_boto_config()) for _ in range(WORKERS)]


def test_exactly_one_processor_claims_each_task(client, queue_table, worker_clients):
    for t in range(TASKS):
        task_id = f"race-{t}"
        client.put_item(TableName=queue_table, Item={
            "taskId": {"S": task_id}, "taskStatus": {"S": "PENDING"},
            "taskCreated": {"N": str(1_700_000_000_000 + t)}})
        barrier = threading.Barrier(WORKERS)
        outcomes: list = [None] * WORKERS

        def run(i):
            worker = worker_clients[i]
            barrier.wait()
            try:
                worker.update_item(
                    TableName=queue_table, Key={"taskId": {"S": task_id}},
                    UpdateExpression="set taskStatus = :toTaskStatus, taskUpdated = :taskUpdated",
                    ConditionExpression="taskStatus = :fromTaskStatus",
                    ExpressionAttributeValues={
                        ":fromTaskStatus": {"S": "PENDING"}, ":toTaskStatus": {"S": "TAKEN"},
                        ":taskUpdated": {"N": str(i)}})
                outcomes[i] = "won"
            except ClientError as e:
                err = e.response["Error"]
                outcomes[i] = (err["Code"], err.get("Message"), e.response["ResponseMetadata"]["HTTPStatusCode"])
            except Exception as e:  # connection errors etc. must show up in the assertion
                outcomes[i] = repr(e)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        winners = [i for i, o in enumerate(outcomes) if o == "won"]
        losers = [o for o in outcomes if o != "won"]
        assert len(winners) == 1, f"task {task_id}: outcomes {outcomes}"
        assert all(o == ("ConditionalCheckFailedException", "The conditional request failed", 400) for o in losers), \
            f"task {task_id}: outcomes {outcomes}"
        item = client.get_item(TableName=queue_table, Key={"taskId": {"S": task_id}}, ConsistentRead=True)["Item"]
        assert item["taskStatus"] == {"S": "TAKEN"}
        assert item["taskUpdated"] == {"N": str(winners[0])}
