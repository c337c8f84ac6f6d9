"""A candidate's facts for the evaluator: their passed results and their awards, two queries."""

from __future__ import annotations

from certtracker.credentials.requirements import HeldCredential, PassedResult
from certtracker.models.credential_awards import CredentialAward
from certtracker.models.exam_results import RESULT_PREFIX, ExamResult


def passed_results(account_id: str) -> list[PassedResult]:
    query = ExamResult.query(
        account_id,
        ExamResult.sk.startswith(RESULT_PREFIX),
        filter_condition=ExamResult.passed == True,  # noqa: E712
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
