"""The candidate's credentials: what they hold, and (with the credential catalog) their progress."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.credentials import Cycle, HeldCredential, HeldCredentials
from certtracker.core import clock
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import CredentialsSettings, load
from certtracker.credentials import awards

settings = load(CredentialsSettings)
app = CertTrackerResolver()


@app.get("/me/credentials", tags=["credentials"], responses=error_responses(401))
def my_credentials() -> HeldCredentials:
    """The credentials I hold or held, each by its latest cycle: earned, expiring (within 90 days), expired or
    revoked, with the dates and the cycles before it."""
    held = awards.held(app.caller().account_id, clock.now())
    return HeldCredentials(
        credentials=[
            HeldCredential(
                credential_id=entry.current.credential_id,
                award_id=entry.current.award_id,
                status=entry.status,
                cycle=entry.current.cycle,
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


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
