"""Sessions: started at login, checked by the authorizer, ended by logout, password change and reset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pynamodb.exceptions import DoesNotExist, UpdateError

from certtracker.core import clock
from certtracker.core.errors import Forbidden, Unauthorized
from certtracker.core.tokens import digest, new_token, same
from certtracker.models.sessions import Session

if TYPE_CHECKING:
    from aws_lambda_powertools.shared.cookies import Cookie

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# Writing last_seen_at on every request would double the authorizer's cost; a minute is precise enough.
TOUCH_AFTER = timedelta(minutes=1)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


def start_session(account_id: str) -> NewSession:
    token, csrf_token = new_token(), new_token()
    now = clock.now()
    expires_at = now + ABSOLUTE_TIMEOUT
    Session(
        token_hash=digest(token),
        account_id=account_id,
        csrf_hash=digest(csrf_token),
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
    ).save(condition=Session.token_hash.does_not_exist())
    return NewSession(token=token, csrf_token=csrf_token, expires_at=expires_at)


def _ended() -> Unauthorized:
    return Unauthorized("Your session has ended. Log in again.", code="session_expired")


def authenticate(token: str, *, method: str, via_cookie: bool, csrf_token: str | None) -> Session:
    """The live session of `token`, touched for the idle timeout; CSRF is checked for cookie writes."""
    try:
        session = Session.get(digest(token))
    except DoesNotExist:
        raise _ended() from None
    now = clock.now()
    if session.expires_at <= now or session.last_seen_at + IDLE_TIMEOUT <= now:
        end_session(session.token_hash)
        raise _ended()
    needs_csrf = via_cookie and method.upper() not in SAFE_METHODS
    if needs_csrf and not (csrf_token and same(digest(csrf_token), session.csrf_hash)):
        raise Forbidden("This request needs the X-CSRF-Token header that login returned.", code="csrf_failed")
    if now - session.last_seen_at >= TOUCH_AFTER:
        try:
            session.update(
                actions=[Session.last_seen_at.set(now)],
                condition=Session.token_hash.exists(),
            )
        except UpdateError:
            raise _ended() from None  # ended by a logout racing this request
    return session


def end_session(session_id: str) -> None:
    Session(token_hash=session_id).delete()


def end_all_sessions(account_id: str, *, keep: str | None = None) -> int:
    """End every session of an account but `keep`; returns how many ended."""
    ended = 0
    with Session.batch_write() as batch:
        for session in Session.by_account.query(account_id):
            if session.token_hash != keep:
                batch.delete(Session(token_hash=session.token_hash))
                ended += 1
    return ended


# web/core.js reads this name: keep the two the same.
SIGNED_IN_MARKER = "certtracker-signed-in"


def session_cookies(token: str, *, name: str, secure: bool) -> list[Cookie]:
    """The session cookie (HttpOnly: no script reads it) and beside it a marker that holds no secret: a page reads
    it to know whether to ask GET /me at all, so a signed-out visit makes no request that answers 401. An empty
    `token` clears both."""
    from aws_lambda_powertools.shared.cookies import Cookie, SameSite

    max_age = int(ABSOLUTE_TIMEOUT.total_seconds()) if token else 0
    return [
        Cookie(
            name=cookie,
            value=content,
            path="/",
            secure=secure,
            http_only=http_only,
            same_site=SameSite.STRICT_MODE,
            max_age=max_age,
        )
        for cookie, content, http_only in ((name, token, True), (SIGNED_IN_MARKER, "1" if token else "", False))
    ]
