"""Awards the moment requirements are met: a passed result, stored by the webhook, awards what it completes in
the same invocation, once, cascading to credentials it completes in turn, and tells the candidate."""

from __future__ import annotations

from certtracker.credentials import evaluation
from certtracker.models.credential_awards import CredentialAward
from tests.functions.test_exam_results import deliver, registered


def account_id(api, who) -> str:
    return api.call("GET", "/me", token=who["token"]).json()["account_id"]


def held(api, who) -> dict[str, dict]:
    response = api.call("GET", "/me/credentials", token=who["token"])
    assert response.status == 200, response.body
    return {entry["credential_id"]: entry for entry in response.json()["credentials"]}


def passes(api, who, exam_id: str, result_id: str, *, passed: bool = True) -> None:
    answer = deliver(api, registered(api, who, exam_id), result_id=result_id, score=80 if passed else 40, passed=passed)
    assert answer.json() == {"status": "stored"}, answer.body


def test_a_passed_exam_awards_its_certification_at_once_and_emails_the_candidate(api, mail, candidate) -> None:
    passes(api, candidate, "250-580", "r-1")
    credentials = held(api, candidate)
    assert list(credentials) == ["CERT-EP"]
    earned = credentials["CERT-EP"]
    assert (earned["status"], earned["cycle"]) == ("earned", 1)
    assert earned["expires_at"][:4] == str(int(earned["earned_at"][:4]) + 2)  # valid 24 months
    (told,) = [m for m in mail.to(candidate["email"]) if "You earned" in m["subject"]]
    assert "List-Unsubscribe" in told["headers"]


def test_a_failed_exam_awards_nothing(api, candidate) -> None:
    passes(api, candidate, "250-580", "r-1", passed=False)
    assert held(api, candidate) == {}


def test_a_new_certification_that_completes_two_of_five_awards_the_professional_credential_too(api, candidate):
    passes(api, candidate, "250-580", "r-ep")  # CERT-EP
    passes(api, candidate, "ASM-DLP-101", "r-acc")  # ACC-DLP, the prerequisite of CERT-DLP
    assert set(held(api, candidate)) == {"CERT-EP", "ACC-DLP"}
    passes(api, candidate, "250-587", "r-dlp")  # CERT-DLP, and with CERT-EP that is 2 of 5: PRO-SEC
    assert set(held(api, candidate)) == {"CERT-EP", "ACC-DLP", "CERT-DLP", "PRO-SEC"}


def test_evaluating_again_or_at_the_same_time_awards_nothing_more(api, candidate) -> None:
    passes(api, candidate, "250-580", "r-1")
    owner = account_id(api, candidate)
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        written = list(pool.map(lambda _: evaluation.award_what_is_met(owner), range(4)))
    assert written == [[], [], [], []]
    assert [award.credential_id for award in CredentialAward.query(owner)] == ["CERT-EP"]


def test_a_second_candidate_is_awarded_nothing_by_the_first_ones_results(api, mail, candidate) -> None:
    from tests.functions.conftest import make_candidate

    passes(api, candidate, "250-580", "r-1")
    other = make_candidate(api, mail, "grace", "grace@example.org")
    assert held(api, other) == {}


def progress_of(api, who) -> dict[str, dict]:
    response = api.call("GET", "/me/progress", token=who["token"])
    assert response.status == 200, response.body
    return {entry["credential_id"]: entry for entry in response.json()["credentials"]}


def test_progress_shows_every_credential_with_its_status_percent_and_what_met_each_requirement(api, candidate):
    before = progress_of(api, candidate)
    assert len(before) == 11
    assert {entry["status"] for entry in before.values()} == {"not_started"}
    passes(api, candidate, "ASM-EP-101", "r-sales")  # one of ACC-EP's two assessments
    passes(api, candidate, "250-580", "r-cert")
    after = progress_of(api, candidate)
    acc = after["ACC-EP"]
    assert (acc["status"], acc["percent"]) == ("in_progress", 50)
    met = [child for child in acc["requirements"]["children"] if child["met"]]
    assert [child["met_by"]["result_id"] for child in met] == ["r-sales"]
    assert (after["CERT-EP"]["status"], after["CERT-EP"]["percent"]) == ("earned", 100)
    pro = after["PRO-SEC"]  # 2 of 5 certifications: one held is half of it, counted as its count
    assert (pro["status"], pro["percent"], pro["requirements"]["total_units"]) == ("in_progress", 50, 2)
    assert [c["met_by"]["credential_id"] for c in pro["requirements"]["children"] if c["met"]] == ["CERT-EP"]
    retired = after["CERT-EP"]["requirements"]["exams"]
    assert {(v["exam_id"], v["retired"]) for v in retired} == {("250-580", False), ("250-561", True)}


def test_progress_is_only_ever_the_callers_own(api, mail, candidate) -> None:
    from tests.functions.conftest import make_candidate

    passes(api, candidate, "250-580", "r-1")
    other = make_candidate(api, mail, "grace", "grace@example.org")
    assert {entry["status"] for entry in progress_of(api, other).values()} == {"not_started"}
    assert api.call("GET", "/me/progress").status == 401


def test_the_plan_names_the_fewest_bookable_exams_for_each_credential_and_what_lapses_when(api, candidate):
    passes(api, candidate, "ASM-EP-101", "r-sales")  # half of ACC-EP, fresh for 24 months
    passes(api, candidate, "250-580", "r-cert")  # CERT-EP
    response = api.call("GET", "/me/plan", token=candidate["token"])
    assert response.status == 200, response.body
    plan = response.json()
    steps = {step["credential_id"]: step for step in plan["steps"]}
    assert "CERT-EP" not in steps  # held
    assert [e["exam_id"] for e in steps["ACC-EP"]["exams"]] == ["ASM-EP-201"]
    assert [e["exam_id"] for e in steps["CERT-DLP"]["exams"]] == ["250-587", "ASM-DLP-101"]  # its prerequisite too
    assert len(steps["PRO-SEC"]["exams"]) == 1  # one more certification, the cheapest
    assert all(step["bookable"] for step in steps.values())
    whats = [(lapse["what"], lapse["credential_id"]) for lapse in plan["timeline"]]
    assert ("result_ages_out", "ACC-EP") in whats
    assert whats.index(("renewal_window_opens", "CERT-EP")) < whats.index(("credential_expires", "CERT-EP"))
    assert api.call("GET", "/me/plan").status == 401


def test_an_award_email_after_a_quiet_hour_is_sent_and_starts_a_new_hourly_count(api, mail, candidate) -> None:
    from certtracker.core import clock

    registration = registered(api, candidate, "250-580")
    clock.advance(2 * 3600)  # the hour counted since the verification email has passed
    answer = deliver(api, registration, result_id="r-late", score=80, passed=True)
    assert answer.json() == {"status": "stored"}, answer.body
    assert [m for m in mail.to(candidate["email"]) if "You earned" in m["subject"]]


def test_progress_and_the_plan_cost_two_queries_each_once_the_catalogs_are_cached(api, candidate, monkeypatch):
    from infra import iam

    passes(api, candidate, "250-580", "r-1")
    for path in ("/me/progress", "/me/plan"):
        assert api.call("GET", path, token=candidate["token"]).status == 200  # warms the catalogs' cache
    calls: list[str] = []
    original = iam.RECORDER.check

    def counting(function_name: str, operation: str, wanted: list) -> str | None:
        if function_name == "CredentialsFunction":
            calls.append(operation)
        return original(function_name, operation, wanted)

    monkeypatch.setattr(iam.RECORDER, "check", counting)
    for path in ("/me/progress", "/me/plan"):
        calls.clear()
        assert api.call("GET", path, token=candidate["token"]).status == 200
        assert calls == ["Query", "Query"], (path, calls)


def test_the_plan_is_only_ever_the_callers_own(api, mail, candidate) -> None:
    from tests.functions.conftest import make_candidate

    passes(api, candidate, "250-580", "r-1")
    other = make_candidate(api, mail, "grace", "grace@example.org")
    plan = api.call("GET", "/me/plan", token=other["token"]).json()
    assert "CERT-EP" in {step["credential_id"] for step in plan["steps"]}  # not held by grace
    assert plan["timeline"] == []  # nothing of the first candidate's expiries
