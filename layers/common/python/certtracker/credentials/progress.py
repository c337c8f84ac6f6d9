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
from certtracker.credentials.requirements import Evaluation, Facts, evaluate
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
    award_list = awards.awards_of(account_id)
    facts = Facts.of(passed_results(account_id), held_credentials(award_list))
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
