"""The daily reconciliation: every candidate with a result stored or a staff action in the last two days is
evaluated again, so what a race could miss (two results stored at once, an award granted while its prerequisite
was being revoked) is mended within a day, and counted: the count is alarmed on, since it should be zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from certtracker.core import deadline
from certtracker.core.observability import count, logger
from certtracker.credentials import evaluation, revocation
from certtracker.models.credential_awards import RecentActivity, activity_partition

# Today, yesterday and the day before: at least the last 48 hours, whenever in the day the run starts.
DAYS_LOOKED_AT = 3
# Marks older than that are deleted; a week back in case runs were missed.
DAYS_CLEARED = 7
# Room kept for one more candidate before the invocation's time runs out: the next run starts over anyway.
RESERVE_SECONDS = 20.0


@dataclass(frozen=True)
class Report:
    candidates: int
    awarded: int
    withdrawn: int
    finished: bool


def reconcile(now: datetime) -> Report:
    seen: set[str] = set()
    awarded = withdrawn = 0
    for day in range(DAYS_LOOKED_AT):
        partition = activity_partition(f"{(now - timedelta(days=day)):%Y-%m-%d}")
        for mark in RecentActivity.query(partition, consistent_read=True):
            if mark.sk in seen:
                continue
            if deadline.remaining() < RESERVE_SECONDS:
                logger.warning("reconciliation stopped early", extra={"candidates": len(seen)})
                return _reported(len(seen), awarded, withdrawn, finished=False)
            seen.add(mark.sk)
            awarded += len(evaluation.award_what_is_met(mark.sk))
            withdrawn += len(revocation.repair_cascade(mark.sk, now))
    _clear_before(now)
    return _reported(len(seen), awarded, withdrawn, finished=True)


def _reported(candidates: int, awarded: int, withdrawn: int, *, finished: bool) -> Report:
    # Always emitted, zero included, so the alarm sees a datapoint every day (a missing one is itself alarmed on).
    count("ReconciliationFixes", awarded + withdrawn)
    count("ReconciliationCandidates", candidates)
    logger.info(
        "reconciliation",
        extra={"candidates": candidates, "awarded": awarded, "withdrawn": withdrawn, "finished": finished},
    )
    return Report(candidates, awarded, withdrawn, finished)


def _clear_before(now: datetime) -> None:
    for day in range(DAYS_LOOKED_AT, DAYS_CLEARED + 1):
        partition = activity_partition(f"{(now - timedelta(days=day)):%Y-%m-%d}")
        for mark in RecentActivity.query(partition):
            mark.delete()
