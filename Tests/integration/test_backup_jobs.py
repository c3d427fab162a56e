"""Backups, restores, exports and imports are asynchronous, as in DynamoDB.

Sources (API reference): CreateBackup (BackupStatus CREATING, then AVAILABLE), DeleteBackup and
BackupInUseException ("There is another ongoing conflicting backup control plane operation on the
table. The backup is either being created, deleted or restored to a table."), TableInUseException
("A target table with the specified name is either being created or deleted."),
RestoreTableFromBackup / RestoreTableToPointInTime (the new table is CREATING with
RestoreSummary.RestoreInProgress true, then ACTIVE), DeleteTable (ResourceInUseException "Attempt
to change a resource which is still in use: Table is being created: ..."; developer guide "Backing
up a DynamoDB table": during a backup you can't delete its source table), ExportDescription
(ExportStatus IN_PROGRESS, COMPLETED, FAILED with FailureCode and FailureMessage),
ImportTableDescription (ImportStatus IN_PROGRESS then COMPLETED, the table CREATING meanwhile);
item operations on a CREATING table get ResourceNotFoundException. boto3's waiters table_exists,
export_completed and import_completed poll these.

One table of 50,000 items (about 12 MB) makes the background work last long enough to be
observed; a writer committing TransactWriteItems meanwhile measures how long writes wait. On
kvserver-postgres (KVSERVER_TEST_STORAGE=postgres) restores and imports write several times fewer
items per second (README, "Running beyond one machine"): 25,000 items there (with 10,000, the
backup's copy inside PostgreSQL, ~0.2 s, once ended before the requests that must see it
CREATING).
"""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from conftest import assert_error, unique_name
from postgres_support import suite_storage
from streams_support import clients

ITEMS = 25_000 if suite_storage() == "postgres" else 50_000
WAIT = {"Delay": 1, "MaxAttempts": 120}


def load(client, name, count):
    pad = "x" * 200
    for start in range(0, count, 25):
        client.batch_write_item(RequestItems={name: [
            {"PutRequest": {"Item": {"pk": {"S": f"p{n % 100}"}, "sk": {"N": str(n)}, "pad": {"S": pad}}}}
            for n in range(start, min(count, start + 25))]})


class Writer:
    """Commits two-item transactions in a loop and records each one's latency."""

    def __init__(self, client, name):
        self.client, self.name = client, name
        self.latencies: list[float] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        version = 0
        while not self.stop.is_set():
            version += 1
            started = time.perf_counter()
            self.client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self.name, "Item": {"pk": {"S": "pair"}, "sk": {"N": str(n)},
                                                          "version": {"N": str(version)}}}}
                for n in (1, 2)])
            self.latencies.append(time.perf_counter() - started)

    def __enter__(self):
        self.thread.start()
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        time.sleep(0.2)
        self.stop.set()
        self.thread.join()

    def report(self, what, seconds):
        ordered = sorted(self.latencies)
        p50, worst = ordered[len(ordered) // 2], ordered[-1]
        print(f"{what} of {ITEMS} items: {seconds:.2f}s in the background; {len(ordered)} TransactWriteItems "
              f"meanwhile, p50 {p50 * 1000:.1f} ms, worst {worst * 1000:.1f} ms")
        assert len(ordered) > 5 and worst < 1.0


def test_background_jobs_statuses_and_conflicts(own_server, tmp_path):
    exports = tmp_path / "exports"
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    name = unique_name("big")
    client.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}])
    client.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    load(client, name, ITEMS)
    table_arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"

    # CreateBackup answers CREATING; meanwhile the backup cannot be deleted nor its table.
    with Writer(client, name) as writer:
        started = time.perf_counter()
        details = client.create_backup(TableName=name, BackupName="big-1")["BackupDetails"]
        assert details["BackupStatus"] == "CREATING"
        arn = details["BackupArn"]
        with pytest.raises(client.exceptions.ClientError) as error:
            client.delete_backup(BackupArn=arn)
        assert_error(error, "BackupInUseException", f"Backup is being created: {arn}")
        with pytest.raises(client.exceptions.ClientError) as error:
            client.delete_table(TableName=name)
        assert_error(error, "ResourceInUseException",
                     f"Attempt to change a resource which is still in use: Table is being backed up: {name}")
        while client.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "CREATING":
            time.sleep(0.02)
        seconds = time.perf_counter() - started
    writer.report("backup", seconds)
    described = client.describe_backup(BackupArn=arn)["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["SourceTableDetails"]["ItemCount"] == ITEMS + 2

    # A restore: the new table is CREATING (RestoreInProgress) until its items are in.
    target = unique_name("big-restored")
    restoring = client.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert restoring["TableStatus"] == "CREATING"
    assert restoring["RestoreSummary"]["RestoreInProgress"] is True
    assert client.describe_table(TableName=target)["Table"]["TableStatus"] == "CREATING"
    with pytest.raises(client.exceptions.ClientError) as error:
        client.put_item(TableName=target, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert_error(error, "ResourceNotFoundException", "Requested resource not found")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.delete_table(TableName=target)
    assert_error(error, "ResourceInUseException",
                 f"Attempt to change a resource which is still in use: Table is being created: {target}")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.create_backup(TableName=target, BackupName="too-early")
    assert_error(error, "TableInUseException", f"Table is being created: {target}")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.delete_backup(BackupArn=arn)
    assert_error(error, "BackupInUseException", f"Backup is being restored: {arn}")
    client.get_waiter("table_exists").wait(TableName=target, WaiterConfig=WAIT)
    restored = client.describe_table(TableName=target)["Table"]
    assert restored["TableStatus"] == "ACTIVE" and restored["RestoreSummary"]["RestoreInProgress"] is False
    assert restored["ItemCount"] == ITEMS + 2
    assert client.delete_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "DELETED"

    # RestoreTableToPointInTime likewise.
    pitr = unique_name("big-pitr")
    answer = client.restore_table_to_point_in_time(
        SourceTableName=name, TargetTableName=pitr, UseLatestRestorableTime=True)["TableDescription"]
    assert answer["TableStatus"] == "CREATING" and answer["RestoreSummary"]["RestoreInProgress"] is True
    client.get_waiter("table_exists").wait(TableName=pitr, WaiterConfig=WAIT)
    assert client.describe_table(TableName=pitr)["Table"]["ItemCount"] == ITEMS + 2

    # An export answers IN_PROGRESS and writes in the background.
    with Writer(client, name) as writer:
        started = time.perf_counter()
        export = client.export_table_to_point_in_time(TableArn=table_arn, S3Bucket="big-bucket")["ExportDescription"]
        assert export["ExportStatus"] == "IN_PROGRESS" and "EndTime" not in export and "ExportManifest" not in export
        client.get_waiter("export_completed").wait(ExportArn=export["ExportArn"], WaiterConfig={"Delay": 1, "MaxAttempts": 120})
        seconds = time.perf_counter() - started
    writer.report("export", seconds)
    done = client.describe_export(ExportArn=export["ExportArn"])["ExportDescription"]
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == ITEMS + 2 and "EndTime" in done

    # An export whose files cannot be written ends FAILED with a FailureCode and FailureMessage.
    failing = client.export_table_to_point_in_time(TableArn=table_arn, S3Bucket="gone-bucket")["ExportDescription"]
    assert failing["ExportStatus"] == "IN_PROGRESS"
    shutil.rmtree(exports / "gone-bucket")
    deadline = time.time() + 120
    while (failed := client.describe_export(ExportArn=failing["ExportArn"])["ExportDescription"])["ExportStatus"] == "IN_PROGRESS":
        assert time.time() < deadline
        time.sleep(0.1)
    assert failed["ExportStatus"] == "FAILED"
    assert failed["FailureCode"] == "ExportFailed" and failed["FailureMessage"]

    # An import: IN_PROGRESS, its table CREATING, then COMPLETED and ACTIVE.
    export_id = export["ExportArn"].rsplit("/", 1)[1]
    imported_name = unique_name("big-imported")
    started_import = client.import_table(
        S3BucketSource={"S3Bucket": "big-bucket", "S3KeyPrefix": f"AWSDynamoDB/{export_id}/data/"},
        InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP",
        TableCreationParameters={
            "TableName": imported_name, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"}]})["ImportTableDescription"]
    assert started_import["ImportStatus"] == "IN_PROGRESS"
    assert client.describe_table(TableName=imported_name)["Table"]["TableStatus"] == "CREATING"
    client.get_waiter("import_completed").wait(ImportArn=started_import["ImportArn"], WaiterConfig=WAIT)
    final = client.describe_import(ImportArn=started_import["ImportArn"])["ImportTableDescription"]
    assert final["ImportStatus"] == "COMPLETED" and final["ImportedItemCount"] == ITEMS + 2
    assert client.describe_table(TableName=imported_name)["Table"]["TableStatus"] == "ACTIVE"
