"""Finding an account: by its id, or by the username or email it claims."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from certtracker.errors import Unauthorized
from certtracker.models.accounts import Account, AccountClaim


def find_account(account_id: str) -> Account | None:
    try:
        return Account.get(Account.key(account_id))
    except DoesNotExist:
        return None


def find_by_username(username: str) -> Account | None:
    return _find_by_claim(AccountClaim.for_username(username.strip()))


def find_by_email(email: str) -> Account | None:
    return _find_by_claim(AccountClaim.for_email(email.strip()))


def _find_by_claim(claim_key: str) -> Account | None:
    try:
        claim = AccountClaim.get(claim_key)
    except DoesNotExist:
        return None
    return find_account(claim.account_id)


def session_account(account_id: str) -> Account:
    """The account behind a live session; gone only if it was erased since the session began."""
    account = find_account(account_id)
    if account is None:
        raise Unauthorized("Your session has ended. Log in again.", code="session_expired")
    return account
