"""Pearson VUE's results: verified, stored exactly once, parked when they match no registration; the history."""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError

from certtracker.core import clock, cursors
from certtracker.core.errors import Unauthorized
from certtracker.core.observability import count, logger
from certtracker.core.tables import transaction
from certtracker.core.tokens import same
from certtracker.exams import catalog, pearson_vue
from certtracker.models.credential_awards import recent_activity
from certtracker.models.exam_registrations import OPEN_PREFIX, REGISTRATION_PREFIX, ExamRegistration, OpenRegistration
from certtracker.models.exam_results import PARKED_PARTITION, RESULT_PREFIX, ExamResult, ResultReceipt

REPLAY_WINDOW_SECONDS = 300
TIMESTAMP = re.compile(r"[0-9]{1,12}")
PAGE_SIZE = 20


def verify_signature(timestamp: str | None, signature: str | None, body: str) -> None:
    """HMAC-SHA256 over "<timestamp>.<body>" with the shared secret, within five minutes either way."""
    # ASCII digits, and few of them: str.isdigit() also accepts "²" and fullwidth digits, and int() of
    # thousands of digits raises.
    if not timestamp or not signature or not TIMESTAMP.fullmatch(timestamp):
        raise _refused("The call is not signed.", "unsigned")
    if abs(time.time() - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        raise _refused("The signature is too old or from the future.", "stale_signature")
    expected = "sha256=" + pearson_vue.sign(pearson_vue.shared_secret(), f"{timestamp}.{body}")
    if not same(signature, expected):
        raise _refused("The signature does not match.", "bad_signature")


def _refused(message: str, code: str) -> Unauthorized:
    # Counted and alarmed on: a burst means a forger at work, or a rotated secret Pearson VUE does not have.
    count("PearsonVueSignatureRefused")
    return Unauthorized(message, code=code)


@dataclass(frozen=True)
class Delivered:
    result_id: str
    registration_id: str
    score: int
    passed: bool
    taken_at: datetime
    delivery: str


def _registration(registration_id: str) -> ExamRegistration | None:
    for key in ExamRegistration.by_registration.query(registration_id):
        if key.sk.startswith(REGISTRATION_PREFIX):
            try:
                return ExamRegistration.get(key.account_id, key.sk)
            except DoesNotExist:
                return None
    return None


def consistent(score: int, passed: bool, pass_mark: float) -> bool:
    """Pearson VUE's verdict must be the one its score gives against the exam's pass mark."""
    return (score >= pass_mark) == passed


Status = Literal["stored", "duplicate", "parked"]


@dataclass(frozen=True)
class Recorded:
    """What became of a delivered result, and the result when this call stored it."""

    status: Status
    stored: ExamResult | None = None


def record(delivered: Delivered) -> Recorded:
    """Store a result once, however often it comes: stored, duplicate or parked.

    Parked (kept for the Program Support Team, out of every history): a result that matches no
    registration, or whose `passed` contradicts its score and the exam's pass mark. What a stored pass
    earns is the credentials' to decide (`certtracker.credentials.intake`).
    """
    now = clock.now()
    receipt = ResultReceipt(account_id=f"RECEIPT#{delivered.result_id}", sk="RECEIPT", received_at=now)
    registration = _registration(delivered.registration_id)
    exam = catalog.get_exam(registration.exam_id) if registration else None
    reason = None
    if registration is None:
        reason = "no_registration"
    elif exam is not None and not consistent(delivered.score, delivered.passed, exam.pass_mark):
        reason = "inconsistent_verdict"
    if reason is not None:
        registration = None  # nothing of the candidate's changes until the team has placed it
    # In UTC before it becomes part of a key: the key's text order is the history's time order. A stamp ahead of
    # our clock (the contract accepts a few minutes of skew) is stored as the moment it arrived, the stamp kept
    # beside it: the evaluation counts results up to now, and nothing would look at this one again.
    reported = delivered.taken_at.astimezone(UTC)
    taken_at = min(reported, now)
    result = ExamResult(
        account_id=registration.account_id if registration else PARKED_PARTITION,
        sk=f"{RESULT_PREFIX}{taken_at.isoformat(timespec='microseconds')}#{delivered.result_id}",
        result_id=delivered.result_id,
        registration_id=delivered.registration_id,
        exam_id=exam.exam_id if exam else None,
        kind=exam.kind if exam else None,
        delivery=delivered.delivery,
        score=delivered.score,
        pass_mark=exam.pass_mark if exam else None,
        passed=delivered.passed,
        taken_at=taken_at,
        received_at=now,
        reported_taken_at=reported if reported != taken_at else None,
    )
    try:
        with transaction() as writes:
            writes.save(receipt, condition=ResultReceipt.account_id.does_not_exist())
            writes.save(result)
            if registration is not None:
                # The daily reconciliation evaluates this candidate again, whatever happens after this write.
                writes.save(recent_activity(registration.account_id, now))
                writes.update(registration, actions=[ExamRegistration.status.set("completed")])
    except TransactWriteError:
        if _receipt_exists(delivered.result_id):
            count("PearsonVueResultDuplicate")
            return Recorded("duplicate")
        raise
    if registration is None:
        # Not lost: kept for the Program Support Team, counted, and alarmed on (template.yaml).
        count("PearsonVueResultParked")
        if reason == "inconsistent_verdict":
            count("PearsonVueResultInconsistent")
        logger.warning("result parked", extra={"result_id": delivered.result_id, "reason": reason})
        return Recorded("parked")
    _close_open_registration(registration)
    count("ExamResultStored")
    return Recorded("stored", result)


def _close_open_registration(registration: ExamRegistration) -> None:
    """With its result in, the registration no longer blocks a new one (if it is still the open one)."""
    claim = OpenRegistration(account_id=registration.account_id, sk=OPEN_PREFIX + registration.exam_id)
    with contextlib.suppress(DeleteError):  # already closed, or a newer registration holds it
        claim.delete(condition=OpenRegistration.registration_id == registration.registration_id)


def _receipt_exists(result_id: str) -> bool:
    try:
        ResultReceipt.get(f"RECEIPT#{result_id}", "RECEIPT", consistent_read=True)
    except DoesNotExist:
        return False
    return True


def last_result(account_id: str, exam_id: str) -> ExamResult | None:
    """The newest result of one exam (one query)."""
    for result in ExamResult.query(
        account_id,
        ExamResult.sk.startswith(RESULT_PREFIX),
        filter_condition=ExamResult.exam_id == exam_id,
        scan_index_forward=False,
    ):
        return result
    return None


def retake_allowed_from(account_id: str, exam_id: str, wait_days: int) -> datetime | None:
    """When a failed exam may be taken again, if that is still in the future."""
    last = last_result(account_id, exam_id)
    if last is None or last.passed or not wait_days:
        return None
    allowed = last.taken_at + timedelta(days=wait_days)
    return allowed if allowed > clock.now() else None


@dataclass(frozen=True)
class Page:
    results: list[ExamResult]
    next_cursor: str | None


def _decode_cursor(account_id: str, cursor: str) -> dict[str, Any]:
    return cursors.decode(cursor, hash_key="account_id", owner=account_id, range_key="sk", range_prefix=RESULT_PREFIX)


def history(account_id: str, *, kind: str | None, passed: bool | None, cursor: str | None) -> Page:
    """Newest first, filtered, pages filled however selective the filter; the cursor is opaque and only works
    for its candidate."""
    condition = None
    if kind is not None:
        condition = ExamResult.kind == kind
    if passed is not None:
        condition = (ExamResult.passed == passed) if condition is None else condition & (ExamResult.passed == passed)
    query = ExamResult.query(
        account_id,
        ExamResult.sk.startswith(RESULT_PREFIX),
        filter_condition=condition,
        scan_index_forward=False,
        last_evaluated_key=_decode_cursor(account_id, cursor) if cursor else None,
        limit=PAGE_SIZE,
        page_size=PAGE_SIZE,
    )
    results, next_cursor = cursors.filled_page(query) if condition is not None else cursors.one_page(ExamResult, query)
    return Page(results, next_cursor)
