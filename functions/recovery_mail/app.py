"""Recovery emails: the consumer of the queue the recovery routes write to (SQS, partial batch responses)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.accounts import recovery
from certtracker.core import deadline
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import RecoveryMailSettings, load

settings = load(RecoveryMailSettings)
processor = BatchProcessor(event_type=EventType.SQS)


def deliver(record: SQSRecord) -> None:
    """One request; an exception returns it to the queue (tried five times, then the dead-letter queue)."""
    outcome = recovery.deliver(*recovery.read_message(record.body))
    logger.info("recovery request handled", extra={"message_id": record.message_id, "outcome": outcome})


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    with deadline.started(context):  # a batch's emails end before the invocation would time out
        return process_partial_response(event=event, record_handler=deliver, processor=processor, context=context)
