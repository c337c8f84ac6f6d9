"""Response models of the catalog routes."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from certtracker.core.api import Model


class Exam(Model):
    model_config = ConfigDict(from_attributes=True)

    exam_id: str
    title: str
    kind: Literal["exam", "assessment"]
    delivery: Literal["test_center_or_online_proctored", "online_unproctored"]
    track: str
    languages: list[str]
    pass_mark: int = Field(description="Percent needed to pass")
    duration_minutes: int
    retake_wait_days: int = Field(description="Days to wait before a retake after a failure")
    retired: bool
    replaced_by: str | None = Field(None, description="The exam that replaced a retired one")


class ExamCatalog(Model):
    exams: list[Exam]
