"""Privacy: export everything CertTracker holds about me, and erase my account."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.profile import ErasureRequest
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import PrivacySettings, load
from certtracker.profile import personal_data

settings = load(PrivacySettings)
app = CertTrackerResolver()


@app.get("/me/export", tags=["privacy"], responses=error_responses(401))
def export() -> Response[dict[str, Any]]:
    """Everything CertTracker holds about me, as one JSON document."""
    document = personal_data.export(app.caller().account_id)
    disposition = 'attachment; filename="certtracker-my-data.json"'
    return Response(200, content_types.APPLICATION_JSON, document, headers={"Content-Disposition": disposition})


@app.delete("/me", tags=["privacy"], status_code=204, responses=error_responses(401, 403, 409, 413, 422, 429))
def erase(body: ErasureRequest) -> Response[None]:
    """Erase my account and personal data (needs my password); every session and link ends.

    Kept: a tombstone with the account id and the time of erasure, so that what refers to the
    account can say it is no longer available.
    """
    caller = app.caller()
    personal_data.erase(caller.account_id, caller.session_id, body.password)
    return Response(204)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
