"""The DynamoDB adapter of the StockRepository port.

Configured from the environment only, so production and CI differ in configuration, not code:
``DYNAMODB_ENDPOINT`` (unset: AWS itself), ``STOCK_TABLE`` (default ``Stock``), and the usual
AWS credential and region variables.
"""

from __future__ import annotations

import os
from decimal import Decimal

import boto3

from .ports import StockRepository


class DynamoDBStockRepository(StockRepository):
    def __init__(self, client, table_name: str = "Stock"):
        self.client = client
        self.table_name = table_name

    @classmethod
    def from_environment(cls) -> "DynamoDBStockRepository":
        client = boto3.session.Session().client("dynamodb", endpoint_url=os.environ.get("DYNAMODB_ENDPOINT") or None)
        return cls(client, os.environ.get("STOCK_TABLE", "Stock"))

    def get_value(self, stock_id: str) -> Decimal | None:
        item = self.client.get_item(TableName=self.table_name, Key={"STOCK_ID": {"S": stock_id}}).get("Item")
        if item is None:
            return None
        return Decimal(item["VALUE"]["N"])
