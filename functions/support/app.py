"""Contacting the Program Support Team: logged in (with a history) or, for login problems, anonymously."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.support import (
    AnonymousSupportRequestBody,
    Filed,
    SupportRequestBody,
    SupportRequestList,
    SupportRequestOut,
)
from certtracker.core.api import CertTrackerResolver, IdempotencyKey, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import SupportSettings, load
from certtracker.support import requests as support

settings = load(SupportSettings)
app = CertTrackerResolver(client_address_from=settings.client_address_from)


def _answer(filed: support.Filed) -> Response[Filed]:
    message = (
        f"This request was already filed as {filed.reference}."
        if filed.resubmitted
        else f"Your request is filed as {filed.reference}; a confirmation is on its way by email."
        if filed.confirmation_sent
        else f"Your request is filed as {filed.reference}. The confirmation email could not be sent just now: "
        "keep this reference."
    )
    return Response(201, content_types.APPLICATION_JSON, Filed(reference=filed.reference, message=message))


@app.post("/support/requests", tags=["support"], status_code=201, responses=error_responses(413, 422, 429))
def file_anonymous(body: AnonymousSupportRequestBody, idempotency_key: IdempotencyKey = None) -> Response[Filed]:
    """Contact the Program Support Team without logging in (for login problems); limited per address and email."""
    return _answer(
        support.file_anonymously(
            name=body.name,
            email_address=body.email,
            category=body.category,
            subject=body.subject,
            message=body.message,
            source_address=app.source_ip(),
            idempotency_key=idempotency_key,
        )
    )


@app.post("/me/support-requests", tags=["support"], status_code=201, responses=error_responses(401, 413, 422, 429))
def file_mine(body: SupportRequestBody, idempotency_key: IdempotencyKey = None) -> Response[Filed]:
    """Contact the Program Support Team as myself (name and email come from my account); ten an hour."""
    return _answer(
        support.file_for_account(
            app.caller().account_id,
            category=body.category,
            subject=body.subject,
            message=body.message,
            idempotency_key=idempotency_key,
        )
    )


@app.get("/me/support-requests", tags=["support"], responses=error_responses(401, 422))
def list_mine(cursor: Annotated[str | None, Query(min_length=1, max_length=1024)] = None) -> SupportRequestList:
    """My support requests, newest first, with their status; page with next_cursor."""
    page = support.list_for_account(app.caller().account_id, cursor)
    return SupportRequestList(
        requests=[SupportRequestOut.model_validate(item, from_attributes=True) for item in page.requests],
        next_cursor=page.next_cursor,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
