"""Response models of the credentials routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from certtracker.core.api import Model


class Cycle(Model):
    cycle: int = Field(description="1 for the first award; earning it again after it expired starts the next")
    earned_at: datetime
    expires_at: datetime
    revoked: bool


class HeldCredential(Model):
    credential_id: str
    award_id: str = Field(description="The award's own id (certificates and their verification codes point to it)")
    status: Literal["earned", "expiring", "expired", "revoked"] = Field(
        description="expiring: within 90 days of its expiry; expired and revoked ones no longer count"
    )
    cycle: int
    earned_at: datetime
    expires_at: datetime
    past_cycles: list[Cycle] = Field(description="Earlier cycles of this credential, oldest first")


class HeldCredentials(Model):
    credentials: list[HeldCredential]
