"""Partner program credit for a partner's program managers, and an account owner's answer to a partner's
association request."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.partners import AssociationAnswer, AssociationAnswered, AssociationRequestOut, PartnerReport
from certtracker.core import aws, clock
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import PartnersSettings, load

# Each route imports the part of certtracker.partners it uses (the report: credit and its views; the answers to an
# association request: association): a cold start loads one of them, not both (with SnapStart, all, before the
# snapshot).
aws.load_before_snapshot(
    "certtracker.partners.credit", "certtracker.partners.views", "certtracker.partners.association"
)

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
    from certtracker.partners import credit, views

    now = clock.now()
    caller = app.caller().account_id
    if app.accepts("text/csv"):
        body = credit.report_csv(caller, partner_id, now)
        disposition = f'attachment; filename="{partner_id}-credentials-{now.date().isoformat()}.csv"'
        headers = {"Content-Disposition": disposition}
        return Response(200, "text/csv; charset=utf-8", body, headers)
    return Response(200, "application/json", views.report(credit.report(caller, partner_id, cursor, now)))


@app.post("/partner-association/preview", tags=["partners"], responses=error_responses(410, 413, 422))
def association_preview(body: AssociationAnswer) -> AssociationRequestOut:
    """What an association request link asks: which partner, for which account, until when. Changes nothing.

    The token of the emailed link alone answers: it reached the address the account proved. 410
    `link_expired` once the link is used, lapsed, or withdrawn by a newer change of the PartnerNet contact."""
    from certtracker.partners import association

    found = association.preview(body.token)
    return AssociationRequestOut(
        partner_id=found.partner_id,
        partner_name=found.partner_name,
        username=found.username,
        expires_at=found.expires_at,
    )


@app.post("/partner-association/confirm", tags=["partners"], responses=error_responses(410, 413, 422))
def association_confirm(body: AssociationAnswer) -> AssociationAnswered:
    """Confirm a partner association request: the account is associated with the partner from now on (moved
    from another partner, if it was associated with one). The link works once."""
    from certtracker.partners import association

    found = association.confirm(body.token)
    return AssociationAnswered(message=f"Your account is now associated with {found.partner_name}.")


@app.post("/partner-association/refuse", tags=["partners"], responses=error_responses(410, 413, 422))
def association_refuse(body: AssociationAnswer) -> AssociationAnswered:
    """Refuse a partner association request: the account stays as it was, and the partner program team is told
    (the PartnerNet contact's id, nothing about the account). The link works once."""
    from certtracker.partners import association

    association.refuse(body.token, settings.support_partner_email)
    return AssociationAnswered(message="Refused: your account stays as it was, and the partner program team is told.")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
