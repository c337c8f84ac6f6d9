"""An existing account's owner answers a partner's association request: confirm, or refuse.

PartnerNet provisioning never links an account that already exists (`certtracker.partners.provisioning`): it
emails the owner a link to `/confirm-partner`. The link's token alone answers, without signing in: it reached
the address the account proved, the same proof a password reset rests on, so a sign-in would add a step and no
assurance. Opening the page changes nothing (a mail scanner that follows links answers nothing): the owner
reads the partner's name and presses confirm or refuse. The token is single use, lapses with the request, and
answers only the request it was sent for: a newer change of the contact (another address, inactive) withdraws
that request and the link stops working.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from certtracker.accounts.identity import find_account
from certtracker.core import clock, email
from certtracker.core.errors import Gone
from certtracker.core.observability import count, logger
from certtracker.core.tables import condition_failed, transaction
from certtracker.core.tokens import digest
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account
from certtracker.models.one_time_tokens import OneTimeToken
from certtracker.models.partners import CONTACT_PREFIX, PARTNER_PREFIX, PENDING, PartnerCompany, PartnerContact

PURPOSE = "confirm_partner"
LINK_GONE = (
    "This link is invalid, used or expired: your account is as it was. If your company asks again, you get a new email."
)
# A confirmation that meets a newer version of the contact (one that kept the request) reads it again.
ATTEMPTS = 3


@dataclass(frozen=True)
class Request:
    """What the owner is asked: which partner, for which of their accounts, until when."""

    partner_id: str
    partner_name: str
    username: str
    expires_at: datetime


@dataclass(frozen=True)
class _Live:
    token: OneTimeToken
    contact: PartnerContact
    account: Account
    partner: PartnerCompany


def _get_contact(contact_id: str) -> PartnerContact | None:
    try:
        return PartnerContact.get(CONTACT_PREFIX + contact_id, consistent_read=True)
    except DoesNotExist:
        return None


def _asks(contact: PartnerContact | None, item: OneTimeToken, now: datetime) -> bool:
    """The contact still asks, of this account, the request this link was sent for."""
    if contact is None or not contact.active or contact.pending_until is None or contact.pending_until <= now:
        return False
    return (
        contact.pending_account_id == item.account_id
        and f"{contact.contact_id}#{contact.pending_request}" == item.request
    )


def _live(token: str) -> _Live:
    now = clock.now()
    try:
        item = OneTimeToken.get(digest(token), consistent_read=True)
    except DoesNotExist:
        raise Gone(LINK_GONE, code="link_expired") from None
    if item.purpose != PURPOSE or item.expires_at <= now or not item.request:
        raise Gone(LINK_GONE, code="link_expired")
    contact = _get_contact(str(item.request).partition("#")[0])
    account = find_account(item.account_id, consistent=True)
    if contact is None or account is None or not _asks(contact, item, now):
        raise Gone(LINK_GONE, code="link_expired")
    try:
        partner = PartnerCompany.get(PARTNER_PREFIX + str(contact.partner_id), consistent_read=True)
    except DoesNotExist:
        raise Gone(LINK_GONE, code="link_expired") from None
    return _Live(item, contact, account, partner)


def _request(live: _Live) -> Request:
    assert live.contact.pending_until is not None  # _live checked it
    return Request(
        partner_id=str(live.partner.partner_id),
        partner_name=str(live.partner.name),
        username=live.account.username,
        expires_at=live.contact.pending_until,
    )


def preview(token: str) -> Request:
    """What the link asks, for the page to show before the owner answers. Changes nothing."""
    return _request(_live(token))


# What closes a request on the contact: answered, or withdrawn by erasure.
REQUEST_CLOSED = (
    PartnerContact.pending_account_id,
    PartnerContact.pending_request,
    PartnerContact.pending_until,
    PartnerContact.pending_queue,
)


def _answer(live: _Live, contact_actions: list[Any], account_actions: list[Any], kind: str) -> None:
    """Spend the link, close the request on the contact and (confirming) link the account, in one transaction
    conditional on the contact's version: a change of the contact meanwhile makes the caller read again."""
    contact, account = live.contact, live.account
    now = clock.now()
    with transaction() as writes:
        writes.delete(live.token, condition=OneTimeToken.token_hash.exists())
        writes.update(
            contact,
            actions=[*contact_actions, *(attribute.remove() for attribute in REQUEST_CLOSED)],
            condition=(PartnerContact.version == contact.version)
            & (PartnerContact.pending_request == contact.pending_request),
        )
        if account_actions:
            # The account as read: another confirmation (another partner's) at the same moment makes this one
            # read again and link over it, never interleave with it.
            linked_before = (
                Account.partner_contact_id == account.partner_contact_id
                if account.partner_contact_id
                else Account.partner_contact_id.does_not_exist()
            )
            writes.update(account, actions=account_actions, condition=Account.pk.exists() & linked_before)
        writes.save(
            AccountEvent.new(
                account.account_id,
                kind,
                now,
                partner_id=str(contact.partner_id),
                contact_id=str(contact.contact_id),
                program_manager=bool(contact.is_program_manager) if account_actions else False,
            )
        )


def _answering(token: str, answer: Any) -> _Live:
    for _ in range(ATTEMPTS):
        live = _live(token)
        try:
            answer(live)
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            continue  # spent meanwhile (the next read says so), or the contact or account changed: read again
        return live
    raise Gone(LINK_GONE, code="link_expired")


def confirm(token: str) -> Request:
    """The owner confirms: the account is linked through the contact, to its partner, with the contact's
    program-manager flag; the contact it was linked through before (if any) no longer keeps it in step."""

    def link(live: _Live) -> None:
        contact = live.contact
        _answer(
            live,
            [PartnerContact.account_id.set(live.account.account_id)],
            [
                Account.partner_id.set(str(contact.partner_id)),
                Account.partner_manager.set(bool(contact.is_program_manager)),
                Account.partner_contact_id.set(str(contact.contact_id)),
            ],
            "partner_linked",
        )

    live = _answering(token, link)
    count("PartnerAssociationConfirmed")
    logger.info("partner association confirmed", extra={"contact_id": live.contact.contact_id})
    return _request(live)


def refuse(token: str, team_address: str) -> None:
    """The owner refuses: the account stays as it was, and the partner program team hears of it (ids only: they
    look the contact up in PartnerNet)."""
    live = _answering(token, lambda live: _answer(live, [], [], "partner_association_refused"))
    count("PartnerAssociationRefused")
    values = {"contact_id": str(live.contact.contact_id), "partner_id": str(live.contact.partner_id)}
    email.send_to(team_address, "partner_association_refused", values, own_address=True)


def lapse_unanswered(now: datetime, team_address: str) -> int:
    """Close the requests nobody answered in time (their links have lapsed already) and tell the partner program
    team of each (ids only), once: the close is conditional on the request, so two runs tell once. The account
    stays as it was; PartnerNet's next change of the contact asks again."""
    lapsed = 0
    for key in PartnerContact.by_pending_until.query(PENDING, PartnerContact.pending_until <= now):
        contact = _get_contact(str(key.pk).removeprefix(CONTACT_PREFIX))
        if contact is None or contact.pending_until is None or contact.pending_until > now:
            continue  # answered or asked again meanwhile (the index lags the table)
        try:
            contact.update(
                actions=[attribute.remove() for attribute in REQUEST_CLOSED],
                condition=PartnerContact.pending_request == contact.pending_request,
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
            continue
        lapsed += 1
        values = {"contact_id": str(contact.contact_id), "partner_id": str(contact.partner_id)}
        email.send_to(team_address, "partner_association_lapsed", values, own_address=True)
    if lapsed:
        count("PartnerAssociationLapsed", lapsed)
    return lapsed


def _requests_of(account_id: str) -> list[tuple[OneTimeToken, PartnerContact]]:
    """The account's open association requests, through their links (the tokens table's index by account)."""
    keys = [item.token_hash for item in OneTimeToken.by_account.query(account_id)]
    found, now = [], clock.now()
    for item in OneTimeToken.batch_get(keys) if keys else []:
        if item.purpose != PURPOSE or not item.request:
            continue
        contact = _get_contact(str(item.request).partition("#")[0])
        if contact is not None and _asks(contact, item, now):
            found.append((item, contact))
    return found


def export(account_id: str) -> list[dict[str, Any]]:
    return [
        {
            "partner_id": str(contact.partner_id),
            "partnernet_contact_id": str(contact.contact_id),
            "requested_at": item.issued_at.isoformat(),
            "expires_at": contact.pending_until.isoformat() if contact.pending_until else None,
        }
        for item, contact in _requests_of(account_id)
    ]


def erase(account_id: str) -> None:
    """Withdraw every open request to the account (the contact forgets the account id) and spend the links."""
    for item, contact in _requests_of(account_id):
        try:
            with transaction() as writes:
                writes.delete(item)
                writes.update(
                    contact,
                    actions=[*(attribute.remove() for attribute in REQUEST_CLOSED), PartnerContact.notice.remove()],
                    condition=PartnerContact.pending_account_id == account_id,
                )
        except TransactWriteError as error:
            if not condition_failed(error):
                raise  # withdrawn meanwhile: the link goes with the outstanding links
