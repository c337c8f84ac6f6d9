"""PartnerNet provisioning: the consumer of the queue the PartnerNet sync fills, one contact change per message
(SQS, partial batch responses: a message that fails goes back alone, and after its retries to the dead-letter
queue)."""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.core import deadline
from certtracker.core.observability import count, logger, metrics
from certtracker.core.settings import PartnerNetProvisionSettings, load
from certtracker.partners import provisioning

settings = load(PartnerNetProvisionSettings)
processor = BatchProcessor(event_type=EventType.SQS)


def provision(record: SQSRecord) -> None:
    """One contact change; an exception returns it to the queue (logged without the record's personal data)."""
    try:
        change = provisioning.read_change(record.body)
    except provisioning.MalformedChange as error:
        count("PartnerNetChangeMalformed")
        logger.error("partnernet change malformed", extra={"message_id": record.message_id, "problem": str(error)})
        raise
    applied = provisioning.apply(change)
    logger.info("partnernet change handled", extra={"message_id": record.message_id, "outcome": applied.outcome})


@logger.inject_lambda_context
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    with deadline.started(context):  # a batch's writes and emails end before the invocation would time out
        return process_partial_response(event=event, record_handler=provision, processor=processor, context=context)
