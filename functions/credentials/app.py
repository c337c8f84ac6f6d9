"""The candidate's credentials: what they hold, by cycle, and their progress toward every credential."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.catalog import ExamVersion
from certtracker.contract.credentials import (
    CredentialProgress,
    Cycle,
    HeldCredential,
    HeldCredentials,
    MetBy,
    Plan,
    PlannedExam,
    PlannedLapse,
    PlanStep,
    ProgressList,
    ProgressNode,
)
from certtracker.core import clock
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import CredentialsSettings, load
from certtracker.credentials import awards, requirements
from certtracker.credentials.catalog import all_credentials
from certtracker.credentials.progress import plan, progress
from certtracker.exams import catalog as exam_catalog

settings = load(CredentialsSettings)
app = CertTrackerResolver()


@app.get("/me/credentials", tags=["credentials"], responses=error_responses(401))
def my_credentials() -> HeldCredentials:
    """The credentials I hold or held, each by its latest cycle: earned, expiring (within 90 days), expired or
    revoked, with the dates and the cycles before it."""
    titles = {credential.credential_id: credential.title for credential in all_credentials()}
    held = awards.held(app.caller().account_id, clock.now())
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
                past_cycles=[
                    Cycle(cycle=past.cycle, earned_at=past.earned_at, expires_at=past.expires_at, revoked=past.revoked)
                    for past in entry.past
                ],
            )
            for entry in held
        ]
    )


@app.get("/me/progress", tags=["credentials"], responses=error_responses(401))
def my_progress() -> ProgressList:
    """My progress toward every credential: its status (not_started, in_progress, earned, expiring, expired,
    revoked), the percent met, and the requirement tree with each node met or not and what met it."""

    def node(evaluation: requirements.Evaluation) -> ProgressNode:
        common = {
            "met": evaluation.met,
            "met_units": evaluation.met_units,
            "total_units": evaluation.total_units,
            "children": [node(child) for child in evaluation.children],
            "exams": [],
        }
        met_by = None
        if evaluation.met and evaluation.result is not None:
            result = evaluation.result
            met_by = MetBy(exam_id=result.exam_id, result_id=result.result_id, taken_at=result.taken_at)
        elif evaluation.met and evaluation.credential is not None:
            held = evaluation.credential
            met_by = MetBy(credential_id=held.credential_id, expires_at=held.expires_at)
        match evaluation.node:
            case requirements.AllOf():
                return ProgressNode(type="all_of", **common)
            case requirements.AnyOf():
                return ProgressNode(type="any_of", **common)
            case requirements.NOf(count, _):
                return ProgressNode(type="n_of", count=count, **common)
            case requirements.ExamRequirement(exam_ids, within_months):
                versions = [
                    ExamVersion(exam_id=i, title=title, retired=retired)
                    for i in exam_ids
                    for title, retired in [exam_catalog.title_and_retired(i)]
                ]
                return ProgressNode(
                    type="exam", within_months=within_months, met_by=met_by, **{**common, "exams": versions}
                )
            case requirements.CredentialRequirement(prerequisite):
                return ProgressNode(type="credential", credential_id=prerequisite, met_by=met_by, **common)
        raise TypeError(f"unknown requirement node {evaluation.node!r}")

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
                requirements=node(entry.evaluation),
            )
            for entry in progress(app.caller().account_id, clock.now())
        ]
    )


@app.get("/me/plan", tags=["credentials"], responses=error_responses(401))
def my_plan() -> Plan:
    """My plan: for each credential I do not hold, the smallest set of exams still to pass that can be booked
    today, and a dated timeline of what lapses when (expiries, renewal windows, results ageing out)."""
    caller, now = app.caller().account_id, clock.now()
    titles = {credential.credential_id: credential.title for credential in all_credentials()}
    planned = plan(caller, now)
    return Plan(
        steps=[
            PlanStep(
                credential_id=step.credential_id,
                title=titles.get(step.credential_id, step.credential_id),
                status=planned.statuses[step.credential_id],  # type: ignore[arg-type]  # not held: one of three
                exams=[PlannedExam(exam_id=i, title=exam_catalog.title_and_retired(i)[0]) for i in step.exams],
                bookable=step.bookable,
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


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
