"""Program staff operations: revoke and reinstate an award, place a parked Pearson VUE result, decide the name
changes candidates ask for on their certificates (or correct one themselves). Invoked directly (IAM:
lambda:InvokeFunction), never over HTTP; each call names who does it and why, and is logged with both.

An operation is a JSON object: {"operation": ..., "by": "<staff member>", "reason": "<why>", ...its fields}, read
strictly by the model of that operation (certtracker.staff.payloads).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from certtracker.accounts.identity import claim_holder, find_account
from certtracker.certificates import codes, issuing, name_changes, records
from certtracker.core import names
from certtracker.core.errors import Conflict, InvalidInput, NotFound
from certtracker.core.observability import count, logger
from certtracker.core.tables import transaction
from certtracker.credentials import evaluation, revocation
from certtracker.exams import catalog as exam_catalog
from certtracker.models.accounts import AccountClaim
from certtracker.models.credential_awards import recent_activity
from certtracker.models.exam_results import PARKED_PARTITION, RESULT_PREFIX, ExamResult
from certtracker.staff import payloads
from certtracker.staff.payloads import (
    ApproveNameChange,
    AttachResult,
    CorrectName,
    Decision,
    NameChangeRequests,
    ParkedResults,
    RefuseNameChange,
    Reinstate,
    Revoke,
)


def _account_id(request: Decision) -> str:
    """The candidate, by username or email address, as the team knows them."""
    if request.username is not None and request.email is not None:
        raise InvalidInput("Name the candidate by username or by email, not both.", field="email")
    if request.username is not None:
        holder = claim_holder(AccountClaim.for_username(request.username))
    elif request.email is not None:
        holder = claim_holder(AccountClaim.for_email(request.email))
    else:
        raise InvalidInput("username (or email) is required: who the operation is about.", field="username")
    if holder is None or find_account(holder) is None:
        raise NotFound("There is no such candidate.", code="candidate_not_found")
    return holder


def revoke(request: Revoke, now: datetime) -> dict[str, Any]:
    """Revoke a credential: every unexpired cycle, and what was earned only through it, stop counting at once
    (verification, shares, plan, logos, badges); the candidate is told why, by the category. Again: unchanged."""
    account_id = _account_id(request)
    outcome = revocation.revoke(
        account_id, request.credential_id, category=request.category, note=request.reason, by=request.by, now=now
    )
    return _answer(account_id, outcome, revoked=True, now=now)


def reinstate(request: Reinstate, now: datetime) -> dict[str, Any]:
    """Restore exactly what a revocation withdrew (the credential's cycles and its cascade). Again: unchanged."""
    account_id = _account_id(request)
    outcome = revocation.reinstate(account_id, request.credential_id, note=request.reason, by=request.by, now=now)
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


def parked_results(request: ParkedResults, now: datetime) -> dict[str, Any]:
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


def attach_result(request: AttachResult, now: datetime) -> dict[str, Any]:
    """Give a parked result to the candidate it belongs to: it enters their history, and counts (and awards) at
    once. The exam comes from the result, or from `exam_id` when Pearson VUE's registration was unknown; the
    verdict is the score against that exam's pass mark."""
    account_id = _account_id(request)
    result_id = request.result_id
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
    exam_id = request.exam_id or parked.exam_id
    if exam_id is None:
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


def name_change_requests(request: NameChangeRequests, now: datetime) -> dict[str, Any]:
    """The name changes candidates asked for and that wait for a decision, oldest first."""
    return {"requests": name_changes.waiting(now)}


def _decided(account_id: str, decided: name_changes.Decided) -> dict[str, Any]:
    # Logged as it is: ids only, never the names.
    return {
        "account_id": account_id,
        "request_id": decided.request.request_id,
        "status": decided.request.status,
        "certificates": [certificate.certificate_id for certificate in decided.reissued],
        "verification_codes": [codes.grouped(certificate.verification_code) for certificate in decided.reissued],
    }


def approve_name_change(request: ApproveNameChange, now: datetime) -> dict[str, Any]:
    """Approve a candidate's pending name change (`request_id` optional, checked when given): every current
    certificate is issued again in the new name and the old ones are superseded; the candidate is emailed."""
    account_id = _account_id(request)
    decided = name_changes.approve(
        account_id, by=request.by, reason=request.reason, now=now, request_id=request.request_id
    )
    return _decided(account_id, decided)


def refuse_name_change(request: RefuseNameChange, now: datetime) -> dict[str, Any]:
    """Refuse a candidate's pending name change; the candidate is emailed the reason."""
    account_id = _account_id(request)
    decided = name_changes.refuse(
        account_id, by=request.by, reason=request.reason, now=now, request_id=request.request_id
    )
    return _decided(account_id, decided)


def correct_name(request: CorrectName, now: datetime) -> dict[str, Any]:
    """Correct the name a candidate's certificates print (`holder_name`): a name change made and approved by the
    staff at once, down the same path (every current certificate re-issued, the old ones superseded). A
    `certificate_id`, if given, must be the candidate's."""
    account_id = _account_id(request)
    name = names.printed_name(request.holder_name)
    if refusal := issuing.unprintable(name, "holder_name", yours=False):  # the name policy before any lookup
        raise refusal
    certificate_id = request.certificate_id
    if certificate_id is not None and not any(
        c.certificate_id == certificate_id for c in records.certificates_of(account_id)
    ):
        raise NotFound("The candidate has no certificate with this id.", code="certificate_not_found")
    decided = name_changes.correct(account_id, name, by=request.by, reason=request.reason, now=now)
    count("CertificateNameCorrected")
    return _decided(account_id, decided)


# Each operation's model (certtracker.staff.payloads) to what carries it out.
CARRIED_OUT_BY: dict[type[payloads.Listing | Decision], Callable[[Any, datetime], dict[str, Any]]] = {
    Revoke: revoke,
    Reinstate: reinstate,
    ParkedResults: parked_results,
    AttachResult: attach_result,
    CorrectName: correct_name,
    NameChangeRequests: name_change_requests,
    ApproveNameChange: approve_name_change,
    RefuseNameChange: refuse_name_change,
}


def run(request: Any, now: datetime | None = None) -> dict[str, Any]:
    """Carry out one operation; the answer is {"ok": true, ...} or {"ok": false, "error": {code, message, field}},
    whatever the event is (a list, an `operation` that is not a name): never an unhandled error."""
    from certtracker.core import clock

    now = now or clock.now()
    try:
        payload = payloads.read(request)
    except InvalidInput as error:
        return _refused(error, None)
    operation = payload.operation
    try:
        done = CARRIED_OUT_BY[type(payload)](payload, now)
    except (InvalidInput, NotFound, Conflict) as error:
        return _refused(error, operation)
    if isinstance(payload, Decision):
        logger.info(
            "staff operation", extra={"operation": operation, "by": payload.by, "reason": payload.reason, **done}
        )
    else:  # a listing: logged by how many it lists, never what
        listed = sum(len(found) for found in done.values())
        logger.info("staff operation", extra={"operation": operation, "by": payload.by, "listed": listed})
    return {"ok": True, "operation": operation, "at": now.astimezone(UTC).isoformat(), **done}


def _refused(error: InvalidInput | NotFound | Conflict, operation: str | None) -> dict[str, Any]:
    logger.warning("staff operation refused", extra={"operation": operation, "code": error.code})
    return {
        "ok": False,
        "error": {"code": error.code, "message": error.message, "field": getattr(error, "field", None)},
    }
