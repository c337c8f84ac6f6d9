"""The credentials routes' answers, shaped in the API's contract from the domain (the handler stays thin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from certtracker.contract.catalog import ExamVersion
from certtracker.contract.credentials import (
    CredentialProgress,
    Cycle,
    HeldCredential,
    HeldCredentials,
    Logo,
    LogoDownloads,
    Logos,
    MetBy,
    Plan,
    PlannedExam,
    PlannedLapse,
    PlanStep,
    ProgressList,
    ProgressNode,
)
from certtracker.core import aws
from certtracker.core.errors import NotFound
from certtracker.credentials import awards, evaluator, requirements, standing
from certtracker.credentials.catalog import titles as credential_titles
from certtracker.credentials.progress import plan, progress
from certtracker.exams import catalog as exam_catalog

LOGO_LINK_SECONDS = 300
LOGO_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def exam_versions(exam_ids: tuple[str, ...]) -> list[ExamVersion]:
    """The versions an exam requirement lists, each with its title and whether it can still be booked."""
    return [
        ExamVersion(exam_id=exam_id, title=title, retired=retired)
        for exam_id in exam_ids
        for title, retired in [exam_catalog.title_and_retired(exam_id)]
    ]


def held(account_id: str, now: datetime) -> HeldCredentials:
    titles = credential_titles()
    return HeldCredentials(
        credentials=[
            HeldCredential(
                credential_id=entry.current.credential_id,
                title=titles.get(entry.current.credential_id, entry.current.credential_id),
                award_id=entry.current.award_id,
                status=entry.status,
                cycle=int(entry.current.cycle),
                earned_at=entry.current.earned_at,
                expires_at=entry.current.expires_at,
                revoked_at=entry.current.revoked_at if entry.current.revoked else None,
                revocation_reason=standing.revocation_reason(entry.current),
                past_cycles=[
                    Cycle(cycle=past.cycle, earned_at=past.earned_at, expires_at=past.expires_at, revoked=past.revoked)
                    for past in entry.past
                ],
            )
            for entry in awards.held(account_id, now)
        ]
    )


def _node(evaluation: evaluator.Evaluation) -> ProgressNode:
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


def _valid(account_id: str, now: datetime) -> list[awards.Held]:
    """Credentials held and still valid: the only ones whose logo may be used."""
    return [entry for entry in awards.held(account_id, now) if entry.valid]


def logos(account_id: str, now: datetime) -> Logos:
    titles = credential_titles()
    found = []
    for entry in _valid(account_id, now):
        credential_id = entry.current.credential_id
        base = f"/me/logos/{credential_id}/download?format="
        found.append(
            Logo(
                credential_id=credential_id,
                title=titles.get(credential_id, credential_id),
                status=entry.status,  # type: ignore[arg-type]  # one of the two, just checked
                expires_at=entry.current.expires_at,
                downloads=LogoDownloads(svg=base + "svg", png=base + "png"),
            )
        )
    return Logos(logos=found)


def logo_link(account_id: str, credential_id: str, kind: Literal["svg", "png"], bucket: str, now: datetime) -> str:
    """A presigned link to the logo, valid five minutes, that downloads as an attachment; NotFound unless the
    caller holds the credential and it is valid."""
    entry = awards.holding(account_id, credential_id, now)
    if entry is None or not entry.valid:
        # One answer for never held, lapsed and unknown: the caller learns nothing about other people's credentials.
        raise NotFound("You hold no valid credential with this id, so its logo cannot be downloaded.", code="no_logo")
    return str(
        aws.presigner().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": f"logos/{credential_id}.{kind}",
                "ResponseContentDisposition": f'attachment; filename="{credential_id}-logo.{kind}"',
                "ResponseContentType": LOGO_TYPES[kind],
            },
            ExpiresIn=LOGO_LINK_SECONDS,
        )
    )
