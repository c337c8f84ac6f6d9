"""Throttles: password attempts per username and per client address, and plain counters of uses per key.

Every throttle counts in one atomic DynamoDB write *before* the work it guards and decides from the
count that write returns. A read before the work and a count after it let a burst through: each
concurrent request reads the same count, and all of them do the work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from certtracker.core import clock
from certtracker.core.errors import TooManyRequests
from certtracker.core.tables import Table, TableName, condition_failed
from certtracker.core.tokens import digest

WINDOW = timedelta(minutes=15)
MAX_LOCK_SECONDS = 15 * 60
# A write that meets a concurrent one (a window restarted, a lock just ended) looks again; a few
# rounds settle any race, and a request that still has not settled is refused, never let through.
ROUNDS = 4


class LoginThrottle(Table):
    """The throttle table: password-attempt counts and locks per username and client address, and counted uses.
    It is the throttles' own (the resolver and the email module count in it too), so it lives beside them."""

    class Meta:
        table_name = TableName("LOGIN_THROTTLE_TABLE")

    # user#<sha256 of the username> | ip#<address> | recovery#<account> | support-ip#… | support-email#…
    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)  # attempts counted (a right password takes its own back), or uses
    locked_until = NumberAttribute(default=0)  # epoch seconds
    expires_at = TTLAttribute()  # the end of the counting window


@dataclass(frozen=True)
class Limit:
    """After `failures` failures inside WINDOW, lock for `base_lock_seconds`, doubling with each further one."""

    failures: int
    base_lock_seconds: int

    def __post_init__(self) -> None:
        # The first attempt of a window is counted without taking the lock (see _count), so it cannot be the last.
        if self.failures < 2:
            raise ValueError("a password limit allows at least two failures")


PER_USERNAME = Limit(failures=5, base_lock_seconds=60)
PER_ADDRESS = Limit(failures=30, base_lock_seconds=300)


def username_key(username: str) -> str:
    # Keyed by what was typed, so an unknown username locks exactly like a real one.
    return "user#" + digest(username.strip().lower())


def address_key(address: str) -> str:
    return "ip#" + address


def _locked_for(item: LoginThrottle) -> int:
    return max(0, int(item.locked_until or 0) - clock.epoch())


def _too_many(seconds: int) -> TooManyRequests:
    minutes = max(1, round(seconds / 60))
    return TooManyRequests(
        f"Too many failed attempts. Wait {minutes} minute{'s' if minutes > 1 else ''} and try again,"
        " or recover your password.",
        retry_after=seconds,
        code="too_many_attempts",
    )


def _start_window(key: str, now: datetime, window: timedelta) -> bool:
    """Count the first use of a new window where the old one has passed; False if a concurrent use did first."""
    try:
        LoginThrottle(key=key, failures=1, locked_until=0, expires_at=now + window).save(
            condition=LoginThrottle.expires_at <= now
        )
    except PutError as error:
        if not condition_failed(error):
            raise
        return False
    return True


# ---------------------------------------------------------------- password attempts


@dataclass(frozen=True)
class _Counted:
    key: str
    limit: Limit
    number: int  # this attempt's number in the window, itself included
    held_lock: int = 0  # epoch seconds: the lock an attempt at the limit takes at once, while its password is checked


def _count(key: str, limit: Limit) -> _Counted | int:
    """Count one attempt under `key` before its password is checked: the count, or the seconds to wait."""
    for _ in range(ROUNDS):
        now = clock.now()
        item = LoginThrottle(key=key)
        # Below the limit: one atomic ADD, whose answer is this attempt's number. Nothing can lock yet.
        try:
            item.update(
                actions=[
                    LoginThrottle.failures.add(1),
                    LoginThrottle.expires_at.set(LoginThrottle.expires_at | now + WINDOW),
                    LoginThrottle.locked_until.set(LoginThrottle.locked_until | 0),
                ],
                condition=LoginThrottle.key.does_not_exist()
                | (
                    (LoginThrottle.expires_at > now)
                    & (LoginThrottle.failures < limit.failures - 1)
                    & (LoginThrottle.locked_until <= clock.epoch())
                ),
            )
            return _Counted(key, limit, int(item.failures))
        except UpdateError as error:
            if not condition_failed(error):
                raise
        # At the limit, one attempt at a time: it is heard only when no lock stands, and it locks the key in the
        # same write, so that concurrent attempts are refused while its password is checked.
        held = clock.epoch() + limit.base_lock_seconds
        try:
            item.update(
                actions=[LoginThrottle.failures.add(1), LoginThrottle.locked_until.set(held)],
                condition=(LoginThrottle.expires_at > now)
                & (LoginThrottle.failures >= limit.failures - 1)
                & (LoginThrottle.locked_until <= clock.epoch()),
            )
            return _Counted(key, limit, int(item.failures), held)
        except UpdateError as error:
            if not condition_failed(error):
                raise
        try:
            current = LoginThrottle.get(key, consistent_read=True)
        except DoesNotExist:
            continue  # a success cleared it meanwhile
        if current.expires_at <= now:
            if _start_window(key, now, WINDOW):
                return _Counted(key, limit, 1)
            continue
        wait = _locked_for(current)
        if wait:
            return wait
    return limit.base_lock_seconds


def _uncount(counted: _Counted) -> None:
    """Take back an attempt that turned out not to be a failure (best effort: a later write may have won)."""
    try:
        if counted.held_lock:
            LoginThrottle(key=counted.key).update(
                actions=[LoginThrottle.failures.add(-1), LoginThrottle.locked_until.set(0)],
                condition=LoginThrottle.locked_until == counted.held_lock,
            )
        else:
            LoginThrottle(key=counted.key).update(
                actions=[LoginThrottle.failures.add(-1)], condition=LoginThrottle.failures > 0
            )
    except UpdateError as error:
        if not condition_failed(error):
            raise


@dataclass
class Attempt:
    """A password attempt, already counted under each of its keys."""

    counted: list[_Counted] = field(default_factory=list)

    def failed(self) -> None:
        """Keep the count; lock each key the failure brings to its limit, raising TooManyRequests if one."""
        longest = 0
        for counted in self.counted:
            excess = counted.number - counted.limit.failures
            if excess < 0:
                continue
            # Reaching the limit, this attempt holds the key's lock (see _count): make it this failure's lock.
            seconds = min(counted.limit.base_lock_seconds * 2**excess, MAX_LOCK_SECONDS)
            until = clock.now() + timedelta(seconds=seconds)
            try:
                LoginThrottle(key=counted.key).update(
                    actions=[
                        LoginThrottle.locked_until.set(int(until.timestamp())),
                        LoginThrottle.expires_at.set(max(until, clock.now() + WINDOW)),
                    ],
                    condition=LoginThrottle.locked_until == counted.held_lock,
                )
            except UpdateError as error:
                if not condition_failed(error):  # lost: a success or a reset cleared the key meanwhile
                    raise
            longest = max(longest, seconds)
        if longest:
            raise _too_many(longest)

    def succeeded(self, *, clear: Iterable[str] = ()) -> None:
        """The password was right: clear the keys in `clear`, and take this attempt back from the others."""
        cleared = set(clear)
        for counted in self.counted:
            if counted.key in cleared:
                LoginThrottle(key=counted.key).delete()
            else:
                _uncount(counted)


def count_attempt(limits: dict[str, Limit]) -> Attempt:
    """Count a password attempt under each key, in order, before any password work; TooManyRequests when a key
    is locked or its limit is taken by attempts in flight (then the attempt is not counted anywhere)."""
    attempt = Attempt()
    for key, limit in limits.items():
        outcome = _count(key, limit)
        if isinstance(outcome, int):
            for counted in attempt.counted:
                _uncount(counted)
            raise _too_many(outcome)
        attempt.counted.append(outcome)
    return attempt


def clear(key: str) -> None:
    LoginThrottle(key=key).delete()


# ---------------------------------------------------------------- counted uses


def wait_within(key: str, *, limit: int, window: timedelta) -> int:
    """Count one use under `key`; 0 while `limit` uses in `window` are not exceeded, else seconds to wait."""
    for _ in range(ROUNDS):
        now = clock.now()
        item = LoginThrottle(key=key)
        try:
            item.update(
                actions=[
                    LoginThrottle.failures.add(1),
                    LoginThrottle.expires_at.set(LoginThrottle.expires_at | now + window),
                ],
                condition=LoginThrottle.key.does_not_exist() | (LoginThrottle.expires_at > now),
            )
        except UpdateError as error:
            if not condition_failed(error):
                raise
            # The window has passed: this use starts the next one, unless a concurrent use just did (count again).
            if _start_window(key, now, window):
                return 0
            continue
        if int(item.failures) <= limit:
            return 0
        return max(1, int((item.expires_at - now).total_seconds()))
    return max(1, int(window.total_seconds()))


def _in_words(seconds: int) -> str:
    if seconds >= 90 * 60:
        hours = round(seconds / 3600)
        return f"{hours} hours"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def enforce(key: str, *, limit: int, window: timedelta, code: str, message: str) -> None:
    """Count one use under `key`; past `limit` uses in `window`, TooManyRequests (429 with Retry-After) whose
    message has "{wait}" filled in as words ("3 minutes", "5 hours")."""
    wait = wait_within(key, limit=limit, window=window)
    if wait:
        raise TooManyRequests(message.format(wait=_in_words(wait)), retry_after=wait, code=code)


def allow_within(key: str, *, limit: int, window: timedelta) -> bool:
    """A plain counter for quiet limits (recovery emails): False once `limit` is used up in `window`."""
    return wait_within(key, limit=limit, window=window) == 0


# Counters kept under an account's id; erasure forgets them with the account.
RECOVERY_EMAILS = "recovery#"
EMAIL_CHANGES = "email-change#"
SHARES = "shares#"
ACCOUNT_COUNTERS = (RECOVERY_EMAILS, EMAIL_CHANGES, SHARES)


def forget_account(account_id: str) -> None:
    for prefix in ACCOUNT_COUNTERS:
        LoginThrottle(key=prefix + account_id).delete()
