"""Name changes on certificates: a candidate asks for another name on their certificates and badges, the Program
Support Team approves or refuses, and approval re-issues every current cycle in the new name.

A candidate has one request pending at a time: its entry in the staff's queue (`PendingNameChange`, one item per
candidate) is written in the same transaction as the request, on the condition that there is none, so two
requests at once make one. Approval renames each current award (`issuing.rename_award`: one transaction per award,
conditioned on the name it had, so a retried or concurrent approval re-issues nothing twice), then closes the
request and takes it off the queue in one transaction that only one decision can win.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from certtracker.accounts.identity import find_account, session_account
from certtracker.certificates import issuing, records
from certtracker.core import email, names, submissions, throttling
from certtracker.core.errors import Conflict, InvalidInput, NotFound
from certtracker.core.observability import count, logger
from certtracker.core.submissions import SUBMISSION_PREFIX, Submission
from certtracker.core.tables import condition_failed, transaction
from certtracker.credentials import awards
from certtracker.models.certificates import (
    CERTIFICATE_PREFIX,
    NAME_CHANGE_PREFIX,
    PENDING_NAME_CHANGES,
    Certificate,
    NameChangeRequest,
    NameChangeSubmission,
    PendingNameChange,
)
from certtracker.models.credential_awards import CredentialAward

# Each request is read by a person: a few a day is plenty, and a burst cannot fill the staff's queue.
REQUESTS_PER_DAY = (5, timedelta(days=1))
REQUEST_ID_SHAPE = r"^[0-9a-f]{21}$"
PENDING = "You already asked for a name change: the Program Support Team answers it first, by email."


def new_request_id(now: datetime) -> str:
    """The time in milliseconds and 40 random bits, in hex: a candidate's requests sort by when they were made."""
    return f"{int(now.timestamp() * 1000):011x}{secrets.token_hex(5)}"


# ------------------------------------------------------------------------------------------ what is printed now
def current_awards(account_id: str, now: datetime) -> list[CredentialAward]:
    """The awards a name change renames: each credential's latest cycle that has not expired (a revoked one
    too: it is the name it would be reinstated in). Earlier cycles keep the name they were earned under."""
    return [entry.current for entry in awards.held(account_id, now) if entry.status != "expired"]


def current_names(account_id: str, now: datetime) -> list[str]:
    """The names the candidate's current cycles print, usually one (awards from before names were kept may differ
    until their certificates are migrated). Reads only: an award with no name yet is not given one here."""
    held = current_awards(account_id, now)
    if not held:
        return []
    certificates = list(Certificate.query(account_id, Certificate.sk.startswith(CERTIFICATE_PREFIX)))
    account = session_account(account_id)
    profile_name = names.printed_name(account.first_name, account.last_name)
    found: list[str] = []
    for award in held:
        if award.holder_name is not None:
            name = award.holder_name
        else:
            first = records.current_certificate(award, certificates)
            name = first.holder_name if first is not None else profile_name
        if name not in found:
            found.append(name)
    return found


# ------------------------------------------------------------------------------------------ asking
@dataclass(frozen=True)
class Asked:
    request: NameChangeRequest
    created: bool  # False: the same request was sent again, and the first one is answered


def _request(account_id: str, request_id: str) -> NameChangeRequest:
    return NameChangeRequest.get(account_id, NAME_CHANGE_PREFIX + request_id, consistent_read=True)


def pending_of(account_id: str) -> NameChangeRequest | None:
    try:
        waiting = PendingNameChange.get(PENDING_NAME_CHANGES, account_id, consistent_read=True)
    except DoesNotExist:
        return None
    try:
        return _request(account_id, waiting.request_id)
    except DoesNotExist:
        return None


def ask(account_id: str, new_name: str, reason: str, *, now: datetime, idempotency_key: str | None = None) -> Asked:
    """The candidate asks for `new_name` on their certificates. One request pending at a time: the same request
    again (its Idempotency-Key, or the same name and reason while it waits) answers the first one; another is 409
    `name_change_pending`. 422 for a name the certificate fonts cannot print or that the certificates already
    print; 409 `no_current_credential` when there is no current credential whose name could change."""
    name = names.printed_name(new_name)
    if refusal := issuing.unprintable(name, "new_name", yours=False):
        raise refusal
    submission = Submission.of(idempotency_key, name, reason) if idempotency_key else None
    if submission and (claim := submissions.earlier(NameChangeSubmission, account_id, submission, now)):
        return Asked(_request(account_id, claim.request_id), created=False)
    if (earlier := _same_as_pending(account_id, name, reason)) is not None:
        return earlier
    limit, window = REQUESTS_PER_DAY
    throttling.enforce(
        "name-change#" + account_id,
        limit=limit,
        window=window,
        code="too_many_name_change_requests",
        message=f"You asked for {limit} name changes in the last day. Try again in {{wait}}, or contact the Program"
        " Support Team.",
    )
    printed = current_names(account_id, now)
    if not printed:
        raise Conflict(
            "You hold no current credential, so no certificate name to change. A credential you earn is awarded in"
            " the name your profile holds then.",
            code="no_current_credential",
        )
    if printed == [name]:
        raise InvalidInput("Your certificates already print this name.", field="new_name", code="name_unchanged")
    try:
        request = _file(account_id, name, reason, now=now, submission=submission)
    except Conflict:
        if submission and (claim := submissions.earlier(NameChangeSubmission, account_id, submission, now)):
            return Asked(_request(account_id, claim.request_id), created=False)
        if (earlier := _same_as_pending(account_id, name, reason)) is not None:
            return earlier
        raise
    count("NameChangeRequested")
    return Asked(request, created=True)


def _same_as_pending(account_id: str, name: str, reason: str) -> Asked | None:
    """The pending request, if this one is the same form sent again (a double click, a retry); Conflict if another
    one is pending. Before the limit is counted: sending the same form again costs nothing."""
    waiting = pending_of(account_id)
    if waiting is None:
        return None
    if (waiting.new_name, waiting.reason) == (name, reason):
        return Asked(waiting, created=False)
    raise Conflict(PENDING, code="name_change_pending")


def _file(
    account_id: str,
    name: str,
    reason: str,
    *,
    now: datetime,
    submission: Submission | None = None,
    requested_by: str | None = None,
) -> NameChangeRequest:
    """Write the request and its place in the staff's queue (and its form's claim) together: Conflict if the
    candidate already has one pending."""
    request_id = new_request_id(now)
    request = NameChangeRequest(
        pk=account_id,
        sk=NAME_CHANGE_PREFIX + request_id,
        request_id=request_id,
        new_name=name,
        reason=reason,
        status="pending",
        created_at=now,
        requested_by=requested_by,
    )
    try:
        with transaction() as writes:
            writes.save(request, condition=NameChangeRequest.sk.does_not_exist())
            writes.save(
                PendingNameChange(pk=PENDING_NAME_CHANGES, sk=account_id, request_id=request_id, created_at=now),
                condition=PendingNameChange.sk.does_not_exist(),
            )
            if submission is not None:
                claim = NameChangeSubmission(
                    pk=account_id,
                    sk=submission.key,
                    request_id=request_id,
                    payload_hash=submission.payload_hash,
                    created_at=now,
                )
                writes.save(claim, condition=submission.claim_condition(claim, now))
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        raise Conflict(PENDING, code="name_change_pending") from None
    return request


def requests_of(account_id: str) -> list[NameChangeRequest]:
    """The candidate's requests, newest first: one query."""
    return list(
        NameChangeRequest.query(
            account_id, NameChangeRequest.sk.startswith(NAME_CHANGE_PREFIX), scan_index_forward=False
        )
    )


# ------------------------------------------------------------------------------------------ the staff's part
def waiting(now: datetime) -> list[dict[str, Any]]:
    """The staff's queue: every pending request, oldest first, with the names printed now and the one asked for."""
    listed = []
    for entry in PendingNameChange.query(PENDING_NAME_CHANGES):
        account = find_account(entry.sk)
        try:
            request = _request(entry.sk, entry.request_id)
        except DoesNotExist:
            continue
        listed.append(
            {
                "account_id": entry.sk,
                "username": account.username if account else None,
                "request_id": request.request_id,
                "current_names": current_names(entry.sk, now) if account else [],
                "new_name": request.new_name,
                "reason": request.reason,
                "created_at": request.created_at.isoformat(),
            }
        )
    return sorted(listed, key=lambda item: item["created_at"])


@dataclass(frozen=True)
class Decided:
    request: NameChangeRequest
    reissued: list[Certificate]


def _pending(account_id: str, request_id: str | None) -> NameChangeRequest:
    request = pending_of(account_id)
    if request is None or (request_id is not None and request.request_id != request_id):
        raise NotFound("The candidate has no pending name change with this id.", code="name_change_not_found")
    return request


def approve(account_id: str, *, by: str, reason: str, now: datetime, request_id: str | None = None) -> Decided:
    """Approve the candidate's pending request: every current cycle is renamed, its certificates superseded and
    re-issued in the new name (rendered on their first request or download), its badge put in the status list;
    then the request is closed and the candidate emailed. A decision made meanwhile by someone else is 409."""
    return _approve(account_id, _pending(account_id, request_id), by=by, reason=reason, now=now)


def _approve(account_id: str, request: NameChangeRequest, *, by: str, reason: str, now: datetime) -> Decided:
    reissued = [
        new
        for award in current_awards(account_id, now)
        if (new := issuing.rename_award(account_id, award, request.new_name, now=now)) is not None
    ]
    _close(account_id, request, "approved", by=by, reason=reason, now=now, reissued=len(reissued))
    count("NameChangeApproved")
    _tell(account_id, request)
    return Decided(request, reissued)


def refuse(account_id: str, *, by: str, reason: str, now: datetime, request_id: str | None = None) -> Decided:
    """Refuse the candidate's pending request: nothing printed changes; the candidate is emailed the reason."""
    request = _pending(account_id, request_id)
    _close(account_id, request, "refused", by=by, reason=reason, now=now)
    count("NameChangeRefused")
    _tell(account_id, request)
    return Decided(request, [])


def correct(account_id: str, name: str, *, by: str, reason: str, now: datetime) -> Decided:
    """The staff's own correction of the name printed (a typo they were told of): a request made and approved by
    them at once, down the same path. Refused while the candidate's own request waits: decide that one first."""
    name = names.printed_name(name)
    if refusal := issuing.unprintable(name, "holder_name", yours=False):
        raise refusal
    printed = current_names(account_id, now)
    if not printed:
        raise Conflict(
            "The candidate holds no current credential whose name could change.", code="no_current_credential"
        )
    if printed == [name]:
        raise InvalidInput("The certificates already print this name.", field="holder_name", code="name_unchanged")
    try:
        request = _file(account_id, name, reason, now=now, requested_by=by)
    except Conflict:
        raise Conflict(
            "The candidate has a name change pending: approve or refuse it first.", code="name_change_pending"
        ) from None
    return _approve(account_id, request, by=by, reason=reason, now=now)


def _close(
    account_id: str,
    request: NameChangeRequest,
    status: str,
    *,
    by: str,
    reason: str,
    now: datetime,
    reissued: int | None = None,
) -> None:
    actions: list[Any] = [
        NameChangeRequest.status.set(status),
        NameChangeRequest.decided_at.set(now),
        NameChangeRequest.decided_by.set(by),
        NameChangeRequest.decision_reason.set(reason),
    ]
    if reissued is not None:
        actions.append(NameChangeRequest.reissued.set(reissued))
    try:
        with transaction() as writes:
            writes.update(request, actions=actions, condition=NameChangeRequest.status == "pending")
            writes.delete(
                PendingNameChange(pk=PENDING_NAME_CHANGES, sk=account_id),
                condition=PendingNameChange.request_id == request.request_id,
            )
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        raise Conflict("This name change was decided meanwhile by someone else.", code="unchanged") from None
    request.refresh(consistent_read=True)


def _tell(account_id: str, request: NameChangeRequest) -> None:
    """The outcome, to the candidate's own (verified) address; their words and the staff's only as plain text."""
    account = find_account(account_id)
    if account is None or not account.email_verified:
        return
    kind = "name_change_approved" if request.status == "approved" else "name_change_refused"
    values = {
        "first_name": account.first_name,
        "new_name": request.new_name,
        "reason": request.decision_reason or "",
        "link": email.web_link("/credentials/name"),
    }
    sent = email.send_to(account.email, kind, values)
    logger.info(
        "name change decided", extra={"request_id": request.request_id, "status": request.status, "emailed": sent}
    )


# ------------------------------------------------------------------------------------------ personal data
def export(account_id: str) -> list[dict[str, Any]]:
    return [
        {
            "request_id": request.request_id,
            "new_name": request.new_name,
            "reason": request.reason,
            "status": request.status,
            "created_at": request.created_at.isoformat(),
            "decided_at": request.decided_at.isoformat() if request.decided_at else None,
            "decision_reason": request.decision_reason,
        }
        for request in requests_of(account_id)
    ]


def erase(account_id: str) -> None:
    """Delete the requests, the queue's entry and the forms' claims. Idempotent."""
    PendingNameChange(pk=PENDING_NAME_CHANGES, sk=account_id).delete()
    for request in requests_of(account_id):
        request.delete()
    for claim in NameChangeSubmission.query(account_id, NameChangeSubmission.sk.startswith(SUBMISSION_PREFIX)):
        claim.delete()
