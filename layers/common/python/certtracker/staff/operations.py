"""Program staff operations: revoke and reinstate an award, place a parked Pearson VUE result, decide the name
changes candidates ask for on their certificates (or correct one themselves). Invoked directly (IAM:
lambda:InvokeFunction), never over HTTP; each call names who does it and why, and is logged with both.

An operation is a JSON object: {"operation": ..., "by": "<staff member>", "reason": "<why>", ...its fields}.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from certtracker.accounts.identity import claim_holder, find_account
from certtracker.certificates import codes, issuing, name_changes
from certtracker.core import names
from certtracker.core.errors import Conflict, InvalidInput, NotFound
from certtracker.core.observability import count, logger
from certtracker.credentials import evaluation, revocation, standing
from certtracker.exams import catalog as exam_catalog
from certtracker.models.accounts import AccountClaim
from certtracker.models.base import transaction
from certtracker.models.credential_awards import recent_activity
from certtracker.models.exam_results import PARKED_PARTITION, RESULT_PREFIX, ExamResult

MAX_TEXT = 500


def _text(request: dict[str, Any], name: str, *, max_length: int = MAX_TEXT) -> str:
    value = request.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required.", field=name)
    value = unicodedata.normalize("NFC", value.strip())
    if len(value) > max_length or any(
        unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") for character in value
    ):
        raise InvalidInput(f"{name} must be at most {max_length} printable characters.", field=name)
    return value


def _account_id(request: dict[str, Any]) -> str:
    """The candidate, by username or email address, as the team knows them."""
    if "username" in request:
        holder = claim_holder(AccountClaim.for_username(_text(request, "username", max_length=100)))
    else:
        holder = claim_holder(AccountClaim.for_email(_text(request, "email", max_length=320)))
    if holder is None or find_account(holder) is None:
        raise NotFound("There is no such candidate.", code="candidate_not_found")
    return holder


def revoke(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Revoke a credential: every unexpired cycle, and what was earned only through it, stop counting at once
    (verification, shares, plan, logos, badges); the candidate is told why, by the category. Again: unchanged."""
    account_id = _account_id(request)
    category = request.get("category")
    if not isinstance(category, str) or category not in standing.CATEGORIES:
        raise InvalidInput(f"category must be one of: {', '.join(standing.CATEGORIES)}.", field="category")
    outcome = revocation.revoke(
        account_id,
        _text(request, "credential_id", max_length=40),
        category=category,
        note=_text(request, "reason"),
        by=_text(request, "by", max_length=200),
        now=now,
    )
    return _answer(account_id, outcome, revoked=True, now=now)


def reinstate(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Restore exactly what a revocation withdrew (the credential's cycles and its cascade). Again: unchanged."""
    account_id = _account_id(request)
    outcome = revocation.reinstate(
        account_id,
        _text(request, "credential_id", max_length=40),
        note=_text(request, "reason"),
        by=_text(request, "by", max_length=200),
        now=now,
    )
    return _answer(account_id, outcome, revoked=False, now=now)


def _answer(account_id: str, outcome: revocation.Outcome, *, revoked: bool, now: datetime) -> dict[str, Any]:
    recent_activity(account_id, now).save()  # the daily reconciliation looks at this candidate again
    return {
        "account_id": account_id,
        "credential_id": outcome.credential_id,
        "revoked": revoked,
        "changed": outcome.changed,
        "revocation_id": outcome.revocation_id,
        "cycles": [{"credential_id": c.credential_id, "cycle": c.cycle} for c in outcome.cycles],
    }


def parked_results(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The Pearson VUE results that matched no registration (or whose verdict contradicted their score)."""
    parked = ExamResult.query(PARKED_PARTITION, ExamResult.sk.startswith(RESULT_PREFIX), scan_index_forward=False)
    return {
        "results": [
            {
                "result_id": result.result_id,
                "registration_id": result.registration_id,
                "exam_id": result.exam_id,
                "score": int(result.score),
                "passed": result.passed,
                "taken_at": result.taken_at.isoformat(),
                "received_at": result.received_at.isoformat(),
                "delivery": result.delivery,
            }
            for result in parked
        ]
    }


def attach_result(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Give a parked result to the candidate it belongs to: it enters their history, and counts (and awards) at
    once. The exam comes from the result, or from `exam_id` when Pearson VUE's registration was unknown; the
    verdict is the score against that exam's pass mark."""
    account_id = _account_id(request)
    result_id = _text(request, "result_id", max_length=100)
    parked = next(
        (
            result
            for result in ExamResult.query(PARKED_PARTITION, ExamResult.sk.startswith(RESULT_PREFIX))
            if result.result_id == result_id
        ),
        None,
    )
    if parked is None:
        raise NotFound("There is no parked result with this id (already attached?).", code="result_not_found")
    exam_id = request.get("exam_id") or parked.exam_id
    if not isinstance(exam_id, str):
        raise InvalidInput("This result's exam is unknown: give exam_id.", field="exam_id")
    exam = exam_catalog.get_exam(exam_id)
    attached = ExamResult(
        account_id=account_id,
        sk=parked.sk,
        result_id=parked.result_id,
        registration_id=parked.registration_id,
        exam_id=exam.exam_id,
        kind=exam.kind,
        delivery=parked.delivery,
        score=parked.score,
        pass_mark=exam.pass_mark,
        passed=parked.score >= exam.pass_mark,
        taken_at=parked.taken_at,
        received_at=parked.received_at,
    )
    try:
        with transaction() as writes:
            writes.delete(parked, condition=ExamResult.sk.exists())
            writes.save(attached, condition=ExamResult.sk.does_not_exist())
            writes.save(recent_activity(account_id, now))
    except TransactWriteError:
        raise Conflict("This result changed meanwhile (attached by someone else?).", code="result_changed") from None
    count("ParkedResultAttached")
    if attached.passed:
        evaluation.on_result_passed(attached)
    return {"account_id": account_id, "result_id": result_id, "exam_id": exam.exam_id, "passed": attached.passed}


def name_change_requests(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The name changes candidates asked for and that wait for a decision, oldest first."""
    return {"requests": name_changes.waiting(now)}


def _request_id(request: dict[str, Any]) -> str | None:
    if request.get("request_id") is None:
        return None
    return _text(request, "request_id", max_length=21)


def _decided(account_id: str, decided: name_changes.Decided) -> dict[str, Any]:
    # Logged as it is: ids only, never the names.
    return {
        "account_id": account_id,
        "request_id": decided.request.request_id,
        "status": decided.request.status,
        "certificates": [certificate.certificate_id for certificate in decided.reissued],
        "verification_codes": [codes.grouped(certificate.verification_code) for certificate in decided.reissued],
    }


def approve_name_change(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Approve a candidate's pending name change (`request_id` optional, checked when given): every current
    certificate is issued again in the new name and the old ones are superseded; the candidate is emailed."""
    account_id = _account_id(request)
    decided = name_changes.approve(
        account_id, by=_text(request, "by"), reason=_text(request, "reason"), now=now, request_id=_request_id(request)
    )
    return _decided(account_id, decided)


def refuse_name_change(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Refuse a candidate's pending name change; the candidate is emailed the reason."""
    account_id = _account_id(request)
    decided = name_changes.refuse(
        account_id, by=_text(request, "by"), reason=_text(request, "reason"), now=now, request_id=_request_id(request)
    )
    return _decided(account_id, decided)


def correct_name(request: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Correct the name a candidate's certificates print (`holder_name`): a name change made and approved by the
    staff at once, down the same path (every current certificate re-issued, the old ones superseded). A
    `certificate_id`, if given, must be the candidate's."""
    account_id = _account_id(request)
    if request.get("certificate_id") is not None:
        certificate_id = _text(request, "certificate_id", max_length=16)
        if not any(c.certificate_id == certificate_id for c in issuing.certificates_of(account_id)):
            raise NotFound("The candidate has no certificate with this id.", code="certificate_not_found")
    name = names.printed_name(_text(request, "holder_name", max_length=names.MAX_PRINTED))
    decided = name_changes.correct(account_id, name, by=_text(request, "by"), reason=_text(request, "reason"), now=now)
    count("CertificateNameCorrected")
    return _decided(account_id, decided)


Operation = Callable[..., dict[str, Any]]
# Operations that only list (no reason asked; logged by how many they list, never what).
LISTINGS = ("parked_results", "name_change_requests")


def run(request: Any, now: datetime | None = None) -> dict[str, Any]:
    """Carry out one operation; the answer is {"ok": true, ...} or {"ok": false, "error": {code, message}}."""
    from certtracker.core import clock

    now = now or clock.now()
    if not isinstance(request, dict):
        return _refused(InvalidInput("The operation must be a JSON object."), None)
    operation = request.get("operation")
    operations: dict[str, Operation] = {
        "revoke": revoke,
        "reinstate": reinstate,
        "parked_results": parked_results,
        "attach_result": attach_result,
        "correct_name": correct_name,
        "name_change_requests": name_change_requests,
        "approve_name_change": approve_name_change,
        "refuse_name_change": refuse_name_change,
    }
    if not isinstance(operation, str) or operation not in operations:
        return _refused(InvalidInput(f"operation must be one of: {', '.join(operations)}.", field="operation"), None)
    try:
        who = {"by": _text(request, "by", max_length=200)}
        if operation not in LISTINGS:
            who["reason"] = _text(request, "reason")
        done = operations[str(operation)](request, now)
    except (InvalidInput, NotFound, Conflict) as error:
        return _refused(error, str(operation))
    logger.info(
        "staff operation",
        extra={"operation": operation, **who, **done}
        if operation not in LISTINGS
        else {"operation": operation, **who, "listed": sum(len(found) for found in done.values())},
    )
    return {"ok": True, "operation": operation, "at": now.astimezone(UTC).isoformat(), **done}


def _refused(error: InvalidInput | NotFound | Conflict, operation: str | None) -> dict[str, Any]:
    logger.warning("staff operation refused", extra={"operation": operation, "code": error.code})
    return {
        "ok": False,
        "error": {"code": error.code, "message": error.message, "field": getattr(error, "field", None)},
    }
