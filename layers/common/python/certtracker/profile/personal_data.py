"""Everything CertTracker holds about a candidate: exported on request, erased on request.

Each feature that stores personal data adds a Section here, so that export and erasure stay complete;
a test registers, uses and erases an account, then scans every table for what is left.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model

from certtracker.accounts import reauthentication, sessions
from certtracker.accounts.identity import find_account, session_account
from certtracker.core import clock, throttling
from certtracker.core.errors import Conflict
from certtracker.core.observability import count, logger
from certtracker.core.tables import transaction
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account, AccountClaim, ErasedAccount
from certtracker.models.credential_awards import ANONYMIZED_PARTITION as ANONYMIZED_AWARDS
from certtracker.models.credential_awards import (
    AWARD_PREFIX,
    REMINDER_PREFIX,
    REVOCATION_PREFIX,
    CredentialAward,
    ReminderSent,
    Revocation,
    recent_activity,
)
from certtracker.models.exam_registrations import REGISTRATION_PREFIX, ExamRegistration
from certtracker.models.exam_results import ANONYMIZED_PARTITION, RESULT_PREFIX, ExamResult
from certtracker.models.one_time_tokens import OneTimeToken
from certtracker.models.sessions import Session
from certtracker.models.support_requests import REQUEST_PREFIX as SUPPORT_PREFIX
from certtracker.models.support_requests import SupportRequest, anonymous_partition

PROFILE_FIELDS = (
    "account_id",
    "username",
    "email",
    "email_verified",
    "pending_email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "job_role",
    "country",
    "preferred_language",
    "partner_id",
    "partner_manager",
    "created_at",
)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _export_account(account: Account) -> dict[str, Any]:
    profile = {name: _iso(getattr(account, name)) for name in PROFILE_FIELDS}
    profile["address"] = account.address.as_dict() if account.address else None
    return {
        "profile": profile,
        "consents": {
            "privacy_notice_version": account.privacy_notice_version,
            "privacy_notice_accepted_at": _iso(account.privacy_notice_accepted_at),
            "marketing_opt_in": account.marketing_opt_in,
            "notifications": account.notifications.as_dict() if account.notifications else None,
        },
    }


def _export_history(account_id: str) -> list[dict[str, Any]]:
    return [
        {"at": _iso(event.at), "kind": event.kind, **event.details.as_dict()}
        for event in AccountEvent.query(account_id)
    ]


def _delete_partition(model: type[Model], account_id: str) -> None:
    """Every item of the account's partition of one table (its hash key is the account id)."""
    with model.batch_write() as batch:
        for item in model.query(account_id):
            batch.delete(item)


def _erase_history(account_id: str) -> None:
    _delete_partition(AccountEvent, account_id)


def _sessions_of(account_id: str) -> list[Session]:
    keys = [item.token_hash for item in Session.by_account.query(account_id)]
    return list(Session.batch_get(keys)) if keys else []


def _export_sessions(account_id: str) -> list[dict[str, Any]]:
    # Metadata only: the stored token hash is a credential's fingerprint and is not handed out.
    return sorted(
        (
            {"created_at": _iso(s.created_at), "last_seen_at": _iso(s.last_seen_at), "expires_at": _iso(s.expires_at)}
            for s in _sessions_of(account_id)
        ),
        key=lambda session: str(session["created_at"]),
    )


def _tokens_of(account_id: str) -> list[OneTimeToken]:
    keys = [item.token_hash for item in OneTimeToken.by_account.query(account_id)]
    return list(OneTimeToken.batch_get(keys)) if keys else []


def _export_links(account_id: str) -> list[dict[str, Any]]:
    return [
        {"purpose": t.purpose, "issued_at": _iso(t.issued_at), "expires_at": _iso(t.expires_at), "topic": t.topic}
        for t in _tokens_of(account_id)
    ]


def _erase_links(account_id: str) -> None:
    with OneTimeToken.batch_write() as batch:
        for item in OneTimeToken.by_account.query(account_id):
            batch.delete(OneTimeToken(token_hash=item.token_hash))


def _export_registrations(account_id: str) -> list[dict[str, Any]]:
    return [
        {
            "registration_id": r.registration_id,
            "exam_id": r.exam_id,
            "kind": r.kind,
            "status": r.status,
            "created_at": _iso(r.created_at),
            "valid_until": _iso(r.valid_until),
        }
        for r in ExamRegistration.query(account_id, ExamRegistration.sk.startswith(REGISTRATION_PREFIX))
    ]


def _erase_registrations(account_id: str) -> None:
    _delete_partition(ExamRegistration, account_id)  # registrations and open claims alike


def _export_results(account_id: str) -> list[dict[str, Any]]:
    return [
        {
            "result_id": r.result_id,
            "exam_id": r.exam_id,
            "kind": r.kind,
            "delivery": r.delivery,
            "score": r.score,
            "pass_mark": r.pass_mark,
            "passed": r.passed,
            "taken_at": _iso(r.taken_at),
        }
        for r in ExamResult.query(account_id, ExamResult.sk.startswith(RESULT_PREFIX))
    ]


def _anonymize_results(account_id: str) -> None:
    """The program keeps its statistics: each result moves to an anonymous partition, unlinked from the
    account and from Pearson VUE's result id (a random id replaces it), then the original goes."""
    for result in ExamResult.query(account_id, ExamResult.sk.startswith(RESULT_PREFIX)):
        anonymous_id = uuid.uuid4().hex
        with transaction() as writes:
            writes.save(
                ExamResult(
                    account_id=ANONYMIZED_PARTITION,
                    sk=f"{RESULT_PREFIX}{result.taken_at.date().isoformat()}#{anonymous_id}",
                    result_id=anonymous_id,
                    registration_id="",
                    exam_id=result.exam_id,
                    kind=result.kind,
                    delivery=result.delivery,
                    score=result.score,
                    pass_mark=result.pass_mark,
                    passed=result.passed,
                    taken_at=result.taken_at.replace(hour=0, minute=0, second=0, microsecond=0),
                    received_at=result.received_at,
                )
            )
            writes.delete(result)


def _awards_of(account_id: str) -> Iterator[CredentialAward]:
    return CredentialAward.query(account_id, CredentialAward.sk.startswith(AWARD_PREFIX))


def _export_awards(account_id: str) -> list[dict[str, Any]]:
    from certtracker.credentials import standing

    return [
        {
            "credential_id": award.credential_id,
            "cycle": award.cycle,
            "earned_at": _iso(award.earned_at),
            "expires_at": _iso(award.expires_at),
            "revoked": award.revoked,
            "revoked_at": _iso(award.revoked_at) if award.revoked and award.revoked_at else None,
            "revocation_reason": standing.revocation_reason(award),
        }
        for award in _awards_of(account_id)
    ]


def _revocations_of(account_id: str) -> Iterator[Revocation]:
    return Revocation.query(account_id, Revocation.sk.startswith(REVOCATION_PREFIX))


def _export_revocations(account_id: str) -> list[dict[str, Any]]:
    """Each revocation of the candidate's credentials, reinstated or not: who decided what, when and why."""
    from certtracker.credentials import standing

    return [
        {
            "credential_id": record.credential_id,
            "reason": standing.REASONS.get(record.category, record.category),
            "note": record.note,
            "by": record.by,
            "at": _iso(record.at),
            "withdrawn": [f"{credential_id} cycle {cycle}" for _, credential_id, cycle in json.loads(record.withdrawn)],
            "reinstated_at": _iso(record.reinstated_at) if record.reinstated_at else None,
        }
        for record in _revocations_of(account_id)
    ]


def _erase_revocations(account_id: str) -> None:
    """The records of who decided what about the person, and the reconciliation's marks of the last days. The
    anonymized awards keep whether they were revoked."""
    from certtracker.credentials.reconciliation import DAYS_CLEARED

    for record in _revocations_of(account_id):
        record.delete()
    now = clock.now()
    for days in range(DAYS_CLEARED + 1):
        recent_activity(account_id, now - timedelta(days=days)).delete()


def _anonymize_awards(account_id: str) -> None:
    """Like results: the program keeps how many earned what, unlinked from the person. The award id stays, so
    a certificate's verification can later answer that the credential is no longer available."""
    for award in _awards_of(account_id):
        with transaction() as writes:
            writes.save(
                CredentialAward(
                    account_id=ANONYMIZED_AWARDS,
                    sk=f"{award.sk}#{award.award_id}",
                    award_id=award.award_id,
                    credential_id=award.credential_id,
                    cycle=award.cycle,
                    earned_at=award.earned_at.replace(hour=0, minute=0, second=0, microsecond=0),
                    expires_at=award.expires_at,
                    revoked=award.revoked,
                    # A badge already handed out keeps its place in the revocation status list, and a revoked
                    # one stays revoked there. The salt of its hashed email goes with the person.
                    status_index=award.status_index,
                    status_list=award.status_list,
                )
            )
            writes.delete(award)
    # The reminders sent (when, for which credential) go with the person.
    for marker in ReminderSent.query(account_id, ReminderSent.sk.startswith(REMINDER_PREFIX)):
        marker.delete()


def _export_certificates(account_id: str) -> list[dict[str, Any]]:
    from certtracker.certificates import issuing

    return issuing.export(account_id)


def _erase_certificates(account_id: str) -> None:
    from certtracker.certificates import issuing

    # The function's settings required the variable at cold start.
    issuing.erase(account_id, os.environ["CERTIFICATES_BUCKET"], clock.now())


def _export_name_changes(account_id: str) -> list[dict[str, Any]]:
    from certtracker.certificates import name_changes

    return name_changes.export(account_id)


def _erase_name_changes(account_id: str) -> None:
    from certtracker.certificates import name_changes

    name_changes.erase(account_id)


def _export_shares(account_id: str) -> list[dict[str, Any]]:
    from certtracker.shares import sharing

    return sharing.export(account_id)


def _erase_shares(account_id: str) -> None:
    from certtracker.shares import sharing

    sharing.erase(account_id)


def _export_partner(account_id: str) -> dict[str, Any] | None:
    account = find_account(account_id)
    if account is None or not account.partner_contact_id:
        return None
    return {
        "partner_id": account.partner_id,
        "program_manager": bool(account.partner_manager),
        "partnernet_contact_id": account.partner_contact_id,
    }


def _erase_partner(account_id: str) -> None:
    """Unlink the PartnerNet contact and tell the partner program team: PartnerNet still holds the contact and
    may provision it again on its next change, unless the partner deactivates it."""
    from certtracker.core import email
    from certtracker.core.settings import PrivacySettings, load
    from certtracker.partners import provisioning

    account = find_account(account_id)
    if account is None or not account.partner_contact_id:
        return
    contact_id = str(account.partner_contact_id)
    if provisioning.forget_account(contact_id, account_id):
        values = {"contact_id": contact_id, "partner_id": str(account.partner_id or "none now")}
        email.send_to(load(PrivacySettings).support_partner_email, "partner_employee_erased", values, own_address=True)
        count("PartnerEmployeeErased")


def _export_association_requests(account_id: str) -> list[dict[str, Any]]:
    from certtracker.partners import association

    return association.export(account_id)


def _erase_association_requests(account_id: str) -> None:
    from certtracker.partners import association

    association.erase(account_id)


def _support_request(request: SupportRequest, *, with_contact: bool = False) -> dict[str, Any]:
    """One request as exported; `with_contact` adds the name and email typed in (anonymous requests)."""
    contact = {"name": request.name, "email": request.email} if with_contact else {}
    return {
        "reference": request.reference,
        **contact,
        "category": request.category,
        "subject": request.subject,
        "message": request.message,
        "status": request.status,
        "created_at": _iso(request.created_at),
    }


def _export_support_requests(account_id: str) -> list[dict[str, Any]]:
    return [_support_request(r) for r in SupportRequest.query(account_id, SupportRequest.sk.startswith(SUPPORT_PREFIX))]


def _erase_support_requests(account_id: str) -> None:
    # The team keeps its email thread; the stored copy (with the message) goes. References stay claimed.
    _delete_partition(SupportRequest, account_id)


@dataclass(frozen=True)
class HeldAddress:
    """An address the account held, and when: [since, until), until None for the current one."""

    email: str
    since: datetime
    until: datetime | None


def _addresses_held(account_id: str) -> list[HeldAddress]:
    """The account's login email now and before, each for the time it was the account's (from the history's
    email_changed entries). Each was proven by the account (a change needs a login, a login a verified
    address). A pending, unproven address is not the account's, and an old address is only the account's
    for the time it held it: after that, the address may be someone else's."""
    account = find_account(account_id)
    if account is None:
        return []
    changes = sorted(
        (event for event in AccountEvent.query(account_id) if event.kind == "email_changed"),
        key=lambda event: event.at,
    )
    held, since = [], account.created_at
    for change in changes:
        previous = change.details.as_dict().get("previous")
        if isinstance(previous, str):
            held.append(HeldAddress(previous, since, change.at))
        since = change.at
    held.append(HeldAddress(account.email, since, None))
    return held


def _requests_without_login(account_id: str) -> Iterator[SupportRequest]:
    """One query per address held, bounded by the time it was held (the sort key starts with the time)."""
    for address in _addresses_held(account_id):
        start = f"{SUPPORT_PREFIX}{address.since.isoformat()}"
        # "~" sorts after every character of an ISO time and a reference: an open end.
        end = f"{SUPPORT_PREFIX}{address.until.isoformat()}" if address.until else f"{SUPPORT_PREFIX}~"
        for request in SupportRequest.query(anonymous_partition(address.email), SupportRequest.sk.between(start, end)):
            if request.sk != end:
                yield request


def _export_requests_without_login(account_id: str) -> list[dict[str, Any]]:
    return [_support_request(r, with_contact=True) for r in _requests_without_login(account_id)]


def _erase_requests_without_login(account_id: str) -> None:
    with SupportRequest.batch_write() as batch:
        for request in _requests_without_login(account_id):
            batch.delete(request)


@dataclass(frozen=True)
class Section:
    """One kind of personal data: how to export it, and how to erase it (idempotently)."""

    name: str
    export: Callable[[str], Any]
    erase: Callable[[str], None]


SECTIONS: tuple[Section, ...] = (
    # Before "history": finding these needs the history's email changes, and erasure goes in this order.
    Section("support_requests_without_login", _export_requests_without_login, _erase_requests_without_login),
    Section("history", _export_history, _erase_history),
    Section("sessions", _export_sessions, lambda account_id: None),  # ended last, see erase()
    # Before "outstanding_links": a pending request is found through its link.
    Section("partner_association_requests", _export_association_requests, _erase_association_requests),
    Section("outstanding_links", _export_links, _erase_links),
    Section("exam_registrations", _export_registrations, _erase_registrations),
    Section("exam_results", _export_results, _anonymize_results),
    Section("credentials", _export_awards, _anonymize_awards),
    Section("revocations", _export_revocations, _erase_revocations),
    Section("certificates", _export_certificates, _erase_certificates),
    Section("name_change_requests", _export_name_changes, _erase_name_changes),
    Section("shares", _export_shares, _erase_shares),  # every link stops working
    Section("partner", _export_partner, _erase_partner),
    Section("support_requests", _export_support_requests, _erase_support_requests),
)


def export(account_id: str) -> dict[str, Any]:
    account = session_account(account_id)
    document: dict[str, Any] = {"exported_at": clock.now().isoformat(), **_export_account(account)}
    for section in SECTIONS:
        document[section.name] = section.export(account_id)
    count("DataExported")
    return document


def erase(account_id: str, session_id: str, password: str) -> None:
    """Erase the caller's personal data. Safe to retry: each step is idempotent and the account goes last
    but one, so a failure part-way leaves an account that can log in and erase again."""
    account = session_account(account_id)
    reauthentication.confirm_password(account, password, field="password")
    for section in SECTIONS:
        section.erase(account_id)
    sessions.end_all_sessions(account_id, keep=session_id)
    try:
        with transaction() as writes:
            writes.delete(account, condition=Account.pk.exists())
            writes.delete(
                AccountClaim(pk=AccountClaim.for_username(account.username)),
                condition=AccountClaim.account_id == account_id,
            )
            writes.delete(
                AccountClaim(pk=AccountClaim.for_email(account.email)), condition=AccountClaim.account_id == account_id
            )
            writes.save(ErasedAccount(pk=ErasedAccount.key(account_id), account_id=account_id, erased_at=clock.now()))
    except TransactWriteError:
        raise Conflict("The account changed while it was being erased. Try again.", code="erasure_conflict") from None
    sessions.end_session(session_id)
    throttling.forget_account(account_id)
    throttling.clear(throttling.username_key(account.username))
    count("AccountErased")
    logger.info("account erased", extra={"account_id": account_id})
