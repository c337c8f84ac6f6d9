"""Registering for an exam: a Pearson VUE authorization and a scheduling link, or an assessment's launch link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import PynamoDBException, TransactWriteError

from certtracker.accounts.identity import session_account
from certtracker.core import aws, clock, deadline
from certtracker.core.errors import Conflict, ServiceUnavailable
from certtracker.core.observability import count, logger
from certtracker.core.tables import transaction
from certtracker.exams import catalog, pearson_vue
from certtracker.exams import results as exam_results
from certtracker.models.accounts import Account
from certtracker.models.exam_registrations import OPEN_PREFIX, REGISTRATION_PREFIX, ExamRegistration, OpenRegistration

AUTHORIZATION_VALIDITY = {"exam": timedelta(days=365), "assessment": timedelta(days=30)}
# A claim whose Pearson VUE call never finished (the function died mid-way) frees itself after this.
STALE_REQUEST = timedelta(minutes=5)
# Kept from Pearson VUE's share of the time budget, so that its failure can still be undone and answered:
# one DynamoDB transaction, whose attempt sets aside the connect timeout and then needs time to be read.
UNDO_RESERVE_S = aws.CONNECT_TIMEOUT_S + 0.5


@dataclass(frozen=True)
class Registered:
    registration: ExamRegistration
    scheduling_url: str | None


def _new_registration_id() -> str:
    return f"{clock.now():%Y%m%d%H%M%S%f}-{uuid.uuid4().hex[:12]}"  # sorts by time, to the microsecond


def _demographics(account: Account) -> dict[str, object]:
    address = account.address.as_dict() if account.address else {}
    return {
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "phone": account.phone,
        "address": address,
        "country": account.country,
        "preferred_language": account.preferred_language,
    }


def link_for(registration: ExamRegistration) -> str | None:
    """A fresh signed link: Pearson VUE scheduling for an exam, the launch page for an assessment."""
    if registration.status != "authorized" or registration.valid_until <= clock.now():
        return None
    if registration.kind == "exam":
        return pearson_vue.signed_link(
            "/schedule", authorization=registration.registration_id, candidate=registration.account_id
        )
    return pearson_vue.signed_link(
        "/assessments/launch", registration=registration.registration_id, candidate=registration.account_id
    )


def register(account_id: str, exam_id: str) -> Registered:
    exam = catalog.get_exam(exam_id)
    if exam.retired:
        replacement = f" It was replaced by {exam.replaced_by}." if exam.replaced_by else ""
        raise Conflict(f"Exam {exam_id} is retired.{replacement}", code="exam_retired")
    retake_from = exam_results.retake_allowed_from(account_id, exam_id, int(exam.retake_wait_days))
    if retake_from is not None:
        raise Conflict(
            f"After a failed attempt, {exam_id} can be taken again from {retake_from:%Y-%m-%d %H:%M} UTC.",
            code="retake_too_soon",
        )
    account = session_account(account_id)
    now = clock.now()
    registration = ExamRegistration(
        account_id=account_id,
        sk="",
        registration_id=_new_registration_id(),
        exam_id=exam_id,
        kind=exam.kind,
        status="requested",
        created_at=now,
        valid_until=now + AUTHORIZATION_VALIDITY[exam.kind],
    )
    registration.sk = REGISTRATION_PREFIX + registration.registration_id
    claim = OpenRegistration(
        account_id=account_id,
        sk=OPEN_PREFIX + exam_id,
        registration_id=registration.registration_id,
        status="requested",
        claimed_at=now,
        valid_until=registration.valid_until,
    )
    try:
        with transaction() as writes:
            writes.save(
                claim,
                condition=OpenRegistration.sk.does_not_exist()
                | (OpenRegistration.valid_until < now)
                | ((OpenRegistration.status == "requested") & (OpenRegistration.claimed_at < now - STALE_REQUEST)),
            )
            writes.save(registration)
    except TransactWriteError:
        raise Conflict(
            f"You already have an open registration for {exam_id}: schedule it from your registrations.",
            code="registration_open",
        ) from None
    if exam.kind == "exam":
        try:
            with deadline.keeping(UNDO_RESERVE_S):
                pearson_vue.upsert_candidate(account_id, _demographics(account))
                pearson_vue.authorize(
                    registration.registration_id, account_id, exam_id, registration.valid_until.isoformat()
                )
        except ServiceUnavailable:
            _undo(claim, registration)
            raise
    with transaction() as writes:
        writes.update(registration, actions=[ExamRegistration.status.set("authorized")])
        writes.update(claim, actions=[OpenRegistration.status.set("authorized")])
    registration.status = "authorized"
    count("ExamRegistered")
    return Registered(registration, link_for(registration))


def _undo(claim: OpenRegistration, registration: ExamRegistration) -> None:
    """No half-made registration: both writes go, in the time kept for this (UNDO_RESERVE_S)."""
    try:
        with transaction() as writes:
            writes.delete(claim)
            writes.delete(registration)
    except PynamoDBException as error:
        # Not the candidate's problem: the claim frees itself after STALE_REQUEST, and the answer stays 503.
        logger.error(
            "registration not undone",
            extra={"registration_id": registration.registration_id, "error": type(error).__name__},
        )
        count("RegistrationUndoFailed")


def list_registrations(account_id: str) -> list[Registered]:
    """Newest first, each open one with a fresh link (one query)."""
    registrations = ExamRegistration.query(
        account_id, ExamRegistration.sk.startswith(REGISTRATION_PREFIX), scan_index_forward=False
    )
    return [Registered(registration, link_for(registration)) for registration in registrations]
