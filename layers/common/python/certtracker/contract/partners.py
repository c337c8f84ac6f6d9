"""Models of the partner routes: the credit report (GET /partners/{partner_id}/credentials) and an account owner's
answer to a partner association request (POST /partner-association/…)."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from certtracker.core.api import Model, StrictModel
from certtracker.core.fields import OpaqueToken


class EmployeeCredentialOut(Model):
    credential_id: str
    title: str
    status: Literal["earned", "expiring", "expired", "revoked"] = Field(
        description="earned and expiring count toward the requirements; expiring: within 90 days of its expiry"
    )
    earned_at: datetime
    expires_at: datetime


class EmployeeOut(Model):
    name: str
    username: str
    email: str
    credentials: list[EmployeeCredentialOut]


class RequirementOut(Model):
    credential_id: str
    title: str
    required: int = Field(description="Valid ones the partner's tier requires among its employees")
    held: int = Field(description="Valid ones its employees hold now")
    met: bool
    lapsing: int = Field(description="Of those held, how many expire within 90 days")


class LapsingOut(Model):
    name: str
    credential_id: str
    title: str
    expires_at: datetime


class PartnerReport(Model):
    partner_id: str
    name: str
    tier: str | None
    requirements: list[RequirementOut] | None = Field(
        description="The tier's requirements, met or missing, over every employee (on the first page only)"
    )
    lapsing: list[LapsingOut] | None = Field(
        description="Valid credentials that expire within 90 days, soonest first (on the first page only)"
    )
    employees: list[EmployeeOut] = Field(description="Active employees associated through PartnerNet, a page")
    next_cursor: str | None


class AssociationAnswer(StrictModel):
    """The token of an emailed association request link (`/confirm-partner#token=…`)."""

    token: OpaqueToken


class AssociationRequestOut(Model):
    partner_id: str
    partner_name: str = Field(description="the partner company's name, as PartnerNet holds it")
    username: str = Field(description="the account the partner asks to associate")
    expires_at: datetime = Field(description="the request lapses then, and the account stays as it is")


class AssociationAnswered(Model):
    message: str
