"""The PartnerNet sync, every 15 minutes (EventBridge): partner companies, and each contact change since the
watermark onto the provisioning queue. One run at a time (a lease). Each run also lapses the association
requests nobody answered in time (whether or not PartnerNet answers)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.core import clock, deadline
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import PartnerNetSyncSettings, load
from certtracker.partners import association, sync

settings = load(PartnerNetSyncSettings)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with deadline.started(context):
        report = sync.run(settings.provisioning_queue_url, context.aws_request_id, clock.now())
        lapsed = association.lapse_unanswered(clock.now(), settings.support_partner_email)
    return {**report.as_dict(), "association_requests_lapsed": lapsed}
