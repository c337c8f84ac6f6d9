"""Accounts: registration, email verification, login, recovery, password reset and change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from certtracker.accounts import passwords, reauthentication, sessions
from certtracker.accounts.identity import claim_holder, find_account, find_by_email, find_by_username, session_account
from certtracker.accounts.verification import (
    VERIFY_EMAIL_TTL,
    email_verification_link,
    may_email,
    one_time_token,
    send_verification,
    spend_links,
    tell_owner_of_existing_email,
)
from certtracker.core import clock, email, throttling
from certtracker.core.errors import Conflict, Forbidden, Gone, InvalidInput, Unauthorized
from certtracker.core.observability import count, logger
from certtracker.core.settings import AccountsSettings, load
from certtracker.core.tables import transaction as new_transaction
from certtracker.core.tokens import digest
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account, AccountClaim
from certtracker.models.one_time_tokens import OneTimeToken

UNVERIFIED_ACCOUNT_TTL = timedelta(days=7)
LINK_GONE = "This link is invalid, used or expired. Ask for a new one from account recovery."
# Also what someone reads who registered a moment ago and retried (say, after "email delayed").
USERNAME_TAKEN = (
    "This username is taken. If you registered it yourself just now, use the verification link in your email, "
    "or ask for a new one from account recovery; otherwise choose another username."
)


@dataclass(frozen=True)
class Registration:
    username: str
    email: str
    password: str
    first_name: str
    last_name: str
    country: str
    marketing_opt_in: bool = False


def _settings() -> AccountsSettings:
    return load(AccountsSettings)


def register(registration: Registration) -> bool:
    """Create an unverified account and email its verification link. Returns whether the email went out.

    An address is claimed only when its link is opened, so an unverified registration never holds an
    address against its real owner: whoever registers it gets an account and a link of their own, and
    the first to prove the address has it (unverified accounts expire after seven days). An address
    that a verified account holds gets the same answer (its owner is told by email), so registration
    never reveals who has an account; a taken username must be told.
    """
    from certtracker import partner_addresses  # registration's only: not on the sign-in path

    if partner_addresses.partner_for_email(registration.email):
        raise InvalidInput(partner_addresses.PARTNERNET_ROUTE, field="email", code="partner_email_domain")
    passwords.check_password_policy(registration.password, username=registration.username)
    now = clock.now()
    account_id = uuid.uuid4().hex
    expires_at = now + UNVERIFIED_ACCOUNT_TTL
    account = Account(
        pk=Account.key(account_id),
        account_id=account_id,
        username=registration.username,
        email=registration.email,
        email_verified=False,
        password_hash=passwords.hash_password(registration.password),
        password_changed_at=now,
        first_name=registration.first_name,
        last_name=registration.last_name,
        country=registration.country,
        privacy_notice_version=_settings().privacy_notice_version,
        privacy_notice_accepted_at=now,
        marketing_opt_in=registration.marketing_opt_in,
        created_at=now,
        expires_at=expires_at,
    )
    token, token_item = one_time_token("verify_email", account_id, VERIFY_EMAIL_TTL, email=account.email)
    username_claim = AccountClaim.for_username(account.username)
    try:
        with new_transaction() as transaction:
            transaction.save(
                AccountClaim(pk=username_claim, account_id=account_id, expires_at=expires_at),
                condition=AccountClaim.pk.does_not_exist() | (AccountClaim.expires_at < now),
            )
            transaction.condition_check(
                AccountClaim, AccountClaim.for_email(account.email), condition=AccountClaim.pk.does_not_exist()
            )
            transaction.save(account, condition=Account.pk.does_not_exist())
            transaction.save(token_item)
            for topic, value in (("privacy_notice", True), ("marketing", registration.marketing_opt_in)):
                transaction.save(
                    AccountEvent.new(
                        account_id,
                        "consent_changed",
                        now,
                        topic=topic,
                        value=value,
                        privacy_notice_version=account.privacy_notice_version,
                        via="registration",
                    )
                )
    except TransactWriteError:
        # The username is told first, whatever the address: otherwise a taken username would reveal
        # whether an address has an account. (Cancellation reasons are not in the order written.)
        if claim_holder(username_claim, consistent=True) is not None:
            raise Conflict(USERNAME_TAKEN, code="username_taken") from None
        if claim_holder(AccountClaim.for_email(account.email), consistent=True) is not None:
            count("RegistrationWithExistingEmail")
            return tell_owner_of_existing_email(account.email)
        raise
    count("AccountRegistered")
    logger.info("account registered", extra={"account_id": account_id})
    return email_verification_link(account, token)


def _live_token(token: str, *purposes: str) -> OneTimeToken:
    try:
        item = OneTimeToken.get(digest(token), consistent_read=True)
    except DoesNotExist:
        item = None
    if item is None or item.purpose not in purposes or item.expires_at <= clock.now():
        raise Gone(LINK_GONE, code="link_expired")
    return item


def verify_email(token: str) -> str:
    """Confirm an address: the one registered with, or a new one asked for in the profile. Returns which."""
    item = _live_token(token, "verify_email", "change_email")
    if item.purpose == "change_email":
        _complete_email_change(item)
        return "changed"
    account = find_account(item.account_id)
    address = str(item.email)
    if account is None or account.email != address:
        raise Gone(LINK_GONE, code="link_expired")
    try:
        with new_transaction() as transaction:
            transaction.delete(item, condition=OneTimeToken.token_hash.exists())
            # Proving the address claims it: the first registration to prove it has it.
            transaction.save(
                AccountClaim(pk=AccountClaim.for_email(address), account_id=account.account_id),
                condition=AccountClaim.pk.does_not_exist() | (AccountClaim.account_id == account.account_id),
            )
            transaction.update(
                AccountClaim(pk=AccountClaim.for_username(account.username)),
                actions=[AccountClaim.expires_at.remove()],
                condition=AccountClaim.account_id == account.account_id,
            )
            transaction.update(
                account,
                actions=[Account.email_verified.set(True), Account.expires_at.remove()],
                condition=Account.email == address,
            )
    except TransactWriteError:
        if claim_holder(AccountClaim.for_email(address), consistent=True) not in (None, account.account_id):
            raise Conflict(
                "This address was confirmed for another account meanwhile, so this registration cannot use it."
                " Register again with another address.",
                code="email_taken",
            ) from None
        raise Gone(LINK_GONE, code="link_expired") from None
    count("EmailVerified")
    return "verified"


def _complete_email_change(item: OneTimeToken) -> None:
    """Move the login email to the verified new address in one transaction, then tell the old address."""
    account = find_account(item.account_id)
    new_email = str(item.email)
    # A password reset or change since the link was sent spends it: the session that asked may be stolen.
    if account is None or account.pending_email != new_email or item.issued_at < account.password_changed_at:
        raise Gone("This link is invalid, used or expired. Ask for it again in your profile.", code="link_expired")
    old_email, now = account.email, clock.now()
    try:
        with new_transaction() as transaction:
            transaction.delete(item, condition=OneTimeToken.token_hash.exists())
            transaction.save(
                AccountClaim(pk=AccountClaim.for_email(new_email), account_id=account.account_id),
                condition=AccountClaim.pk.does_not_exist(),
            )
            transaction.delete(
                AccountClaim(pk=AccountClaim.for_email(old_email)),
                condition=AccountClaim.account_id == account.account_id,
            )
            transaction.update(
                account,
                actions=[
                    Account.email.set(new_email),
                    Account.email_verified.set(True),
                    Account.pending_email.remove(),
                ],
                condition=Account.email == old_email,
            )
            transaction.save(
                AccountEvent.new(account.account_id, "email_changed", now, previous=old_email, current=new_email)
            )
    except TransactWriteError:
        # Ask the claim itself: PynamoDB reorders a transaction's writes, so reasons are not by position.
        owner = find_by_email(new_email)
        if owner is not None and owner.account_id != account.account_id:
            raise Conflict("This address now belongs to another account.", code="email_taken") from None
        raise Gone(
            "This link is invalid, used or expired. Ask for it again in your profile.", code="link_expired"
        ) from None
    count("EmailChanged")
    email.send_to(
        old_email,
        "email_changed",
        {
            "first_name": account.first_name,
            "username": account.username,
            "new_email": new_email,
            "changed_at": now.strftime("%Y-%m-%d %H:%M"),
        },
    )


def login(username: str, password: str, *, source_address: str) -> sessions.NewSession:
    user_key = throttling.username_key(username)
    # Counted before the password work, so a burst gets no more checks than the limits allow.
    attempt = throttling.count_attempt(
        {throttling.address_key(source_address): throttling.PER_ADDRESS, user_key: throttling.PER_USERNAME}
    )
    account = find_by_username(username)
    if account is None:
        passwords.spend_verification_time()
        valid = False
    else:
        valid = passwords.verify_password(account.password_hash, password)
    if not valid or account is None:
        count("LoginFailed")
        attempt.failed()
        raise Unauthorized("The username or password is wrong.", code="invalid_credentials")
    attempt.succeeded(clear=[user_key])
    if not account.email_verified:
        if may_email(account):
            send_verification(account)
        raise Forbidden(
            "Confirm your email address first: use the link we emailed you (a new one is on its way).",
            code="email_not_verified",
        )
    if passwords.needs_rehash(account.password_hash):
        account.update(actions=[Account.password_hash.set(passwords.hash_password(password))])
    count("LoginSucceeded")
    return sessions.start_session(account.account_id)


def _set_password(
    account: Account, new_password: str, *, consume: OneTimeToken | None = None, also: list[Any] | None = None
) -> None:
    """Set the password, and cancel a pending email change: whoever asked for it may have had a stolen session."""
    now = clock.now()
    with new_transaction() as transaction:
        if consume is not None:
            transaction.delete(consume, condition=OneTimeToken.token_hash.exists())
        transaction.update(
            account,
            actions=[
                Account.password_hash.set(passwords.hash_password(new_password)),
                Account.password_changed_at.set(now),
                Account.pending_email.remove(),
                *(also or []),
            ],
            condition=Account.password_hash == account.password_hash,
        )
        if account.pending_email:
            transaction.save(
                AccountEvent.new(
                    account.account_id, "email_change_cancelled", now, cancelled=account.pending_email, via="password"
                )
            )
    spend_links(account.account_id, "change_email", "cancel_email_change")
    email.send_to(
        account.email,
        "password_changed",
        {
            "first_name": account.first_name,
            "username": account.username,
            "changed_at": now.strftime("%Y-%m-%d %H:%M"),
            "link": email.web_link("/recover"),
        },
    )


def password_link(token: str) -> dict[str, str | None]:
    """What a reset or set-password link is for, without using it: its purpose, its account's username and, for an
    account PartnerNet made, the partner company's name. A link that could not be used answers 410 now, as using it
    would, so the page says so before a password is typed."""
    item = _live_token(token, "reset_password", "set_password")
    account = find_account(item.account_id)
    if account is None or item.issued_at < account.password_changed_at:
        raise Gone(LINK_GONE, code="link_expired")
    partner = account.partner_id if item.purpose == "set_password" else None
    company = None
    if partner is not None:
        from certtracker.partner_addresses import company_name  # a set-password link's only, as registration's check

        company = company_name(partner) or partner
    return {"purpose": str(item.purpose), "username": account.username, "company": company}


def reset_password(token: str, new_password: str) -> None:
    """A reset link, or the set-password link of an account PartnerNet made (setting it accepts the privacy notice
    the page shows, as registering does)."""
    item = _live_token(token, "reset_password", "set_password")
    account = find_account(item.account_id)
    # A link issued before the last password change is spent, even if it has not expired.
    if account is None or item.issued_at < account.password_changed_at:
        raise Gone(
            "This link is invalid, used or expired. Ask for a new one from account recovery.", code="link_expired"
        )
    passwords.check_password_policy(new_password, username=account.username, field="new_password")
    accepting = []
    if item.purpose == "set_password":
        accepting = [
            Account.privacy_notice_version.set(_settings().privacy_notice_version),
            Account.privacy_notice_accepted_at.set(clock.now()),
        ]
    try:
        _set_password(account, new_password, consume=item, also=accepting)
    except TransactWriteError:
        raise Gone(
            "This link is invalid, used or expired. Ask for a new one from account recovery.", code="link_expired"
        ) from None
    sessions.end_all_sessions(account.account_id)
    # Recovery is what the lockout message suggests: the new password must work at once.
    throttling.clear(throttling.username_key(account.username))
    count("PasswordReset")


def change_password(account_id: str, session_id: str, current_password: str, new_password: str) -> None:
    account = session_account(account_id)
    reauthentication.confirm_password(account, current_password)
    passwords.check_password_policy(new_password, username=account.username, field="new_password")
    try:
        _set_password(account, new_password)
    except TransactWriteError:
        raise Conflict(
            "The password was changed at the same time elsewhere. Try again.", code="password_changed_concurrently"
        ) from None
    sessions.end_all_sessions(account_id, keep=session_id)
    count("PasswordChanged")


def cancel_email_change(token: str) -> None:
    """The current address's answer to "someone asked to change your email": cancel it, end every session."""
    item = _live_token(token, "cancel_email_change")
    account = find_account(item.account_id)
    if account is None or account.pending_email != item.email:
        raise Gone(
            "There is no pending change to cancel: it was already cancelled, or completed (then its old"
            " address was told). If you did not ask for it, contact the Program Support Team.",
            code="link_expired",
        )
    now = clock.now()
    try:
        with new_transaction() as transaction:
            transaction.delete(item, condition=OneTimeToken.token_hash.exists())
            transaction.update(
                account, actions=[Account.pending_email.remove()], condition=Account.pending_email == item.email
            )
            transaction.save(
                AccountEvent.new(account.account_id, "email_change_cancelled", now, cancelled=item.email, via="link")
            )
    except TransactWriteError:
        raise Gone(LINK_GONE, code="link_expired") from None
    spend_links(account.account_id, "change_email", "cancel_email_change")
    sessions.end_all_sessions(account.account_id)
    count("EmailChangeCancelled")


def logout(session_id: str) -> None:
    sessions.end_session(session_id)
