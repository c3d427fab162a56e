"""TagResource, UntagResource, ListTagsOfResource, CreateTable Tags; DescribeLimits, DescribeEndpoints.

Sources: [DL] architect/dynalite test/listTagsOfResource.js, test/tagResource.js (recorded from
DynamoDB): "Invalid TableArn", "Invalid TableArn: Invalid ResourceArn provided as input <arn>",
"Requested resource not found: ResourcArn: <arn> not found" (sic), `{"Tags": []}` for an
untagged table. [DX] nubo-db/dynoxide src/actions/tag_resource.rs, untag_resource.rs:
"Atleast one Tag needs to be provided as Input.", "Atleast one Tag Key needs to be provided
as Input.", "One or more parameter values were invalid: Tag key must be between 1 and 128
characters", "... Tag value must be between 0 and 256 characters".
[DG] https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Tagging.html (50 tags).
[API] API_DescribeLimits.html / ServiceQuotas.html (80,000 / 40,000 defaults),
API_DescribeEndpoints.html (CachePeriodInMinutes 1440).
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name


def arn_of(client, name):
    return client.describe_table(TableName=name)["Table"]["TableArn"]


def tags_of(client, arn):
    return sorted((t["Key"], t["Value"]) for t in client.list_tags_of_resource(ResourceArn=arn)["Tags"])


def test_tag_untag_list(client, make_table):
    arn = arn_of(client, make_table())
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == []
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "kv"}])
    assert tags_of(client, arn) == [("env", "test"), ("team", "kv")]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "empty", "Value": ""}])
    assert tags_of(client, arn) == [("empty", ""), ("env", "prod"), ("team", "kv")]
    client.untag_resource(ResourceArn=arn, TagKeys=["team", "not-there"])
    assert tags_of(client, arn) == [("empty", ""), ("env", "prod")]


def test_create_table_with_tags(client, make_table):
    name = make_table(Tags=[{"Key": "owner", "Value": "racing"}])
    assert tags_of(client, arn_of(client, name)) == [("owner", "racing")]


def test_tags_go_with_the_table(client, table_names):
    name = unique_name()
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST", Tags=[{"Key": "a", "Value": "1"}])
    table_names.track(name)
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    arn = arn_of(client, name)
    client.delete_table(TableName=name)
    client.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    client.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_missing_resource_arn(client):
    with pytest.raises(ClientError) as e:
        client.list_tags_of_resource()
    assert_error(e, "ValidationException", "Invalid TableArn")


def test_invalid_table_arn(client):
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/ab"
    with pytest.raises(ClientError) as e:
        client.list_tags_of_resource(ResourceArn=arn)
    assert_error(e, "ValidationException", f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")


def test_unknown_table(client):
    arn = f"arn:aws:dynamodb:us-east-1:000000000000:table/{unique_name()}"
    with pytest.raises(ClientError) as e:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    assert_error(e, "ResourceNotFoundException", f"Requested resource not found: ResourcArn: {arn} not found")


def test_no_tags(client, make_table):
    arn = arn_of(client, make_table())
    with pytest.raises(ClientError) as e:
        client.tag_resource(ResourceArn=arn, Tags=[])
    assert_error(e, "ValidationException", "Atleast one Tag needs to be provided as Input.")
    with pytest.raises(ClientError) as e:
        client.untag_resource(ResourceArn=arn, TagKeys=[])
    assert_error(e, "ValidationException", "Atleast one Tag Key needs to be provided as Input.")


def test_tag_lengths(client, make_table):
    arn = arn_of(client, make_table())
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    with pytest.raises(ClientError) as e:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k" * 129, "Value": "v"}])
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Tag key must be between 1 and 128 characters")
    with pytest.raises(ClientError) as e:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v" * 257}])
    assert_error(e, "ValidationException",
                 "One or more parameter values were invalid: Tag value must be between 0 and 256 characters")


def test_at_most_50_tags(client, make_table):
    arn = arn_of(client, make_table())
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    with pytest.raises(ClientError) as e:
        client.tag_resource(ResourceArn=arn, Tags=[{"Key": "one-too-many", "Value": "v"}])
    # The exact text of this limit is not in a public recording; the type is the documented one.
    assert_error(e, "LimitExceededException", None)
    assert len(client.list_tags_of_resource(ResourceArn=arn)["Tags"]) == 50


def test_describe_limits(client):
    resp = client.describe_limits()
    assert resp["AccountMaxReadCapacityUnits"] == 80000
    assert resp["AccountMaxWriteCapacityUnits"] == 80000
    assert resp["TableMaxReadCapacityUnits"] == 40000
    assert resp["TableMaxWriteCapacityUnits"] == 40000


def test_describe_endpoints(client):
    endpoints = client.describe_endpoints()["Endpoints"]
    assert len(endpoints) == 1
    assert endpoints[0]["CachePeriodInMinutes"] == 1440
    assert endpoints[0]["Address"]
