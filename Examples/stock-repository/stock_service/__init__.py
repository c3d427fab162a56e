"""A tiny stock service: a use case behind a repository port, with a DynamoDB adapter."""

from .ports import StockRepository
from .service import StockNotFound, StockService

__all__ = ["StockRepository", "StockService", "StockNotFound"]
