"""Request and response models of the support routes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from certtracker.core.api import Model, StrictModel
from certtracker.core.fields import EmailAddress, MultiLine, OneLine, PersonName

Category = Literal["login", "exams", "certificates", "partner_account", "other"]
# The subject goes into an email's Subject header: one line (fields.one_line).
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=150), OneLine]
# A message keeps its line breaks and tabs (fields.multi_line).
Message = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=5000), MultiLine]


class SupportRequestBody(StrictModel):
    category: Category
    subject: Subject
    message: Message


class AnonymousSupportRequestBody(SupportRequestBody):
    name: PersonName
    email: EmailAddress


class Filed(Model):
    reference: str = Field(description="Quote it in any message about this request")
    message: str


class SupportRequestOut(Model):
    reference: str
    category: Category
    subject: str
    status: Literal["open", "answered", "closed"]
    created_at: datetime


class SupportRequestList(Model):
    requests: list[SupportRequestOut]
    next_cursor: str | None = None
