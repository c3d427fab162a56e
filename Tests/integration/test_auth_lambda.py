"""Lambda's control plane (event source mappings) under ``--auth``: boto3's ``lambda`` client
signs for service ``lambda``, IAM policies name ``lambda:`` actions, and the audit log records
the calls with ``eventSource`` ``lambda.amazonaws.com``.

Actions and resources as Lambda's Service Authorization Reference lists them
(https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html):
CreateEventSourceMapping and ListEventSourceMappings on ``*``, Get/Update/DeleteEventSourceMapping
on ``arn:aws:lambda:REGION:ACCOUNT:event-source-mapping:UUID``. Denials carry IAM's texts
(https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
"""

from __future__ import annotations

import json
import time

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from auth_support import REGION

ACCOUNT = "111122223333"


def identity(name: str, *statements: dict) -> dict:
    return {
        "arn": f"arn:aws:iam::{ACCOUNT}:user/{name}",
        "keys": [{"accessKeyId": f"AKIA{name.upper():0<16}"[:20], "secretAccessKey": f"secret-of-{name}"}],
        "policies": [{"Version": "2012-10-17", "Statement": list(statements)}],
    }


def lambda_client(server, name: str):
    return boto3.client(
        "lambda", endpoint_url=server.endpoint, region_name=REGION,
        aws_access_key_id=f"AKIA{name.upper():0<16}"[:20], aws_secret_access_key=f"secret-of-{name}",
        config=botocore.config.Config(retries={"total_max_attempts": 1, "mode": "standard"}))


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from auth_support import start_auth_server

    tmp = tmp_path_factory.mktemp("auth-lambda")
    audit = tmp / "audit.jsonl"
    config = {"identities": [
        identity("ops", {"Effect": "Allow", "Action": ["dynamodb:*", "lambda:*EventSourceMapping*"], "Resource": "*"}),
        identity("dbonly", {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}),
        identity("nodelete",
                 {"Effect": "Allow", "Action": "lambda:*", "Resource": "*"},
                 {"Effect": "Deny", "Action": "lambda:DeleteEventSourceMapping",
                  "Resource": f"arn:aws:lambda:*:{ACCOUNT}:event-source-mapping:*"}),
    ]}
    server = start_auth_server(tmp, config, extra_args=["--audit-log", str(audit)])
    try:
        ddb = server.client(f"AKIA{'OPS':0<16}"[:20], "secret-of-ops")
        ddb.create_table(
            TableName="Jobs", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        stream_arn = ddb.describe_table(TableName="Jobs")["Table"]["LatestStreamArn"]
        yield server, stream_arn, audit
    finally:
        server.stop()


def test_lambda_client_signed_for_lambda_is_accepted(setup):
    server, stream_arn, _ = setup
    ops = lambda_client(server, "ops")
    created = ops.create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName="http://127.0.0.1:9/never-called", StartingPosition="LATEST",
        Enabled=False)
    listed = ops.list_event_source_mappings(EventSourceArn=stream_arn)["EventSourceMappings"]
    assert created["UUID"] in [m["UUID"] for m in listed]
    assert ops.get_event_source_mapping(UUID=created["UUID"])["UUID"] == created["UUID"]


def test_a_dynamodb_only_policy_does_not_allow_lambda_actions(setup):
    server, stream_arn, _ = setup
    with pytest.raises(ClientError) as denied:
        lambda_client(server, "dbonly").list_event_source_mappings(EventSourceArn=stream_arn)
    error = denied.value.response["Error"]
    assert error["Code"] == "AccessDeniedException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/dbonly is not authorized to perform: lambda:ListEventSourceMappings "
        "on resource: * because no identity-based policy allows the lambda:ListEventSourceMappings action")


def test_mapping_actions_are_checked_against_the_mapping_arn(setup):
    server, stream_arn, _ = setup
    client = lambda_client(server, "nodelete")
    uuid = client.create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName="http://127.0.0.1:9/kept", StartingPosition="LATEST",
        Enabled=False)["UUID"]
    with pytest.raises(ClientError) as denied:
        client.delete_event_source_mapping(UUID=uuid)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert denied.value.response["Error"]["Message"] == (
        f"User: arn:aws:iam::{ACCOUNT}:user/nodelete is not authorized to perform: lambda:DeleteEventSourceMapping "
        f"on resource: arn:aws:lambda:{REGION}:{ACCOUNT}:event-source-mapping:{uuid} "
        "with an explicit deny in an identity-based policy")
    # The mapping is still there: the denied call never reached the handler.
    assert client.get_event_source_mapping(UUID=uuid)["UUID"] == uuid


def test_lambda_calls_are_audited_as_lambda_events(setup):
    server, stream_arn, audit = setup
    with pytest.raises(ClientError):
        lambda_client(server, "dbonly").list_event_source_mappings(EventSourceArn=stream_arn)
    lambda_client(server, "ops").list_event_source_mappings(EventSourceArn=stream_arn)
    deadline = time.monotonic() + 5
    events = []
    while time.monotonic() < deadline:
        lines = audit.read_text().splitlines() if audit.exists() else []
        events = [json.loads(line) for line in lines]
        listed = [e for e in events if e["eventName"] == "ListEventSourceMappings"]
        if len(listed) >= 2:
            break
        time.sleep(0.1)
    listed = [e for e in events if e["eventName"] == "ListEventSourceMappings"]
    assert {e["eventSource"] for e in listed} == {"lambda.amazonaws.com"}
    assert any(e.get("errorCode") == "AccessDeniedException" and e["userIdentity"]["arn"].endswith("user/dbonly")
               for e in listed)
    assert any("errorCode" not in e and e["userIdentity"]["arn"].endswith("user/ops") for e in listed)
    assert all(e["readOnly"] for e in listed)
