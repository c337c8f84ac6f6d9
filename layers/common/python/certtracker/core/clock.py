"""The one source of the current time, so that tests can move it."""

from __future__ import annotations

import time
from datetime import UTC, datetime

_offset_seconds = 0.0


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.fromtimestamp(time.time() + _offset_seconds, tz=UTC)


def epoch() -> int:
    """The current time as whole seconds since the epoch (DynamoDB TTL attributes use this)."""
    return int(time.time() + _offset_seconds)


def advance(seconds: float) -> None:
    """Move the clock forward (tests only)."""
    global _offset_seconds
    _offset_seconds += seconds


def reset() -> None:
    global _offset_seconds
    _offset_seconds = 0.0
