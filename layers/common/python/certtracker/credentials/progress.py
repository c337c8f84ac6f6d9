"""Progress toward every credential of the catalog: what is met, by which result or credential, and the status.

Two queries (the candidate's passed results and awards) and the cached catalog, whatever the catalog's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from certtracker.credentials import awards
from certtracker.credentials.catalog import Credential, all_credentials
from certtracker.credentials.facts import held_credentials, latest_cycles, passed_results
from certtracker.credentials.plan import Lapse, Step, fresh_results_used, steps, timeline
from certtracker.credentials.requirements import Evaluation, Facts, PassedResult, evaluate
from certtracker.exams import catalog as exam_catalog
from certtracker.models.credential_awards import CredentialAward

Status = Literal["not_started", "in_progress", "earned", "expiring", "expired", "revoked"]


@dataclass(frozen=True)
class Progress:
    credential: Credential
    status: Status
    percent: int  # 100 while held and valid; else how much of the requirements is met now
    evaluation: Evaluation  # the requirement tree, each node met or not, and what met it
    latest: CredentialAward | None  # the latest cycle held, if any


def progress(account_id: str, now: datetime) -> list[Progress]:
    return _progress(awards.awards_of(account_id), passed_results(account_id), now)


@dataclass(frozen=True)
class Plan:
    steps: list[Step]  # for each credential not held (or no longer valid): what is still to pass
    timeline: list[Lapse]  # what lapses when, soonest first
    statuses: dict[str, Status]  # every credential's status, as progress gives it


def plan(account_id: str, now: datetime) -> Plan:
    """The planner (certtracker.credentials.plan) over the same two queries as progress."""
    award_list, results = awards.awards_of(account_id), passed_results(account_id)
    facts = Facts.of(results, held_credentials(award_list))
    entries = _progress(award_list, results, now)
    catalog = {entry.credential.credential_id: entry.credential for entry in entries}
    not_held = [e.credential.credential_id for e in entries if e.status not in ("earned", "expiring", "revoked")]
    trees = {credential_id: credential.requirements for credential_id, credential in catalog.items()}
    planned = steps(trees, not_held, facts, now, exam_catalog.bookable)
    held = [
        (e.credential.credential_id, e.latest.expires_at, e.credential.recertification.renewal_window_days)
        for e in entries
        if e.latest is not None and e.status in ("earned", "expiring")
    ]
    fresh = [r for e in entries for r in fresh_results_used(e.evaluation, e.credential.credential_id)]
    statuses = {entry.credential.credential_id: entry.status for entry in entries}
    return Plan(planned, timeline(held, fresh, now), statuses)


def _progress(award_list: list[CredentialAward], results: list[PassedResult], now: datetime) -> list[Progress]:
    facts = Facts.of(results, held_credentials(award_list))
    latest = latest_cycles(award_list)
    found = []
    for credential in all_credentials():
        evaluation = evaluate(credential.requirements, facts, now)
        held = latest.get(credential.credential_id)
        status: Status
        if held is not None:
            status = awards.status_of(held, now)
        else:
            status = "not_started" if evaluation.met_units == 0 else "in_progress"
        percent = 100 if status in ("earned", "expiring") else evaluation.percent
        found.append(Progress(credential, status, percent, evaluation, held))
    return found
