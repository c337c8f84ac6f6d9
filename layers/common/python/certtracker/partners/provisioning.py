"""PartnerNet provisioning: each contact change from PartnerNet applied to CertTracker exactly once.

A change is validated (a malformed one raises `MalformedChange`: its message fails alone and, after its
retries, lands in the dead-letter queue), then applied in one DynamoDB transaction that is conditional on the
contact's stored version: a redelivered change, or an older version arriving after a newer one, changes
nothing. What applying does:
- a new, active contact gets an account (its username made from the email, its password unset) associated
  with its partner company, and an email with the username and a set-password link valid 72 hours;
- a contact whose email already has an account (someone who registered before joining the partner) is linked
  to that account, not given a second one, and told;
- a later version keeps the partner association and the program-manager flag in step; a contact made
  inactive loses the association (and the flag) and keeps its account and credentials.
The email a change owes is recorded on the contact in the same transaction and cleared once sent, so a send
that fails is tried again with the message, and a change is never emailed twice.
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

from certtracker.accounts.identity import claim_holder, find_account
from certtracker.accounts.verification import one_time_token
from certtracker.core import clock, email
from certtracker.core.api import Model
from certtracker.core.fields import CountryCode, EmailAddress, PersonName
from certtracker.core.observability import count, logger, measure_seconds
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account, AccountClaim
from certtracker.models.base import condition_failed, transaction
from certtracker.models.partners import CONTACT_PREFIX, PARTNER_PREFIX, PartnerCompany, PartnerContact

SET_PASSWORD_TTL = timedelta(hours=72)
# Never a hash argon2 can match: a provisioned account has no password until its person sets one.
NO_PASSWORD = "!unset"
USERNAME_ATTEMPTS = 8
# How long a delivery holds the sending of a change's email: past it (the delivery died) another one sends it.
NOTICE_CLAIM = timedelta(minutes=2)
WELCOME, LINKED = "welcome", "linked"

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


def _contact_item(change: ContactChange, account_id: str | None, now: datetime, notice: str | None) -> PartnerContact:
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
    )


def _version(contact: PartnerContact | None) -> int:
    return 0 if contact is None else int(contact.version)


def _version_condition(stored: PartnerContact | None) -> Any:
    if stored is None:
        return PartnerContact.pk.does_not_exist()
    return PartnerContact.version == stored.version


def _write(
    change: ContactChange, stored: PartnerContact | None, partner: PartnerCompany, now: datetime
) -> tuple[Applied, PartnerContact]:
    account_id = stored.account_id if stored is not None else None
    if account_id is None and change.active:
        account_id = claim_holder(AccountClaim.for_email(change.email), consistent=True)
        if account_id is None:
            return _create(change, stored, partner, now)
        return _associate(change, stored, account_id, now, outcome="linked", notice=LINKED)
    if account_id is None:  # inactive and never provisioned: remembered, nothing else
        contact = _contact_item(change, None, now, None)
        contact.save(condition=_version_condition(stored))
        return Applied("recorded"), contact
    if find_account(account_id, consistent=True) is None:  # erased since: PartnerNet may provision it again
        contact = _contact_item(change, None, now, None)
        contact.save(condition=_version_condition(stored))
        return Applied("recorded"), contact
    outcome = "updated" if change.active else "deactivated"
    return _associate(change, stored, account_id, now, outcome=outcome, notice=None)


def _associate(
    change: ContactChange,
    stored: PartnerContact | None,
    account_id: str,
    now: datetime,
    *,
    outcome: str,
    notice: str | None,
) -> tuple[Applied, PartnerContact]:
    """Keep an existing account's partner association and program-manager flag in step with the contact."""
    contact = _contact_item(change, account_id, now, notice)
    actions: list[Any] = (
        [Account.partner_id.set(change.partner_id), Account.partner_manager.set(contact.is_program_manager)]
        if change.active
        else [Account.partner_id.remove(), Account.partner_manager.remove()]
    )
    actions.append(Account.partner_contact_id.set(change.contact_id))
    with transaction() as writes:
        writes.save(contact, condition=_version_condition(stored))
        writes.update(Account(pk=Account.key(account_id)), actions=actions, condition=Account.pk.exists())
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
    if contact.notice is None or contact.account_id is None:
        return
    if not claimed and not _claim_notice(contact, clock.now()):
        return
    account = find_account(contact.account_id, consistent=True)
    if account is None:
        return
    partner = _partner(str(contact.partner_id))
    values = {"first_name": account.first_name, "username": account.username, "partner": partner.name}
    if contact.notice == WELCOME:
        token, item = one_time_token("set_password", account.account_id, SET_PASSWORD_TTL)
        item.save()
        values["link"] = email.web_link("/set-password", token)
        sent = email.send_to(account.email, "partner_welcome", values)
    else:
        values["link"] = email.web_link("/dashboard")
        sent = email.send_to(account.email, "partner_linked", values)
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
