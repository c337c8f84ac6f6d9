"""SQS-triggered functions of template.yaml, fed from the emulator's queues as Lambda's event source mapping does.

Each batch goes to the function as an SQS event; what the function reports in `batchItemFailures` stays on
the queue (visible again after the visibility timeout, so the queue's redrive policy moves a message that
keeps failing to its dead-letter queue); the rest is deleted. As Lambda's poller does, the feeder reads the
queue, receives and deletes with the function's own grants (infra/iam.py checks them), and refuses a queue
whose visibility timeout is shorter than the function's timeout, as Lambda refuses to create such a mapping.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from infra import template
from infra.events import ACCOUNT_ID, REGION
from infra.lambdas import LocalFunction

# How often an empty queue is asked again (Lambda's own SQS poller answers within about a second).
POLL_INTERVAL_S = 0.25


@dataclass(frozen=True)
class Consumer:
    function: str
    queue: str  # the queue's logical id, which is its name locally
    batch_size: int


def consumers() -> list[Consumer]:
    """The template's event source mappings (AWS::Lambda::EventSourceMapping: template.yaml says why not SAM's
    SQS events, which this refuses rather than leave a queue unfed)."""
    for name, body in template.resources("AWS::Serverless::Function").items():
        for event_name, event in body["Properties"].get("Events", {}).items():
            if event["Type"] == "SQS":
                raise ValueError(f"{name}'s {event_name}: write SQS triggers as AWS::Lambda::EventSourceMapping")
    found = []
    for mapping in template.resources("AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        queue = props["EventSourceArn"]["Fn::GetAtt"][0]
        function = template.function_named(props["FunctionName"])
        found.append(Consumer(function, queue, int(props.get("BatchSize", 10))))
    return found


def sqs_event(queue: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """What Lambda's SQS event source hands a function."""
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": hashlib.md5(message["Body"].encode(), usedforsecurity=False).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{queue}",
                "awsRegion": REGION,
            }
            for message in messages
        ]
    }


class QueueFeeder:
    """Delivers each consumer's queue to its function: on demand (tests) or in a background thread (make run)."""

    def __init__(self, functions: dict[str, LocalFunction]) -> None:
        self.functions = functions
        self.consumers = consumers()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.failed: list[tuple[str, str]] = []  # (queue URL, receipt handle) of messages that went back
        self._client: Any = None
        self._checked: set[Consumer] = set()

    def _sqs(self) -> Any:
        """One client per feeder: building a boto3 client costs tens of milliseconds, and tests drain often."""
        if self._client is None:
            import boto3

            self._client = boto3.session.Session().client("sqs")
        return self._client

    def _check_queue(self, consumer: Consumer, sqs: Any) -> None:
        """What Lambda checks when the mapping is created: the queue's visibility timeout covers the function's."""
        if consumer in self._checked:
            return
        function = self.functions[consumer.function]
        with function.running():
            attributes = sqs.get_queue_attributes(
                QueueUrl=template.queue_url(consumer.queue), AttributeNames=["VisibilityTimeout"]
            )["Attributes"]
        if int(attributes["VisibilityTimeout"]) < function.spec.timeout_s:
            raise ValueError(f"{consumer.queue}'s visibility timeout is shorter than {consumer.function}'s timeout")
        self._checked.add(consumer)

    def deliver_one_batch(self, consumer: Consumer, sqs: Any, wait_seconds: int = 0) -> int:
        self._check_queue(consumer, sqs)
        url = template.queue_url(consumer.queue)
        function = self.functions[consumer.function]
        with function.running():  # Lambda's poller receives and deletes with the function's role
            received = sqs.receive_message(
                QueueUrl=url,
                MaxNumberOfMessages=min(consumer.batch_size, 10),
                WaitTimeSeconds=wait_seconds,
                AttributeNames=["All"],
            ).get("Messages", [])
        if not received:
            return 0
        try:
            answer = function.invoke(sqs_event(consumer.queue, received)) or {}
            failed = {failure["itemIdentifier"] for failure in answer.get("batchItemFailures", [])}
        except Exception as error:  # the whole batch failed: every message comes back
            print(f"{consumer.function} failed on a batch: {error!r}", flush=True)
            failed = {m["MessageId"] for m in received}
        self.failed += [(url, m["ReceiptHandle"]) for m in received if m["MessageId"] in failed]
        done = [m for m in received if m["MessageId"] not in failed]
        if done:
            with function.running():
                sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )
        return len(received)

    def deliver_pending(self) -> None:
        """Deliver what is on the queues now, batch by batch, until they are empty (the handler tests)."""
        if not self.consumers:
            return
        sqs = self._sqs()
        for consumer in self.consumers:
            for _ in range(100):  # a message that keeps failing is invisible after its first try
                if not self.deliver_one_batch(consumer, sqs):
                    break

    def retry_failed(self) -> None:
        """Make the messages that failed visible again now, as their visibility timeout would, and deliver them."""
        sqs = self._sqs()
        for url, handle in self.failed:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        self.failed.clear()
        self.deliver_pending()

    def _loop(self, consumer: Consumer) -> None:
        sqs = self._sqs()
        while not self._stop.is_set():
            try:
                # Short polls with a pause, not long polls: moto's server spins for the whole wait of a long
                # poll, which would hold the GIL of the process that also serves the API.
                if not self.deliver_one_batch(consumer, sqs, wait_seconds=0):
                    self._stop.wait(POLL_INTERVAL_S)
            except Exception as error:  # the emulator is stopping, or a network hiccup: try again
                print(f"feeding {consumer.function} failed: {error!r}", flush=True)
                self._stop.wait(1.0)

    def start(self) -> None:
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._loop, args=(consumer,), name=f"sqs-{consumer.function}", daemon=True)
            for consumer in self.consumers
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No delivery in the block (the local stack's reset): each feeding thread finishes the batch it holds and
        stops; new ones start after, and messages that went back are forgotten."""
        self.stop()
        for thread in self._threads:
            thread.join()
        self.failed.clear()
        try:
            yield
        finally:
            self.start()
