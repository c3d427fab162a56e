"""CreateTable and UpdateTable refusals of table and index definitions, with DynamoDB's texts.

The API reference publishes none of these texts. Sources:
[ACK]  ack-api-quirks, services/dynamodb findings (a public lab that probes the live DynamoDB
       service and records its answers, 2026-10): DDB-TABLE-123 (multi-attribute key schemas),
       -126 (projections), -127 (AttributeDefinitions), -128 (index throughput), -152, -159
       (one online index change), -160 (GlobalSecondaryIndexUpdates entries), -169 (21st GSI),
       -174 (a Create next to other changes), -359 (empty update list), -375 (unknown index),
       and the ValidationException catalogue DDB-TABLE-442.
[SCY]  scylladb/scylladb#13870, which quotes DynamoDB's answer to a duplicated attribute
       definition ("Attribute Name is duplicated: x").
[UT]   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
       ("You can create or delete only one global secondary index per UpdateTable operation").
"""

import pytest
from botocore.exceptions import ClientError

from conftest import assert_error, unique_name
from read_helpers import attr_defs, gsi

PREFIX = "One or more parameter values were invalid: "


def _create(client, *, defs, keys=(("pk", "HASH"),), **extra):
    extra.setdefault("BillingMode", "PAY_PER_REQUEST")
    with pytest.raises(ClientError) as e:
        client.create_table(
            TableName=unique_name("tde"), AttributeDefinitions=defs,
            KeySchema=[{"AttributeName": n, "KeyType": t} for n, t in keys], **extra)
    return e


def _gsi_keys(name, *keys, projection=None):
    return {"IndexName": name, "KeySchema": [{"AttributeName": n, "KeyType": t} for n, t in keys],
            "Projection": projection or {"ProjectionType": "ALL"}}


# ---- CreateTable: AttributeDefinitions [ACK DDB-TABLE-127], [SCY] ----

def test_duplicated_attribute_definition(client):
    e = _create(client, defs=attr_defs(pk="S") + attr_defs(pk="S"))
    assert_error(e, "ValidationException", "Attribute Name is duplicated: pk")


def test_duplicated_attribute_definition_with_two_types(client):
    e = _create(client, defs=attr_defs(pk="S", a="S") + attr_defs(a="N"),
                GlobalSecondaryIndexes=[gsi("g-a", "a")])
    assert_error(e, "ValidationException", "Attribute Name is duplicated: a")


def test_unused_definition_masks_the_other_index_errors(client):
    # The unused-definition check runs before projection and throughput checks [ACK DDB-TABLE-127].
    e = _create(client, defs=attr_defs(pk="S", a="S", extra="S"),
                GlobalSecondaryIndexes=[gsi("g-a", "a", projection="INCLUDE")])
    assert_error(e, "ValidationException", None)
    message = e.value.response["Error"]["Message"]
    # The order of "keys used" is DynamoDB's internal set order (not recorded well enough to copy).
    assert message.startswith(PREFIX + "Some AttributeDefinitions are not used. AttributeDefinitions: [pk, a, extra], "
                              "keys used: [")
    assert sorted(message.rsplit("[", 1)[1].rstrip("]").split(", ")) == ["a", "pk"]


# ---- CreateTable: projections [ACK DDB-TABLE-126] ----

def test_duplicate_non_key_attribute(client):
    e = _create(client, defs=attr_defs(pk="S", a="S"),
                GlobalSecondaryIndexes=[gsi("g-a", "a", projection="INCLUDE", non_key=["x", "y", "x"])])
    assert_error(e, "ValidationException", PREFIX + "Duplicate element in NonKeyAttributes: x")


def test_include_without_non_key_attributes(client):
    e = _create(client, defs=attr_defs(pk="S", a="S"),
                GlobalSecondaryIndexes=[gsi("g-a", "a", projection="INCLUDE")])
    assert_error(e, "ValidationException", PREFIX + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified")


# ---- CreateTable: index throughput [ACK DDB-TABLE-128] ----

def test_provisioned_gsi_without_throughput(client):
    e = _create(client, defs=attr_defs(pk="S", a="S"), BillingMode="PROVISIONED",
                ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                GlobalSecondaryIndexes=[gsi("g-a", "a")])
    assert_error(e, "ValidationException", PREFIX + "ProvisionedThroughput is not specified for index: g-a")


def test_on_demand_gsi_with_throughput(client):
    e = _create(client, defs=attr_defs(pk="S", a="S"),
                GlobalSecondaryIndexes=[gsi("g-a", "a", throughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})])
    assert_error(e, "ValidationException",
                 PREFIX + "ProvisionedThroughput should not be specified for index: g-a when BillingMode is PAY_PER_REQUEST")


# ---- CreateTable: multi-attribute GSI key schemas [ACK DDB-TABLE-123, DDB-TABLE-442] ----

def test_five_hash_attributes(client):
    e = _create(client, defs=attr_defs(pk="S", a="S", b="S", c="S", d="S", e="S"),
                GlobalSecondaryIndexes=[_gsi_keys("g-a", *[(n, "HASH") for n in "abcde"])])
    assert_error(e, "ValidationException",
                 PREFIX + "The KeySchema exceeds the maximum allowed number of HASH key attributes")


def test_five_range_attributes(client):
    e = _create(client, defs=attr_defs(pk="S", a="S", b="S", c="S", d="S", e="S", f="S"),
                GlobalSecondaryIndexes=[_gsi_keys("g-a", ("a", "HASH"), *[(n, "RANGE") for n in "bcdef"])])
    assert_error(e, "ValidationException",
                 PREFIX + "The KeySchema exceeds the maximum allowed number of RANGE key attributes")


def test_hash_after_range(client):
    e = _create(client, defs=attr_defs(pk="S", a="S", b="S", c="S"),
                GlobalSecondaryIndexes=[_gsi_keys("g-a", ("a", "HASH"), ("b", "RANGE"), ("c", "HASH"))])
    assert_error(e, "ValidationException",
                 PREFIX + "All HASH key attributes must precede RANGE key attributes in the KeySchema")


def test_attribute_twice_in_a_key_schema(client):
    e = _create(client, defs=attr_defs(pk="S", a="S", b="S"),
                GlobalSecondaryIndexes=[_gsi_keys("g-a", ("a", "HASH"), ("b", "HASH"), ("a", "RANGE"))])
    assert_error(e, "ValidationException", "The KeySchema contains multiple key attributes with the same name")


def test_range_only_key_schema(client):
    # [ACK DDB-TABLE-124]: a RANGE-only GSI key gets the single-key text.
    e = _create(client, defs=attr_defs(pk="S", a="S", b="S"),
                GlobalSecondaryIndexes=[_gsi_keys("g-a", ("a", "RANGE"), ("b", "RANGE"))])
    assert_error(e, "ValidationException", "Invalid KeySchema: The first KeySchemaElement is not a HASH key type")


# ---- UpdateTable: GlobalSecondaryIndexUpdates ----

@pytest.fixture
def indexed(make_table):
    """PAY_PER_REQUEST table pk with GSIs gs1 (a) and gs2 (b) and an LSI."""
    return make_table(
        hash_key=("pk", "S"), range_key=("sk", "S"),
        AttributeDefinitions=attr_defs(pk="S", sk="S", a="S", b="S", l="S"),
        GlobalSecondaryIndexes=[gsi("gs1", "a"), gsi("gs2", "b")],
        LocalSecondaryIndexes=[{"IndexName": "ls1", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                                  {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def _gsi_names(client, table):
    return sorted(g["IndexName"] for g in client.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", []))


def test_two_creates_in_one_call(client, indexed):
    # [UT] one create or delete per call; [ACK DDB-TABLE-159] its error type and text.
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, AttributeDefinitions=attr_defs(c="S", d="S"),
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("gs3", "c")}, {"Create": gsi("gs4", "d")}])
    assert_error(e, "LimitExceededException",
                 "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
    assert _gsi_names(client, indexed) == ["gs1", "gs2"]


def test_create_and_delete_in_one_call(client, indexed):
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, AttributeDefinitions=attr_defs(c="S"),
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("gs3", "c")}, {"Delete": {"IndexName": "gs1"}}])
    assert_error(e, "LimitExceededException",
                 "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")


def test_one_index_named_twice(client, indexed):
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[
            {"Delete": {"IndexName": "gs2"}},
            {"Update": {"IndexName": "gs2", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])
    assert_error(e, "ValidationException",
                 PREFIX + "Only one global secondary index update per index is allowed simultaneously. Index: gs2")


def test_entry_without_an_action(client, indexed):
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[{}])
    assert_error(e, "ValidationException",
                 PREFIX + "One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                 "GlobalSecondaryIndexUpdate.Delete must not be null")


def test_entry_with_two_actions(client, indexed):
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[{
            "Delete": {"IndexName": "gs1"},
            "Update": {"IndexName": "gs1", "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}}])
    assert_error(e, "ValidationException",
                 PREFIX + "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")


def test_empty_update_list_next_to_a_change_is_refused_and_nothing_applies(client, indexed):
    # [ACK DDB-TABLE-359]: alone it is "At least one of ..."; next to a change it is refused.
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[], DeletionProtectionEnabled=True)
    assert_error(e, "ValidationException", PREFIX + "List of GlobalSecondaryIndexUpdates is empty")
    assert client.describe_table(TableName=indexed)["Table"]["DeletionProtectionEnabled"] is False


def test_attribute_definitions_alone_change_nothing(client, indexed):
    # [ACK DDB-TABLE-162]
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, AttributeDefinitions=attr_defs(z="S"))
    assert_error(e, "ValidationException", None)
    assert e.value.response["Error"]["Message"].startswith("At least one of ProvisionedThroughput, BillingMode")


def test_nothing_to_update_is_checked_before_the_table_lookup(client):
    # [ACK DDB-TABLE-015]: a missing table with no change answers ValidationException.
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=unique_name("tde"))
    assert_error(e, "ValidationException", None)


def test_create_without_attribute_definitions(client, indexed):
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[{"Create": gsi("gs3", "c")}])
    assert_error(e, "ValidationException", PREFIX + "AttributeDefinitions is not specified for index: gs3")


def test_create_of_an_existing_index(client, indexed):
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, AttributeDefinitions=attr_defs(a="S"),
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("gs1", "a")}])
    assert_error(e, "ValidationException", "Attempting to create an index which already exists")


def test_create_with_throughput_on_an_on_demand_table(client, indexed):
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, AttributeDefinitions=attr_defs(c="S"), GlobalSecondaryIndexUpdates=[
            {"Create": gsi("gs3", "c", throughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})}])
    assert_error(e, "ValidationException",
                 PREFIX + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: gs3 "
                 "when BillingMode is PAY_PER_REQUEST")


def test_create_without_throughput_on_a_provisioned_table(client, make_table):
    # [ACK DDB-TABLE-152]
    table = make_table(hash_key=("pk", "S"), BillingMode="PROVISIONED",
                       ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=table, AttributeDefinitions=attr_defs(c="S"),
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("gsi-nopt", "c")}])
    assert_error(e, "ValidationException",
                 PREFIX + "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: gsi-nopt")


def test_update_throughput_of_an_on_demand_index(client, indexed):
    # [ACK DDB-TABLE-152]
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "gs1", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}])
    assert_error(e, "ValidationException",
                 PREFIX + "The only Updates for index: gs1 when TableThroughputMode is PAY_PER_REQUEST can be to "
                 "OnDemandThroughput, WarmThroughput")


def test_same_index_throughput_is_rejected(client, make_table):
    # [ACK DDB-TABLE-164] records the text up to "Current WriteCapacityUnits ..."; the rest
    # follows the table's variant of the message.
    pt = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}
    table = make_table(hash_key=("pk", "S"), BillingMode="PROVISIONED", ProvisionedThroughput=pt,
                       AttributeDefinitions=attr_defs(pk="S", a="S"), GlobalSecondaryIndexes=[gsi("gsi1", "a", throughput=pt)])
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=table, GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "gsi1", "ProvisionedThroughput": pt}}])
    assert_error(e, "ValidationException", None)
    assert e.value.response["Error"]["Message"].startswith(
        "The provisioned throughput for the index gsi1 will not change. The requested value equals the current value. "
        "Current ReadCapacityUnits provisioned for index gsi1: 2. Requested ReadCapacityUnits: 2. "
        "Current WriteCapacityUnits ")


@pytest.mark.parametrize("action", ["Delete", "Update"])
def test_unknown_index(client, indexed, action):
    # [ACK DDB-TABLE-375]
    body = {"IndexName": "nope"}
    if action == "Update":
        body["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[{action: body}])
    assert_error(e, "ResourceNotFoundException", f"Requested resource not found: Index nope for table {indexed}")


@pytest.mark.parametrize("action", ["Delete", "Update"])
def test_local_index_is_no_global_one(client, indexed, action):
    # [ACK DDB-TABLE-442]
    body = {"IndexName": "ls1"}
    if action == "Update":
        body["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, GlobalSecondaryIndexUpdates=[{action: body}])
    assert_error(e, "ValidationException", f"Cannot {action.lower()} an index that is not a GlobalSecondaryIndex: ls1")


def test_create_next_to_deletion_protection(client, indexed):
    # [ACK DDB-TABLE-174]
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=indexed, AttributeDefinitions=attr_defs(c="S"), DeletionProtectionEnabled=True,
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("gs3", "c")}])
    assert_error(e, "ValidationException", PREFIX + "DeletionProtection modification must be the only operation in the request")


def test_create_next_to_a_throughput_change(client, make_table):
    # [ACK DDB-TABLE-174]
    table = make_table(hash_key=("pk", "S"), BillingMode="PROVISIONED",
                       ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=table, AttributeDefinitions=attr_defs(c="S"),
                            ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
                            GlobalSecondaryIndexUpdates=[{"Create": gsi("gs3", "c", throughput={
                                "ReadCapacityUnits": 1, "WriteCapacityUnits": 1})}])
    assert_error(e, "ValidationException", PREFIX + "You cannot create or delete index while updating table IOPS")


def test_two_updates_of_different_indexes_are_accepted(client, make_table):
    # [ACK DDB-TABLE-159]: only creates and deletes are limited to one per call.
    pt = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    table = make_table(hash_key=("pk", "S"), BillingMode="PROVISIONED", ProvisionedThroughput=pt,
                       AttributeDefinitions=attr_defs(pk="S", a="S", b="S"),
                       GlobalSecondaryIndexes=[gsi("gs1", "a", throughput=pt), gsi("gs2", "b", throughput=pt)])
    new = {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}
    client.update_table(TableName=table, GlobalSecondaryIndexUpdates=[
        {"Update": {"IndexName": "gs1", "ProvisionedThroughput": new}},
        {"Update": {"IndexName": "gs2", "ProvisionedThroughput": new}}])
    for index in client.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]:
        assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 2


def test_switch_to_provisioned_needs_every_index_throughput(client, make_table):
    # [ACK DDB-TABLE-152]: nothing is assigned to the indexes; each needs an Update in the same call.
    table = make_table(hash_key=("pk", "S"), AttributeDefinitions=attr_defs(pk="S", a="S"),
                       GlobalSecondaryIndexes=[gsi("gsi1", "a")])
    pt = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    with pytest.raises(ClientError) as e:
        client.update_table(TableName=table, BillingMode="PROVISIONED", ProvisionedThroughput=pt)
    assert_error(e, "ValidationException", PREFIX + "ProvisionedThroughput must be specified for index: gsi1")
    index_pt = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}
    client.update_table(TableName=table, BillingMode="PROVISIONED", ProvisionedThroughput=pt,
                        GlobalSecondaryIndexUpdates=[{"Update": {"IndexName": "gsi1", "ProvisionedThroughput": index_pt}}])
    index = client.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    assert (index["ProvisionedThroughput"]["ReadCapacityUnits"], index["ProvisionedThroughput"]["WriteCapacityUnits"]) == (3, 4)
