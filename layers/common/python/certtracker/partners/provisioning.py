"""PartnerNet provisioning: each contact change from PartnerNet applied to CertTracker exactly once, under the
partner linking rules.

A change is validated (a malformed one raises `MalformedChange`: its message fails alone and, after its
retries, lands in the dead-letter queue), then applied in one DynamoDB transaction that is conditional on the
contact's stored version: a redelivered change, or an older version arriving after a newer one, changes
nothing. The email a change owes is recorded on the contact in the same transaction and cleared once sent, so a
send that fails is tried again with the message, and a change is never emailed twice.

The linking rules (PRODUCT.md, "Partner linking rules"), all decided in `_write` below:
- a contact creates or links an account only when its email's domain belongs to the contact's partner (the
  registration guard's `partner_for_email`);
- an account that already exists (registered by its owner, or linked through another contact, of this partner
  or another) is never linked silently: its owner is emailed a link to confirm the association, naming the
  partner, and nothing changes until they confirm (`certtracker.partners.association`); the request lapses
  after REQUEST_TTL; refusing or ignoring it leaves the account as it was and tells the partner program team
  (ids only; the PartnerNet sync's run lapses unanswered requests);
- an account is linked through one contact at a time (`Account.partner_contact_id`): only that contact keeps
  its partner association and program-manager flag in step, and deactivating any other contact leaves it alone;
- the program-manager flag reaches only an account linked through that partner's contact: one the contact
  created, or one whose owner confirmed.

States of a contact, and what each change does (A: the account that holds the contact's email):

| contact is                    | change                                 | becomes                                   |
|-------------------------------|----------------------------------------|-------------------------------------------|
| new, or recorded (no account) | active, email outside partner's domains| recorded; counted, nothing else           |
| new, or recorded              | active, no account holds the email     | linked to a new account; welcome email    |
| new, or recorded              | active, A holds the email              | pending(A); A's owner asked to confirm    |
| new, recorded or pending      | inactive                               | recorded; a pending request withdrawn     |
| pending(A), not lapsed        | active, A still holds the email        | pending(A) as it was; no second email     |
| pending(A)                    | active, email changed, request lapsed  | as from recorded (the old link is dead)   |
| pending(A)                    | A's owner confirms                     | linked(A), flag from the contact; the     |
|                               |                                        | contact A was linked through lets go      |
| pending(A)                    | A's owner refuses                      | recorded; partner program team told       |
| pending(A)                    | lapses unanswered (the sync's sweep)   | recorded; partner program team told       |
| linked(A)                     | active (even with another email)       | linked(A): partner and flag in step (the  |
|                               |                                        | link is the account's, not the address's) |
| linked(A)                     | inactive                               | A loses partner and flag, keeps its login |
|                               |                                        | and credentials; the link stays dormant   |
| linked(A), dormant            | active again                           | linked(A) again: the owner's consent (or  |
|                               |                                        | the creation) stands                      |
| linked(A), A erased or linked | any                                    | as from recorded: a move back asks again  |
| through another contact since |                                        |                                           |

Email addresses compare by the accounts' email claim (`AccountClaim.for_email`, case-insensitive).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AwareDatetime, Field, StringConstraints, ValidationError
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from certtracker import partner_addresses
from certtracker.accounts.identity import claim_holder, find_account
from certtracker.accounts.verification import one_time_token
from certtracker.core import clock, email
from certtracker.core.api import Model
from certtracker.core.fields import CountryCode, EmailAddress, PersonName
from certtracker.core.observability import count, logger, measure_seconds
from certtracker.core.tables import condition_failed, transaction
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account, AccountClaim
from certtracker.models.partners import CONTACT_PREFIX, PARTNER_PREFIX, PENDING, PartnerCompany, PartnerContact

SET_PASSWORD_TTL = timedelta(hours=72)
# Never a hash argon2 can match: a provisioned account has no password until its person sets one.
NO_PASSWORD = "!unset"
USERNAME_ATTEMPTS = 8
# How long a delivery holds the sending of a change's email: past it (the delivery died) another one sends it.
NOTICE_CLAIM = timedelta(minutes=2)
WELCOME, CONFIRM = "welcome", "confirm"
# How long an existing account's owner has to answer an association request.
REQUEST_TTL = timedelta(days=14)

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")]


class ContactChange(Model):
    """One change of a PartnerNet contact, as the sync enqueues it. Fields PartnerNet may add are ignored."""

    sequence: int = Field(ge=1)
    contact_id: Identifier
    partner_id: Identifier
    email: EmailAddress
    first_name: PersonName
    last_name: PersonName
    country: CountryCode
    is_program_manager: bool = Field(strict=True)
    active: bool = Field(True, strict=True)
    version: int = Field(ge=1, le=2**53)
    changed_at: AwareDatetime


class MalformedChange(ValueError):
    """A record that can never be applied as it is: retried with its message, then dead-lettered."""


@dataclass(frozen=True)
class Applied:
    outcome: str  # created | linked | updated | deactivated | recorded | duplicate | stale
    account_id: str | None = None


def read_change(body: str) -> ContactChange:
    """The change in a message body; MalformedChange names what is wrong (field names, never values)."""
    try:
        return ContactChange.model_validate_json(body)
    except ValidationError as error:
        fields = sorted({".".join(str(part) for part in problem["loc"]) or "body" for problem in error.errors()})
        raise MalformedChange(f"malformed PartnerNet change: {', '.join(fields)}") from None


def _stored(contact_id: str) -> PartnerContact | None:
    try:
        return PartnerContact.get(CONTACT_PREFIX + contact_id, consistent_read=True)
    except DoesNotExist:
        return None


def _partner(partner_id: str) -> PartnerCompany:
    try:
        return PartnerCompany.get(PARTNER_PREFIX + partner_id, consistent_read=True)
    except DoesNotExist:
        # Impossible now; possible once the sync has brought the partner: retried, then dead-lettered.
        raise MalformedChange(f"PartnerNet change for unknown partner {partner_id}") from None


def apply(change: ContactChange) -> Applied:
    """Apply one change exactly once, then send what it owes its person."""
    stored = _stored(change.contact_id)
    if stored is not None and int(stored.version) > change.version:
        count("PartnerNetChangeStale")
        return Applied("stale", stored.account_id)
    if stored is not None and int(stored.version) == change.version:
        _send_notice(stored)  # a redelivery: only what is still owed (a send that failed)
        count("PartnerNetChangeDuplicate")
        return Applied("duplicate", stored.account_id)
    partner = _partner(change.partner_id)
    now = clock.now()
    try:
        applied, contact = _write(change, stored, partner, now)
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        # A concurrent delivery of this or a newer version won: read again, and apply (or skip) once more.
        return apply(change)
    lag = max(0.0, (now - change.changed_at).total_seconds())
    measure_seconds("PartnerProvisioningLag", lag)
    count("PartnerContactApplied")
    logger.info(
        "partnernet change applied",
        extra={"contact_id": change.contact_id, "version": change.version, "outcome": applied.outcome, "lag_s": lag},
    )
    _send_notice(contact, claimed=True)
    return applied


@dataclass(frozen=True)
class Pending:
    """An association request to an existing account's owner, carried on the contact until answered."""

    account_id: str
    request: str
    until: datetime

    @staticmethod
    def of(contact: PartnerContact | None) -> Pending | None:
        if contact is None or contact.pending_account_id is None or contact.pending_until is None:
            return None
        return Pending(str(contact.pending_account_id), str(contact.pending_request), contact.pending_until)


def _contact_item(
    change: ContactChange,
    account_id: str | None,
    now: datetime,
    notice: str | None,
    pending: Pending | None = None,
) -> PartnerContact:
    return PartnerContact(
        pk=CONTACT_PREFIX + change.contact_id,
        contact_id=change.contact_id,
        version=change.version,
        partner_id=change.partner_id,
        account_id=account_id,
        active=change.active,
        is_program_manager=change.is_program_manager and change.active,
        changed_at=change.changed_at,
        applied_at=now,
        notice=notice,
        # The delivery that writes a notice holds its sending: a redelivery at the same moment waits for it.
        notice_claimed_until=now + NOTICE_CLAIM if notice else None,
        pending_account_id=pending.account_id if pending else None,
        pending_request=pending.request if pending else None,
        pending_until=pending.until if pending else None,
        pending_queue=PENDING if pending else None,
    )


def _version(contact: PartnerContact | None) -> int:
    return 0 if contact is None else int(contact.version)


def _version_condition(stored: PartnerContact | None) -> Any:
    if stored is None:
        return PartnerContact.pk.does_not_exist()
    return PartnerContact.version == stored.version


def _linked_through(stored: PartnerContact | None) -> str | None:
    """The account linked through this contact: the contact points to it and it points back (an account
    confirmed through another contact since, or erased, is not this contact's any more)."""
    if stored is None or stored.account_id is None:
        return None
    account = find_account(str(stored.account_id), consistent=True)
    if account is None or account.partner_contact_id != stored.contact_id:
        return None
    return account.account_id


def _write(
    change: ContactChange, stored: PartnerContact | None, partner: PartnerCompany, now: datetime
) -> tuple[Applied, PartnerContact]:
    """The linking rules (the module's table), applied to one change."""
    linked = _linked_through(stored)
    if linked is not None:
        return _associate(change, stored, linked, now, outcome="updated" if change.active else "deactivated")
    if not change.active:  # inactive and not linked: remembered, and a pending request withdrawn
        return _record(change, stored, now, "recorded")
    if partner_addresses.partner_for_email(change.email) != change.partner_id:
        count("PartnerContactOutsideDomains")
        return _record(change, stored, now, "refused")
    # The claim compares by addresses.canonical, the one form every email comparison uses.
    holder = claim_holder(AccountClaim.for_email(change.email), consistent=True)
    if holder is None:
        return _create(change, stored, partner, now)
    asked = Pending.of(stored)
    if asked is not None and asked.account_id == holder and asked.until > now:
        # Already asked, and the owner has not answered: the same request, and its email if still owed.
        return _record(change, stored, now, "requested", pending=asked, notice=stored.notice if stored else None)
    return _request(change, stored, holder, now)


def _record(
    change: ContactChange,
    stored: PartnerContact | None,
    now: datetime,
    outcome: str,
    *,
    pending: Pending | None = None,
    notice: str | None = None,
) -> tuple[Applied, PartnerContact]:
    """The contact remembered, linked to no account (a pending request kept only when given)."""
    contact = _contact_item(change, None, now, notice, pending)
    contact.save(condition=_version_condition(stored))
    return Applied(outcome, pending.account_id if pending else None), contact


def _request(
    change: ContactChange, stored: PartnerContact | None, account_id: str, now: datetime
) -> tuple[Applied, PartnerContact]:
    """Ask the owner of an existing account to confirm the association: the account does not change."""
    pending = Pending(account_id, secrets.token_urlsafe(12), now + REQUEST_TTL)
    contact = _contact_item(change, None, now, CONFIRM, pending)
    with transaction() as writes:
        writes.save(contact, condition=_version_condition(stored))
        writes.save(
            AccountEvent.new(
                account_id,
                "partner_association_requested",
                now,
                partner_id=change.partner_id,
                contact_id=change.contact_id,
                version=change.version,
            )
        )
    count("PartnerAssociationRequested")
    return Applied("requested", account_id), contact


def _associate(
    change: ContactChange, stored: PartnerContact | None, account_id: str, now: datetime, *, outcome: str
) -> tuple[Applied, PartnerContact]:
    """Keep the account linked through this contact in step with it: the partner association and the
    program-manager flag while active, neither while inactive (the link itself stays)."""
    contact = _contact_item(change, account_id, now, None)
    actions: list[Any] = (
        [Account.partner_id.set(change.partner_id), Account.partner_manager.set(contact.is_program_manager)]
        if change.active
        else [Account.partner_id.remove(), Account.partner_manager.remove()]
    )
    with transaction() as writes:
        writes.save(contact, condition=_version_condition(stored))
        # Still linked through this contact when written: an owner confirming another one meanwhile wins.
        writes.update(
            Account(pk=Account.key(account_id)),
            actions=actions,
            condition=Account.pk.exists() & (Account.partner_contact_id == change.contact_id),
        )
        writes.save(
            AccountEvent.new(
                account_id,
                "partner_linked" if change.active else "partner_unlinked",
                now,
                partner_id=change.partner_id,
                program_manager=contact.is_program_manager,
                contact_id=change.contact_id,
                version=change.version,
            )
        )
    return Applied(outcome, account_id), contact


def _username_candidates(change: ContactChange) -> list[str]:
    """From the email's local part: what the person would guess; then numbered; then with random digits."""
    local = unicodedata.normalize("NFKD", change.email.partition("@")[0]).encode("ascii", "ignore").decode()
    base = re.sub(r"[^A-Za-z0-9._-]+", "", local).lstrip("._-")[:28].lower()
    if len(base) < 3:
        base = "partner"
    return [base, *(f"{base}{n}" for n in range(2, 5)), *(f"{base}{secrets.randbelow(10**6):06d}" for _ in range(4))]


def _create(
    change: ContactChange, stored: PartnerContact | None, partner: PartnerCompany, now: datetime
) -> tuple[Applied, PartnerContact]:
    """A new account for the contact, associated with its partner, its address already proven (PartnerNet holds
    it for the company) and no password yet: the welcome email carries a set-password link."""
    account_id = uuid.uuid4().hex
    contact = _contact_item(change, account_id, now, WELCOME)
    for username in _username_candidates(change)[:USERNAME_ATTEMPTS]:
        if claim_holder(AccountClaim.for_username(username), consistent=True) is not None:
            continue
        account = Account(
            pk=Account.key(account_id),
            account_id=account_id,
            username=username,
            email=change.email,
            email_verified=True,
            password_hash=NO_PASSWORD,
            password_changed_at=now,
            first_name=change.first_name,
            last_name=change.last_name,
            country=change.country,
            privacy_notice_version="",  # accepted when its person sets the password (the set-password page)
            marketing_opt_in=False,
            partner_id=change.partner_id,
            partner_manager=contact.is_program_manager,
            partner_contact_id=change.contact_id,
            company=partner.name,
            created_at=now,
        )
        try:
            with transaction() as writes:
                writes.save(contact, condition=_version_condition(stored))
                writes.save(
                    AccountClaim(pk=AccountClaim.for_username(username), account_id=account_id),
                    condition=AccountClaim.pk.does_not_exist(),
                )
                writes.save(
                    AccountClaim(pk=AccountClaim.for_email(change.email), account_id=account_id),
                    condition=AccountClaim.pk.does_not_exist(),
                )
                writes.save(account, condition=Account.pk.does_not_exist())
                writes.save(
                    AccountEvent.new(
                        account_id,
                        "account_provisioned",
                        now,
                        partner_id=change.partner_id,
                        contact_id=change.contact_id,
                    )
                )
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            if _stored(change.contact_id) != stored or claim_holder(
                AccountClaim.for_email(change.email), consistent=True
            ):
                raise  # another delivery, or a registration of this address, came first: apply() reads again
            continue  # only the username was taken meanwhile: the next one
        count("PartnerAccountCreated")
        return Applied("created", account_id), contact
    raise RuntimeError("no free username for a PartnerNet contact after several tries")


class NoticeInProgress(RuntimeError):
    """Another delivery of this change is sending its email right now: this message comes back later, and by
    then the email is sent (or its claim has lapsed and this delivery sends it)."""


def _claim_notice(contact: PartnerContact, now: datetime) -> bool:
    """Take the sending of the contact's owed email, unless another delivery holds it. False: nothing is owed
    any more (sent, or a newer version applied)."""
    try:
        contact.update(
            actions=[PartnerContact.notice_claimed_until.set(now + NOTICE_CLAIM)],
            condition=(PartnerContact.version == contact.version)
            & PartnerContact.notice.exists()
            & (PartnerContact.notice_claimed_until.does_not_exist() | (PartnerContact.notice_claimed_until < now)),
        )
        return True
    except UpdateError as error:
        if not condition_failed(error):
            raise
    fresh = _stored(str(contact.contact_id))
    if fresh is None or int(fresh.version) != int(contact.version) or fresh.notice is None:
        return False
    raise NoticeInProgress("another delivery of this PartnerNet change is sending its email")


def _send_notice(contact: PartnerContact, *, claimed: bool = False) -> None:
    """Send what the contact's applied version owes its person, then record it sent. The delivery that applied
    the change holds the sending already (`claimed`, written with it); a redelivery takes it first. A failed
    send gives the claim back and raises, so the message comes back and the email is tried again."""
    pending = Pending.of(contact)
    recipient = pending.account_id if contact.notice == CONFIRM and pending else contact.account_id
    if contact.notice is None or recipient is None:
        return
    if not claimed and not _claim_notice(contact, clock.now()):
        return
    account = find_account(str(recipient), consistent=True)
    if account is None:
        return
    partner = _partner(str(contact.partner_id))
    values = {"first_name": account.first_name, "username": account.username, "partner": partner.name}
    if contact.notice == CONFIRM and pending is not None:
        # The owner's address is proven (only a verified address holds a claim); the partner's name is
        # PartnerNet's record of the company, not words a contact chose.
        token, item = one_time_token("confirm_partner", account.account_id, pending.until - clock.now())
        item.request = f"{contact.contact_id}#{pending.request}"
        item.save()
        values["link"] = email.web_link("/confirm-partner", token)
        values["until"] = pending.until.strftime("%Y-%m-%d")
        sent = email.send_to(account.email, "partner_association_request", values)
    else:
        token, item = one_time_token("set_password", account.account_id, SET_PASSWORD_TTL)
        item.save()
        values["link"] = email.web_link("/set-password", token)
        sent = email.send_to(account.email, "partner_welcome", values)
    done: list[Any] = [PartnerContact.notice_claimed_until.remove()]
    if sent:
        done.append(PartnerContact.notice.remove())
    try:
        contact.update(actions=done, condition=PartnerContact.version == contact.version)
    except UpdateError as error:
        if not condition_failed(error):
            raise  # a newer version was applied meanwhile: it owes (or not) its own email
    if not sent:
        raise RuntimeError("the PartnerNet provisioning email could not be sent: the message will be tried again")


def forget_account(contact_id: str, account_id: str) -> bool:
    """The account of a contact was erased: the contact no longer points to it (a later change from PartnerNet
    provisions a new one). True if this call unlinked it (False: already done, or it points elsewhere)."""
    try:
        PartnerContact(pk=CONTACT_PREFIX + contact_id).update(
            actions=[
                PartnerContact.account_id.remove(),
                PartnerContact.is_program_manager.set(False),
                PartnerContact.notice.remove(),
                PartnerContact.notice_claimed_until.remove(),
            ],
            condition=PartnerContact.account_id == account_id,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return False
    return True
