"""Progress toward every credential of the catalog: what is met, by which result or credential, and the status.

Two queries (the candidate's passed results and awards) and the cached catalog, whatever the catalog's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from certtracker.credentials import awards
from certtracker.credentials.catalog import Credential, all_credentials
from certtracker.credentials.evaluator import Evaluation, Facts, PassedResult, evaluate
from certtracker.credentials.facts import (
    cycles_by_credential,
    evidence_for_next_cycle,
    held_credentials,
    passed_results,
)
from certtracker.credentials.plan import Lapse, Step, fresh_results_used, steps, timeline
from certtracker.exams import catalog as exam_catalog
from certtracker.models.credential_awards import CredentialAward

Status = Literal["not_started", "in_progress", "earned", "expiring", "expired", "revoked"]


@dataclass(frozen=True)
class Progress:
    credential: Credential
    status: Status
    percent: int  # 100 while held and valid; else how much of the requirements its next cycle has met
    evaluation: Evaluation  # the requirement tree, each node met or not, and what met it
    latest: CredentialAward | None  # the latest cycle held, if any
    blocked_by: str | None = None  # a revoked credential that every way to this one needs


def progress(account_id: str, now: datetime) -> list[Progress]:
    return _assessed(awards.awards_of(account_id), passed_results(account_id), now).entries


@dataclass(frozen=True)
class Plan:
    steps: list[Step]  # for each credential not held (or no longer valid): what is still to pass
    timeline: list[Lapse]  # what lapses when, soonest first
    statuses: dict[str, Status]  # every credential's status, as progress gives it


def plan(account_id: str, now: datetime) -> Plan:
    """The planner (certtracker.credentials.plan) over the same two queries as progress."""
    assessed = _assessed(awards.awards_of(account_id), passed_results(account_id), now)
    entries = assessed.entries
    held = [
        (e.credential.credential_id, e.latest.expires_at, e.credential.recertification.renewal_window_days)
        for e in entries
        if e.latest is not None and e.status in ("earned", "expiring")
    ]
    # A revoked credential lapses no further: nothing of it is on the timeline.
    fresh = [
        r
        for e in entries
        if e.status != "revoked"
        for r in fresh_results_used(e.evaluation, e.credential.credential_id)
    ]
    statuses = {entry.credential.credential_id: entry.status for entry in entries}
    return Plan(assessed.steps, timeline(held, fresh, now), statuses)


@dataclass(frozen=True)
class _Assessed:
    entries: list[Progress]
    steps: list[Step]


def _assessed(award_list: list[CredentialAward], results: list[PassedResult], now: datetime) -> _Assessed:
    """Every credential's progress and, for those not held, the plan's step: one evaluation each. A credential
    not held (or lapsed) is evaluated on the evidence its next cycle may count (the renewal rule: no result an
    earlier cycle counted), so neither progress nor the plan promises what the award would refuse."""
    held = held_credentials(award_list)
    cycles = cycles_by_credential(award_list)
    catalog = all_credentials()

    def facts_for(credential_id: str) -> Facts:
        return Facts.of(evidence_for_next_cycle(cycles.get(credential_id, []), results), held)

    every = Facts.of(results, held)
    statuses: dict[str, Status] = {}
    evaluations: dict[str, Evaluation] = {}
    for credential in catalog:
        credential_id = credential.credential_id
        own = cycles.get(credential_id)
        status: Status | None = awards.status_of(own[-1], now) if own else None
        # Held (valid or revoked): the tree shows what met it. Otherwise: what its next cycle may count.
        facts = every if status in ("earned", "expiring", "revoked") else facts_for(credential_id)
        evaluations[credential_id] = evaluate(credential.requirements, facts, now)
        if status is None:
            status = "not_started" if evaluations[credential_id].met_units == 0 else "in_progress"
        statuses[credential_id] = status
    not_held = [c.credential_id for c in catalog if statuses[c.credential_id] not in ("earned", "expiring", "revoked")]
    revoked = {credential_id for credential_id, status in statuses.items() if status == "revoked"}
    trees = {credential.credential_id: credential.requirements for credential in catalog}
    planned = steps(trees, not_held, facts_for, now, exam_catalog.bookable, revoked)
    blocked = {step.credential_id: step.blocked_by for step in planned}
    entries = []
    for credential in catalog:
        credential_id, status = credential.credential_id, statuses[credential.credential_id]
        evaluation = evaluations[credential_id]
        percent = 100 if status in ("earned", "expiring") else evaluation.percent
        latest = cycles[credential_id][-1] if credential_id in cycles else None
        entries.append(Progress(credential, status, percent, evaluation, latest, blocked.get(credential_id)))
    return _Assessed(entries, planned)
