"""Response models of the catalog routes."""

from typing import Literal

from pydantic import ConfigDict, Field

from certtracker.core.api import Model
from certtracker.core.fields import CREDENTIAL_ID, CredentialIdPath

__all__ = ["CREDENTIAL_ID", "CredentialIdPath"]  # and the models below: the catalog routes' contract


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


class ExamVersion(Model):
    exam_id: str
    title: str
    retired: bool = Field(description="A retired version cannot be booked; it counts only where a requirement lists it")


class Requirement(Model):
    """One node of a credential's requirement tree (`type` says which fields it uses)."""

    type: Literal["all_of", "any_of", "n_of", "exam", "credential"] = Field(
        description="all_of: every child; any_of: one child; n_of: `count` children; exam: a pass of one of "
        "`exams`; credential: `credential_id` held and valid"
    )
    children: list["Requirement"] = Field(description="all_of, any_of, n_of: the requirements combined; else empty")
    count: int | None = Field(None, description="n_of: how many children must be met")
    exams: list[ExamVersion] = Field(description="exam: the exam versions that count; else empty")
    within_months: int | None = Field(None, description="exam: the pass counts for this many months, if set")
    credential_id: str | None = Field(None, description="credential: the prerequisite")


class Recertification(Model):
    renewal_window_days: int = Field(description="Meeting `requirements` this many days before expiry renews")
    requirements: Requirement


class Credential(Model):
    credential_id: str
    kind: Literal["accreditation", "certification"] = Field(
        description="accreditation: online assessments; certification: proctored exams"
    )
    level: Literal["foundation", "specialist", "professional"]
    title: str
    track: str
    description: str
    validity_months: int = Field(description="How long the credential is valid once earned")
    requirements: Requirement
    recertification: Recertification


class CredentialCatalog(Model):
    credentials: list[Credential]
