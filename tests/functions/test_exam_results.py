"""Pearson VUE's signed results: exactly once, out of order, parked when unmatched; the history."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from certtracker import clock
from certtracker.models.exam_results import PARKED_PARTITION, ExamResult
from tests.functions.conftest import PEARSON_VUE, error, make_candidate

WEBHOOK = "/integrations/pearson-vue/results"


def registered(api, who, exam_id: str) -> str:
    answer = api.call("POST", "/me/exam-registrations", {"exam_id": exam_id}, token=who["token"])
    assert answer.status == 201, answer.body
    return str(answer.json()["registration_id"])


def deliver(
    api,
    registration_id: str,
    *,
    result_id: str,
    score: int,
    passed: bool,
    days_ago: float = 0,
    timestamp: int | None = None,
):
    taken = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    payload = {
        "result_id": result_id,
        "registration_id": registration_id,
        "score": score,
        "passed": passed,
        "taken_at": taken,
        "delivery": "test_center",
    }
    body, headers = PEARSON_VUE.signed_delivery(payload, timestamp=timestamp)
    return api.call("POST", WEBHOOK, raw=body, headers=headers)


def history(api, who, query: str = ""):
    answer = api.call("GET", "/me/exams" + query, token=who["token"])
    assert answer.status == 200, answer.body
    return answer.json()


def test_a_result_delivered_twice_is_in_the_history_once(api, candidate) -> None:
    registration = registered(api, candidate, "250-580")
    assert deliver(api, registration, result_id="r-1", score=82, passed=True).json() == {"status": "stored"}
    assert deliver(api, registration, result_id="r-1", score=82, passed=True).json() == {"status": "duplicate"}
    results = history(api, candidate)["results"]
    assert len(results) == 1
    assert results[0] | {"taken_at": "…"} == {
        "result_id": "r-1",
        "exam_id": "250-580",
        "kind": "exam",
        "delivery": "test_center",
        "taken_at": "…",
        "score": 82,
        "pass_mark": 70,
        "passed": True,
    }


def test_results_arriving_out_of_order_are_shown_newest_first(api, candidate) -> None:
    newer = registered(api, candidate, "ASM-EP-101")
    older = registered(api, candidate, "ASM-DLP-101")
    deliver(api, newer, result_id="new", score=90, passed=True, days_ago=1)
    deliver(api, older, result_id="old", score=40, passed=False, days_ago=3)
    assert [r["result_id"] for r in history(api, candidate)["results"]] == ["new", "old"]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "unsigned"),
        ({"X-PearsonVUE-Timestamp": "1700000000", "X-PearsonVUE-Signature": "sha256=00"}, "stale_signature"),
    ],
)
def test_an_unsigned_or_stale_call_is_401_and_changes_nothing(api, candidate, headers, code) -> None:
    registration = registered(api, candidate, "250-580")
    body = b'{"result_id": "r-9", "registration_id": "' + registration.encode() + b'", "score": 99}'
    answer = api.call("POST", WEBHOOK, raw=body, headers={"Content-Type": "application/json", **headers})
    assert error(answer, 401)["code"] == code
    assert history(api, candidate)["results"] == []


def test_a_forged_signature_or_an_altered_body_is_refused(api, candidate) -> None:
    registration = registered(api, candidate, "250-580")
    payload = {
        "result_id": "r-2",
        "registration_id": registration,
        "score": 30,
        "passed": False,
        "taken_at": datetime.now(UTC).isoformat(),
        "delivery": "test_center",
    }
    body, headers = PEARSON_VUE.signed_delivery(payload)
    altered = body.replace(b'"passed": false', b'"passed": true').replace(b'"score": 30', b'"score": 99')
    assert error(api.call("POST", WEBHOOK, raw=altered, headers=headers), 401)["code"] == "bad_signature"
    stale = int(time.time()) - 301
    _, old_headers = PEARSON_VUE.signed_delivery(payload, timestamp=stale)
    assert error(api.call("POST", WEBHOOK, raw=body, headers=old_headers), 401)["code"] == "stale_signature"
    assert history(api, candidate)["results"] == []


def test_a_result_that_matches_no_registration_is_parked_not_lost(api) -> None:
    answer = deliver(api, "20260101000000-unknown", result_id="lost-1", score=75, passed=True)
    assert answer.json() == {"status": "parked"}
    parked = list(ExamResult.query(PARKED_PARTITION))
    assert [p.result_id for p in parked] == ["lost-1"]
    assert deliver(api, "20260101000000-unknown", result_id="lost-1", score=75, passed=True).json() == {
        "status": "duplicate"
    }


def test_a_signed_but_invalid_body_is_a_422_naming_the_field(api) -> None:
    body, headers = PEARSON_VUE.signed_delivery({"result_id": "x", "registration_id": "y", "score": 101})
    assert error(api.call("POST", WEBHOOK, raw=body, headers=headers), 422)["field"]


def test_a_failed_exam_waits_its_retake_period_and_a_result_reopens_registration(api, candidate) -> None:
    registration = registered(api, candidate, "250-580")
    deliver(api, registration, result_id="fail-1", score=55, passed=False)
    refused = error(api.call("POST", "/me/exam-registrations", {"exam_id": "250-580"}, token=candidate["token"]), 409)
    assert refused["code"] == "retake_too_soon"
    clock.advance(15 * 86400)
    token = api.login("ada").json()["token"]  # fifteen days on, the old session has long ended
    assert api.call("POST", "/me/exam-registrations", {"exam_id": "250-580"}, token=token).status == 201


def test_history_filters_and_pages_with_a_cursor_that_only_works_for_its_candidate(api, mail, candidate) -> None:
    for index, exam in enumerate(["ASM-EP-101", "ASM-DLP-101", "ASM-EM-101", "250-580", "250-587"]):
        passed = index % 2 == 0
        deliver(
            api,
            registered(api, candidate, exam),
            result_id=f"h-{index}",
            score=80 if passed else 40,
            passed=passed,
            days_ago=10 - index,
        )
    assert {r["kind"] for r in history(api, candidate, "?kind=assessment")["results"]} == {"assessment"}
    assert all(not r["passed"] for r in history(api, candidate, "?result=failed")["results"])

    from certtracker import exam_results

    exam_results.PAGE_SIZE, saved = 2, exam_results.PAGE_SIZE
    try:
        first = history(api, candidate)
        assert len(first["results"]) == 2
        assert first["next_cursor"]
        second = history(api, candidate, f"?cursor={first['next_cursor']}")
        assert {r["result_id"] for r in second["results"]}.isdisjoint({r["result_id"] for r in first["results"]})
        other = make_candidate(api, mail, "grace", "grace@example.org")
        stolen = api.call("GET", f"/me/exams?cursor={first['next_cursor']}", token=other["token"])
        assert error(stolen, 422)["code"] == "invalid_cursor"
        assert error(api.call("GET", "/me/exams?cursor=not-a-cursor", token=candidate["token"]), 422)["field"] == (
            "cursor"
        )
    finally:
        exam_results.PAGE_SIZE = saved
    assert history(api, other)["results"] == []


def test_erasure_keeps_only_anonymized_results(api, candidate) -> None:
    deliver(api, registered(api, candidate, "250-580"), result_id="keep-1", score=88, passed=True)
    account_id = api.call("GET", "/me", token=candidate["token"]).json()["account_id"]
    export = api.call("GET", "/me/export", token=candidate["token"]).json()
    assert [r["result_id"] for r in export["exam_results"]] == ["keep-1"]
    assert api.call("DELETE", "/me", {"password": "Orchid-Lantern-Violet-42"}, token=candidate["token"]).status == 204
    assert list(ExamResult.query(account_id)) == []
    (kept,) = list(ExamResult.query("ANONYMIZED"))
    assert (kept.exam_id, kept.score, kept.passed) == ("250-580", 88, True)
    assert kept.result_id != "keep-1"
    assert account_id not in str(kept.attribute_values)
