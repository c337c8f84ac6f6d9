"""The candidate's credentials: what they hold, by cycle, their progress toward every credential, their plan,
and the logos of those still valid."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.credentials import HeldCredentials, LogoLink, Logos, Plan, ProgressList
from certtracker.core import aws, clock
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.fields import CredentialIdPath
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import CredentialsSettings, load
from certtracker.credentials import views

# The progress and plan routes import the evaluator's answers where they use them: the held credentials' and the
# logos' routes load none of it (with SnapStart, all, before the snapshot).
aws.load_before_snapshot("certtracker.credentials.progress_views")

settings = load(CredentialsSettings)
app = CertTrackerResolver()


@app.get("/me/credentials", tags=["credentials"], responses=error_responses(401))
def my_credentials() -> HeldCredentials:
    """The credentials I hold or held, each by its latest cycle: earned, expiring (within 90 days), expired or
    revoked, with the dates and the cycles before it."""
    return views.held(app.caller().account_id, clock.now())


@app.get("/me/progress", tags=["credentials"], responses=error_responses(401))
def my_progress() -> ProgressList:
    """My progress toward every credential: its status (not_started, in_progress, earned, expiring, expired,
    revoked), the percent met, and the requirement tree with each node met or not and what met it."""
    from certtracker.credentials import progress_views

    return progress_views.progress_list(app.caller().account_id, clock.now())


@app.get("/me/plan", tags=["credentials"], responses=error_responses(401))
def my_plan() -> Plan:
    """My plan: for each credential I do not hold, the smallest set of exams still to pass that can be booked
    today, and a dated timeline of what lapses when (expiries, renewal windows, results ageing out)."""
    from certtracker.credentials import progress_views

    return progress_views.plan_answer(app.caller().account_id, clock.now())


@app.get("/me/logos", tags=["credentials"], responses=error_responses(401))
def my_logos() -> Logos:
    """The logos of the credentials I hold and that are still valid (earned or expiring), with their download
    paths. A logo may be used only while its credential is valid."""
    return views.logos(app.caller().account_id, clock.now())


@app.get(
    "/me/logos/<credential_id>/download",
    tags=["credentials"],
    responses={
        302: {"description": "Location: a link to the file, valid five minutes, that downloads it as an attachment"},
        **error_responses(401, 404, 422),
    },
)
def download_logo(
    credential_id: CredentialIdPath,
    format: Annotated[Literal["svg", "png"], Query()] = "png",
) -> Response[LogoLink | None]:
    """A logo of a credential I hold and that is still valid: 302 to a presigned link valid five minutes, or
    `{"url": ...}` with `Accept: application/json` (for a page's script). 404 when I do not hold the credential,
    or it expired or was revoked."""
    url = views.logo_link(app.caller().account_id, credential_id, format, settings.logos_bucket, clock.now())
    return app.download(url, LogoLink(url=url, expires_in=views.LOGO_LINK_SECONDS))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
