"""Re-authentication for sensitive changes (email, password, erasure): the current password, throttled."""

from __future__ import annotations

from certtracker import passwords, throttling
from certtracker.errors import Forbidden, InvalidInput
from certtracker.models.accounts import Account


def confirm_password(account: Account, password: str | None, *, field: str = "current_password") -> None:
    """Refuse unless `password` is the account's; failures count toward the same lock as logins."""
    if not password:
        raise InvalidInput(
            f"{field}: your current password is needed for this change.", field=field, code="password_required"
        )
    user_key = throttling.username_key(account.username)
    throttling.ensure_not_locked(user_key)
    if not passwords.verify_password(account.password_hash, password):
        throttling.record_failure({user_key: throttling.PER_USERNAME})
        raise Forbidden("The current password is wrong.", code="wrong_password")
