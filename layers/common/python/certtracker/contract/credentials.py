"""Response models of the credentials routes."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from certtracker.contract.catalog import ExamVersion
from certtracker.core.api import Model


class Cycle(Model):
    cycle: int = Field(description="1 for the first award; earning it again after it expired starts the next")
    earned_at: datetime
    expires_at: datetime
    revoked: bool


class HeldCredential(Model):
    credential_id: str
    title: str
    award_id: str = Field(description="The award's own id (certificates and their verification codes point to it)")
    status: Literal["earned", "expiring", "expired", "revoked"] = Field(
        description="expiring: within 90 days of its expiry; expired and revoked ones no longer count"
    )
    cycle: int
    earned_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = Field(None, description="revoked: when")
    revocation_reason: str | None = Field(None, description="revoked: why, in plain words")
    past_cycles: list[Cycle] = Field(description="Earlier cycles of this credential, oldest first")


class HeldCredentials(Model):
    credentials: list[HeldCredential]


class MetBy(Model):
    """What met a requirement: a passed result, or a credential held."""

    exam_id: str | None = None
    result_id: str | None = None
    taken_at: datetime | None = None
    credential_id: str | None = None
    expires_at: datetime | None = None


class ProgressNode(Model):
    """One node of a credential's requirement tree, evaluated for me now."""

    type: Literal["all_of", "any_of", "n_of", "exam", "credential"]
    met: bool
    met_units: int = Field(description="Progress units met: an n_of counts as its count, an any_of as one")
    total_units: int
    children: list["ProgressNode"]
    count: int | None = Field(None, description="n_of: how many children must be met")
    exams: list[ExamVersion] = Field(description="exam: the versions that count (a retired one only where listed)")
    within_months: int | None = Field(None, description="exam: a pass counts for this many months")
    credential_id: str | None = Field(None, description="credential: the prerequisite, held and valid")
    met_by: MetBy | None = None


class CredentialProgress(Model):
    credential_id: str
    title: str
    kind: Literal["accreditation", "certification"]
    level: str
    track: str
    status: Literal["not_started", "in_progress", "earned", "expiring", "expired", "revoked"]
    percent: int = Field(
        description="100 while held and valid; else how much of the requirements its next award has met now"
        " (a revoked credential's requirements as they were met: the pages show the revocation instead)"
    )
    expires_at: datetime | None = Field(None, description="The latest cycle's expiry, if ever earned")
    revoked_at: datetime | None = Field(None, description="revoked: when")
    revocation_reason: str | None = Field(None, description="revoked: why, in plain words")
    blocked_by: str | None = Field(
        None, description="A revoked credential that every way to this one needs: no exam can earn it now"
    )
    requirements: ProgressNode


class ProgressList(Model):
    credentials: list[CredentialProgress]


class PlannedExam(Model):
    exam_id: str
    title: str


class PlanStep(Model):
    credential_id: str
    title: str
    status: Literal["not_started", "in_progress", "expired"]
    exams: list[PlannedExam] = Field(
        description="The smallest set of exams still to pass that can be booked today (retired versions never)"
    )
    bookable: bool = Field(description="false when no bookable exams can earn it today")
    blocked_by: str | None = Field(
        None,
        description="A revoked credential that every way to this one needs: no exam is offered; the Program Support"
        " Team can say more",
    )


class PlannedLapse(Model):
    on: datetime
    what: Literal["credential_expires", "renewal_window_opens", "result_ages_out"]
    credential_id: str
    title: str
    exam_id: str | None = Field(None, description="result_ages_out: the exam whose pass stops counting")


class Plan(Model):
    steps: list[PlanStep]
    timeline: list[PlannedLapse] = Field(description="What lapses when, soonest first")


class LogoDownloads(Model):
    svg: str = Field(description="The SVG's download path (answers 302 to a five-minute link)")
    png: str = Field(description="The PNG's download path (answers 302 to a five-minute link)")


class Logo(Model):
    credential_id: str
    title: str
    status: Literal["earned", "expiring"]
    expires_at: datetime = Field(description="The logo may be used until then")
    downloads: LogoDownloads


class Logos(Model):
    logos: list[Logo] = Field(description="The logos of the credentials I hold and that are still valid")


class LogoLink(Model):
    url: str = Field(description="A presigned link to the file, valid five minutes, that downloads it as an attachment")
    expires_in: int = Field(description="Seconds the link stays valid")
