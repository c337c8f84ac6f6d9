"""Request and response models of the exam registration and history routes (Pearson VUE's result webhook:
certtracker.contract.pearson_vue)."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from certtracker.core.api import Model, StrictModel


class RegistrationRequest(StrictModel):
    exam_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9-]+$")
    ]


class Registration(Model):
    registration_id: str
    exam_id: str
    kind: Literal["exam", "assessment"]
    status: str
    created_at: datetime
    valid_until: datetime
    scheduling_url: str | None = Field(
        None, description="Pearson VUE scheduling (exams) or the launch page (assessments); valid ten minutes"
    )


class RegistrationList(Model):
    registrations: list[Registration]


class ExamResultOut(Model):
    result_id: str
    exam_id: str
    kind: Literal["exam", "assessment"]
    delivery: str
    taken_at: datetime
    score: int
    pass_mark: int
    passed: bool


class ExamHistory(Model):
    results: list[ExamResultOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page; absent on the last")
