"""The one source of the current time, so that tests can move it."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

_offset_seconds = 0.0
# English month names, whatever the process's locale (strftime's %B follows it).
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


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


def long_date(day: date) -> str:
    """A date as emails and certificates write it: 26 November 2026 (a datetime: its UTC day)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
