"""Request and response models of the accounts routes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from certtracker.core.api import Model, StrictModel
from certtracker.core.fields import (
    CountryCode,
    EmailAddress,
    MustBeTrue,
    OneLine,
    OpaqueToken,
    Password,
    PersonName,
    Username,
    UsernameOrEmail,
)


class RegisterRequest(StrictModel):
    username: Username
    email: EmailAddress
    password: Password
    first_name: PersonName
    last_name: PersonName
    country: CountryCode
    accept_privacy_notice: MustBeTrue = Field(description="Must be true: the privacy notice is accepted")
    marketing_opt_in: bool = False


class RegisterResponse(Model):
    status: Literal["verification_email_sent", "verification_email_delayed"]
    message: str


class VerifyEmailRequest(StrictModel):
    token: OpaqueToken


class CancelEmailChangeRequest(StrictModel):
    token: OpaqueToken


class LoginRequest(StrictModel):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254), OneLine]
    password: Password


class LoginResponse(Model):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; the browser uses the cookie")
    csrf_token: str = Field(description="Send as X-CSRF-Token on cookie-authenticated writes")
    expires_at: datetime


class UsernameRecoveryRequest(StrictModel):
    email: EmailAddress


class PasswordRecoveryRequest(StrictModel):
    # An address is normalized like every other (punycode domain), so either spelling finds the account.
    username_or_email: UsernameOrEmail


class PasswordResetRequest(StrictModel):
    token: OpaqueToken
    new_password: Password


class PasswordLinkRequest(StrictModel):
    token: OpaqueToken


class PasswordLink(Model):
    """What an emailed password link is for, before it is used: the page shows whose password it sets."""

    purpose: Literal["reset_password", "set_password"]
    username: str
    company: str | None = Field(
        None, description="The partner company of an account PartnerNet made, on its set-password link"
    )


class PasswordChangeRequest(StrictModel):
    current_password: Password
    new_password: Password


class Accepted(Model):
    message: str
