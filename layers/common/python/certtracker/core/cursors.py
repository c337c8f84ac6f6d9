"""Opaque pagination cursors: DynamoDB's LastEvaluatedKey, encoded, and accepted back only from its owner."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from pynamodb.models import Model
from pynamodb.pagination import ResultIterator

from certtracker.core.errors import InvalidInput


def encode(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    return base64.urlsafe_b64encode(json.dumps(last_evaluated_key).encode()).decode().rstrip("=")


def decode(cursor: str, *, hash_key: str, owner: str, range_key: str, range_prefix: str) -> dict[str, Any]:
    """The key a cursor stands for, if it is a key of `owner`'s items of this list; a 422 otherwise."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
        valid = (
            isinstance(key, dict)
            and len(key) == 2
            and key.get(hash_key, {}).get("S") == owner
            and str(key.get(range_key, {}).get("S", "")).startswith(range_prefix)
        )
    except (ValueError, binascii.Error, AttributeError, RecursionError):  # any text a client may send
        valid = False
    if not valid:
        raise InvalidInput("cursor: not a cursor this list gave out.", field="cursor", code="invalid_cursor")
    return dict(key)


def one_page[M: Model](model: type[M], query: ResultIterator[M]) -> tuple[list[M], str | None]:
    """Exactly one DynamoDB request: its items, and the cursor for the next page (None on the last).

    With a filter a page may hold fewer items (or none) while more remain; the cursor says so.
    """
    page: dict[str, Any] = next(query.page_iter, {})
    items = [model.from_raw_data(item) for item in page.get("Items", [])]
    return items, encode(query.page_iter.last_evaluated_key)


def filled_page[M: Model](query: ResultIterator[M]) -> tuple[list[M], str | None]:
    """A filtered list's page, filled: DynamoDB applies a filter after it reads a page, so one request may
    match few items (or none) while more remain. This reads on until the query's `limit` is reached or the
    list ends; the cursor then resumes after the last item returned, not the last one read. The requests it
    takes are bounded by the candidate's own partition."""
    items = list(query)
    return items, encode(query.last_evaluated_key)
