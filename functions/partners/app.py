"""Partner program credit: a partner's employees and their credentials, for that partner's program managers."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.partners import PartnerReport
from certtracker.core import clock
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import PartnersSettings, load
from certtracker.partners import credit, views

settings = load(PartnersSettings)
app = CertTrackerResolver()


@app.get(
    "/partners/<partner_id>/credentials",
    tags=["partners"],
    responses={
        200: {
            "description": "JSON, or CSV with `Accept: text/csv` (every employee, a row per credential)",
            "content": {"application/json": {"model": PartnerReport}, "text/csv": {"schema": {"type": "string"}}},
        },
        **error_responses(401, 403, 422),
    },
)
def partner_credentials(
    partner_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")],
    cursor: Annotated[str | None, Query(min_length=1, max_length=1024)] = None,
) -> Response[PartnerReport | str]:
    """A partner's active employees with the credentials they hold (status, expiry), paged; on the first page
    the partner tier's requirements, met or missing, and what lapses within 90 days. Only a program manager
    of that partner (PartnerNet's flag): 403 `not_partner_manager` for anyone else."""
    now = clock.now()
    caller = app.caller().account_id
    if app.accepts("text/csv"):
        body = credit.report_csv(caller, partner_id, now)
        disposition = f'attachment; filename="{partner_id}-credentials-{now.date().isoformat()}.csv"'
        headers = {"Content-Disposition": disposition}
        return Response(200, "text/csv; charset=utf-8", body, headers)
    return Response(200, "application/json", views.report(credit.report(caller, partner_id, cursor, now)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
