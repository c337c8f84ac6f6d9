"""The Program Support Team's operations (revoke, reinstate, parked results, name corrections): no public route;
invoked directly with IAM (`aws lambda invoke`), on the local stack through POST /_local/run/ProgramStaffFunction."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.core.observability import logger, metrics
from certtracker.core.settings import ProgramStaffSettings, load
from certtracker.staff import operations

settings = load(ProgramStaffSettings)


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    # The invocation's request id: on every log line of it (function_request_id) and in CloudTrail's record of
    # who invoked it (StaffAuditTrail), which is the verified identity; the payload's `by` is a display name.
    return {**operations.run(event), "invocation_id": context.aws_request_id}
