"""What every table model shares: its table name comes from the function's environment, at first use."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.connection import Connection, TableConnection
from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from certtracker.core import aws, deadline

# PynamoDB's defaults (15 s to connect, 30 s to read, four attempts) outlast the function itself: the
# same bounds as every other AWS client, and inside an invocation the deadline cuts them shorter.
CONNECTION_SETTINGS: dict[str, Any] = {
    "connect_timeout_seconds": aws.CONNECT_TIMEOUT_S,
    "read_timeout_seconds": aws.READ_TIMEOUT_S,
    "max_retry_attempts": aws.TOTAL_ATTEMPTS - 1,
}


class TableName:
    """`Meta.table_name` read from an environment variable, so no model carries a default name.

    The function's settings (certtracker.core.settings) require the same variable at cold start.
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


class Table(Model):
    """A table's model: its DynamoDB calls have sane timeouts and fit the invocation's time budget."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Runs before PynamoDB's metaclass fills in its own defaults for what Meta leaves out.
        super().__init_subclass__(**kwargs)
        meta = cls.__dict__.get("Meta")
        for name, value in CONNECTION_SETTINGS.items():
            if meta is not None and not hasattr(meta, name):
                setattr(meta, name, value)

    @classmethod
    def _get_connection(cls) -> TableConnection:
        connection = super()._get_connection()
        if connection.connection._client is None:
            # One botocore client for every table: PynamoDB would build one per model, each loading the
            # DynamoDB service model again (tens of milliseconds of every cold start, per table touched).
            connection.connection._client = _connection().client
        return connection


def _fit_to_budget(connection: Connection) -> None:
    # On the botocore session, not the client: its clients copy the handlers when PynamoDB builds them,
    # and a model used only inside a transaction never builds one (each costs a few hundred ms).
    deadline.bind_events(connection.session.get_component("event_emitter"), "dynamodb", max_attempts=aws.TOTAL_ATTEMPTS)


@cache
def _connection() -> Connection:
    """The container's one DynamoDB connection (and botocore client), bound to the time budget before its
    client is built."""
    connection = Connection(**CONNECTION_SETTINGS)
    _fit_to_budget(connection)
    return connection


def condition_failed(error: PynamoDBException) -> bool:
    """Whether a write was refused because its condition did not hold (another write came first), rather than
    failing; for a transaction, because the condition of one of its writes did not hold."""
    if isinstance(error, TransactWriteError):
        return any(
            reason is not None and reason.code == "ConditionalCheckFailed"
            for reason in error.cancellation_reasons or []
        )
    return error.cause_response_code == "ConditionalCheckFailedException"


def conflicted(error: TransactWriteError) -> bool:
    """Whether a transaction was refused because another one was writing the same item at that moment: read
    again and retry, as for a condition that did not hold."""
    return any(
        reason is not None and reason.code == "TransactionConflict" for reason in error.cancellation_reasons or []
    )


def put_once(item: Table, key_attribute: Any) -> bool:
    """Write `item` only if no item has its key: True if this call wrote it, False if one was already there.
    What makes a write exactly-once however often, or however concurrently, it is attempted."""
    try:
        item.save(condition=key_attribute.does_not_exist())
    except PutError as error:
        if condition_failed(error):
            return False
        raise
    return True


def transaction() -> TransactWrite:
    """A DynamoDB transaction: every write in it happens, or none does."""
    return TransactWrite(connection=_connection())


@aws.on_reset
def reset_connection() -> None:
    """Forget the container's connection, and each loaded model's hold on it."""
    _connection.cache_clear()
    models = list(Table.__subclasses__())
    for model in models:
        model._connection = None
        models.extend(model.__subclasses__())
