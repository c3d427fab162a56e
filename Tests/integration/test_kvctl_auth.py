"""kvctl auth check / simulate: the server's own auth-file parser and policy evaluator, offline.

The decisions follow IAM's evaluation logic (an explicit Deny wins, then any Allow, otherwise an
implicit deny): https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
and the policy simulator's output (decision plus the deciding statement):
https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
"""

from __future__ import annotations

import json

from test_kvctl import kvctl, kvctl_bin  # noqa: F401  (fixtures)

QUEUE = "arn:aws:iam::111122223333:user/queue-processor"
TABLE = "arn:aws:dynamodb:us-east-1:111122223333:table/QueueTable"


def auth_file(tmp_path, policies):
    path = tmp_path / "auth.json"
    path.write_text(json.dumps({"identities": [{
        "arn": QUEUE,
        "keys": [{"accessKeyId": "AKIAQUEUEPROC0000001", "secretAccessKey": "s3cr3t-never-printed"},
                 {"accessKeyId": "AKIAQUEUEPROC0000002", "secretAccessKey": "old-s3cr3t",
                  "notAfter": "2020-01-01T00:00:00Z"}],
        "policies": policies}]}))
    return path


POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "QueueWork", "Effect": "Allow", "Action": ["dynamodb:Query", "dynamodb:UpdateItem"],
     "Resource": [TABLE, TABLE + "/index/*"]},
    {"Sid": "NoDeletes", "Effect": "Deny", "Action": "dynamodb:Delete*", "Resource": "*"},
    {"Sid": "OwnKeys", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE,
     "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}},
]}


def test_check_lists_identities_without_secrets(kvctl, tmp_path):
    path = auth_file(tmp_path, [POLICY])
    out = kvctl("auth", "check", "--file", path, "--output", "json").stdout
    document = json.loads(out)
    assert document["ok"] is True
    [identity] = document["identities"]
    assert identity["arn"] == QUEUE and identity["policies"] == 1
    keys = {key["accessKeyId"]: key for key in identity["keys"]}
    assert keys["AKIAQUEUEPROC0000002"]["expired"] is True
    assert "s3cr3t" not in out


def test_check_names_the_place_of_an_error(kvctl, tmp_path):
    bad = json.loads(json.dumps(POLICY))
    bad["Statement"][1]["Effect"] = "Maybe"
    proc = kvctl("auth", "check", "--file", auth_file(tmp_path, [bad]), check=False)
    assert proc.returncode == 1
    assert "identities[0].policies[0]" in proc.stderr and "Effect" in proc.stderr
    assert "s3cr3t" not in proc.stderr + proc.stdout


def simulate(kvctl, path, action, resource, *context):
    args = ["auth", "simulate", "--file", path, "--identity", QUEUE, "--action", action,
            "--resource", resource, "--output", "json"]
    for entry in context:
        args += ["--context", entry]
    proc = kvctl(*args, check=False)
    return proc.returncode, json.loads(proc.stdout)


def test_simulate_allow_names_the_statement(kvctl, tmp_path):
    code, answer = simulate(kvctl, auth_file(tmp_path, [POLICY]), "dynamodb:UpdateItem", TABLE)
    assert code == 0
    assert answer["decision"] == "allowed"
    assert answer["statement"]["sid"] == "QueueWork"
    assert answer["statement"]["document"]["Effect"] == "Allow"


def test_simulate_explicit_deny_wins_and_implicit_deny(kvctl, tmp_path):
    path = auth_file(tmp_path, [POLICY, {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}])
    code, answer = simulate(kvctl, path, "dynamodb:DeleteItem", TABLE)
    assert (code, answer["decision"], answer["statement"]["sid"]) == (1, "explicitDeny", "NoDeletes")
    code, answer = simulate(kvctl, auth_file(tmp_path, [POLICY]), "dynamodb:PutItem", TABLE)
    assert (code, answer["decision"]) == (1, "implicitDeny")
    assert "statement" not in answer


def test_simulate_condition_keys_and_policy_variables(kvctl, tmp_path):
    path = auth_file(tmp_path, [POLICY])
    code, answer = simulate(kvctl, path, "dynamodb:GetItem", TABLE, "dynamodb:LeadingKeys=queue-processor")
    assert (code, answer["decision"]) == (0, "allowed")
    code, answer = simulate(kvctl, path, "dynamodb:GetItem", TABLE, "dynamodb:LeadingKeys=someone-else")
    assert (code, answer["decision"]) == (1, "implicitDeny")


def test_simulate_unknown_identity_and_bad_context(kvctl, tmp_path):
    path = auth_file(tmp_path, [POLICY])
    proc = kvctl("auth", "simulate", "--file", path, "--identity", "arn:aws:iam::1:user/nobody",
                 "--action", "dynamodb:GetItem", "--resource", TABLE, check=False)
    assert proc.returncode == 1 and "no identity" in proc.stderr
    proc = kvctl("auth", "simulate", "--file", path, "--identity", QUEUE, "--action", "dynamodb:GetItem",
                 "--resource", TABLE, "--context", "novalue", check=False)
    assert proc.returncode == 2
