"""Request and response models of the shares routes: forwarding credentials to a third party."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from certtracker.core.api import Model, StrictModel
from certtracker.core.fields import CREDENTIAL_ID, EmailAddress, MultiLine

CredentialId = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=CREDENTIAL_ID)]
# A short note to the recipient: plain text (fields.multi_line), shown as text everywhere.
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), MultiLine]


class ShareRequest(StrictModel):
    recipient_email: EmailAddress
    credential_ids: list[CredentialId] = Field(
        min_length=1, max_length=20, description="Credentials I hold (not revoked), in the order to show them"
    )
    expires_in_days: int = Field(ge=1, le=90, description="How long the link works: 1 to 90 days")
    message: Note | None = Field(None, description="A short note to the recipient, plain text (at most 500 characters)")


class Shared(Model):
    share_id: str
    expires_at: datetime
    message: str = Field(description="What happened, for a person")


class ShareViews(Model):
    count: int = Field(description="How often the link was opened")
    first_viewed_at: datetime | None
    last_viewed_at: datetime | None


class SharedCredentialRef(Model):
    credential_id: str
    title: str


class ShareOut(Model):
    share_id: str
    recipient_email: str
    credentials: list[SharedCredentialRef]
    message: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    status: Literal["active", "expired", "revoked"]
    views: ShareViews


class ShareList(Model):
    shares: list[ShareOut]


class SharedCredentialOut(Model):
    credential_id: str
    title: str
    kind: str = Field(description="accreditation or certification")
    status: Literal["valid", "expired", "revoked"] = Field(description="Live: what it is at this moment")
    earned_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    verification_path: str | None = Field(
        description="The public verification page of the holder's certificate of it, when they have one"
    )


class SharedView(Model):
    holder_name: str
    credentials: list[SharedCredentialOut]
    message: str | None = Field(description="The holder's note, plain text")
    shared_at: datetime
    expires_at: datetime = Field(description="When this link stops working")
    checked_at: datetime = Field(description="When this answer was made: every status is live")
