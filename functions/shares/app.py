"""Forwarding credentials to a third party: share links that expire, can be revoked and count their views."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.shares import Shared, SharedView, ShareList, ShareRequest
from certtracker.core import clock
from certtracker.core.api import CertTrackerResolver, IdempotencyKey, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import SharesSettings, load
from certtracker.shares import sharing, views

settings = load(SharesSettings)
app = CertTrackerResolver(client_address_from=settings.client_address_from)

# Enough for a recruiter's whole team opening a link; far too few to guess tokens (256 bits).
VIEWS_PER_ADDRESS = (60, timedelta(minutes=10))


@app.post("/me/shares", tags=["shares"], status_code=201, responses=error_responses(401, 409, 422, 429, 503))
def share(body: ShareRequest, idempotency_key: IdempotencyKey = None) -> Response[Shared]:
    """Share credentials I hold with someone (an employer, a customer): they get an email from the program,
    Reply-To me, with my name, my note and a link that works for `expires_in_days` days. 422
    `credential_not_held` names a credential I do not hold; 409 `credential_revoked` one the program revoked.
    Twenty shares a day, and five share emails a day to one recipient (429). With an `Idempotency-Key` (or the
    same form within ten minutes) a form sent twice makes one share. 503 `share_email_not_sent` when the email
    could not be sent: then nothing was shared."""
    shared = sharing.share(
        app.caller().account_id,
        recipient_email=body.recipient_email,
        credential_ids=body.credential_ids,
        expires_in_days=body.expires_in_days,
        message=body.message,
        idempotency_key=idempotency_key,
    )
    message = (
        "This share was already made; nothing new was sent."
        if shared.resubmitted
        else f"Shared: {body.recipient_email} has an email with the link."
    )
    answer = Shared(share_id=shared.share_id, expires_at=shared.expires_at, message=message)
    return Response(201, content_types.APPLICATION_JSON, answer)


@app.get("/me/shares", tags=["shares"], responses=error_responses(401))
def my_shares() -> ShareList:
    """My shares, newest first: to whom, what, until when, their status now and how often the link was opened
    (first and last time). Kept a year after they expired."""
    return views.shares(app.caller().account_id, clock.now())


@app.delete("/me/shares/<share_id>", tags=["shares"], status_code=204, responses=error_responses(401, 404))
def revoke(
    share_id: Annotated[str, Path(min_length=21, max_length=21, pattern=sharing.SHARE_ID_SHAPE)],
) -> Response[None]:
    """Revoke a share of mine: its link stops working at once (404). Revoking again changes nothing (204)."""
    sharing.revoke(app.caller().account_id, share_id)
    return Response(204)


@app.get("/shares/<token>", tags=["shares"], responses=error_responses(404, 410, 429))
def shared(token: Annotated[str, Path(min_length=1, max_length=128)]) -> Response[SharedView]:
    """Anyone with the link (public, no session): the holder's name and each shared credential with its live
    status, dates and verification page. 404 `share_not_found` when the link was revoked or never existed; 410
    `share_expired` once it expired; neither shows a name. Each answer counts as a view (its time only)."""
    app.limit_per_address(
        "share-view",
        VIEWS_PER_ADDRESS,
        code="too_many_share_views",
        message="Too many requests from here. Try again in {wait}.",
    )
    return app.private(views.shared(token, clock.now()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
