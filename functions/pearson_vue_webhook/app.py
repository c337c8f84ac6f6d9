"""Pearson VUE's results webhook: signed, replay-protected, exactly once."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from certtracker.contract.pearson_vue import WebhookAnswer, WebhookResult
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import PearsonVueWebhookSettings, load
from certtracker.credentials import intake
from certtracker.exams import results as exam_results

settings = load(PearsonVueWebhookSettings)
app = CertTrackerResolver()


# The body is read here, after the signature, so the resolver cannot document it: its refusals are listed.
@app.post(
    "/integrations/pearson-vue/results", tags=["integrations"], responses=error_responses(400, 401, 413, 415, 422)
)
def receive_result() -> WebhookAnswer:
    """A result from Pearson VUE (exam or assessment).

    Headers X-PearsonVUE-Timestamp (Unix seconds) and X-PearsonVUE-Signature ("sha256=" + hex HMAC-SHA256
    of "<timestamp>.<raw body>" with the shared secret); older than five minutes is refused. Body: see
    WebhookResult (strict types; `taken_at` with a time zone, not before 2000 nor in the future, else 422).
    A redelivery answers "duplicate" and changes nothing; a result that matches no registration, or whose
    `passed` contradicts its score and the exam's pass mark, is "parked" for the Program Support Team and
    stays out of the candidate's history.
    """
    event = app.current_event
    raw = event.body or ""
    # The signature first: an unsigned call learns nothing about what a valid body looks like.
    exam_results.verify_signature(
        event.headers.get("x-pearsonvue-timestamp"), event.headers.get("x-pearsonvue-signature"), raw
    )
    try:
        result = WebhookResult.model_validate_json(raw)
    except ValidationError as error:  # the resolver's one mapping: 400 invalid_json, or 422 naming the field
        raise RequestValidationError(error.errors(include_url=False, include_context=False)) from None
    delivered = exam_results.Delivered(**result.model_dump())
    return WebhookAnswer(status=intake.receive_result(delivered))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
