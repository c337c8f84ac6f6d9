"""Re-authentication for sensitive changes (email, password, erasure): the current password, throttled."""

from __future__ import annotations

from certtracker.accounts import passwords
from certtracker.core import throttling
from certtracker.core.errors import Forbidden, InvalidInput
from certtracker.models.accounts import Account


def confirm_password(account: Account, password: str | None, *, field: str = "current_password") -> None:
    """Refuse unless `password` is the account's. Attempts count toward the same lock as logins, counted
    before the argon2 work so a burst gets no more checks than the limit."""
    if not password:
        raise InvalidInput(
            f"{field}: your current password is needed for this change.", field=field, code="password_required"
        )
    attempt = throttling.count_attempt({throttling.username_key(account.username): throttling.PER_USERNAME})
    if not passwords.verify_password(account.password_hash, password):
        attempt.failed()
        raise Forbidden("The current password is wrong.", code="wrong_password")
    attempt.succeeded()  # should the change fail part-way, the right password was not a failure
