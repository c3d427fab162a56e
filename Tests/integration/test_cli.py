"""The AWS CLI against the endpoint (``aws dynamodb ... --endpoint-url``)."""

import json
import os
import shutil
import subprocess

import pytest

from conftest import DUMMY_KEY, DUMMY_SECRET, REGION, unique_name

AWS = shutil.which("aws")
pytestmark = pytest.mark.skipif(
    AWS is None, reason="AWS CLI (`aws`) not found on PATH: pip install awscli")


@pytest.fixture(scope="module")
def aws(endpoint, tmp_path_factory):
    home = tmp_path_factory.mktemp("awscli-home")
    env = dict(os.environ)
    env.update({
        "AWS_ACCESS_KEY_ID": os.environ.get("KVSERVER_TEST_ACCESS_KEY", DUMMY_KEY),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("KVSERVER_TEST_SECRET_KEY", DUMMY_SECRET),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_PAGER": "",
        "AWS_MAX_ATTEMPTS": "1",
        "HOME": str(home),
    })
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)

    def run(*args, check=True):
        cmd = [AWS, "dynamodb", *args, "--endpoint-url", endpoint, "--output", "json"]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        if check:
            assert proc.returncode == 0, (
                f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr}")
        return proc

    def run_json(*args):
        out = run(*args).stdout
        return json.loads(out) if out.strip() else {}

    run.json = run_json
    return run


def test_cli_table_and_item_round_trip(aws, table_names):
    name = table_names.track(unique_name("cli"))
    created = aws.json(
        "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=STOCK_ID,AttributeType=S",
        "--key-schema", "AttributeName=STOCK_ID,KeyType=HASH",
        "--billing-mode", "PAY_PER_REQUEST")
    assert created["TableDescription"]["TableName"] == name
    aws("wait", "table-exists", "--table-name", name)

    described = aws.json("describe-table", "--table-name", name)
    assert described["Table"]["TableStatus"] == "ACTIVE"
    assert described["Table"]["KeySchema"] == [{"AttributeName": "STOCK_ID", "KeyType": "HASH"}]

    listed = aws.json("list-tables")
    assert name in listed["TableNames"]

    item = {"STOCK_ID": {"S": "ACME"}, "VALUE": {"N": "12.50"}}
    aws("put-item", "--table-name", name, "--item", json.dumps(item))
    got = aws.json("get-item", "--table-name", name, "--consistent-read",
                   "--key", json.dumps({"STOCK_ID": {"S": "ACME"}}))
    assert got["Item"] == {"STOCK_ID": {"S": "ACME"}, "VALUE": {"N": "12.5"}}

    missing = aws.json("get-item", "--table-name", name,
                       "--key", json.dumps({"STOCK_ID": {"S": "NOPE"}}))
    assert "Item" not in missing


def test_cli_error_exit_code_and_message(aws):
    name = unique_name("missing")
    proc = aws("describe-table", "--table-name", name, check=False)
    assert proc.returncode != 0
    assert "ResourceNotFoundException" in proc.stderr
    assert f"Requested resource not found: Table: {name} not found" in proc.stderr
