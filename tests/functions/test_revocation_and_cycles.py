"""A verification must never lie (issue 21): revocation is of the credential (every unexpired cycle, and what was
earned only through it), reinstatement restores exactly that, a new cycle needs evidence of its own, a result
stamped a little ahead awards at once, and the reads that decide awards are strongly consistent."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from certtracker.core import clock, tables
from certtracker.core.errors import Conflict
from certtracker.credentials import evaluation, revocation
from certtracker.models.credential_awards import CredentialAward, Revocation
from tests.functions.conftest import make_candidate
from tests.functions.test_certificate_verification import verify
from tests.functions.test_certificates import owner_of, request
from tests.functions.test_credential_awards import held
from tests.functions.test_exam_results import deliver, registered
from tests.functions.test_program_staff import REVOKE, STAFF, staff

DAY = 86_400


def passes(api, who, exam_id: str, result_id: str, **overrides: Any) -> None:
    """A pass stamped at the (possibly moved) clock's now, unless told otherwise."""
    overrides.setdefault("taken_at", clock.now().isoformat())
    answer = deliver(api, registered(api, who, exam_id), result_id=result_id, score=80, passed=True, **overrides)
    assert answer.json() == {"status": "stored"}, answer.body


def later(api, who, days: float) -> None:
    """Move the clock, and sign in again (the session has long ended)."""
    clock.advance(days * DAY)
    login = api.login(who["username"])
    assert login.status == 200, login.body
    who["token"] = login.json()["token"]


def cycles(owner: str, credential_id: str) -> list[CredentialAward]:
    found = CredentialAward.query(owner, CredentialAward.sk.startswith(f"AWARD#{credential_id}#"))
    return sorted(found, key=lambda award: int(award.cycle))


def statuses(api, who) -> dict[str, str]:
    return {credential_id: entry["status"] for credential_id, entry in held(api, who).items()}


def renewed(api, who) -> tuple[str, dict]:
    """CERT-EP earned, its certificate issued, then renewed inside the window: (owner, cycle 1's certificate)."""
    passes(api, who, "250-580", "r-first")
    certificate = request(api, who).json()
    later(api, who, 730 - 100)  # 100 days before cycle 1 expires: inside the 180-day window
    passes(api, who, "250-580", "r-renewal")
    owner = owner_of(api, who)
    assert [int(award.cycle) for award in cycles(owner, "CERT-EP")] == [1, 2]
    return owner, certificate


def test_revoking_after_a_renewal_withdraws_every_unexpired_cycle_and_each_of_their_certificates(api, mail, candidate):
    owner, first_certificate = renewed(api, candidate)
    assert verify(api, first_certificate["verification_code"]).json()["status"] == "valid"  # cycle 1 is unexpired

    done = staff(gateway := api.gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    assert done["ok"], done
    assert sorted(c["cycle"] for c in done["cycles"]) == [1, 2]
    assert all(award.revoked for award in cycles(owner, "CERT-EP"))
    assert verify(api, first_certificate["verification_code"]).json()["status"] == "revoked"
    download = api.call(
        "GET", f"/me/certificates/{first_certificate['certificate_id']}/download", token=candidate["token"]
    )
    assert download.status == 409
    assert statuses(api, candidate) == {"CERT-EP": "revoked"}
    assert api.call("GET", "/me/logos", token=candidate["token"]).json()["logos"] == []

    again = staff(gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    assert (again["ok"], again["changed"]) == (True, False)

    back = staff(gateway, operation="reinstate", username="ada", credential_id="CERT-EP", **STAFF)
    assert (back["ok"], back["changed"]) == (True, True)
    assert sorted(c["cycle"] for c in back["cycles"]) == [1, 2]
    assert verify(api, first_certificate["verification_code"]).json()["status"] == "valid"
    assert statuses(api, candidate) == {"CERT-EP": "earned"}
    record = next(iter(Revocation.query(owner, Revocation.sk.startswith("REVOCATION#"))))
    assert (record.by, record.category, record.reinstated_by) == (STAFF["by"], "exam_misconduct", STAFF["by"])


def test_the_candidate_is_told_of_a_revocation_in_plain_words_with_a_way_to_contact_support(api, mail, candidate):
    passes(api, candidate, "250-580", "r-1")
    staff(api.gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    (told,) = [m for m in mail.to(candidate["email"]) if "was revoked" in m["subject"]]
    assert "a breach of the exam rules was found" in told["text"]
    assert "/support" in told["text"]
    assert REVOKE["reason"] not in told["text"]  # the team's own note stays with the team
    staff(api.gateway, operation="reinstate", username="ada", credential_id="CERT-EP", **STAFF)
    assert [m for m in mail.to(candidate["email"]) if "in force again" in m["subject"]]


def test_revoking_a_prerequisite_withdraws_what_stood_only_on_it_and_reinstating_restores_exactly_that(
    api, mail, candidate
):
    passes(api, candidate, "ASM-DLP-101", "r-acc")  # ACC-DLP
    passes(api, candidate, "250-587", "r-dlp")  # CERT-DLP (needs ACC-DLP)
    passes(api, candidate, "250-580", "r-ep")  # CERT-EP: with CERT-DLP, 2 of 5 for PRO-SEC
    assert set(statuses(api, candidate)) == {"ACC-DLP", "CERT-DLP", "CERT-EP", "PRO-SEC"}

    done = staff(api.gateway, operation="revoke", username="ada", credential_id="ACC-DLP", **REVOKE)
    assert sorted(c["credential_id"] for c in done["cycles"]) == ["ACC-DLP", "CERT-DLP", "PRO-SEC"]
    assert statuses(api, candidate) == {
        "ACC-DLP": "revoked",
        "CERT-DLP": "revoked",
        "PRO-SEC": "revoked",
        "CERT-EP": "earned",
    }
    (told,) = [m for m in mail.to(candidate["email"]) if "was revoked" in m["subject"]]
    assert "Withdrawn with it, because they required it" in told["text"]

    directly = staff(api.gateway, operation="reinstate", username="ada", credential_id="CERT-DLP", **STAFF)
    assert directly["error"]["code"] == "revoked_through_prerequisite"
    staff(api.gateway, operation="reinstate", username="ada", credential_id="ACC-DLP", **STAFF)
    assert set(statuses(api, candidate).values()) == {"earned"}


def test_a_credential_revoked_on_its_own_is_not_reinstated_onto_a_prerequisite_revoked_since(api, mail, candidate):
    """Found by the model test: CERT-DLP revoked, then ACC-DLP (the cascade skips CERT-DLP, already withdrawn);
    reinstating CERT-DLP must not bring it back standing on a revoked ACC-DLP."""
    passes(api, candidate, "ASM-DLP-101", "r-acc")
    passes(api, candidate, "250-587", "r-dlp")
    staff(api.gateway, operation="revoke", username="ada", credential_id="CERT-DLP", **REVOKE)
    staff(api.gateway, operation="revoke", username="ada", credential_id="ACC-DLP", **REVOKE)
    passes(api, candidate, "250-587", "r-dlp-again")

    refused = staff(api.gateway, operation="reinstate", username="ada", credential_id="CERT-DLP", **STAFF)
    assert refused["error"]["code"] == "revoked_through_prerequisite"
    assert "reinstate ACC-DLP first" in refused["error"]["message"]
    assert statuses(api, candidate) == {"ACC-DLP": "revoked", "CERT-DLP": "revoked"}

    staff(api.gateway, operation="reinstate", username="ada", credential_id="ACC-DLP", **STAFF)
    assert statuses(api, candidate) == {"ACC-DLP": "earned", "CERT-DLP": "revoked"}  # its own revocation stands
    back = staff(api.gateway, operation="reinstate", username="ada", credential_id="CERT-DLP", **STAFF)
    assert (back["ok"], back["changed"]) == (True, True)
    assert statuses(api, candidate) == {"ACC-DLP": "earned", "CERT-DLP": "earned"}


def test_what_was_withdrawn_with_a_credential_stays_withdrawn_with_a_prerequisite_revoked_since(api, mail, candidate):
    passes(api, candidate, "ASM-DLP-101", "r-acc")
    passes(api, candidate, "250-587", "r-dlp")
    passes(api, candidate, "250-580", "r-ep")  # PRO-SEC: CERT-DLP and CERT-EP, 2 of 5
    owner = owner_of(api, candidate)
    first = staff(api.gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    assert sorted(c["credential_id"] for c in first["cycles"]) == ["CERT-EP", "PRO-SEC"]
    second = staff(api.gateway, operation="revoke", username="ada", credential_id="ACC-DLP", **REVOKE)
    assert sorted(c["credential_id"] for c in second["cycles"]) == ["ACC-DLP", "CERT-DLP"]  # PRO-SEC was already

    back = staff(api.gateway, operation="reinstate", username="ada", credential_id="CERT-EP", **STAFF)
    assert [c["credential_id"] for c in back["cycles"]] == ["CERT-EP"]  # PRO-SEC would stand on CERT-DLP alone
    assert statuses(api, candidate) == {
        "ACC-DLP": "revoked",
        "CERT-DLP": "revoked",
        "CERT-EP": "earned",
        "PRO-SEC": "revoked",
    }
    (pro_sec,) = cycles(owner, "PRO-SEC")
    assert pro_sec.revocation_id == second["revocation_id"]  # it now comes back with ACC-DLP

    staff(api.gateway, operation="reinstate", username="ada", credential_id="ACC-DLP", **STAFF)
    assert set(statuses(api, candidate).values()) == {"earned"}


def test_what_also_stands_on_another_credential_is_not_withdrawn(api, mail, candidate) -> None:
    passes(api, candidate, "250-580", "r-ep")  # CERT-EP
    passes(api, candidate, "250-586", "r-em")  # CERT-EM: PRO-SEC, 2 of 5
    passes(api, candidate, "250-589", "r-np")  # CERT-NP: a third
    done = staff(api.gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    assert [c["credential_id"] for c in done["cycles"]] == ["CERT-EP"]
    assert statuses(api, candidate)["PRO-SEC"] == "earned"  # CERT-EM and CERT-NP still make 2 of 5


def test_a_revoked_prerequisite_blocks_what_needs_it_and_the_plan_says_so_instead_of_offering_an_exam(
    api, mail, candidate
):
    passes(api, candidate, "ASM-DLP-101", "r-acc")
    staff(api.gateway, operation="revoke", username="ada", credential_id="ACC-DLP", **REVOKE)
    plan = {s["credential_id"]: s for s in api.call("GET", "/me/plan", token=candidate["token"]).json()["steps"]}
    assert (plan["CERT-DLP"]["blocked_by"], plan["CERT-DLP"]["exams"]) == ("ACC-DLP", [])
    assert "ACC-DLP" not in plan  # revoked: nothing to plan, only the team can reinstate it
    passes(api, candidate, "250-587", "r-dlp")
    assert "CERT-DLP" not in statuses(api, candidate)
    plan = {s["credential_id"]: s for s in api.call("GET", "/me/plan", token=candidate["token"]).json()["steps"]}
    assert plan["CERT-DLP"]["blocked_by"] == "ACC-DLP"
    progress = {
        c["credential_id"]: c for c in api.call("GET", "/me/progress", token=candidate["token"]).json()["credentials"]
    }
    assert progress["CERT-DLP"]["blocked_by"] == "ACC-DLP"


def test_a_lapsed_credential_does_not_come_back_when_an_unrelated_exam_is_passed(api, mail, candidate) -> None:
    passes(api, candidate, "250-580", "r-first")
    owner = owner_of(api, candidate)
    later(api, candidate, 750)  # CERT-EP (24 months) has lapsed
    passes(api, candidate, "250-586", "r-other")  # CERT-EM: every credential is evaluated again
    assert statuses(api, candidate) == {"CERT-EP": "expired", "CERT-EM": "earned"}
    assert len(cycles(owner, "CERT-EP")) == 1

    passes(api, candidate, "250-580", "r-again")  # new evidence: a new cycle, from it alone
    (_, second) = cycles(owner, "CERT-EP")
    assert [entry["result_id"] for entry in json.loads(second.met_by)] == ["r-again"]
    assert (second.rule, statuses(api, candidate)["CERT-EP"]) == ("requirements", "earned")


def test_a_result_stamped_a_little_ahead_of_our_clock_awards_at_once(api, mail, candidate) -> None:
    ahead = clock.now() + timedelta(seconds=90)
    passes(api, candidate, "250-580", "r-ahead", taken_at=ahead.isoformat())
    assert statuses(api, candidate) == {"CERT-EP": "earned"}
    (result,) = api.call("GET", "/me/exams", token=candidate["token"]).json()["results"]
    assert result["taken_at"] <= clock.now().isoformat()


def test_the_reads_that_decide_an_award_or_a_revocation_ask_for_strong_consistency(api, mail, candidate) -> None:
    """DynamoDB's queries are eventually consistent unless asked (the emulator's never are): the webhook's
    evaluation and the staff's revocation must ask, or two results arriving together can each miss the other."""
    queries: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        queries.append(params)

    registration_id = registered(api, candidate, "250-580")  # the retake rule's read decides no award
    events = tables._connection().client.meta.events
    events.register("provide-client-params.dynamodb.Query", record)
    try:
        delivered = deliver(api, registration_id, result_id="r-1", score=80, passed=True)
        assert delivered.json() == {"status": "stored"}
        staff(api.gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    finally:
        events.unregister("provide-client-params.dynamodb.Query", record)
    deciding = [q for q in queries if q["TableName"] in ("CredentialAwardsTable", "ExamResultsTable")]
    assert {q["TableName"] for q in deciding} == {"CredentialAwardsTable", "ExamResultsTable"}
    assert [q for q in deciding if q.get("ConsistentRead") is not True] == []


def test_revoking_at_the_same_moment_revokes_once(api, mail, candidate) -> None:
    owner, _ = renewed(api, candidate)
    operation = {"operation": "revoke", "username": "ada", "credential_id": "CERT-EP", **REVOKE}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: api.gateway.functions["ProgramStaffFunction"].invoke(operation), range(4)))
    assert all(answer["ok"] for answer in answers), answers
    assert sum(answer["changed"] for answer in answers) == 1
    assert len(list(Revocation.query(owner, Revocation.sk.startswith("REVOCATION#")))) == 1
    assert all(award.revoked for award in cycles(owner, "CERT-EP"))


def interleaved(monkeypatch, meanwhile: Callable[[], object]) -> None:
    """The next revocation or reinstatement reads, then `meanwhile` runs to the end, then it writes."""
    real = revocation.passed_results
    pending = [meanwhile]

    def reading(*args: Any, **kwargs: Any) -> Any:
        results = real(*args, **kwargs)
        if pending:
            pending.pop()()
        return results

    monkeypatch.setattr(revocation, "passed_results", reading)


@pytest.mark.parametrize("first", ["reinstate", "revoke"])
def test_a_prerequisite_revoked_while_what_needs_it_is_reinstated_never_leaves_it_standing(
    api, mail, candidate, monkeypatch, first
):
    """Each reads the other's award without writing it: whichever writes second must read again."""
    passes(api, candidate, "ASM-DLP-101", "r-acc")
    passes(api, candidate, "250-587", "r-dlp")
    owner = owner_of(api, candidate)
    staff(api.gateway, operation="revoke", username="ada", credential_id="CERT-DLP", **REVOKE)
    note = {"note": STAFF["reason"], "by": STAFF["by"], "now": clock.now()}

    def revoke() -> object:
        return revocation.revoke(owner, "ACC-DLP", category="exam_misconduct", **note)

    def reinstate() -> object:
        return revocation.reinstate(owner, "CERT-DLP", **note)

    if first == "reinstate":  # it reads ACC-DLP held, the revocation commits, it reads again and refuses
        interleaved(monkeypatch, revoke)
        with pytest.raises(Conflict) as refused:
            reinstate()
        assert refused.value.code == "revoked_through_prerequisite"
    else:  # it reads CERT-DLP withdrawn, the reinstatement commits, it reads again and withdraws it with ACC-DLP
        interleaved(monkeypatch, reinstate)
        done = revoke()
        assert {w.credential_id for w in done.cycles} == {"ACC-DLP", "CERT-DLP"}
    (acc,), (dlp,) = cycles(owner, "ACC-DLP"), cycles(owner, "CERT-DLP")
    assert acc.revoked
    assert dlp.revoked, "CERT-DLP stands on a revoked ACC-DLP"


def test_another_candidates_revocation_touches_nothing_of_mine(api, mail, candidate) -> None:
    other = make_candidate(api, mail, "grace", "grace@example.org")
    passes(api, candidate, "250-580", "r-ada")
    passes(api, other, "250-580", "r-grace")
    staff(api.gateway, operation="revoke", username="grace", credential_id="CERT-EP", **REVOKE)
    assert statuses(api, candidate) == {"CERT-EP": "earned"}
    assert statuses(api, other) == {"CERT-EP": "revoked"}
    assert evaluation.award_what_is_met(owner_of(api, other)) == []  # never awarded again by itself


def test_a_revocation_needs_a_category_the_candidate_can_be_told(api, mail, candidate) -> None:
    passes(api, candidate, "250-580", "r-1")
    for category in (None, "fraud!", ["exam_misconduct"], "prerequisite_revoked"):
        answer = staff(
            api.gateway, operation="revoke", username="ada", credential_id="CERT-EP", **STAFF, category=category
        )
        assert answer["error"]["field"] == "category", answer
    assert statuses(api, candidate) == {"CERT-EP": "earned"}


def test_the_export_has_each_revocation_and_erasure_takes_its_record_with_the_person(api, mail, candidate) -> None:
    from tests.functions.conftest import PASSWORD

    passes(api, candidate, "250-580", "r-1")
    owner = owner_of(api, candidate)
    staff(api.gateway, operation="revoke", username="ada", credential_id="CERT-EP", **REVOKE)
    exported = api.call("GET", "/me/export", token=candidate["token"]).json()
    (record,) = exported["revocations"]
    assert (record["credential_id"], record["reason"], record["withdrawn"]) == (
        "CERT-EP",
        "a breach of the exam rules was found",
        ["CERT-EP cycle 1"],
    )
    (award,) = exported["credentials"]
    assert award["revocation_reason"] == "a breach of the exam rules was found"
    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"]).status == 204
    assert list(Revocation.query(owner)) == []
    assert list(CredentialAward.query(owner)) == []
