"""Request and response models of the certificates and verification routes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from certtracker.core.api import Model, StrictModel
from certtracker.core.fields import CREDENTIAL_ID, OneLine


class CertificateRequest(StrictModel):
    credential_id: str = Field(min_length=1, max_length=40, pattern=CREDENTIAL_ID)


class CertificateOut(Model):
    certificate_id: str = Field(description="Printed on the certificate, e.g. C-7Q2M-9XKD-41PA")
    verification_code: str = Field(description="Printed on the certificate, in groups of four")
    verification_path: str = Field(description="The public verification page of this certificate (the QR code's link)")
    status: Literal["rendering", "ready", "withdrawn", "superseded"] = Field(
        description="ready: the PDF can be downloaded; rendering: being prepared (seconds, or until its first"
        " download once re-issued); withdrawn: replaced by a corrected one; superseded: re-issued in a name the"
        " program approved"
    )
    credential_id: str
    credential_title: str
    holder_name: str = Field(description="The name as printed: the name the award carries, not the profile's")
    cycle: int
    created_at: datetime
    credential_status: Literal["earned", "expiring", "expired", "revoked"] | None = Field(
        description="The credential's live status"
    )
    download_path: str | None = Field(
        description="Where the PDF downloads from (one being prepared is rendered on the way); none once withdrawn"
        " or superseded"
    )
    replaced_by: str | None = Field(None, description="withdrawn or superseded: the certificate id that replaced it")
    superseded_at: datetime | None = Field(None, description="superseded: when the name change was approved")


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
    status: Literal["valid", "expired", "revoked", "withdrawn", "superseded", "unavailable"] = Field(
        description="valid; expired; revoked by the program; withdrawn (replaced by a corrected certificate);"
        " superseded (issued again in another name the program approved, on superseded_at; the new name is not"
        " shown); unavailable: the holder's data was erased, so nothing more can be shown"
    )
    certificate_id: str
    credential: VerifiedCredential | None = Field(description="Absent when unavailable")
    holder_name: str | None = Field(description="As printed; only while valid, expired or revoked")
    earned_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None = None
    replaced_by: str | None = None
    superseded_at: datetime | None = Field(None, description="superseded: when")
    checked_at: datetime = Field(description="When this answer was made: the status is live")


CertificateName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine]


class NameChangeAsk(StrictModel):
    new_name: CertificateName = Field(
        description="The name as the certificates should print it, in full (given and family names, in their order)"
    )
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), OneLine] = Field(
        description="Why: e.g. a marriage, a misspelling. The Program Support Team may ask for a document"
    )


class NameChangeOut(Model):
    request_id: str
    new_name: str
    reason: str
    status: Literal["pending", "approved", "refused"]
    created_at: datetime
    decided_at: datetime | None = None
    decision_reason: str | None = Field(None, description="The Program Support Team's words, once decided")


class NameChanges(Model):
    current_names: list[str] = Field(
        description="The names my current credentials' certificates and badges print (one, unless certificates"
        " from before names were kept still differ)"
    )
    requests: list[NameChangeOut] = Field(description="Newest first; at most one pending")
