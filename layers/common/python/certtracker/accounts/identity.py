"""Finding an account: by its id, or by the username or email it claims."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from certtracker.core import clock
from certtracker.core.errors import Unauthorized
from certtracker.models.accounts import Account, AccountClaim


def find_account(account_id: str, *, consistent: bool = False) -> Account | None:
    """The account, unless it never existed, was erased, or expired unverified."""
    try:
        account = Account.get(Account.key(account_id), consistent_read=consistent)
    except DoesNotExist:
        return None
    return None if account.expired(clock.now()) else account


def claim_holder(claim_key: str, *, consistent: bool = False) -> str | None:
    """The id of the account holding a username or email claim (an expired claim holds nothing)."""
    try:
        claim = AccountClaim.get(claim_key, consistent_read=consistent)
    except DoesNotExist:
        return None
    if claim.expires_at is not None and claim.expires_at <= clock.now():
        return None
    return claim.account_id


def find_by_username(username: str) -> Account | None:
    holder = claim_holder(AccountClaim.for_username(username.strip()))
    return find_account(holder) if holder else None


def find_by_email(email: str) -> Account | None:
    """The account whose *verified* address this is: unverified registrations claim no address."""
    holder = claim_holder(AccountClaim.for_email(email.strip()))
    return find_account(holder) if holder else None


def session_account(account_id: str) -> Account:
    """The account behind a live session; gone only if it was erased since the session began."""
    account = find_account(account_id)
    if account is None:
        raise Unauthorized("Your session has ended. Log in again.", code="session_expired")
    return account
