"""The PartnerNet sync: partner companies into the partners table, and each contact change since the watermark
onto the provisioning queue, one message per change.

One sync at a time: a lease on the sync's item, taken by a conditional write, kept by the run that holds it
and given back at its end (a run that died lets it lapse). The watermark (the last change sequence enqueued)
moves only past changes that are on the queue, so a run that fails part-way loses nothing: the next one
starts where it stopped. A change may be enqueued twice (a run that died after sending and before moving the
watermark); the consumer applies each contact version once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from certtracker.core import deadline
from certtracker.core.aws import client
from certtracker.core.errors import ServiceUnavailable
from certtracker.core.observability import count, logger
from certtracker.core.tables import condition_failed
from certtracker.models.partners import (
    DOMAIN_PREFIX,
    PARTNER_PREFIX,
    SYNC_KEY,
    PartnerCompany,
    PartnerDomain,
    SyncState,
)
from certtracker.partners import partnernet

# Longer than the function's timeout: a lease outlives the run that holds it only when that run died.
LEASE = timedelta(minutes=10)
PAGE = partnernet.MAX_CHANGES
SEND_BATCH = 10  # SQS SendMessageBatch's most
# A page is only started with this much of the invocation left: reading and enqueueing 500 changes fits in it.
PAGE_RESERVE_S = 20.0


@dataclass
class Report:
    skipped: str | None = None
    partners_changed: int = 0
    enqueued: int = 0
    unsendable: int = 0
    watermark: int = 0
    complete: bool = False  # every change PartnerNet had was enqueued
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _take_lease(holder: str, now: datetime) -> SyncState | None:
    state = SyncState(pk=SYNC_KEY)
    try:
        state.update(
            actions=[
                SyncState.lease_holder.set(holder),
                SyncState.lease_until.set(now + LEASE),
                SyncState.watermark.set(SyncState.watermark | 0),
            ],
            condition=SyncState.pk.does_not_exist()
            | SyncState.lease_until.does_not_exist()
            | (SyncState.lease_until < now)
            | (SyncState.lease_holder == holder),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        return None
    return state


def _advance(state: SyncState, holder: str, watermark: int) -> None:
    """Move the watermark, only while this run holds the lease (a run that lost it stops)."""
    state.update(
        actions=[SyncState.watermark.set(watermark)],
        condition=(SyncState.lease_holder == holder) & (SyncState.watermark < watermark),
    )


def _release(state: SyncState, holder: str) -> None:
    try:
        state.update(
            actions=[SyncState.lease_holder.remove(), SyncState.lease_until.remove()],
            condition=SyncState.lease_holder == holder,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise


def sync_partners(found: list[partnernet.Partner]) -> int:
    """Write the partner companies that changed, and their email domains (the registration guard's). Returns
    how many changed."""
    stored = {
        item.partner_id: item for item in PartnerCompany.batch_get([PARTNER_PREFIX + p.partner_id for p in found])
    }
    changed = 0
    for partner in found:
        before = stored.get(partner.partner_id)
        domains = set(partner.domains)
        old_domains = set(before.domains or ()) if before is not None else set()
        if before is not None and (before.name, before.tier, old_domains) == (partner.name, partner.tier, domains):
            continue
        with PartnerDomain.batch_write() as batch:
            for domain in domains - old_domains:
                batch.save(PartnerDomain(pk=DOMAIN_PREFIX + domain, partner_id=partner.partner_id))
            for domain in old_domains - domains:
                batch.delete(PartnerDomain(pk=DOMAIN_PREFIX + domain))
        PartnerCompany(
            pk=PARTNER_PREFIX + partner.partner_id,
            partner_id=partner.partner_id,
            name=partner.name,
            tier=partner.tier,
            domains=domains or None,
        ).save()
        changed += 1
    if changed:
        count("PartnerCompaniesChanged", changed)
    return changed


def _sequence(change: dict[str, Any]) -> int | None:
    value = change.get("sequence") if isinstance(change, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def enqueue(queue_url: str, changes: list[dict[str, Any]], report: Report) -> int | None:
    """Put each change on the queue, ten to a request. Returns the sequence up to which every change is on the
    queue (None if not even the first is). A change SQS refuses as such (too large, characters it does not take)
    can never be sent: it is counted, logged by sequence and passed over; any other failure stops here."""
    sqs = client("sqs")
    done: int | None = None
    for start in range(0, len(changes), SEND_BATCH):
        batch = changes[start : start + SEND_BATCH]
        entries = [{"Id": str(i), "MessageBody": json.dumps(change)} for i, change in enumerate(batch)]
        answer = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        failed = {entry["Id"]: entry for entry in answer.get("Failed", [])}
        for i, change in enumerate(batch):
            problem = failed.get(str(i))
            if problem is not None and not problem.get("SenderFault"):
                return done  # SQS could not take it now: the next run sends it again
            if problem is not None:
                report.unsendable += 1
                count("PartnerNetChangeUnsendable")
                logger.error(
                    "partnernet change cannot be enqueued",
                    extra={"sequence": _sequence(change), "code": problem.get("Code")},
                )
            else:
                report.enqueued += 1
            done = _sequence(change)
    return done


def run(queue_url: str, holder: str, now: datetime) -> Report:
    """One sync; `holder` names this run (the invocation's request id)."""
    report = Report()
    if not partnernet.configured():
        # Not an outage: the deployment is not connected to PartnerNet yet. Said in the log and a metric that
        # no alarm watches, so a new deployment is not alarmed from its first hour.
        report.skipped = "PartnerNet is not connected (PartnerNetBaseUrl is empty): the sync is off"
        logger.info("partnernet sync off", extra=report.as_dict())
        count("PartnerNetSyncOff")
        return report
    state = _take_lease(holder, now)
    if state is None:
        report.skipped = "another sync holds the lease"
        count("PartnerNetSyncSkipped")
        return report
    try:
        report.watermark = int(state.watermark or 0)
        report.partners_changed = sync_partners(partnernet.partners())
        while deadline.remaining() >= PAGE_RESERVE_S:
            page = partnernet.changes(report.watermark, limit=PAGE)
            sequences = [_sequence(change) for change in page.changes]
            if None in sequences:  # PartnerNet broke its own contract: nothing past it can be ordered
                report.problems.append("a change without a sequence")
                count("PartnerNetChangeUnsequenced")
                page.changes = page.changes[: sequences.index(None)]
                page.has_more = False
            if not page.changes:
                report.complete = not page.has_more
                break
            reached = enqueue(queue_url, page.changes, report)
            if reached is not None and reached > report.watermark:
                _advance(state, holder, reached)
                report.watermark = reached
            if reached != sequences[len(page.changes) - 1]:
                report.problems.append("the queue did not take every change: the next run sends the rest")
                break
            if not page.has_more:
                report.complete = True
                break
    except ServiceUnavailable:
        report.problems.append("PartnerNet is unavailable: the next run starts from the watermark")
    finally:
        _release(state, holder)
    count("PartnerNetChangesEnqueued", report.enqueued)
    logger.info("partnernet sync", extra=report.as_dict())
    return report
