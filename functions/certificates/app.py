"""Electronic certificates of the credentials a candidate holds: requested, listed and downloaded; and the
candidate's requests to change the name they print."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.certificates import issuing, name_changes, records, views
from certtracker.contract.certificates import (
    CertificateList,
    CertificateOut,
    CertificateRequest,
    DownloadLink,
    NameChangeAsk,
    NameChangeOut,
    NameChanges,
)
from certtracker.core import clock
from certtracker.core.api import CertTrackerResolver, IdempotencyKey, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import CertificatesSettings, load

settings = load(CertificatesSettings)
app = CertTrackerResolver()
press = issuing.Press(settings.certificates_bucket, settings.web_base_url, settings.program_name)


@app.post(
    "/me/certificates",
    tags=["certificates"],
    responses={
        200: {"description": "This award already has its certificate: the stored one"},
        201: {"description": "A new certificate, rendered"},
        **error_responses(401, 404, 409, 422),
    },
)
def request_certificate(body: CertificateRequest) -> Response[CertificateOut]:
    """The certificate (PDF) of a credential I hold and that is valid, in the name the award carries (the profile's
    when it was awarded; a change of the profile's name changes no certificate: see /me/name-change-requests). One
    per award: asking again returns the stored one. 404 when I do not hold the credential; 409 when it expired or
    was revoked; 422 `name_not_printable` when the name has characters no certificate font can print."""
    now = clock.now()
    account_id = app.caller().account_id
    requested = issuing.request(account_id, body.credential_id, now=now, press=press)
    item = requested.certificate
    answer = views.certificate(item, records.award_status(account_id, item.award_sk, now))
    return Response(201 if requested.created else 200, content_types.APPLICATION_JSON, answer)


@app.get("/me/certificates", tags=["certificates"], responses=error_responses(401))
def my_certificates() -> CertificateList:
    """My certificates, newest first, each with its verification code and the credential's live status."""
    return views.certificates(app.caller().account_id, clock.now())


@app.get(
    "/me/certificates/<certificate_id>/download",
    tags=["certificates"],
    responses={
        302: {"description": "Location: a link to the PDF, valid five minutes, that downloads it as an attachment"},
        **error_responses(401, 404, 409, 410, 422),
    },
)
def download_certificate(
    certificate_id: Annotated[
        str, Path(min_length=16, max_length=16, pattern=r"^C-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
    ],
) -> Response[DownloadLink | None]:
    """My certificate's PDF: 302 to a presigned link valid five minutes, or `{"url": ...}` with `Accept:
    application/json` (for a page's script). 404 when it is not mine; 410 when it was withdrawn or superseded; 409
    while it is still being prepared, or when its credential was revoked."""
    url = issuing.download_link(app.caller().account_id, certificate_id, now=clock.now(), press=press)
    return app.download(url, DownloadLink(url=url, expires_in=issuing.DOWNLOAD_LINK_SECONDS))


@app.post(
    "/me/name-change-requests",
    tags=["certificates"],
    responses={
        200: {"description": "The same request again: the first one, as it is now"},
        201: {"description": "Asked: pending until the Program Support Team decides"},
        **error_responses(401, 409, 422, 429),
    },
)
def ask_for_name_change(body: NameChangeAsk, idempotency_key: IdempotencyKey = None) -> Response[NameChangeOut]:
    """Ask for another name on my certificates and badges: the Program Support Team approves it (every current
    certificate is issued again in the new name, and the old ones are superseded) or refuses it, and I am emailed
    either way. One pending at a time (409 `name_change_pending`); 409 `no_current_credential` when I hold none;
    422 `name_not_printable` for characters no certificate font can print, `name_unchanged` for the name already
    printed. Five a day (429). With an `Idempotency-Key` (or the same name and reason while it is pending) a form
    sent twice makes one request."""
    asked = name_changes.ask(
        app.caller().account_id, body.new_name, body.reason, now=clock.now(), idempotency_key=idempotency_key
    )
    return Response(201 if asked.created else 200, content_types.APPLICATION_JSON, views.name_change(asked.request))


@app.get("/me/name-change-requests", tags=["certificates"], responses=error_responses(401))
def my_name_change_requests() -> NameChanges:
    """The name my certificates print now, and my name change requests, newest first, with the team's answers."""
    return views.name_change_requests(app.caller().account_id, clock.now())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
