"""Contacting the Program Support Team: requests with a reference, routed to the right team by email."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError

from certtracker.accounts.identity import session_account
from certtracker.core import clock, cursors, email, submissions, throttling
from certtracker.core.addresses import canonical, mailbox
from certtracker.core.email import quoting
from certtracker.core.observability import count
from certtracker.core.settings import SupportSettings, load
from certtracker.core.submissions import Submission
from certtracker.core.tables import transaction
from certtracker.core.tokens import digest
from certtracker.models.support_requests import (
    REQUEST_PREFIX,
    ReferenceClaim,
    SubmissionClaim,
    SupportRequest,
    anonymous_partition,
)

# Crockford's base32 without I, L, O, U: nothing to misread on the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CATEGORIES = ("login", "exams", "certificates", "partner_account", "other")
ANONYMOUS_PER_ADDRESS = (10, timedelta(hours=1))
ANONYMOUS_PER_EMAIL = (3, timedelta(hours=1))
PER_ACCOUNT = (10, timedelta(hours=1))
PAGE_SIZE = 20


@dataclass(frozen=True)
class Filed:
    reference: str
    confirmation_sent: bool
    resubmitted: bool = False  # the same form again: the earlier request's reference, nothing new sent


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CT-{code[:4]}-{code[4:]}"


def team_address(category: str) -> str:
    """Partner-account questions go to the partner program team; the rest to global exams (as on the seed page)."""
    settings = load(SupportSettings)
    return settings.support_partner_email if category == "partner_account" else settings.support_exams_email


def _earlier(owner: str, submission: Submission) -> str | None:
    """The reference an earlier identical submission got, if it is inside its window."""
    claim = submissions.earlier(SubmissionClaim, owner, submission, clock.now())
    return None if claim is None else claim.reference


def _store(request: SupportRequest, submission: Submission) -> str | None:
    """Write the request with a reference no other request has (a conditional put; a new draw on a clash)
    and its submission claim, in one transaction. Returns the earlier reference if this is a resubmission."""
    now = clock.now()
    claim = SubmissionClaim(
        owner=request.owner, sk=submission.key, payload_hash=submission.payload_hash, created_at=now
    )
    for _ in range(5):
        request.reference = new_reference()
        request.sk = f"{REQUEST_PREFIX}{request.created_at.isoformat()}#{request.reference}"
        claim.reference = request.reference
        try:
            with transaction() as writes:
                writes.save(
                    ReferenceClaim(owner=f"REF#{request.reference}", sk="REF"),
                    condition=ReferenceClaim.owner.does_not_exist(),
                )
                writes.save(claim, condition=submission.claim_condition(claim, now))
                writes.save(request)
            return None
        except TransactWriteError:
            earlier = _earlier(request.owner, submission)  # the same form, submitted twice at once
            if earlier is not None:
                return earlier
            count("SupportReferenceClash")
    raise RuntimeError("five reference clashes in a row")


def _resubmitted(reference: str) -> Filed:
    """The same form again: the earlier request's reference, and nothing new stored or sent."""
    count("SupportRequestResubmitted")
    return Filed(reference, confirmation_sent=True, resubmitted=True)


def _file(request: SupportRequest, submission: Submission) -> Filed:
    """Store and email a request its caller has found to be new (a concurrent twin is still caught in _store)."""
    earlier = _store(request, submission)
    if earlier is not None:
        return _resubmitted(earlier)
    values = {
        "reference": request.reference,
        "name": request.name,
        "email": request.email,
        "category": request.category.replace("_", " "),
        "subject": request.subject,
        "message": request.message,
    }
    # The confirmation may go to an address nobody proved (a request filed without logging in): the sender's
    # words in it only quoted and inert, never in its Subject, and no name.
    subject = quoting.inert(request.subject)
    confirmation = {**values, "subject": subject, "quoted_subject": quoting.quoted(subject)}
    # The team can answer with Reply: Reply-To is the candidate. Either email failing keeps the request.
    email.send_to(
        team_address(request.category), "support_request_team", values, reply_to=request.email, own_address=True
    )
    sent = email.send_to(request.email, "support_request_confirmation", confirmation)
    count("SupportRequestFiled")
    return Filed(request.reference, sent)


def file_for_account(
    account_id: str, *, category: str, subject: str, message: str, idempotency_key: str | None = None
) -> Filed:
    """A logged-in candidate's request: who it is comes from the session, never from the body."""
    account = session_account(account_id)
    submission = Submission.of(idempotency_key, category, subject, message)
    if (earlier := _earlier(account_id, submission)) is not None:
        return _resubmitted(earlier)
    limit, window = PER_ACCOUNT
    throttling.enforce(
        "support-account#" + account_id,
        limit=limit,
        window=window,
        code="too_many_support_requests",
        message=f"You filed {limit} requests in the last hour. Try again in {{wait}}; the team answers each request"
        " by email.",
    )
    return _file(
        SupportRequest(
            owner=account_id,
            sk="",
            reference="",
            category=category,
            subject=subject,
            message=message,
            name=f"{account.first_name} {account.last_name}",
            email=account.email,
            created_at=clock.now(),
        ),
        submission,
    )


def file_anonymously(
    *,
    name: str,
    email_address: str,
    category: str,
    subject: str,
    message: str,
    source_address: str,
    idempotency_key: str | None = None,
) -> Filed:
    """For login problems: no session, so limited per client address and per email address (429)."""
    for key, (limit, window) in (
        ("support-ip#" + source_address, ANONYMOUS_PER_ADDRESS),
        ("support-email#" + digest(mailbox(email_address)), ANONYMOUS_PER_EMAIL),
    ):
        throttling.enforce(
            key,
            limit=limit,
            window=window,
            code="too_many_support_requests",
            message="Too many requests from here. Try again in {wait}, or write to the Program Support Team directly.",
        )
    owner = anonymous_partition(email_address)  # keyed by the address: found by its owner's export
    submission = Submission.of(idempotency_key, name, canonical(email_address), category, subject, message)
    if (earlier := _earlier(owner, submission)) is not None:
        return _resubmitted(earlier)
    return _file(
        SupportRequest(
            owner=owner,
            sk="",
            reference="",
            category=category,
            subject=subject,
            message=message,
            name=name,
            email=email_address,
            created_at=clock.now(),
        ),
        submission,
    )


@dataclass(frozen=True)
class Page:
    requests: list[SupportRequest]
    next_cursor: str | None


def list_for_account(account_id: str, cursor: str | None) -> Page:
    """Newest first, one query a page."""
    start = (
        cursors.decode(cursor, hash_key="owner", owner=account_id, range_key="sk", range_prefix=REQUEST_PREFIX)
        if cursor
        else None
    )
    query = SupportRequest.query(
        account_id,
        SupportRequest.sk.startswith(REQUEST_PREFIX),
        scan_index_forward=False,
        last_evaluated_key=start,
        page_size=PAGE_SIZE,
    )
    items, next_cursor = cursors.one_page(SupportRequest, query)
    return Page(items, next_cursor)
