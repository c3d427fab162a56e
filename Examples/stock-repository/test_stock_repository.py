"""The stock service's own tests (SCENARIOS.md, application 4): the DynamoDB adapter against a
throwaway kvserver started once per test session by the published ``kvserver`` fixture,
configured through the environment exactly as in production."""

from __future__ import annotations

import json
from decimal import Decimal

import boto3
import pytest

from stock_service import StockNotFound, StockService
from stock_service.dynamodb_adapter import DynamoDBStockRepository
from stock_service.ports import InMemoryStockRepository

SEED = {"AMZN": Decimal("178.25"), "ACME": Decimal("0.0001"), "BIG": Decimal("123456789012345678901234567890.5")}


@pytest.fixture(scope="session")
def stock_table(kvserver):
    client = boto3.session.Session().client("dynamodb", endpoint_url=kvserver)
    client.create_table(
        TableName="Stock", KeySchema=[{"AttributeName": "STOCK_ID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "STOCK_ID", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    client.get_waiter("table_exists").wait(TableName="Stock", WaiterConfig={"Delay": 1})
    for stock_id, value in SEED.items():
        client.put_item(TableName="Stock", Item={"STOCK_ID": {"S": stock_id}, "VALUE": {"N": str(value)}})
    yield "Stock"
    client.delete_table(TableName="Stock")


@pytest.fixture
def repository(kvserver, stock_table, monkeypatch):
    monkeypatch.setenv("DYNAMODB_ENDPOINT", kvserver)
    monkeypatch.setenv("STOCK_TABLE", stock_table)
    return DynamoDBStockRepository.from_environment()


def test_server_starts_well_under_a_second(kvserver_process, kvserver_factory):
    # From spawning the process to reading its "listening on" line.
    print(f"\n  session kvserver started in {kvserver_process.startup_seconds * 1000:.0f} ms")
    assert kvserver_process.startup_seconds < 1.0
    fresh = kvserver_factory()
    print(f"  a second one started in {fresh.startup_seconds * 1000:.0f} ms")
    assert fresh.startup_seconds < 1.0


@pytest.mark.parametrize("stock_id", sorted(SEED))
def test_adapter_reads_seeded_values(repository, stock_id):
    assert repository.get_value(stock_id) == SEED[stock_id]


def test_adapter_answers_none_for_unknown_stock(repository):
    assert repository.get_value("NOPE") is None


def test_adapter_honours_the_port_contract_like_the_in_memory_fake(repository):
    fake = InMemoryStockRepository(SEED)
    for stock_id in [*SEED, "NOPE"]:
        assert repository.get_value(stock_id) == fake.get_value(stock_id)


def test_service_api_through_the_dynamodb_adapter(repository):
    service = StockService(repository)
    assert service.value_of("AMZN") == Decimal("178.25")
    with pytest.raises(StockNotFound):
        service.value_of("NOPE")
    status, body = service.handle_get("ACME")
    assert (status, json.loads(body)) == (200, {"stockId": "ACME", "value": "0.0001"})
    assert service.handle_get("NOPE")[0] == 404
