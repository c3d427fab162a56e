"""The port: what the service needs from storage, nothing about DynamoDB."""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import Decimal


class StockRepository(ABC):
    @abstractmethod
    def get_value(self, stock_id: str) -> Decimal | None:
        """The stock's value, or None if there is no such stock."""


class InMemoryStockRepository(StockRepository):
    """For unit tests of the service that need no database at all."""

    def __init__(self, values: dict[str, Decimal] | None = None):
        self.values = dict(values or {})

    def get_value(self, stock_id: str) -> Decimal | None:
        return self.values.get(stock_id)
