"""Email verification links, and what an address is told when someone else claims it."""

from __future__ import annotations

from datetime import timedelta

from certtracker.accounts.identity import claim_holder, find_by_email
from certtracker.core import clock, email, throttling
from certtracker.core.email import quoting
from certtracker.core.tokens import digest, new_token
from certtracker.models.accounts import Account, AccountClaim
from certtracker.models.one_time_tokens import OneTimeToken

VERIFY_EMAIL_TTL = timedelta(hours=24)
# Emails that anyone can cause to be sent to an account (recovery, "already registered", new
# verification links) are limited per account, so an address cannot be flooded.
EMAILS_PER_HOUR_FROM_PUBLIC_ROUTES = 5


def one_time_token(
    purpose: str, account_id: str, ttl: timedelta, *, email: str | None = None
) -> tuple[str, OneTimeToken]:
    """A new random token and its stored (hashed) item, not yet saved."""
    token, now = new_token(), clock.now()
    item = OneTimeToken(
        token_hash=digest(token),
        purpose=purpose,
        account_id=account_id,
        email=email,
        issued_at=now,
        expires_at=now + ttl,
    )
    return token, item


def email_verification_link(account: Account, token: str) -> bool:
    # The address is not proven yet: the registrant's username only inert, and no name.
    values = {"email": account.email, "username": quoting.inert_handle(account.username)}
    return email.send_to(account.email, "verify_email", {**values, "link": email.web_link("/verify-email", token)})


def send_verification(account: Account) -> bool:
    if claim_holder(AccountClaim.for_email(account.email)) not in (None, account.account_id):
        return False  # another account proved this address: this one's link could only fail
    token, item = one_time_token("verify_email", account.account_id, VERIFY_EMAIL_TTL, email=account.email)
    item.save()
    return email_verification_link(account, token)


def may_email(account: Account) -> bool:
    return throttling.allow_within(
        throttling.RECOVERY_EMAILS + account.account_id,
        limit=EMAILS_PER_HOUR_FROM_PUBLIC_ROUTES,
        window=timedelta(hours=1),
    )


def tell_owner_of_existing_email(address: str) -> bool:
    """Someone asked for an address that has an account: tell its owner, a few times an hour at most."""
    existing = find_by_email(address)
    if existing is None or not may_email(existing):  # erased meanwhile, or told enough this hour
        return True
    if not existing.email_verified:
        return send_verification(existing)  # an unverified address gets nothing but its verification link
    return email.send_to(
        existing.email, "already_registered", {"email": existing.email, "link": email.web_link("/recover")}
    )


def spend_links(account_id: str, *purposes: str) -> None:
    """Delete the account's outstanding links of these kinds (an index query, then their items)."""
    keys = [item.token_hash for item in OneTimeToken.by_account.query(account_id)]
    if not keys:
        return
    with OneTimeToken.batch_write() as batch:
        for item in OneTimeToken.batch_get(keys):
            if item.purpose in purposes:
                batch.delete(item)
