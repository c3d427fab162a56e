"""The use case and its API handler; they only know the StockRepository port."""

from __future__ import annotations

import json
from decimal import Decimal

from .ports import StockRepository


class StockNotFound(LookupError):
    pass


class StockService:
    def __init__(self, repository: StockRepository):
        self.repository = repository

    def value_of(self, stock_id: str) -> Decimal:
        value = self.repository.get_value(stock_id)
        if value is None:
            raise StockNotFound(stock_id)
        return value

    def handle_get(self, stock_id: str) -> tuple[int, str]:
        """``GET /stock/<id>``: (HTTP status, JSON body)."""
        try:
            return 200, json.dumps({"stockId": stock_id, "value": str(self.value_of(stock_id))})
        except StockNotFound:
            return 404, json.dumps({"error": f"no stock {stock_id}"})
