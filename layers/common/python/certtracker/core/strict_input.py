"""The one setting every model of what a caller sends shares, and how its refusals are worded for a person.

Strict: no field coerces a boolean or a string into a number, a number into a string or a flag ("3", true and
3.0 are not 3; 1 and "true" are not true); unknown fields are refused; strings are stripped. Pydantic validates
every body from Python objects (Powertools `json.loads` the body, then `validate_python`), where strict mode
would also refuse an ISO 8601 string for a datetime: a field that takes one says `Field(strict=False)` and
makes sure of the string's shape itself (certtracker.contract.exams, `taken_at`).

Kept apart from `certtracker.core.api` so that a function without the REST resolver (the staff function) holds
its input to the same setting without loading the resolver.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict

# Built on first use (`defer_build`), not at cold start: a function loads every model it may need.
STRICT_INPUT = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True, defer_build=True)


def reason(problem: Mapping[str, Any]) -> str:
    """Pydantic's message for one problem, worded for a person reading an answer."""
    kind = problem.get("type")
    if kind == "extra_forbidden":
        return "this request does not accept this field"
    if kind == "missing":
        return "this field is required"
    worded = str(problem.get("msg", "is invalid")).rstrip(".")
    for prefix in ("Value error, ", "String ", "Input "):
        worded = worded.removeprefix(prefix)
    return worded[:1].lower() + worded[1:]
