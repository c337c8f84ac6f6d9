"""Open Badges 3.0: the candidate's badge of a credential held, and what anyone needs to verify one (the
issuer's profile, its public key, the revocation status lists)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.certificates import badges
from certtracker.contract.badges import Badge, SignedStatusList
from certtracker.core import clock
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.fields import CredentialIdPath
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import BadgesSettings, load

settings = load(BadgesSettings)
app = CertTrackerResolver()
issuer = badges.Issuer(settings.program_name, badges.Urls(settings.web_base_url), settings.badge_signing_key)

VC_JWT = "application/vc+jwt"
PUBLIC = {"Cache-Control": f"public, max-age={badges.STATUS_LIST_TTL_SECONDS}"}


def _jwt_response(description: str, model: type) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {"application/json": {"model": model}, VC_JWT: {"schema": {"type": "string"}}},
        }
    }


@app.get(
    "/me/credentials/<credential_id>/badge",
    tags=["badges"],
    responses={**_jwt_response("The badge: JSON, or the bare VC-JWT", Badge), **error_responses(401, 404, 422)},
)
def my_badge(
    credential_id: CredentialIdPath,
) -> Response[Badge | str]:
    """The Open Badges 3.0 badge of a credential I hold and that is still valid: an OpenBadgeCredential
    (Verifiable Credentials 2.0) signed as a VC-JWT (ES256; the key is at /badges/keys).

    By default `{"jwt": ..., "credential": {the signed payload, decoded}}`; with `Accept: application/vc+jwt`
    the bare VC-JWT, for a wallet. Its `credentialStatus` points to the revocation list that says whether it
    has been revoked since. 404 when I do not hold the credential, or it expired or was revoked."""
    signed = badges.badge(issuer, app.caller().account_id, credential_id, clock.now())
    if app.accepts(VC_JWT):
        return Response(200, VC_JWT, signed.jwt)
    return Response(200, content_types.APPLICATION_JSON, Badge(jwt=signed.jwt, credential=signed.credential))


@app.get("/badges/issuer", tags=["badges"])
def issuer_profile() -> Response[dict[str, Any]]:
    """The issuer of every badge: its Open Badges 3.0 Profile (the `issuer.id` badges name)."""
    return Response(200, content_types.APPLICATION_JSON, badges.issuer_profile(issuer), PUBLIC)


@app.get("/badges/keys", tags=["badges"])
def keys() -> Response[dict[str, Any]]:
    """The public keys that verify badges and status lists, as a JWK Set: a badge's `kid` names its key here.

    The key that signs now, and each earlier one (before a rotation) while something it signed is still valid."""
    return Response(200, content_types.APPLICATION_JSON, badges.jwks(issuer, clock.now()), PUBLIC)


@app.get(
    "/badges/status/<list_id>",
    tags=["badges"],
    responses={
        **_jwt_response("The status list: the bare VC-JWT, or JSON", SignedStatusList),
        **error_responses(404, 422),
    },
)
def status_list(list_id: Annotated[int, Path(ge=0, le=99_999)]) -> Response[SignedStatusList | str]:
    """A revocation status list (W3C Bitstring Status List v1.0) as a signed BitstringStatusListCredential: the
    bit at a badge's `statusListIndex` is 1 while that badge's award is revoked.

    By default the bare VC-JWT (`application/vc+jwt`, what a verifier dereferencing `statusListCredential`
    expects); with `Accept: application/json`, `{"jwt": ..., "credential": {...}}`. Cacheable five minutes. 404 for
    a list no badge can point to."""
    signed = badges.status_list(issuer, list_id, clock.now())
    if app.accepts("application/json"):
        answer = SignedStatusList(jwt=signed.jwt, credential=signed.credential)
        return Response(200, content_types.APPLICATION_JSON, answer, PUBLIC)
    return Response(200, VC_JWT, signed.jwt, PUBLIC)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
