"""What every table model shares: its table name comes from the function's environment, at first use."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite


class TableName:
    """`Meta.table_name` read from an environment variable, so no model carries a default name.

    The function's settings (certtracker.settings) require the same variable at cold start.
    """

    def __init__(self, variable: str) -> None:
        self.variable = variable

    def __get__(self, instance: Any, owner: Any) -> str:
        try:
            return os.environ[self.variable]
        except KeyError:
            raise RuntimeError(f"{self.variable} is not set: this function has no access to that table") from None


class Timestamp(UTCDateTimeAttribute):
    """A UTC timestamp stored as an ISO-8601 string."""


@cache
def _connection() -> Connection:
    return Connection()


def transaction() -> TransactWrite:
    """A DynamoDB transaction: every write in it happens, or none does."""
    return TransactWrite(connection=_connection())


def reset_connection() -> None:
    _connection.cache_clear()
