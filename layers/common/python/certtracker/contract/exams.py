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


class WebhookResult(StrictModel):
    """What Pearson VUE posts for each result (exams and assessments alike)."""

    result_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    registration_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    score: int = Field(ge=0, le=100, description="Percent")
    passed: bool
    taken_at: datetime
    delivery: Literal["test_center", "online_proctored", "online_unproctored"]


class WebhookAnswer(BaseModel):
    status: Literal["stored", "duplicate", "parked"]


class ExamResultOut(BaseModel):
    result_id: str
    exam_id: str
    kind: Literal["exam", "assessment"]
    delivery: str
    taken_at: datetime
    score: int
    pass_mark: int
    passed: bool


class ExamHistory(BaseModel):
    results: list[ExamResultOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; absent on the last")
