"""Response models of the Open Badges routes."""

from typing import Any

from pydantic import Field

from certtracker.core.api import Model


class Badge(Model):
    jwt: str = Field(description="The OpenBadgeCredential as a VC-JWT (compact JWS, ES256): what a wallet takes")
    credential: dict[str, Any] = Field(description="The signed payload, decoded: the OpenBadgeCredential itself")


class SignedStatusList(Model):
    jwt: str = Field(description="The BitstringStatusListCredential as a VC-JWT (compact JWS, ES256)")
    credential: dict[str, Any] = Field(description="The signed payload, decoded")
