"""Request and response models of the profile, preferences and privacy routes."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from certtracker.core.api import Model, StrictModel
from certtracker.core.fields import CountryCode, EmailAddress, OneLine, Password, PersonName

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), OneLine]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), OneLine]
Language = Literal["en", "de", "es", "fr", "it", "ja", "ko", "pt-BR", "zh-CN", "zh-TW"]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=32, pattern=r"^\+?[0-9 ()./-]+$"),
    Field(description="Stored as E.164; without a + it is read in the profile's country"),
]


class AddressModel(StrictModel):
    line1: Text | None = None
    line2: Text | None = None
    city: ShortText | None = None
    region: ShortText | None = None
    postal_code: (
        Annotated[
            str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16, pattern=r"^[A-Za-z0-9 -]+$")
        ]
        | None
    ) = None
    country: CountryCode | None = None


class ProfilePatch(StrictModel):
    """Only the fields given change; null removes an optional one."""

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: EmailAddress | None = Field(None, description="Becomes the login email once the link sent to it is opened")
    phone: Phone | None = None
    address: AddressModel | None = None
    company: ShortText | None = None
    job_role: ShortText | None = None
    country: CountryCode | None = None
    preferred_language: Language | None = None
    current_password: Password | None = Field(
        None, description="Needed (and only used) when `email` asks for a new address: a sensitive change"
    )

    @field_validator("first_name", "last_name", "email", "country", mode="before")
    @classmethod
    def _required_fields_cannot_be_removed(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("cannot be removed, only changed")
        return value


class Profile(Model):
    first_name: str
    last_name: str
    email: str
    pending_email: str | None = Field(None, description="A new address waiting for its link to be opened")
    phone: str | None = None
    address: dict[str, str | None] | None = None
    company: str | None = None
    job_role: str | None = None
    country: str
    preferred_language: str | None = None

    @field_validator("address", mode="before")
    @classmethod
    def _stored_map_as_dict(cls, value: Any) -> Any:
        return value.as_dict() if hasattr(value, "as_dict") else value


class ProfileWithNotice(Profile):
    """The answer to a change that asked for a new email address."""

    message: str = Field(description="What happens next with the new address")


class HistoryEntry(Model):
    at: datetime
    kind: str
    details: dict[str, Any]


class NotificationChoices(StrictModel):
    exam_results: bool
    expiry_reminders: bool
    share_views: bool
    support_replies: bool


class PreferencesBody(StrictModel):
    notifications: NotificationChoices
    marketing_opt_in: bool


class Unsubscribed(Model):
    topic: str
    message: str


class ErasureRequest(StrictModel):
    password: Password
