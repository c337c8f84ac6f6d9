"""The candidate's credentials: what they hold, by cycle, their progress toward every credential, and the logos
of those still valid."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.catalog import ExamVersion
from certtracker.contract.credentials import (
    CredentialProgress,
    Cycle,
    HeldCredential,
    HeldCredentials,
    Logo,
    LogoDownloads,
    LogoLink,
    Logos,
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
from certtracker.core.errors import NotFound
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


LOGO_LINK_SECONDS = 300
LOGO_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


@app.get("/me/logos", tags=["credentials"], responses=error_responses(401))
def my_logos() -> Logos:
    """The logos of the credentials I hold and that are still valid (earned or expiring), with their download
    paths. A logo may be used only while its credential is valid."""
    titles = {credential.credential_id: credential.title for credential in all_credentials()}
    logos = []
    for entry in awards.held(app.caller().account_id, clock.now()):
        if entry.status not in ("earned", "expiring"):
            continue
        credential_id = entry.current.credential_id
        base = f"/me/logos/{credential_id}/download?format="
        logos.append(
            Logo(
                credential_id=credential_id,
                title=titles.get(credential_id, credential_id),
                status=entry.status,  # type: ignore[arg-type]  # one of the two, just checked
                expires_at=entry.current.expires_at,
                downloads=LogoDownloads(svg=base + "svg", png=base + "png"),
            )
        )
    return Logos(logos=logos)


@app.get(
    "/me/logos/<credential_id>/download",
    tags=["credentials"],
    responses={
        302: {"description": "Location: a link to the file, valid five minutes, that downloads it as an attachment"},
        **error_responses(401, 404, 422),
    },
)
def download_logo(
    credential_id: Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Z0-9-]+$")],
    format: Annotated[Literal["svg", "png"], Query()] = "png",
) -> Response[LogoLink | None]:
    """A logo of a credential I hold and that is still valid: 302 to a presigned link valid five minutes, or
    `{"url": ...}` with `Accept: application/json` (for a page's script). 404 when I do not hold the credential,
    or it expired or was revoked."""
    held = awards.held(app.caller().account_id, clock.now())
    entry = next((e for e in held if e.current.credential_id == credential_id), None)
    if entry is None or entry.status not in ("earned", "expiring"):
        # One answer for never held, lapsed and unknown: the caller learns nothing about other people's credentials.
        raise NotFound("You hold no valid credential with this id, so its logo cannot be downloaded.", code="no_logo")
    url = _s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings.logos_bucket,
            "Key": f"logos/{credential_id}.{format}",
            "ResponseContentDisposition": f'attachment; filename="{credential_id}-logo.{format}"',
            "ResponseContentType": LOGO_TYPES[format],
        },
        ExpiresIn=LOGO_LINK_SECONDS,
    )
    headers = {"Cache-Control": "no-store"}  # the link is the caller's, and expires
    if "application/json" in (app.current_event.headers.get("accept") or ""):
        return Response(200, content_types.APPLICATION_JSON, LogoLink(url=url, expires_in=LOGO_LINK_SECONDS), headers)
    return Response(302, headers={**headers, "Location": url})


@cache
def _s3() -> Any:
    """Signature V4 (required for objects encrypted with KMS, and what S3 expects); signing makes no call."""
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client("s3", config=Config(signature_version="s3v4"))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
