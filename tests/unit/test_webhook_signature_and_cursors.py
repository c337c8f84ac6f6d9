"""Pearson VUE's webhook signature and the history's cursors: the rules, without any network."""

from __future__ import annotations

import base64
import json
import time

import pytest

from certtracker.core.errors import InvalidInput, Unauthorized
from certtracker.exams import pearson_vue
from certtracker.exams import results as exam_results

SECRET = "a-shared-secret-for-the-tests"
BODY = '{"result_id": "r-1", "score": 80}'


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pearson_vue, "shared_secret", lambda: SECRET)


def signature(timestamp: str, body: str = BODY, secret: str = SECRET) -> str:
    return "sha256=" + pearson_vue.sign(secret, f"{timestamp}.{body}")


def test_a_fresh_correct_signature_is_accepted() -> None:
    now = str(int(time.time()))
    exam_results.verify_signature(now, signature(now), BODY)


@pytest.mark.parametrize(
    ("timestamp", "make_signature", "body", "code"),
    [
        (None, lambda ts: "sha256=00", BODY, "unsigned"),
        ("soon", lambda ts: "sha256=00", BODY, "unsigned"),
        ("NOW", lambda ts: None, BODY, "unsigned"),
        ("-301", signature, BODY, "stale_signature"),
        ("+301", signature, BODY, "stale_signature"),
        ("NOW", lambda ts: signature(ts, secret="another-secret"), BODY, "bad_signature"),
        ("NOW", signature, BODY.replace("80", "99"), "bad_signature"),
    ],
)
def test_unsigned_stale_forged_or_altered_calls_are_refused(timestamp, make_signature, body, code) -> None:
    now = int(time.time())
    if timestamp == "NOW":
        timestamp = str(now)
    elif timestamp and timestamp[0] in "+-":
        timestamp = str(now + int(timestamp))
    signed = make_signature(timestamp) if timestamp else "sha256=00"
    with pytest.raises(Unauthorized) as refused:
        exam_results.verify_signature(timestamp, signed, body)
    assert refused.value.code == code


def cursor(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def test_a_cursor_of_the_callers_own_results_is_accepted() -> None:
    key = {"account_id": {"S": "acct-a"}, "sk": {"S": "RESULT#2026-01-01#r-1"}}
    assert exam_results._decode_cursor("acct-a", cursor(key)) == key


@pytest.mark.parametrize(
    "value",
    [
        cursor({"account_id": {"S": "acct-b"}, "sk": {"S": "RESULT#2026-01-01#r-1"}}),  # another candidate's
        cursor({"account_id": {"S": "acct-a"}, "sk": {"S": "REG#x"}}),  # another kind of item
        cursor({"account_id": {"S": "acct-a"}, "sk": {"S": "RESULT#x"}, "extra": {"S": "1"}}),
        cursor(["not", "a", "key"]),
        "%%%not-base64%%%",
        cursor("just a string"),
    ],
)
def test_a_cursor_that_is_not_the_callers_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        exam_results._decode_cursor("acct-a", value)
    assert refused.value.code == "invalid_cursor"
