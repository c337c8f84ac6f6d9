"""The daily reconciliation of awards (EventBridge): the candidates active in the last two days evaluated again."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.core import clock, deadline
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import AwardReconciliationSettings, load
from certtracker.credentials import reconciliation

settings = load(AwardReconciliationSettings)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    with deadline.started(context):
        report = reconciliation.reconcile(clock.now())
    return {
        "candidates": report.candidates,
        "awarded": report.awarded,
        "withdrawn": report.withdrawn,
        "finished": report.finished,
    }
