"""Login throttling: failures counted per username and per client address, with a growing lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pynamodb.exceptions import UpdateError

from certtracker import clock
from certtracker.errors import TooManyRequests
from certtracker.models.login_throttle import LoginThrottle
from certtracker.tokens import digest

WINDOW = timedelta(minutes=15)
MAX_LOCK_SECONDS = 15 * 60


@dataclass(frozen=True)
class Limit:
    """After `failures` failures inside WINDOW, lock for `base_lock_seconds`, doubling with each further one."""

    failures: int
    base_lock_seconds: int


PER_USERNAME = Limit(failures=5, base_lock_seconds=60)
PER_ADDRESS = Limit(failures=30, base_lock_seconds=300)


def username_key(username: str) -> str:
    # Keyed by what was typed, so an unknown username locks exactly like a real one.
    return "user#" + digest(username.strip().lower())


def address_key(address: str) -> str:
    return "ip#" + address


def _locked_for(item: LoginThrottle | None) -> int:
    if item is None:
        return 0
    return max(0, int(item.locked_until) - clock.epoch())


def _too_many(seconds: int) -> TooManyRequests:
    minutes = max(1, round(seconds / 60))
    return TooManyRequests(
        f"Too many failed attempts. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again,"
        " or recover your password.",
        retry_after=seconds,
        code="too_many_attempts",
    )


def ensure_not_locked(*keys: str) -> None:
    """Refuse before any password work when one of the keys is locked."""
    items = {item.key: item for item in LoginThrottle.batch_get(list(keys))}
    wait = max((_locked_for(items.get(key)) for key in keys), default=0)
    if wait > 0:
        raise _too_many(wait)


def _count_failure(key: str) -> LoginThrottle:
    now = clock.now()
    item = LoginThrottle(key=key)
    try:
        item.update(
            actions=[LoginThrottle.failures.add(1)],
            condition=LoginThrottle.expires_at > now,
        )
    except UpdateError:
        # No item, or the window of the old one has passed: start a new window.
        item = LoginThrottle(key=key, failures=1, locked_until=0, expires_at=now + WINDOW)
        item.save()
    return item


def record_failure(limits: dict[str, Limit]) -> None:
    """Count one failure under each key; raise TooManyRequests when that locks one of them."""
    longest = 0
    for key, limit in limits.items():
        item = _count_failure(key)
        excess = int(item.failures) - limit.failures
        if excess >= 0:
            seconds = min(limit.base_lock_seconds * 2**excess, MAX_LOCK_SECONDS)
            until = clock.now() + timedelta(seconds=seconds)
            item.update(
                actions=[
                    LoginThrottle.locked_until.set(int(until.timestamp())),
                    LoginThrottle.expires_at.set(max(until, clock.now() + WINDOW)),
                ]
            )
            longest = max(longest, seconds)
    if longest:
        raise _too_many(longest)


def clear(key: str) -> None:
    LoginThrottle(key=key).delete()


def wait_within(key: str, *, limit: int, window: timedelta) -> int:
    """Count one use under `key`; 0 while `limit` uses in `window` are not exceeded, else seconds to wait."""
    now = clock.now()
    item = LoginThrottle(key=key)
    try:
        item.update(actions=[LoginThrottle.failures.add(1)], condition=LoginThrottle.expires_at > now)
    except UpdateError:
        LoginThrottle(key=key, failures=1, locked_until=0, expires_at=now + window).save()
        return 0
    if int(item.failures) <= limit:
        return 0
    return max(1, int((item.expires_at - now).total_seconds()))


def allow_within(key: str, *, limit: int, window: timedelta) -> bool:
    """A plain counter for quiet limits (recovery emails): False once `limit` is used up in `window`."""
    return wait_within(key, limit=limit, window=window) == 0


# Counters kept under an account's id; erasure forgets them with the account.
RECOVERY_EMAILS = "recovery#"
EMAIL_CHANGES = "email-change#"
ACCOUNT_COUNTERS = (RECOVERY_EMAILS, EMAIL_CHANGES)


def forget_account(account_id: str) -> None:
    for prefix in ACCOUNT_COUNTERS:
        LoginThrottle(key=prefix + account_id).delete()
