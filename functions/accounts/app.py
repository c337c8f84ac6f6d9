"""Accounts: register, verify the email, log in and out, recover, reset and change the password."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.accounts import lifecycle as accounts
from certtracker.accounts.sessions import session_cookies
from certtracker.contract.accounts import (
    Accepted,
    CancelEmailChangeRequest,
    LoginRequest,
    LoginResponse,
    PasswordChangeRequest,
    PasswordLink,
    PasswordLinkRequest,
    PasswordRecoveryRequest,
    PasswordResetRequest,
    RegisterRequest,
    RegisterResponse,
    UsernameRecoveryRequest,
    VerifyEmailRequest,
)
from certtracker.core import aws
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import AccountsSettings, load

settings = load(AccountsSettings)
app = CertTrackerResolver(client_address_from=settings.client_address_from)
# Recovery and the partner lookups load where they are used, off the sign-in path (SnapStart: before the snapshot).
aws.load_before_snapshot("certtracker.accounts.recovery", "certtracker.partner_addresses")

RECOVERY_ACCEPTED = Accepted(
    message="If an account matches, we have sent an email to its address. It can take a few minutes to arrive."
)


@app.post("/auth/register", tags=["accounts"], status_code=201, responses=error_responses(409, 413, 422))
def register(body: RegisterRequest) -> Response[RegisterResponse]:
    """Register a new candidate account.

    Creates an unverified account and emails a verification link. Partner employees are refused:
    their accounts come from PartnerNet. An email that already has an account gets the same answer,
    and its owner is told by email."""
    sent = accounts.register(accounts.Registration(**body.model_dump(exclude={"accept_privacy_notice"})))
    answer = RegisterResponse(
        status="verification_email_sent" if sent else "verification_email_delayed",
        message="Check your inbox: open the link we sent to confirm your email address, then log in."
        if sent
        else "Your registration is received, but the confirmation email could not be sent just now. "
        "Ask for a new link from account recovery in a few minutes.",
    )
    return Response(201, content_types.APPLICATION_JSON, answer)


@app.post("/auth/verify-email", tags=["accounts"], responses=error_responses(409, 410, 413, 422))
def verify_email(body: VerifyEmailRequest) -> Accepted:
    """Confirm an email address with the token of the emailed link (single use, 24 hours).

    The link confirms the address registered with, or a new address asked for in the profile.
    """
    if accounts.verify_email(body.token) == "changed":
        return Accepted(message="Your new email address is confirmed: CertTracker now writes to it.")
    return Accepted(message="Your email address is confirmed. You can log in now.")


@app.post("/auth/cancel-email-change", tags=["accounts"], responses=error_responses(410, 413, 422))
def cancel_email_change(body: CancelEmailChangeRequest) -> Accepted:
    """Cancel a pending email change with the token of the link sent to the current address.

    Every session of the account ends as well: whoever asked may have been using a stolen session.
    The link works once, for seven days."""
    accounts.cancel_email_change(body.token)
    return Accepted(
        message="The change is cancelled and every session has ended. If you did not ask for it,"
        " log in and change your password now: someone may know it."
    )


@app.post("/auth/login", tags=["accounts"], responses=error_responses(401, 403, 413, 422, 429))
def login(body: LoginRequest) -> Response[LoginResponse]:
    """Log in.

    Returns a bearer token and a CSRF token, and sets the session cookie. Repeated failures lock
    the username for a growing time (429 with Retry-After)."""
    session = accounts.login(body.username, body.password, source_address=app.source_ip())
    answer = LoginResponse(token=session.token, csrf_token=session.csrf_token, expires_at=session.expires_at)
    cookies = session_cookies(session.token, name=settings.cookie_name, secure=settings.cookie_secure)
    return Response(200, content_types.APPLICATION_JSON, answer, cookies=cookies)


@app.post("/auth/logout", tags=["accounts"], status_code=204, responses=error_responses(401, 403))
def logout() -> Response[None]:
    """Log out: this session ends at once."""
    accounts.logout(app.caller().session_id)
    return Response(204, cookies=session_cookies("", name=settings.cookie_name, secure=settings.cookie_secure))


@app.post("/auth/recovery/username", tags=["accounts"], status_code=202, responses=error_responses(413, 422, 503))
def recover_username(body: UsernameRecoveryRequest) -> Response[Accepted]:
    """Email me my username.

    Always 202, whether or not an account matches: the email is sent from a queue, so neither the
    answer nor its timing tells whether an account exists."""
    from certtracker.accounts import recovery

    recovery.request("username", body.email)
    return Response(202, content_types.APPLICATION_JSON, RECOVERY_ACCEPTED)


@app.post("/auth/recovery/password", tags=["accounts"], status_code=202, responses=error_responses(413, 422, 503))
def recover_password(body: PasswordRecoveryRequest) -> Response[Accepted]:
    """Email me a password reset link.

    Always 202, whether or not an account matches. The link works once, for 30 minutes."""
    from certtracker.accounts import recovery

    recovery.request("password", body.username_or_email)
    return Response(202, content_types.APPLICATION_JSON, RECOVERY_ACCEPTED)


@app.post("/auth/password-link", tags=["accounts"], responses=error_responses(410, 413, 422))
def describe_password_link(body: PasswordLinkRequest) -> PasswordLink:
    """What a reset or set-password link is for, unused: the username (for password managers), an account PartnerNet
    made its company. 410 `link_expired` for a link that could no longer be used, before a password is typed."""
    return PasswordLink.model_validate(accounts.password_link(body.token))


@app.post("/auth/password-reset", tags=["accounts"], status_code=204, responses=error_responses(410, 413, 422))
def reset_password(body: PasswordResetRequest) -> Response[None]:
    """Choose a new password with the token of a reset link; every session of the account ends."""
    accounts.reset_password(body.token, body.new_password)
    return Response(204)


@app.put("/me/password", tags=["accounts"], status_code=204, responses=error_responses(401, 403, 409, 413, 422, 429))
def change_password(body: PasswordChangeRequest) -> Response[None]:
    """Change my password: needs the current one; every other session ends."""
    caller = app.caller()
    accounts.change_password(caller.account_id, caller.session_id, body.current_password, body.new_password)
    return Response(204)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
