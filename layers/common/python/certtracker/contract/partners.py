"""Response models of the partner credit report (GET /partners/{partner_id}/credentials)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from certtracker.core.api import Model


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
