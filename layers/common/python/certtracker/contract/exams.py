"""Request and response models of the exam registration routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from certtracker.api import StrictModel


class RegistrationRequest(StrictModel):
    exam_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    ]


class Registration(BaseModel):
    registration_id: str
    exam_id: str
    kind: Literal["exam", "assessment"]
    status: str
    created_at: datetime
    valid_until: datetime
    scheduling_url: str | None = Field(
        None, description="Pearson VUE scheduling (exams) or the launch page (assessments); valid ten minutes"
    )


class RegistrationList(BaseModel):
    registrations: list[Registration]
