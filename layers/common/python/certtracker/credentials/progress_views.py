"""The answers of the progress and plan routes: what each credential still needs, in the API's contract. Apart from
the held credentials' and the logos' answers (`views`), so that those routes load none of the evaluator."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from certtracker.contract.catalog import ExamVersion
from certtracker.contract.credentials import (
    CredentialProgress,
    MetBy,
    Plan,
    PlannedExam,
    PlannedLapse,
    PlanStep,
    ProgressList,
    ProgressNode,
)
from certtracker.credentials import requirements, standing
from certtracker.credentials.catalog import titles as credential_titles
from certtracker.credentials.progress import plan, progress
from certtracker.exams import catalog as exam_catalog

if TYPE_CHECKING:
    from datetime import datetime

    from certtracker.credentials.evaluator import Evaluation


def exam_versions(exam_ids: tuple[str, ...]) -> list[ExamVersion]:
    """The versions an exam requirement lists, each with its title and whether it can still be booked."""
    return [
        ExamVersion(exam_id=exam_id, title=title, retired=retired)
        for exam_id in exam_ids
        for title, retired in [exam_catalog.title_and_retired(exam_id)]
    ]


def _node(evaluation: Evaluation) -> ProgressNode:
    common: dict[str, Any] = {
        "met": evaluation.met,
        "met_units": evaluation.met_units,
        "total_units": evaluation.total_units,
        "children": [_node(child) for child in evaluation.children],
        "exams": [],
    }
    met_by = None
    if evaluation.met and evaluation.result is not None:
        result = evaluation.result
        met_by = MetBy(exam_id=result.exam_id, result_id=result.result_id, taken_at=result.taken_at)
    elif evaluation.met and evaluation.credential is not None:
        met_by = MetBy(credential_id=evaluation.credential.credential_id, expires_at=evaluation.credential.expires_at)
    match evaluation.node:
        case requirements.AllOf():
            return ProgressNode(type="all_of", **common)
        case requirements.AnyOf():
            return ProgressNode(type="any_of", **common)
        case requirements.NOf(count, _):
            return ProgressNode(type="n_of", count=count, **common)
        case requirements.ExamRequirement(exam_ids, within_months):
            common["exams"] = exam_versions(exam_ids)
            return ProgressNode(type="exam", within_months=within_months, met_by=met_by, **common)
        case requirements.CredentialRequirement(prerequisite):
            return ProgressNode(type="credential", credential_id=prerequisite, met_by=met_by, **common)
    raise TypeError(f"unknown requirement node {evaluation.node!r}")


def progress_list(account_id: str, now: datetime) -> ProgressList:
    return ProgressList(
        credentials=[
            CredentialProgress(
                credential_id=entry.credential.credential_id,
                title=entry.credential.title,
                kind=entry.credential.kind,
                level=entry.credential.level,
                track=entry.credential.track,
                status=entry.status,
                percent=entry.percent,
                expires_at=entry.latest.expires_at if entry.latest else None,
                revoked_at=entry.latest.revoked_at if entry.latest and entry.latest.revoked else None,
                revocation_reason=standing.revocation_reason(entry.latest) if entry.latest else None,
                blocked_by=entry.blocked_by,
                requirements=_node(entry.evaluation),
            )
            for entry in progress(account_id, now)
        ]
    )


def plan_answer(account_id: str, now: datetime) -> Plan:
    titles, planned = credential_titles(), plan(account_id, now)
    return Plan(
        steps=[
            PlanStep(
                credential_id=step.credential_id,
                title=titles.get(step.credential_id, step.credential_id),
                status=planned.statuses[step.credential_id],  # type: ignore[arg-type]  # not held: one of three
                exams=[PlannedExam(exam_id=i, title=exam_catalog.title_and_retired(i)[0]) for i in step.exams],
                bookable=step.bookable,
                blocked_by=step.blocked_by,
            )
            for step in planned.steps
        ],
        timeline=[
            PlannedLapse(
                on=lapse.on,
                what=lapse.what,
                credential_id=lapse.credential_id,
                title=titles.get(lapse.credential_id, lapse.credential_id),
                exam_id=lapse.exam_id,
            )
            for lapse in planned.timeline
        ],
    )
