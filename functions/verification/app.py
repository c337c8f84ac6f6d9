"""Public verification of a certificate by its code: what an employer, or the certificate's QR code, opens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.certificates import views
from certtracker.contract.certificates import VerificationOut
from certtracker.core import clock
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import VerificationSettings, load

settings = load(VerificationSettings)
app = CertTrackerResolver(client_address_from=settings.client_address_from)

# Enough for an employer checking a stack of certificates by hand; far too few to guess codes (75 bits).
PER_ADDRESS = (60, timedelta(minutes=10))


@app.get("/verify/<code>", tags=["verification"], responses=error_responses(404, 422, 429))
def verify(code: Annotated[str, Path(min_length=1, max_length=64)]) -> Response[VerificationOut]:
    """Anyone: what the certificate with this code says now (public, no session). Its status is live: valid,
    expired, revoked, withdrawn (replaced by a corrected certificate) or unavailable (the holder's data was
    erased). Case, dashes and spaces do not matter, and I, L and O read as 1, 1 and 0. 422 `mistyped_code` when
    the check character shows a typing mistake, `certificate_id_not_code` for the certificate's id (printed just
    above the code) typed instead; 404 `unknown_code` when no certificate has the code."""
    app.limit_per_address(
        "verify",
        PER_ADDRESS,
        code="too_many_verifications",
        message="Too many verifications from here. Try again in {wait}.",
    )
    return app.private(views.verification(code, clock.now()))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
