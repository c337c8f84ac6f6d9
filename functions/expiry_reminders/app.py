"""Expiry reminders, daily (EventBridge): credentials expiring in 90, 30 and 7 days, each told once."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.core import clock, deadline
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import ExpiryRemindersSettings, load
from certtracker.credentials import reminders

settings = load(ExpiryRemindersSettings)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with deadline.started(context):
        report = reminders.send_due(clock.now())
    return {"considered": report.considered, "sent": report.sent, "skipped": report.skipped}
