"""On-demand backups and point-in-time recovery through DynamoDB's API.

Sources (API reference): CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup ("You must manually set up the following on the restored table: ... Tags,
Stream settings, Time to Live (TTL) settings"), UpdateContinuousBackups, DescribeContinuousBackups,
RestoreTableToPointInTime ("RestoreDateTime must be between EarliestRestorableDateTime and
LatestRestorableDateTime"), BackupDetails, BackupDescription, SourceTableDetails,
SourceTableFeatureDetails, BackupSummary, RestoreSummary, PointInTimeRecoveryDescription
(RecoveryPeriodInDays 1-35); developer guide "Backing up a DynamoDB table", "Restoring a DynamoDB
table from a backup", "Point-in-time recovery". A local server restores to any second up to now
(LatestRestorableDateTime is the current time).
"""

from __future__ import annotations

import datetime
import threading
import time

import pytest

from conftest import assert_error, unique_name
from postgres_support import suite_storage
from streams_support import clients


def make_table(client, *, indexes=True, stream=False):
    name = unique_name("bk")
    params = dict(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
        BillingMode="PAY_PER_REQUEST")
    if indexes:
        params["AttributeDefinitions"] += [{"AttributeName": "email", "AttributeType": "S"},
                                           {"AttributeName": "rank", "AttributeType": "N"}]
        params["GlobalSecondaryIndexes"] = [{
            "IndexName": "byEmail", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}]
        params["LocalSecondaryIndexes"] = [{
            "IndexName": "byRank",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "rank", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}]
    if stream:
        params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    client.create_table(**params)
    return name


def item(pk, sk, **extra):
    result = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    for key, value in extra.items():
        result[key] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return result


def scan_all(client, name):
    items, kwargs = [], {"TableName": name, "ConsistentRead": True}
    while True:
        page = client.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["N"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def wait_until(describe, done, timeout=60):
    """Polls `describe()` until `done(result)`, as clients of DynamoDB's asynchronous operations do."""
    deadline = time.time() + timeout
    while True:
        result = describe()
        if done(result):
            return result
        assert time.time() < deadline, f"still not done: {result}"
        time.sleep(0.05)


def wait_backup(client, arn):
    """CreateBackup answers CREATING; the backup is AVAILABLE once its copy is complete."""
    return wait_until(lambda: client.describe_backup(BackupArn=arn)["BackupDescription"],
                      lambda d: d["BackupDetails"]["BackupStatus"] != "CREATING")


def backup(client, name, backup_name):
    """A backup, waited for until AVAILABLE; its ARN."""
    arn = client.create_backup(TableName=name, BackupName=backup_name)["BackupDetails"]["BackupArn"]
    assert wait_backup(client, arn)["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    return arn


def wait_table(client, name):
    """A restored or imported table is CREATING until its items are in."""
    return wait_until(lambda: client.describe_table(TableName=name)["Table"],
                      lambda t: t["TableStatus"] == "ACTIVE")


def wait_export(client, arn):
    return wait_until(lambda: client.describe_export(ExportArn=arn)["ExportDescription"],
                      lambda d: d["ExportStatus"] != "IN_PROGRESS")


def wait_import(client, arn):
    return wait_until(lambda: client.describe_import(ImportArn=arn)["ImportTableDescription"],
                      lambda d: d["ImportStatus"] != "IN_PROGRESS")


def put_many(client, name, count, prefix="p"):
    for start in range(0, count, 25):
        requests = [{"PutRequest": {"Item": item(f"{prefix}{n % 50}", n, email=f"u{n}@x", rank=n, pad="x" * 100)}}
                    for n in range(start, min(count, start + 25))]
        client.batch_write_item(RequestItems={name: requests})


# ---------------------------------------------------------------- on-demand backups

def test_create_describe_list_delete_backup(client):
    name = make_table(client, stream=True)
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    client.put_item(TableName=name, Item=item("a", 1, email="a@x", rank=5))
    client.put_item(TableName=name, Item=item("b", 2, email="b@x"))
    before = time.time()
    details = client.create_backup(TableName=name, BackupName="nightly-1")["BackupDetails"]
    arn = details["BackupArn"]
    assert arn.startswith(f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}/backup/")
    assert details["BackupName"] == "nightly-1"
    assert details["BackupStatus"] == "CREATING"
    assert details["BackupType"] == "USER"
    assert details["BackupCreationDateTime"].timestamp() >= before - 1

    description = wait_backup(client, arn)
    assert description["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert description["BackupDetails"]["BackupSizeBytes"] > 0
    source = description["SourceTableDetails"]
    assert source["TableName"] == name
    assert source["ItemCount"] == 2
    assert source["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in source["KeySchema"]] == ["pk", "sk"]
    assert source["TableArn"].endswith(f":table/{name}")
    features = description["SourceTableFeatureDetails"]
    assert [i["IndexName"] for i in features["GlobalSecondaryIndexes"]] == ["byEmail"]
    assert [i["IndexName"] for i in features["LocalSecondaryIndexes"]] == ["byRank"]
    assert features["StreamDescription"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    assert features["TimeToLiveDescription"] == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}

    summaries = client.list_backups(TableName=name)["BackupSummaries"]
    assert [s["BackupArn"] for s in summaries] == [arn]
    assert summaries[0]["BackupName"] == "nightly-1" and summaries[0]["TableName"] == name

    deleted = client.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(client.exceptions.ClientError) as error:
        client.describe_backup(BackupArn=arn)
    assert_error(error, "BackupNotFoundException", f"Backup not found: {arn}")
    assert client.list_backups(TableName=name)["BackupSummaries"] == []
    with pytest.raises(client.exceptions.ClientError) as error:
        client.delete_backup(BackupArn=arn)
    assert_error(error, "BackupNotFoundException", f"Backup not found: {arn}")


def test_backup_errors(client):
    missing = unique_name("nope")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.create_backup(TableName=missing, BackupName="b-1")
    assert_error(error, "TableNotFoundException", f"Table not found: {missing}")
    name = make_table(client, indexes=False)
    with pytest.raises(client.exceptions.ClientError) as error:
        client.create_backup(TableName=name, BackupName="x")
    assert_error(error, "ValidationException",
                 "1 validation error detected: Value 'x' at 'backupName' failed to satisfy constraint: "
                 "Member must have length greater than or equal to 3")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.create_backup(TableName=name)
    assert_error(error, "ValidationException",
                 "1 validation error detected: Value null at 'backupName' failed to satisfy constraint: "
                 "Member must not be null")
    arn = backup(client, name, "b-1")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
    assert_error(error, "TableAlreadyExistsException", f"Table already exists: {name}")
    unknown = arn[:-8] + "00000000"
    with pytest.raises(client.exceptions.ClientError) as error:
        client.restore_table_from_backup(TargetTableName=unique_name("r"), BackupArn=unknown)
    assert_error(error, "BackupNotFoundException", f"Backup not found: {unknown}")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.list_backups(Limit=0)
    assert_error(error, "ValidationException",
                 "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                 "Member must have value greater than or equal to 1")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.list_backups(BackupType="NIGHTLY")
    assert_error(error, "ValidationException",
                 "1 validation error detected: Value 'NIGHTLY' at 'backupType' failed to satisfy constraint: "
                 "Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]")


def test_list_backups_filters_and_pages(client):
    name = make_table(client, indexes=False)
    other = make_table(client, indexes=False)
    arns = []
    for n in range(3):
        arns.append(client.create_backup(TableName=name, BackupName=f"b-{n}")["BackupDetails"]["BackupArn"])
        time.sleep(1.05)  # boto3 sends time bounds in whole seconds
    client.create_backup(TableName=other, BackupName="other")
    first = client.list_backups(TableName=name, Limit=2)
    assert [s["BackupArn"] for s in first["BackupSummaries"]] == arns[:2]
    assert first["LastEvaluatedBackupArn"] == arns[1]
    second = client.list_backups(TableName=name, Limit=2, ExclusiveStartBackupArn=first["LastEvaluatedBackupArn"])
    assert [s["BackupArn"] for s in second["BackupSummaries"]] == arns[2:]
    assert "LastEvaluatedBackupArn" not in second
    # Time range: lower bound inclusive, upper bound exclusive.
    created = [client.describe_backup(BackupArn=a)["BackupDescription"]["BackupDetails"]["BackupCreationDateTime"]
               for a in arns]
    ranged = client.list_backups(TableName=name, TimeRangeLowerBound=created[1].replace(microsecond=0),
                                 TimeRangeUpperBound=created[2].replace(microsecond=0))["BackupSummaries"]
    assert [s["BackupArn"] for s in ranged] == [arns[1]]
    assert client.list_backups(TableName=name, BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(client.list_backups(TableName=name, BackupType="ALL")["BackupSummaries"]) == 3
    everything = [s["BackupArn"] for s in client.list_backups()["BackupSummaries"]]
    assert set(arns) <= set(everything)


def test_restore_from_backup_keeps_items_and_indexes_not_stream_or_ttl(client):
    name = make_table(client, stream=True)
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    client.tag_resource(ResourceArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}",
                        Tags=[{"Key": "team", "Value": "a"}])
    put_many(client, name, 120)
    arn = client.create_backup(TableName=name, BackupName="before")["BackupDetails"]["BackupArn"]
    expected = scan_all(client, name)
    wait_backup(client, arn)
    client.put_item(TableName=name, Item=item("late", 1, email="late@x"))
    client.delete_item(TableName=name, Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})

    target = unique_name("restored")
    description = client.restore_table_from_backup(TargetTableName=target, BackupArn=arn)["TableDescription"]
    assert description["TableName"] == target
    assert description["RestoreSummary"]["SourceBackupArn"] == arn
    assert description["RestoreSummary"]["SourceTableArn"].endswith(f":table/{name}")
    assert "RestoreDateTime" in description["RestoreSummary"]
    client.get_waiter("table_exists").wait(TableName=target, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
    restored = client.describe_table(TableName=target)["Table"]
    assert restored["TableStatus"] == "ACTIVE"
    assert restored["RestoreSummary"]["RestoreInProgress"] is False
    assert restored["ItemCount"] == 120
    assert [i["IndexName"] for i in restored["GlobalSecondaryIndexes"]] == ["byEmail"]
    assert [i["IndexName"] for i in restored["LocalSecondaryIndexes"]] == ["byRank"]
    assert "StreamSpecification" not in restored
    assert client.describe_time_to_live(TableName=target)["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"
    assert client.list_tags_of_resource(ResourceArn=restored["TableArn"]).get("Tags", []) == []
    assert scan_all(client, target) == expected
    # Indexes were rebuilt from the items.
    hit = client.query(TableName=target, IndexName="byEmail", KeyConditionExpression="email = :e",
                       ExpressionAttributeValues={":e": {"S": "u7@x"}})["Items"]
    assert [i["sk"]["N"] for i in hit] == ["7"]
    ranked = client.query(TableName=target, IndexName="byRank", KeyConditionExpression="pk = :p",
                          ExpressionAttributeValues={":p": {"S": "p3"}})["Items"]
    assert sorted(int(i["rank"]["N"]) for i in ranked) == [3, 53, 103]


def test_restore_overrides(client):
    name = make_table(client)
    put_many(client, name, 30)
    arn = backup(client, name, "b-over")
    target = unique_name("over")
    description = client.restore_table_from_backup(
        TargetTableName=target, BackupArn=arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
        GlobalSecondaryIndexOverride=[], LocalSecondaryIndexOverride=[],
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS"})["TableDescription"]
    assert description["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert description["ProvisionedThroughput"]["WriteCapacityUnits"] == 3
    assert "GlobalSecondaryIndexes" not in description and "LocalSecondaryIndexes" not in description
    assert {d["AttributeName"] for d in description["AttributeDefinitions"]} == {"pk", "sk"}
    wait_table(client, target)
    assert len(scan_all(client, target)) == 30


def test_backup_is_consistent_and_does_not_block_writers(client):
    """Writers keep going during the snapshot (latencies measured) and a transaction is either
    wholly in the backup or not at all."""
    name = make_table(client, indexes=False)
    put_many(client, name, 6000)
    stop = threading.Event()
    latencies = []

    def writer():
        version = 0
        while not stop.is_set():
            version += 1
            started = time.perf_counter()
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": name, "Item": item("pair", 1, version=version)}},
                {"Put": {"TableName": name, "Item": item("pair", 2, version=version)}},
            ])
            latencies.append(time.perf_counter() - started)

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.2)
    started = time.perf_counter()
    arn = client.create_backup(TableName=name, BackupName="busy")["BackupDetails"]["BackupArn"]
    wait_backup(client, arn)
    backup_seconds = time.perf_counter() - started
    time.sleep(0.2)
    stop.set()
    thread.join()
    assert len(latencies) > 5
    worst = max(latencies)
    print(f"backup of 6000 items took {backup_seconds:.3f}s; {len(latencies)} writes meanwhile, worst {worst * 1000:.1f} ms")
    assert worst < 1.0
    target = unique_name("busy")
    client.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    wait_table(client, target)
    pair = [i for i in scan_all(client, target) if i["pk"]["S"] == "pair"]
    assert len(pair) == 2 and pair[0]["version"] == pair[1]["version"]


# ---------------------------------------------------------------- point-in-time recovery

def test_continuous_backups_settings(client):
    name = make_table(client, indexes=False)
    described = client.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described == {"ContinuousBackupsStatus": "ENABLED",
                         "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    before = time.time()
    enabled = client.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert enabled["PointInTimeRecoveryStatus"] == "ENABLED"
    assert enabled["RecoveryPeriodInDays"] == 35
    assert abs(enabled["EarliestRestorableDateTime"].timestamp() - before) < 2
    assert abs(enabled["LatestRestorableDateTime"].timestamp() - time.time()) < 2
    shorter = client.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert shorter["RecoveryPeriodInDays"] == 7
    # Changing the period keeps the window's start.
    assert shorter["EarliestRestorableDateTime"] == enabled["EarliestRestorableDateTime"]
    with pytest.raises(client.exceptions.ClientError) as error:
        client.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 36})
    assert_error(error, "ValidationException",
                 "1 validation error detected: Value '36' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' "
                 "failed to satisfy constraint: Member must have value less than or equal to 35")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.update_continuous_backups(TableName=name)
    assert_error(error, "ValidationException",
                 "1 validation error detected: Value null at 'pointInTimeRecoverySpecification' "
                 "failed to satisfy constraint: Member must not be null")
    disabled = client.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )["ContinuousBackupsDescription"]
    assert disabled["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}
    missing = unique_name("nope")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.describe_continuous_backups(TableName=missing)
    assert_error(error, "TableNotFoundException", f"Table not found: {missing}")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.update_continuous_backups(
            TableName=missing, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    assert_error(error, "TableNotFoundException", f"Table not found: {missing}")


def enable_pitr(client, name):
    client.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def restore_at(client, name, moment):
    target = unique_name("pitr")
    kwargs = {"SourceTableName": name, "TargetTableName": target}
    if moment is None:
        kwargs["UseLatestRestorableTime"] = True
    else:
        kwargs["RestoreDateTime"] = datetime.datetime.fromtimestamp(moment, tz=datetime.timezone.utc)
    description = client.restore_table_to_point_in_time(**kwargs)["TableDescription"]
    assert description["TableName"] == target
    wait_table(client, target)
    return target


def keys_and_values(items):
    return {(i["pk"]["S"], i["sk"]["N"]): i.get("v", {}).get("S") for i in items}


def test_restore_to_point_in_time_between_writes(own_server):
    url, _ = own_server("--in-memory", "--ttl-interval", "0.2")
    client, _ = clients(url)
    name = make_table(client)
    client.put_item(TableName=name, Item=item("early", 1, v="before-pitr"))
    enable_pitr(client, name)
    client.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
    client.put_item(TableName=name, Item=item("a", 1, v="a1", email="a@x"))
    client.put_item(TableName=name, Item=item("b", 1, v="b1"))
    client.put_item(TableName=name, Item=item("c", 1, v="c1"))
    client.put_item(TableName=name, Item=item("t", 1, v="ttl", expires=int(time.time()) + 3))
    time.sleep(1.5)
    first = time.time()
    time.sleep(1.5)
    client.update_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                       UpdateExpression="SET v = :v, email = :e",
                       ExpressionAttributeValues={":v": {"S": "a2"}, ":e": {"S": "a2@x"}})
    client.delete_item(TableName=name, Key={"pk": {"S": "b"}, "sk": {"N": "1"}})
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": name, "Item": item("d", 1, v="d1")}},
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "c"}, "sk": {"N": "1"}}}},
    ])
    client.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item("e", 1, v="e1")}}]})
    deadline = time.time() + 10
    while client.get_item(TableName=name, Key={"pk": {"S": "t"}, "sk": {"N": "1"}}).get("Item"):
        assert time.time() < deadline, "TTL sweep did not delete the item"
        time.sleep(0.2)
    time.sleep(1.5)
    second = time.time()
    time.sleep(1.5)
    client.put_item(TableName=name, Item=item("z", 1, v="after"))

    at_first = restore_at(client, name, first)
    assert keys_and_values(scan_all(client, at_first)) == {
        ("early", "1"): "before-pitr", ("a", "1"): "a1", ("b", "1"): "b1", ("c", "1"): "c1", ("t", "1"): "ttl"}
    # The index of the restored table was rebuilt as of that moment.
    hit = client.query(TableName=at_first, IndexName="byEmail", KeyConditionExpression="email = :e",
                       ExpressionAttributeValues={":e": {"S": "a@x"}})["Items"]
    assert [i["v"]["S"] for i in hit] == ["a1"]
    at_second = restore_at(client, name, second)
    assert keys_and_values(scan_all(client, at_second)) == {
        ("early", "1"): "before-pitr", ("a", "1"): "a2", ("d", "1"): "d1", ("e", "1"): "e1"}
    latest = restore_at(client, name, None)
    assert keys_and_values(scan_all(client, latest)) == keys_and_values(scan_all(client, name))
    summary = client.describe_table(TableName=at_first)["Table"]["RestoreSummary"]
    assert summary["SourceTableArn"].endswith(f":table/{name}") and "SourceBackupArn" not in summary
    assert abs(summary["RestoreDateTime"].timestamp() - first) < 1


def test_point_in_time_errors(client):
    name = make_table(client, indexes=False)
    with pytest.raises(client.exceptions.ClientError) as error:
        client.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=unique_name("x"),
                                              UseLatestRestorableTime=True)
    assert_error(error, "PointInTimeRecoveryUnavailableException",
                 f"Point in time recovery is not enabled for table '{name}'")
    enable_pitr(client, name)
    earliest = client.describe_continuous_backups(TableName=name)[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"]
    for moment in (earliest - datetime.timedelta(seconds=5),
                   datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(hours=1)):
        with pytest.raises(client.exceptions.ClientError) as error:
            client.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=unique_name("x"),
                                                  RestoreDateTime=moment)
        assert_error(error, "InvalidRestoreTimeException", None)
    with pytest.raises(client.exceptions.ClientError) as error:
        client.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=name, UseLatestRestorableTime=True)
    assert_error(error, "TableAlreadyExistsException", f"Table already exists: {name}")
    missing = unique_name("nope")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.restore_table_to_point_in_time(SourceTableName=missing, TargetTableName=unique_name("x"),
                                              UseLatestRestorableTime=True)
    assert_error(error, "TableNotFoundException", f"Table not found: {missing}")
    with pytest.raises(client.exceptions.ClientError) as error:
        client.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=unique_name("x"))
    assert_error(error, "ValidationException", None)
    # Restoring by ARN works too.
    target = unique_name("x")
    client.restore_table_to_point_in_time(
        SourceTableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}", TargetTableName=target,
        UseLatestRestorableTime=True)
    assert wait_table(client, target)["TableStatus"] == "ACTIVE"


def test_backups_pitr_and_exports_survive_restart(own_server, tmp_path):
    url, server = own_server("--data-dir", str(tmp_path / "data"))
    client, _ = clients(url)
    name = make_table(client)
    enable_pitr(client, name)
    put_many(client, name, 40)
    arn = backup(client, name, "kept")
    expected = scan_all(client, name)
    time.sleep(1.5)
    moment = time.time()
    time.sleep(1.5)
    client.delete_item(TableName=name, Key={"pk": {"S": "p1"}, "sk": {"N": "1"}})
    client.put_item(TableName=name, Item=item("new", 1))
    export_arn = client.export_table_to_point_in_time(
        TableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}", S3Bucket="kept-bucket")["ExportDescription"]["ExportArn"]
    wait_export(client, export_arn)
    server.stop()
    if suite_storage() == "sqlite":
        # On PostgreSQL the backup is rows of the database (kv_backups), not a file.
        assert list((tmp_path / "data" / "backups").glob("*.items"))
    assert list((tmp_path / "data" / "exports" / "kept-bucket" / "AWSDynamoDB").iterdir())

    url, server = own_server("--data-dir", str(tmp_path / "data"))
    client, _ = clients(url)
    assert [s["BackupArn"] for s in client.list_backups(TableName=name)["BackupSummaries"]] == [arn]
    recovery = client.describe_continuous_backups(TableName=name)[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
    exported = client.describe_export(ExportArn=export_arn)["ExportDescription"]
    assert exported["ExportStatus"] == "COMPLETED" and exported["ItemCount"] == 40
    assert [s["ExportArn"] for s in client.list_exports()["ExportSummaries"]] == [export_arn]
    target = unique_name("after")
    client.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    wait_table(client, target)
    assert scan_all(client, target) == expected
    assert scan_all(client, restore_at(client, name, moment)) == expected


def test_backup_dir_flag(own_server, tmp_path):
    url, _ = own_server("--in-memory", "--backup-dir", str(tmp_path / "elsewhere"))
    client, _ = clients(url)
    name = make_table(client, indexes=False)
    client.put_item(TableName=name, Item=item("a", 1))
    backup(client, name, "there")
    assert len(list((tmp_path / "elsewhere").glob("*.json"))) == 1
    assert len(list((tmp_path / "elsewhere").glob("*.items"))) == 1


# ---------------------------------------------------------------- export and import

def read_export(root, bucket, manifest_key):
    """A plain reader of DynamoDB's S3 export layout: manifest-summary.json names
    manifest-files.json, whose lines name gzip data files of {"Item": ...} lines."""
    import gzip
    import json
    base = root / bucket
    summary = json.loads((base / manifest_key).read_text())
    items = []
    for line in (base / summary["manifestFilesS3Key"]).read_text().splitlines():
        entry = json.loads(line)
        with gzip.open(base / entry["dataFileS3Key"], "rt") as data:
            lines = [json.loads(text)["Item"] for text in data if text.strip()]
        assert len(lines) == entry["itemCount"]
        items += lines
    return summary, items


def test_export_and_import_round_trip(own_server, tmp_path):
    exports = tmp_path / "exports"
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    name = make_table(client)
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    with pytest.raises(client.exceptions.ClientError) as error:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket="my-bucket")
    assert_error(error, "PointInTimeRecoveryUnavailableException",
                 f"Point in time recovery is not enabled for table '{name}'")
    enable_pitr(client, name)
    put_many(client, name, 60)
    client.put_item(TableName=name, Item={
        "pk": {"S": "odd"}, "sk": {"N": "-1.5"}, "bin": {"B": b"\x00\x01"}, "set": {"SS": ["a", "b"]},
        "nums": {"NS": ["1", "2.5"]}, "map": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}]}}}})
    time.sleep(1.5)
    moment = time.time()
    time.sleep(1.5)
    client.put_item(TableName=name, Item=item("later", 1))

    described = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="my-bucket", S3Prefix="exports/daily", ExportFormat="DYNAMODB_JSON",
        ClientToken="token-1")["ExportDescription"]
    export_arn = described["ExportArn"]
    assert export_arn.startswith(arn + "/export/")
    assert described["ExportStatus"] == "IN_PROGRESS" and "EndTime" not in described
    assert described["ExportType"] == "FULL_EXPORT" and described["ExportFormat"] == "DYNAMODB_JSON"
    done = wait_export(client, export_arn)
    assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 62
    export_id = export_arn.rsplit("/", 1)[1]
    assert done["ExportManifest"] == f"exports/daily/AWSDynamoDB/{export_id}/manifest-summary.json"
    assert (exports / "my-bucket" / f"exports/daily/AWSDynamoDB/{export_id}/_started").stat().st_size == 0
    summary, exported = read_export(exports, "my-bucket", done["ExportManifest"])
    assert summary["exportArn"] == export_arn and summary["itemCount"] == 62
    assert summary["outputFormat"] == "DYNAMODB_JSON" and summary["exportType"] == "FULL_EXPORT"
    source = scan_all(client, name)
    assert sorted((i["pk"]["S"], i["sk"]["N"]) for i in exported) == [(i["pk"]["S"], i["sk"]["N"]) for i in source]
    odd = next(i for i in exported if i["pk"]["S"] == "odd")
    assert odd["bin"] == {"B": "AAE="} and odd["map"] == {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}]}}}
    # The same ClientToken returns the same export.
    again = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="my-bucket", S3Prefix="exports/daily", ClientToken="token-1")["ExportDescription"]
    assert again["ExportArn"] == export_arn
    # A past second: the item written after it is not in the export.
    past = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="my-bucket", ExportTime=datetime.datetime.fromtimestamp(moment, tz=datetime.timezone.utc)
    )["ExportDescription"]
    _, then = read_export(exports, "my-bucket", wait_export(client, past["ExportArn"])["ExportManifest"])
    assert len(then) == 61 and not any(i["pk"]["S"] == "later" for i in then)
    listed = [s["ExportArn"] for s in client.list_exports(TableArn=arn)["ExportSummaries"]]
    assert listed == [export_arn, past["ExportArn"]]
    with pytest.raises(client.exceptions.ClientError) as error:
        client.describe_export(ExportArn=arn + "/export/01234567890123-00000000")
    assert_error(error, "ExportNotFoundException", None)
    with pytest.raises(client.exceptions.ClientError) as error:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket="my-bucket", S3Prefix="../../etc")
    assert_error(error, "ValidationException", None)

    # Import the export's data into a new table with its index: it equals the source.
    target = unique_name("imported")
    imported = client.import_table(
        S3BucketSource={"S3Bucket": "my-bucket", "S3KeyPrefix": f"exports/daily/AWSDynamoDB/{export_id}/data/"},
        InputFormat="DYNAMODB_JSON", InputCompressionType="GZIP",
        TableCreationParameters={
            "TableName": target, "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"},
                                     {"AttributeName": "email", "AttributeType": "S"}],
            "GlobalSecondaryIndexes": [{"IndexName": "byEmail",
                                        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]})["ImportTableDescription"]
    import_arn = imported["ImportArn"]
    assert import_arn.startswith(f"arn:aws:dynamodb:us-east-1:000000000000:table/{target}/import/")
    assert imported["ImportStatus"] == "IN_PROGRESS"
    final = wait_import(client, import_arn)
    assert final["ImportStatus"] == "COMPLETED"
    assert (final["ProcessedItemCount"], final["ImportedItemCount"], final["ErrorCount"]) == (62, 62, 0)
    assert final["ProcessedSizeBytes"] > 0
    assert scan_all(client, target) == source
    hit = client.query(TableName=target, IndexName="byEmail", KeyConditionExpression="email = :e",
                       ExpressionAttributeValues={":e": {"S": "u9@x"}})["Items"]
    assert [i["sk"]["N"] for i in hit] == ["9"]
    assert [s["ImportArn"] for s in client.list_imports(TableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{target}")[
        "ImportSummaryList"]] == [import_arn]


def test_import_plain_file_counts_errors(own_server, tmp_path):
    exports = tmp_path / "exports"
    (exports / "in-bucket" / "load").mkdir(parents=True)
    (exports / "in-bucket" / "load" / "part-1.json").write_text(
        '{"Item": {"id": {"S": "a"}, "n": {"N": "1"}}}\n'
        '{"Item": {"id": {"N": "7"}}}\n'          # wrong key type: an error, skipped
        'not json\n'                               # unreadable: an error
        '\n'
        '{"Item": {"id": {"S": "b"}, "m": {"M": {"x": {"S": "y"}}}}}\n')
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    target = unique_name("plain")
    description = client.import_table(
        S3BucketSource={"S3Bucket": "in-bucket", "S3KeyPrefix": "load/"}, InputFormat="DYNAMODB_JSON",
        InputCompressionType="NONE",
        TableCreationParameters={"TableName": target, "BillingMode": "PAY_PER_REQUEST",
                                 "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                 "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}
    )["ImportTableDescription"]
    final = wait_import(client, description["ImportArn"])
    assert (final["ProcessedItemCount"], final["ImportedItemCount"], final["ErrorCount"]) == (4, 2, 2)
    items = client.scan(TableName=target)["Items"]
    assert sorted(i["id"]["S"] for i in items) == ["a", "b"]
    with pytest.raises(client.exceptions.ClientError) as error:
        client.import_table(
            S3BucketSource={"S3Bucket": "in-bucket"}, InputFormat="XML",
            TableCreationParameters={"TableName": unique_name("x"), "BillingMode": "PAY_PER_REQUEST",
                                     "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                     "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]})
    assert_error(error, "ValidationException", None)
    with pytest.raises(client.exceptions.ClientError) as error:
        client.describe_import(ImportArn=description["ImportArn"][:-8] + "00000000")
    assert_error(error, "ImportNotFoundException", None)


def test_incremental_export(own_server, tmp_path):
    import gzip
    import json
    exports = tmp_path / "exports"
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    name = make_table(client, indexes=False)
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    enable_pitr(client, name)
    client.put_item(TableName=name, Item=item("kept", 1, v="old"))
    client.put_item(TableName=name, Item=item("gone", 1, v="x"))
    client.put_item(TableName=name, Item=item("same", 1, v="s"))
    time.sleep(1.2)
    start = time.time()
    time.sleep(1.2)
    client.put_item(TableName=name, Item=item("kept", 1, v="new"))
    client.delete_item(TableName=name, Key={"pk": {"S": "gone"}, "sk": {"N": "1"}})
    client.put_item(TableName=name, Item=item("born", 1, v="b"))
    time.sleep(1.2)
    end = time.time()
    time.sleep(1.2)
    client.put_item(TableName=name, Item=item("late", 1, v="l"))

    def utc(seconds):
        return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)

    described = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="inc-bucket", ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": utc(start), "ExportToTime": utc(end),
                                        "ExportViewType": "NEW_AND_OLD_IMAGES"})["ExportDescription"]
    done = wait_export(client, described["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED" and done["ExportType"] == "INCREMENTAL_EXPORT"
    assert done["IncrementalExportSpecification"]["ExportViewType"] == "NEW_AND_OLD_IMAGES"
    base = exports / "inc-bucket"
    summary = json.loads((base / done["ExportManifest"]).read_text())
    assert summary["exportType"] == "INCREMENTAL_EXPORT" and summary["itemCount"] == 3
    lines = []
    for entry in (base / summary["manifestFilesS3Key"]).read_text().splitlines():
        with gzip.open(base / json.loads(entry)["dataFileS3Key"], "rt") as data:
            lines += [json.loads(text) for text in data if text.strip()]
    by_key = {line["Keys"]["pk"]["S"]: line for line in lines}
    assert set(by_key) == {"kept", "gone", "born"}
    assert by_key["kept"]["OldImage"]["v"] == {"S": "old"} and by_key["kept"]["NewImage"]["v"] == {"S": "new"}
    assert by_key["gone"]["OldImage"]["v"] == {"S": "x"} and "NewImage" not in by_key["gone"]
    assert "OldImage" not in by_key["born"] and by_key["born"]["NewImage"]["v"] == {"S": "b"}
    written = int(by_key["kept"]["Metadata"]["WriteTimestampMicros"]["N"]) / 1e6
    assert start < written <= end
    with pytest.raises(client.exceptions.ClientError) as error:
        client.export_table_to_point_in_time(
            TableArn=arn, S3Bucket="inc-bucket", ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={"ExportFromTime": utc(end), "ExportToTime": utc(start)})
    assert_error(error, "InvalidExportTimeException", None)


def test_export_during_writes_is_consistent(own_server, tmp_path):
    """Transactions committing while an export runs are wholly in it or not at all, and wait little."""
    exports = tmp_path / "exports"
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    name = make_table(client, indexes=False)
    enable_pitr(client, name)
    put_many(client, name, 6000)
    stop = threading.Event()
    latencies = []

    def writer():
        version = 0
        while not stop.is_set():
            version += 1
            started = time.perf_counter()
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": name, "Item": item("pair", 1, version=version)}},
                {"Put": {"TableName": name, "Item": item("pair", 2, version=version)}},
            ])
            latencies.append(time.perf_counter() - started)

    thread = threading.Thread(target=writer)
    thread.start()
    time.sleep(0.2)
    started = time.perf_counter()
    described = client.export_table_to_point_in_time(
        TableArn=f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}", S3Bucket="busy-bucket")["ExportDescription"]
    wait_export(client, described["ExportArn"])
    seconds = time.perf_counter() - started
    time.sleep(0.2)
    stop.set()
    thread.join()
    worst = max(latencies)
    print(f"export of 6000 items took {seconds:.3f}s; {len(latencies)} writes meanwhile, worst {worst * 1000:.1f} ms")
    assert worst < 1.0
    _, exported = read_export(exports, "busy-bucket", wait_export(client, described["ExportArn"])["ExportManifest"])
    pair = [i for i in exported if i["pk"]["S"] == "pair"]
    assert len(exported) == 6002 and len(pair) == 2 and pair[0]["version"] == pair[1]["version"]


def test_import_csv_gzip(own_server, tmp_path):
    """CSV input: key attributes typed by AttributeDefinitions, other attributes Strings."""
    import gzip
    exports = tmp_path / "exports"
    (exports / "csv-bucket").mkdir(parents=True)
    with gzip.open(exports / "csv-bucket" / "people.csv.gz", "wt") as data:
        data.write('id,age,name,note\n1,30,Ann,"likes ""quotes"", commas"\n2,41,Bob,\nx,5,Bad key,\n')
    (exports / "csv-bucket" / "more.csv").write_text("3;22;Cy;multi\n")
    url, _ = own_server("--in-memory", "--export-dir", str(exports))
    client, _ = clients(url)
    params = {"BillingMode": "PAY_PER_REQUEST", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}]}
    first = unique_name("csv")
    description = client.import_table(
        S3BucketSource={"S3Bucket": "csv-bucket", "S3KeyPrefix": "people"}, InputFormat="CSV",
        InputCompressionType="GZIP", TableCreationParameters={"TableName": first, **params})["ImportTableDescription"]
    final = wait_import(client, description["ImportArn"])
    assert (final["ProcessedItemCount"], final["ImportedItemCount"], final["ErrorCount"]) == (3, 2, 1)
    items = {i["id"]["N"]: i for i in client.scan(TableName=first)["Items"]}
    assert items["1"] == {"id": {"N": "1"}, "age": {"S": "30"}, "name": {"S": "Ann"},
                          "note": {"S": 'likes "quotes", commas'}}
    assert items["2"] == {"id": {"N": "2"}, "age": {"S": "41"}, "name": {"S": "Bob"}}
    second = unique_name("csv")
    wait_import(client, client.import_table(
        S3BucketSource={"S3Bucket": "csv-bucket", "S3KeyPrefix": "more"}, InputFormat="CSV",
        InputFormatOptions={"Csv": {"Delimiter": ";", "HeaderList": ["id", "age", "name", "note"]}},
        TableCreationParameters={"TableName": second, **params})["ImportTableDescription"]["ImportArn"])
    assert client.scan(TableName=second)["Items"] == [
        {"id": {"N": "3"}, "age": {"S": "22"}, "name": {"S": "Cy"}, "note": {"S": "multi"}}]
