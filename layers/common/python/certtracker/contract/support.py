"""Request and response models of the support routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from certtracker.api import StrictModel
from certtracker.fields import EmailAddress, PersonName, printable

Category = Literal["login", "exams", "certificates", "partner_account", "other"]
Subject = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=150), AfterValidator(printable)
]
# A message keeps its line breaks; other control characters are refused.
Message = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=10, max_length=5000),
    AfterValidator(lambda text: printable(text.replace("\n", " ").replace("\r", " ")) and text),
]


class SupportRequestBody(StrictModel):
    category: Category
    subject: Subject
    message: Message


class AnonymousSupportRequestBody(SupportRequestBody):
    name: PersonName
    email: EmailAddress


class Filed(BaseModel):
    reference: str = Field(description="Quote it in any message about this request")
    message: str


class SupportRequestOut(BaseModel):
    reference: str
    category: Category
    subject: str
    status: Literal["open", "answered", "closed"]
    created_at: datetime


class SupportRequestList(BaseModel):
    requests: list[SupportRequestOut]
    next_cursor: str | None = None
