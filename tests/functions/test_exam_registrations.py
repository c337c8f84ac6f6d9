"""Registering for exams: Pearson VUE authorizations over HTTP, signed links, and what is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from tests.functions.conftest import PEARSON_VUE, error, make_candidate


def register(api, who, exam_id):
    return api.call("POST", "/me/exam-registrations", {"exam_id": exam_id}, token=who["token"])


def test_registering_for_an_exam_authorizes_it_at_pearson_vue_and_returns_a_working_scheduling_link(
    api, candidate
) -> None:
    api.call("PATCH", "/me/profile", {"phone": "020 7946 0958"}, token=candidate["token"])
    answer = register(api, candidate, "250-580")
    assert answer.status == 201, answer.body
    registration = answer.json()
    assert registration["status"] == "authorized"
    authorization = PEARSON_VUE.authorizations[registration["registration_id"]]
    assert authorization["exam_code"] == "250-580"
    demographics = PEARSON_VUE.candidates[authorization["candidate_id"]]
    assert demographics["last_name"] == "Lovelace"
    assert demographics["phone"] == "+442079460958"

    page = requests.get(registration["scheduling_url"], timeout=5)
    assert page.status_code == 200
    assert "Schedule exam 250-580" in page.text
    forged = registration["scheduling_url"].replace("signature=", "signature=0")
    assert requests.get(forged, timeout=5).status_code == 403


def test_an_assessment_needs_no_authorization_and_gets_a_launch_link(api, candidate) -> None:
    answer = register(api, candidate, "ASM-EP-101")
    assert answer.status == 201
    registration = answer.json()
    assert registration["kind"] == "assessment"
    assert registration["registration_id"] not in PEARSON_VUE.authorizations
    assert urlsplit(registration["scheduling_url"]).path.endswith("/assessments/launch")
    assert requests.get(registration["scheduling_url"], timeout=5).status_code == 200


def test_one_open_registration_per_exam(api, candidate) -> None:
    assert register(api, candidate, "250-587").status == 201
    assert error(register(api, candidate, "250-587"), 409)["code"] == "registration_open"
    assert register(api, candidate, "250-586").status == 201  # another exam is fine


def test_retired_and_unknown_exams_are_refused(api, candidate) -> None:
    retired = error(register(api, candidate, "250-561"), 409)
    assert retired["code"] == "exam_retired"
    assert "250-580" in retired["message"]
    assert error(register(api, candidate, "999-999"), 404)["code"] == "exam_not_found"
    assert error(register(api, candidate, "bad id!"), 422)["field"] == "exam_id"


def test_a_pearson_vue_outage_is_a_503_with_retry_after_and_leaves_no_registration(api, candidate) -> None:
    PEARSON_VUE.outage_until = 10**12
    answer = register(api, candidate, "250-580")
    assert error(answer, 503)["code"] == "pearson_vue_unavailable"
    assert answer.header("Retry-After") == "60"
    PEARSON_VUE.outage_until = 0
    assert api.call("GET", "/me/exam-registrations", token=candidate["token"]).json()["registrations"] == []
    assert register(api, candidate, "250-580").status == 201  # nothing half-made blocks a new try


def test_registrations_are_listed_newest_first_and_only_to_their_candidate(api, mail, candidate) -> None:
    register(api, candidate, "ASM-EP-101")
    register(api, candidate, "250-580")
    mine = api.call("GET", "/me/exam-registrations", token=candidate["token"]).json()["registrations"]
    assert [r["exam_id"] for r in mine] == ["250-580", "ASM-EP-101"]
    assert all(r["scheduling_url"] for r in mine)

    other = make_candidate(api, mail, "grace", "grace@example.org")
    assert api.call("GET", "/me/exam-registrations", token=other["token"]).json()["registrations"] == []
    assert register(api, other, "250-580").status == 201  # B's registration does not collide with A's


def test_a_pearson_vue_timeout_is_a_503_and_leaves_no_registration(api, candidate, monkeypatch) -> None:
    from certtracker.core import outbound

    monkeypatch.setattr(outbound, "READ_TIMEOUT_S", 0.2)
    outbound._pool.cache_clear()
    PEARSON_VUE.delay_seconds = 0.5
    try:
        answer = register(api, candidate, "250-580")
    finally:
        PEARSON_VUE.delay_seconds = 0
        monkeypatch.undo()
        outbound._pool.cache_clear()
    assert error(answer, 503)["code"] == "pearson_vue_unavailable"
    assert api.call("GET", "/me/exam-registrations", token=candidate["token"]).json()["registrations"] == []
    assert register(api, candidate, "250-580").status == 201


def test_pearson_vue_refusing_our_secret_is_a_503_counted_as_an_authentication_failure(
    api, candidate, monkeypatch
) -> None:
    from certtracker.exams import pearson_vue

    counted: list[str] = []
    monkeypatch.setattr(pearson_vue, "count", lambda name, value=1: counted.append(name))
    monkeypatch.setattr(PEARSON_VUE, "_secret", lambda: "rotated-at-pearson-vue-only")

    answer = register(api, candidate, "250-580")

    assert error(answer, 503)["code"] == "pearson_vue_unavailable"  # the candidate: try again later
    assert counted == ["PearsonVueAuthFailed"]  # the operator: alarmed at once, apart from outages
    assert api.call("GET", "/me/exam-registrations", token=candidate["token"]).json()["registrations"] == []
