"""Contacting the Program Support Team: requests with a reference, routed to the right team by email."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import TransactWriteError

from certtracker import clock, cursors, email, throttling
from certtracker.errors import TooManyRequests
from certtracker.identity import session_account
from certtracker.models.base import transaction
from certtracker.models.support_requests import (
    REQUEST_PREFIX,
    ReferenceClaim,
    SupportRequest,
    anonymous_partition,
)
from certtracker.observability import count
from certtracker.settings import SupportSettings, load
from certtracker.tokens import digest

# Crockford's base32 without I, L, O, U: nothing to misread on the phone.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CATEGORIES = ("login", "exams", "certificates", "partner_account", "other")
ANONYMOUS_PER_ADDRESS = (10, timedelta(hours=1))
ANONYMOUS_PER_EMAIL = (3, timedelta(hours=1))
PAGE_SIZE = 20


@dataclass(frozen=True)
class Filed:
    reference: str
    confirmation_sent: bool


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"CT-{code[:4]}-{code[4:]}"


def team_address(category: str) -> str:
    """Partner-account questions go to the partner program team; the rest to global exams (as on the seed page)."""
    settings = load(SupportSettings)
    return settings.support_partner_email if category == "partner_account" else settings.support_exams_email


def _store(request: SupportRequest) -> None:
    """Write the request with a reference no other request has (a conditional put; a new draw on a clash)."""
    for _ in range(5):
        request.reference = new_reference()
        request.sk = f"{REQUEST_PREFIX}{request.created_at.isoformat()}#{request.reference}"
        try:
            with transaction() as writes:
                writes.save(
                    ReferenceClaim(owner=f"REF#{request.reference}", sk="REF"),
                    condition=ReferenceClaim.owner.does_not_exist(),
                )
                writes.save(request)
            return
        except TransactWriteError:
            count("SupportReferenceClash")
    raise RuntimeError("five reference clashes in a row")


def _file(request: SupportRequest) -> Filed:
    _store(request)
    values = {
        "reference": request.reference,
        "name": request.name,
        "email": request.email,
        "category": request.category.replace("_", " "),
        "subject": request.subject,
        "message": request.message,
    }
    # The team can answer with Reply: Reply-To is the candidate. Either email failing keeps the request.
    email.send_to(team_address(request.category), "support_request_team", values, reply_to=request.email)
    sent = email.send_to(request.email, "support_request_confirmation", values)
    count("SupportRequestFiled")
    return Filed(request.reference, sent)


def file_for_account(account_id: str, *, category: str, subject: str, message: str) -> Filed:
    """A logged-in candidate's request: who it is comes from the session, never from the body."""
    account = session_account(account_id)
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
        )
    )


def file_anonymously(
    *, name: str, email_address: str, category: str, subject: str, message: str, source_address: str
) -> Filed:
    """For login problems: no session, so limited per client address and per email address (429)."""
    for key, (limit, window) in (
        ("support-ip#" + source_address, ANONYMOUS_PER_ADDRESS),
        ("support-email#" + digest(email_address.lower()), ANONYMOUS_PER_EMAIL),
    ):
        wait = throttling.wait_within(key, limit=limit, window=window)
        if wait:
            raise TooManyRequests(
                f"Too many requests from here. Try again in {max(1, wait // 60)} minute(s), or "
                "write to the Program Support Team directly.",
                retry_after=wait,
                code="too_many_support_requests",
            )
    return _file(
        SupportRequest(
            owner=anonymous_partition(email_address),  # keyed by the address: found by its owner's export
            sk="",
            reference="",
            category=category,
            subject=subject,
            message=message,
            name=name,
            email=email_address,
            created_at=clock.now(),
        )
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
