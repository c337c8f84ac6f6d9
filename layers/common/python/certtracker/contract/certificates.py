"""Request and response models of the certificates and verification routes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from certtracker.contract.catalog import CREDENTIAL_ID
from certtracker.core.api import Model, StrictModel


class CertificateRequest(StrictModel):
    credential_id: str = Field(min_length=1, max_length=40, pattern=CREDENTIAL_ID)


class CertificateOut(Model):
    certificate_id: str = Field(description="Printed on the certificate, e.g. C-7Q2M-9XKD-41PA")
    verification_code: str = Field(description="Printed on the certificate, in groups of four")
    verification_path: str = Field(description="The public verification page of this certificate (the QR code's link)")
    status: Literal["rendering", "ready", "withdrawn"] = Field(
        description="ready: the PDF can be downloaded; rendering: being prepared (seconds); withdrawn: replaced by a"
        " corrected one"
    )
    credential_id: str
    credential_title: str
    holder_name: str = Field(description="The name as printed")
    cycle: int
    created_at: datetime
    credential_status: Literal["earned", "expiring", "expired", "revoked"] | None = Field(
        description="The credential's live status"
    )
    download_path: str | None = Field(
        description="Where the PDF downloads from (one being prepared is rendered on the way); none once withdrawn"
    )
    replaced_by: str | None = Field(None, description="withdrawn: the certificate id that replaced it")


class CertificateList(Model):
    certificates: list[CertificateOut]


class DownloadLink(Model):
    url: str = Field(description="A link to the PDF, valid for expires_in seconds; it downloads as an attachment")
    expires_in: int


class VerifiedCredential(Model):
    credential_id: str
    title: str
    kind: str


class VerificationOut(Model):
    status: Literal["valid", "expired", "revoked", "withdrawn", "unavailable"] = Field(
        description="valid; expired; revoked by the program; withdrawn (replaced by a corrected certificate);"
        " unavailable: the holder's data was erased, so nothing more can be shown"
    )
    certificate_id: str
    credential: VerifiedCredential | None = Field(description="Absent when unavailable")
    holder_name: str | None = Field(description="As printed; only while valid, expired or revoked")
    earned_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None = None
    replaced_by: str | None = None
    checked_at: datetime = Field(description="When this answer was made: the status is live")
