"""Who am I: the caller's account, as the session identifies it."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.accounts.identity import session_account
from certtracker.contract.me import Me
from certtracker.core import aws
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import MeSettings, load

aws.load_before_snapshot("certtracker.partner_addresses")  # a partner employee's route only

settings = load(MeSettings)
app = CertTrackerResolver()


@app.get("/me", tags=["accounts"], responses=error_responses(401))
def me() -> Me:
    """Who am I: the account of this session."""
    account = session_account(app.caller().account_id)
    me = Me.model_validate(account, from_attributes=True)
    if account.partner_id:  # a partner employee's only: the company's name, one read of the partners table
        from certtracker import partner_addresses

        me.partner_name = partner_addresses.company_name(account.partner_id)
    return me


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
