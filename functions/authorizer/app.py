"""The Lambda REQUEST authorizer: who is calling, from the session cookie or a bearer token."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.accounts import gateway_policy, sessions
from certtracker.core.errors import Forbidden, Unauthorized
from certtracker.core.observability import count, logger, metrics
from certtracker.core.settings import AuthorizerSettings, load

settings = load(AuthorizerSettings)


def _credentials(headers: dict[str, str]) -> tuple[str | None, bool]:
    """The session token and whether it came from the cookie (which makes writes need CSRF)."""
    authorization = headers.get("authorization") or ""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip(), False
    try:
        cookie = SimpleCookie(headers.get("cookie") or "")
    except CookieError:
        return None, False
    morsel = cookie.get(settings.cookie_name)
    return (morsel.value, True) if morsel and morsel.value else (None, False)


def _refuse() -> Exception:
    """API Gateway answers 401 (the UNAUTHORIZED gateway response) when an authorizer raises exactly this.

    Every logged-out call to a protected route takes this path, so Lambda counts it among the function's
    Errors: refusals are counted apart, and the alarm watches AuthorizerError (real failures) instead."""
    count("AuthorizerRefused")
    return Exception("Unauthorized")


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    try:
        return _decide(event)
    except _Refusal:
        raise _refuse() from None
    except Exception:
        count("AuthorizerError")
        logger.exception("authorizer failed")
        raise


class _Refusal(Exception):
    """No valid session: the caller is not logged in."""


def _decide(event: dict) -> dict:
    headers = gateway_policy.headers(event)
    token, via_cookie = _credentials(headers)
    if token is None or len(token) > 128:
        raise _Refusal
    routes = gateway_policy.stage_routes(str(event.get("methodArn") or ""))
    try:
        session = sessions.authenticate(
            token,
            method=str(event.get("httpMethod") or ""),
            via_cookie=via_cookie,
            csrf_token=headers.get("x-csrf-token"),
        )
    except Unauthorized:
        raise _Refusal from None
    except Forbidden:
        count("CsrfRejected")
        return gateway_policy.deny(routes)
    context = {"account_id": session.account_id, "session_id": session.token_hash}
    return gateway_policy.allow(routes, session.account_id, context)
