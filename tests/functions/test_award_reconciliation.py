"""The daily reconciliation: what a race could miss is mended within a day and counted (the count is alarmed on);
only the candidates active in the last two days are looked at, and old marks are cleared."""

from __future__ import annotations

from datetime import timedelta

from certtracker.core import clock
from certtracker.credentials import awards, catalog
from certtracker.models.credential_awards import CredentialAward, RecentActivity, recent_activity
from certtracker.models.exam_results import ExamResult
from infra.scheduler import scheduled_event
from tests.functions.test_certificates import owner_of
from tests.functions.test_program_staff import REVOKE, STAFF, staff
from tests.functions.test_revocation_and_cycles import later, passes, statuses

DAY = 86_400


def run(gateway) -> dict:
    catalog.forget_cache()  # each run as on a cold start: the credentials are read from the catalog table
    function = gateway.functions["AwardReconciliationFunction"]
    return function.invoke(scheduled_event("AwardReconciliationFunction"), serialized=False)


def stored_unevaluated(owner: str, exam_id: str, result_id: str) -> None:
    """A passed result whose evaluation missed it (it read the results before this one was written)."""
    now = clock.now()
    ExamResult(
        account_id=owner,
        sk=f"RESULT#{now.isoformat(timespec='microseconds')}#{result_id}",
        result_id=result_id,
        registration_id="reg-" + result_id,
        exam_id=exam_id,
        kind="exam",
        delivery="test_center",
        score=80,
        pass_mark=70,
        passed=True,
        taken_at=now,
        received_at=now,
    ).save()
    recent_activity(owner, now).save()


def test_a_pass_an_evaluation_missed_is_awarded_by_the_next_run_and_counted(api, mail, candidate, gateway) -> None:
    owner = owner_of(api, candidate)
    stored_unevaluated(owner, "250-580", "r-missed")
    assert statuses(api, candidate) == {}
    clock.advance(6 * 3600)  # the nightly run, hours after the candidate's last email
    report = run(gateway)
    assert (report["candidates"], report["awarded"], report["withdrawn"], report["finished"]) == (1, 1, 0, True)
    later(api, candidate, 0)  # the candidate signs in the next morning
    assert statuses(api, candidate) == {"CERT-EP": "earned"}
    assert [m for m in mail.to(candidate["email"]) if "You earned" in m["subject"]]  # told, as on any award
    assert run(gateway)["awarded"] == 0  # mended once


def test_an_award_granted_while_its_prerequisite_was_revoked_is_withdrawn_and_joins_that_revocation(
    api, mail, candidate, gateway
) -> None:
    passes(api, candidate, "ASM-DLP-101", "r-acc")
    revoked = staff(gateway, operation="revoke", username="ada", credential_id="ACC-DLP", **REVOKE)
    owner = owner_of(api, candidate)
    now = clock.now()  # an evaluation that read ACC-DLP as valid a moment before, and wrote after the revocation
    assert awards.grant(
        owner,
        "CERT-DLP",
        cycle=1,
        earned_at=now,
        expires_at=now + timedelta(days=730),
        met_by=[{"credential_id": "ACC-DLP"}, {"result_id": "r-dlp", "exam_id": "250-587"}],
    )
    report = run(gateway)
    assert (report["awarded"], report["withdrawn"]) == (0, 1)
    award = CredentialAward.get(owner, "AWARD#CERT-DLP#0001")
    assert (award.revoked, award.revocation_id) == (True, revoked["revocation_id"])
    staff(gateway, operation="reinstate", username="ada", credential_id="ACC-DLP", **STAFF)
    assert statuses(api, candidate) == {"ACC-DLP": "earned", "CERT-DLP": "earned"}


def test_only_the_last_days_are_looked_at_and_older_marks_are_cleared(api, mail, candidate, gateway) -> None:
    owner = owner_of(api, candidate)
    stored_unevaluated(owner, "250-580", "r-old")
    clock.advance(4 * DAY)  # the mark is four days old: out of the window, and cleared
    report = run(gateway)
    assert (report["candidates"], report["awarded"]) == (0, 0)
    assert list(RecentActivity.scan()) == []


def test_what_a_revocation_left_standing_is_not_withdrawn_later_when_what_else_it_stood_on_lapses(
    api, mail, candidate, gateway
) -> None:
    """PRO-SEC (36 months) was earned with CERT-EP and CERT-EM; CERT-DLP came after. Revoking CERT-EP leaves PRO-SEC
    standing on CERT-EM and CERT-DLP. When those lapse (24 months), nothing is revoked: the reconciliation must not
    withdraw PRO-SEC then (it did: it judged "stood only on CERT-EP" as of its run, found by
    test_every_reader_agrees.py)."""
    for exam_id, result_id in (
        ("250-580", "r-ep"),
        ("250-586", "r-em"),
        ("ASM-DLP-101", "r-acc"),
        ("250-587", "r-dlp"),
    ):
        passes(api, candidate, exam_id, result_id)
    revoked = staff(gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    assert [c["credential_id"] for c in revoked["cycles"]] == ["CERT-EP"]
    later(api, candidate, 750)
    assert statuses(api, candidate)["PRO-SEC"] == "earned"
    passes(api, candidate, "ASM-DLP-101", "r-acc-again")  # the candidate is active: the next run looks at them
    assert (run(gateway)["withdrawn"], statuses(api, candidate)["PRO-SEC"]) == (0, "earned")
