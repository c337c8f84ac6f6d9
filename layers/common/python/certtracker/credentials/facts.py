"""A candidate's facts for the evaluator: their passed results and their awards, two queries; and which results
may still earn a new cycle of a credential (the renewal rule's evidence)."""

from __future__ import annotations

import json

from certtracker.credentials.evaluator import HeldCredential, PassedResult
from certtracker.models.credential_awards import CredentialAward
from certtracker.models.exam_results import RESULT_PREFIX, ExamResult


def passed_results(account_id: str, *, consistent: bool = False) -> list[PassedResult]:
    """`consistent` for a read that decides an award (see credentials.awards.awards_of)."""
    query = ExamResult.query(
        account_id,
        ExamResult.sk.startswith(RESULT_PREFIX),
        filter_condition=ExamResult.passed == True,  # noqa: E712
        consistent_read=consistent,
    )
    return [PassedResult(r.exam_id or "", r.result_id, r.taken_at) for r in query]


def held_credentials(award_list: list[CredentialAward]) -> list[HeldCredential]:
    return [HeldCredential(a.credential_id, a.earned_at, a.expires_at, a.revoked) for a in award_list]


def latest_cycles(award_list: list[CredentialAward]) -> dict[str, CredentialAward]:
    """Each credential's latest cycle."""
    latest: dict[str, CredentialAward] = {}
    for award in award_list:
        if award.credential_id not in latest or award.cycle > latest[award.credential_id].cycle:
            latest[award.credential_id] = award
    return latest


def cycles_by_credential(award_list: list[CredentialAward]) -> dict[str, list[CredentialAward]]:
    """Each credential's cycles, oldest first."""
    found: dict[str, list[CredentialAward]] = {}
    for award in sorted(award_list, key=lambda award: int(award.cycle)):
        found.setdefault(award.credential_id, []).append(award)
    return found


def used_results(cycles: list[CredentialAward]) -> set[str]:
    """The results these award cycles were awarded from (their `met_by`)."""
    return {
        str(entry["result_id"])
        for award in cycles
        for entry in json.loads(award.met_by or "[]")
        if isinstance(entry, dict) and "result_id" in entry
    }


def evidence_for_next_cycle(cycles: list[CredentialAward], results: list[PassedResult]) -> list[PassedResult]:
    """The results that may count toward a credential's next cycle, given its cycles so far (oldest first): none
    an earlier cycle was awarded from, and only those taken after the latest cycle was earned. So a cycle is never
    earned twice from the same evidence: letting a credential lapse does not bring it back from the old passes."""
    if not cycles:
        return results
    used, since = used_results(cycles), cycles[-1].earned_at
    return [result for result in results if result.result_id not in used and result.taken_at > since]
