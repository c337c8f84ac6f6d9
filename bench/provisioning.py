"""PartnerNet provisioning at volume (issue 15's "24-hour promise, measured"): 10,000 contact changes, 5% of them
delivered twice and 1% malformed, through the provisioning queue to PartnerNetProvisionFunction, in-process
against the AWS emulator (moto), fed as Lambda's SQS trigger feeds it: the template's batch size, partial batch
failures, the queue's redrive to its dead-letter queue after five receives.

Reported: throughput, the lag from each change's PartnerNet time to its account being ready (p50, p95), DynamoDB
write requests per contact (goal: at most 2 for the account and contact; the email's set-password token, its
"sent" mark and the per-recipient email counter are listed apart), duplicates (goal 0: one account and one
welcome per contact) and the malformed records found in the dead-letter queue (goal: all of them, and only them).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CONTACTS = 10_000
DUPLICATES = 0.05
MALFORMED = 0.01
GOAL_WRITES = 2.0
SYNC_PAGE = 500  # the sync's page of changes (certtracker.partners.sync.PAGE)
WRITE_OPERATIONS = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


@dataclass
class Run:
    contacts: int
    messages: int
    seconds: float
    lags_s: list[float]
    writes: Counter[str]  # "<operation> <table>" for single-item writes, "TransactWriteItems" per request
    accounts: int
    welcomes: Counter[str]  # per address
    malformed_sent: set[str]
    dead_letters: list[str]
    problems: list[str] = field(default_factory=list)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.lags_s)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")

    @property
    def duplicates(self) -> int:
        return (self.accounts - self.contacts) + sum(count - 1 for count in self.welcomes.values() if count > 1)

    def writes_per_contact(self, *tables: str) -> float:
        chosen = sum(n for key, n in self.writes.items() if not tables or any(t in key for t in tables))
        return chosen / max(1, self.contacts)


def _environment() -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="ERROR",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)


def _changes(contacts: int, now: datetime) -> tuple[list[str], set[str]]:
    """The message bodies, shuffled: every contact once, 5% of them twice, 1% replaced by malformed records."""
    bodies, malformed = [], set()
    for number in range(contacts):
        change = {
            "sequence": number + 1,
            "contact_id": f"C-{number:05d}",
            "partner_id": "P-1001",
            "email": f"bench.{number}@partner.example.com",
            "first_name": "Bench",
            "last_name": f"Contact{number}",
            "country": "DE",
            "is_program_manager": number % 50 == 0,
            "active": True,
            "version": 1,
            "changed_at": now.isoformat(),
        }
        if number % round(1 / MALFORMED) == 0:
            broken = json.dumps({**change, "email": f"not an address {number}"})
            malformed.add(broken)
            bodies.append(broken)
        else:
            bodies.append(json.dumps(change))
    valid = [body for body in bodies if body not in malformed]
    random.seed(15)
    bodies += random.sample(valid, int(len(valid) * DUPLICATES))
    random.shuffle(bodies)
    return bodies, malformed


def measure(contacts: int = CONTACTS) -> Run:
    _environment()
    from moto import mock_aws

    from certtracker.core.aws import client, reset_clients
    from certtracker.core.tables import _connection
    from certtracker.models.accounts import Account
    from certtracker.models.partners import PartnerContact
    from infra import lambdas, mailbox, resources, seed, template
    from infra.lambdas import load_functions
    from infra.queues import QueueFeeder

    lambdas.prepare_process(template.parameter_values({}))
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"  # the functions' own EMF lines: not the bench's output
    with mock_aws():
        reset_clients()
        resources.create_all()
        seed.partner_companies()
        now = datetime.now(UTC)
        bodies, malformed = _changes(contacts, now)
        queue = template.queue_url("ProvisioningQueue")
        sqs = client("sqs")

        writes: Counter[str] = Counter()

        def counted(params: dict[str, Any], model: Any, **_: Any) -> None:
            operation = model.name
            if operation in WRITE_OPERATIONS:
                table = params.get("TableName", "")
                writes[f"{operation} {table}".strip()] += 1

        _connection().client.meta.events.register("before-parameter-build.dynamodb", counted)
        feeder = QueueFeeder(load_functions())
        started = time.perf_counter()
        # As the sync enqueues them: a page of changes at a time, consumed as they come. (moto's SQS looks at every
        # message of a queue on each receive: one queue of 10,000 would measure moto, quadratically.)
        for page in range(0, len(bodies), SYNC_PAGE):
            for start in range(page, min(page + SYNC_PAGE, len(bodies)), 10):
                entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start : start + 10])]
                sqs.send_message_batch(QueueUrl=queue, Entries=entries)
            feeder.deliver_pending()
        for _ in range(5):  # the malformed ones: back after each visibility timeout, then to the dead-letter queue
            feeder.retry_failed()
        seconds = time.perf_counter() - started

        lags = [
            (contact.applied_at - contact.changed_at).total_seconds()
            for contact in PartnerContact.scan(PartnerContact.pk.startswith("CONTACT#"))
        ]
        accounts = sum(1 for item in Account.scan(Account.pk.startswith("ACCOUNT#")))
        welcomes = Counter(
            address
            for message in mailbox.sent_messages()
            if "set-password" in message["text"]
            for address in message["to"]
        )
        dead = template.queue_url("ProvisioningDeadLetterQueue")
        dead_letters: list[str] = []
        while got := sqs.receive_message(QueueUrl=dead, MaxNumberOfMessages=10).get("Messages", []):
            dead_letters += [message["Body"] for message in got]
            sqs.delete_message_batch(
                QueueUrl=dead, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)]
            )
    return Run(
        contacts=contacts - len(malformed),
        messages=len(bodies),
        seconds=seconds,
        lags_s=lags,
        writes=writes,
        accounts=accounts,
        welcomes=welcomes,
        malformed_sent=malformed,
        dead_letters=dead_letters,
    )
