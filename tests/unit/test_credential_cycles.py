"""When a met credential is awarded: a first cycle, a renewal inside the window (extending from the old expiry,
not from the day of the pass), a new cycle after expiry from new evidence only, and never over a revoked one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from certtracker.credentials.catalog import Credential, Recertification
from certtracker.credentials.evaluation import decide
from certtracker.credentials.evaluator import PassedResult, add_months
from certtracker.credentials.requirements import ExamRequirement
from certtracker.models.credential_awards import CredentialAward

NOW = datetime(2027, 6, 1, 12, tzinfo=UTC)
CERT = Credential(
    credential_id="CERT-EP",
    kind="certification",
    level="specialist",
    title="Endpoint Security Certified",
    track="Endpoint Protection",
    description="",
    validity_months=24,
    requirements=ExamRequirement(("250-580", "250-561"), None),
    recertification=Recertification(180, ExamRequirement(("250-580",), None)),
)


def passed(exam_id: str, when: datetime) -> PassedResult:
    return PassedResult(exam_id, f"r-{exam_id}-{when:%Y%m%d}", when)


def award(
    cycle: int, expires_at: datetime, *, revoked: bool = False, met_by: list[PassedResult] = ()
) -> CredentialAward:
    return CredentialAward(
        account_id="a",
        sk=f"AWARD#CERT-EP#{cycle:04d}",
        award_id="x",
        credential_id="CERT-EP",
        cycle=cycle,
        earned_at=add_months(expires_at, -24),
        expires_at=expires_at,
        revoked=revoked,
        met_by=json.dumps([{"result_id": r.result_id, "exam_id": r.exam_id} for r in met_by]),
    )


def decided(latest: CredentialAward | None, results: list[PassedResult], now: datetime = NOW):
    return decide(CERT, [latest] if latest else [], results, [], now)


def test_a_first_pass_awards_cycle_one_valid_for_the_validity_period() -> None:
    decision = decided(None, [passed("250-561", NOW - timedelta(days=3))])  # a retired version that is listed
    assert decision is not None
    assert (decision.cycle, decision.earned_at, decision.expires_at) == (1, NOW, add_months(NOW, 24))


def test_nothing_is_renewed_before_the_window_opens() -> None:
    latest = award(1, NOW + timedelta(days=181))
    assert decided(latest, [passed("250-580", NOW)]) is None


def test_a_pass_inside_the_window_renews_from_the_old_expiry_not_from_the_day_of_the_pass() -> None:
    expiry = NOW + timedelta(days=100)
    decision = decided(award(1, expiry), [passed("250-580", NOW - timedelta(days=1))])
    assert decision is not None
    assert (decision.cycle, decision.expires_at) == (2, add_months(expiry, 24))


def test_a_pass_from_before_the_window_does_not_renew_and_a_retired_version_does_not_either() -> None:
    expiry = NOW + timedelta(days=100)
    before_window = expiry - timedelta(days=181)
    assert decided(award(1, expiry), [passed("250-580", before_window)]) is None
    assert decided(award(1, expiry), [passed("250-561", NOW)]) is None  # not listed for recertification


def test_after_expiry_earning_it_again_starts_a_new_cycle_from_now() -> None:
    decision = decided(award(1, NOW - timedelta(days=10)), [passed("250-580", NOW - timedelta(days=2))])
    assert decision is not None
    assert (decision.cycle, decision.earned_at, decision.expires_at) == (2, NOW, add_months(NOW, 24))
    assert decision.rule == "requirements"


def test_a_lapsed_credential_does_not_come_back_from_the_result_that_earned_it() -> None:
    first = passed("250-580", NOW - timedelta(days=740))
    lapsed = award(1, NOW - timedelta(days=10), met_by=[first])
    assert decided(lapsed, [first]) is None


def test_a_lapsed_credential_does_not_come_back_from_a_pass_older_than_its_last_cycle() -> None:
    older = passed("250-561", NOW - timedelta(days=800))  # passed before cycle 1 was earned, never counted
    assert decided(award(1, NOW - timedelta(days=10)), [older]) is None


def test_a_renewal_is_recorded_as_one() -> None:
    decision = decided(award(1, NOW + timedelta(days=100)), [passed("250-580", NOW - timedelta(days=1))])
    assert decision is not None
    assert decision.rule == "renewal"


def test_a_revoked_credential_is_never_awarded_again_by_evaluation() -> None:
    assert decided(award(1, NOW - timedelta(days=10), revoked=True), [passed("250-580", NOW)]) is None
