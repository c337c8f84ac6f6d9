"""Pearson VUE's results webhook: signed, replay-protected, exactly once."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from certtracker import exam_results
from certtracker.api import CertTrackerResolver, error_responses
from certtracker.contract.exams import WebhookAnswer, WebhookResult
from certtracker.errors import InvalidInput
from certtracker.observability import logger, metrics
from certtracker.settings import PearsonVueWebhookSettings, load

settings = load(PearsonVueWebhookSettings)
app = CertTrackerResolver()


@app.post("/integrations/pearson-vue/results", tags=["integrations"], responses=error_responses(401, 413, 422))
def receive_result() -> WebhookAnswer:
    """A result from Pearson VUE (exam or assessment).

    Headers X-PearsonVUE-Timestamp (Unix seconds) and X-PearsonVUE-Signature ("sha256=" + hex HMAC-SHA256
    of "<timestamp>.<raw body>" with the shared secret); older than five minutes is refused. Body: see
    WebhookResult. A redelivery answers "duplicate" and changes nothing; a result that matches no
    registration is "parked" for the Program Support Team.
    """
    event = app.current_event
    raw = event.body or ""
    # The signature first: an unsigned call learns nothing about what a valid body looks like.
    exam_results.verify_signature(
        event.headers.get("x-pearsonvue-timestamp"), event.headers.get("x-pearsonvue-signature"), raw
    )
    try:
        result = WebhookResult.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        raise InvalidInput(f"{field}: {first['msg']}.", field=field) from None
    delivered = exam_results.Delivered(**result.model_dump())
    return WebhookAnswer(status=exam_results.record(delivered))  # type: ignore[arg-type]


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
