"""Who am I: the caller's account, as the session identifies it."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.accounts.identity import session_account
from certtracker.contract.me import Me
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import MeSettings, load

settings = load(MeSettings)
app = CertTrackerResolver()


@app.get("/me", tags=["accounts"], responses=error_responses(401))
def me() -> Me:
    """Who am I: the account of this session."""
    return Me.model_validate(session_account(app.caller().account_id), from_attributes=True)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
