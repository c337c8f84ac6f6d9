"""Pearson VUE's signed results: exactly once, out of order, parked when unmatched; the history."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from certtracker.core import clock
from certtracker.exams import pearson_vue
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
    **overrides: Any,
):
    taken = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    payload = {
        "result_id": result_id,
        "registration_id": registration_id,
        "score": score,
        "passed": passed,
        "taken_at": taken,
        "delivery": "test_center",
        **overrides,
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

    from certtracker.exams import results as exam_results

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


def test_a_selective_filter_still_fills_each_page_and_walks_every_match_once(api, candidate) -> None:
    # One failed assessment among passed results: DynamoDB filters after it reads a page, so a page of two
    # read from the newest end would hold no match at all while the match waits further back.
    exams = ["ASM-EP-101", "ASM-DLP-101", "ASM-EM-101", "250-580", "250-587"]
    for index, exam in enumerate(exams):
        failed = exam in ("ASM-EP-101", "250-580")
        deliver(
            api,
            registered(api, candidate, exam),
            result_id=f"f-{index}",
            score=40 if failed else 80,
            passed=not failed,
            days_ago=10 - index,
        )
    from certtracker.exams import results as exam_results

    exam_results.PAGE_SIZE, saved = 1, exam_results.PAGE_SIZE
    try:
        seen, cursor = [], ""
        for _ in range(5):
            page = history(api, candidate, "?result=failed" + (f"&cursor={cursor}" if cursor else ""))
            seen += [r["result_id"] for r in page["results"]]
            assert page["results"] or not page["next_cursor"]  # never an empty page that says "more"
            cursor = page["next_cursor"]
            if not cursor:
                break
    finally:
        exam_results.PAGE_SIZE = saved
    assert seen == ["f-3", "f-0"]  # newest first, each once


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


# ---------------------------------------------------------------- what Pearson VUE sends, taken strictly


ODD_TIMESTAMPS = [
    "\u00b2",  # str.isdigit() says yes
    "\u00b9\u2077\u2070\u2070",
    "\uff11\uff17\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10",  # fullwidth digits
    "9" * 5000,  # too long for int()
    "-1",
    "+1",
    " 1",
]
LOOSE_FIELDS = [
    ("score", "85"),
    ("score", True),
    ("score", 85.0),
    ("passed", 1),
    ("passed", "true"),
    ("result_id", 12345),
    ("taken_at", "0001-01-01T00:00:00+00:00"),
    ("taken_at", "1999-12-31T23:59:59+00:00"),
    ("taken_at", "2099-01-01T00:00:00+00:00"),
    ("taken_at", "2026-03-01T09:30:00"),  # no time zone
    ("taken_at", "1714550000"),
    ("taken_at", 1714550000),
    ("taken_at", "9999-12-31T23:59:59-05:00"),
]


def test_a_timestamp_that_is_not_plain_ascii_digits_is_unsigned_not_a_500(api, candidate, subtests) -> None:
    registration = registered(api, candidate, "250-580")
    body = b'{"result_id": "r-9", "registration_id": "' + registration.encode() + b'", "score": 99}'
    for timestamp in ODD_TIMESTAMPS:
        with subtests.test(timestamp=timestamp[:10]):
            headers = {
                "Content-Type": "application/json",
                "X-PearsonVUE-Timestamp": timestamp,
                "X-PearsonVUE-Signature": "sha256=00",
            }

            assert error(api.call("POST", WEBHOOK, raw=body, headers=headers), 401)["code"] == "unsigned"


def test_a_signed_result_with_a_loose_type_or_an_implausible_date_is_a_422(api, candidate, subtests) -> None:
    registration = registered(api, candidate, "250-580")
    for field, value in LOOSE_FIELDS:
        with subtests.test(field=field, value=value):
            fields: dict[str, Any] = {"result_id": "loose-1", "score": 85, "passed": True, field: value}

            assert error(deliver(api, registration, **fields), 422)["field"] == field
    assert history(api, candidate)["results"] == []
    assert list(ExamResult.query(PARKED_PARTITION)) == []


def test_a_taken_at_a_few_minutes_ahead_of_our_clock_is_accepted(api, candidate) -> None:
    ahead = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()

    answer = deliver(api, registered(api, candidate, "250-580"), result_id="r-1", score=85, passed=True, taken_at=ahead)

    assert answer.json() == {"status": "stored"}


def test_a_signed_body_with_an_integer_too_long_to_convert_is_invalid_json(api, candidate) -> None:
    body = b'{"result_id": "r-1", "registration_id": "x", "score": ' + b"9" * 5000 + b"}"
    stamp = str(int(time.time()))
    signature = pearson_vue.sign(PEARSON_VUE.secret(), f"{stamp}.{body.decode()}")
    headers = {
        "Content-Type": "application/json",
        "X-PearsonVUE-Timestamp": stamp,
        "X-PearsonVUE-Signature": f"sha256={signature}",
    }

    assert error(api.call("POST", WEBHOOK, raw=body, headers=headers), 400)["code"] == "invalid_json"


def test_a_result_whose_verdict_contradicts_its_score_is_parked_not_stored(api, candidate, subtests) -> None:
    cases = [("250-580", 10, True), ("ASM-EP-101", 69, True), ("ASM-DLP-101", 70, False), ("ASM-EM-101", 100, False)]
    for exam_id, score, passed in cases:  # every pass mark is 70
        with subtests.test(score=score, passed=passed):
            registration = registered(api, candidate, exam_id)

            answer = deliver(api, registration, result_id=f"odd-{score}", score=score, passed=passed)

            assert answer.json() == {"status": "parked"}
            parked = ExamResult.query(PARKED_PARTITION, filter_condition=ExamResult.result_id == f"odd-{score}")
            assert [(p.registration_id, p.exam_id, p.score) for p in parked] == [(registration, exam_id, score)]
            again = deliver(api, registration, result_id=f"odd-{score}", score=score, passed=passed)
            assert again.json() == {"status": "duplicate"}
    assert history(api, candidate)["results"] == []


def test_a_result_at_the_pass_mark_is_a_pass(api, candidate) -> None:
    answer = deliver(api, registered(api, candidate, "250-580"), result_id="r-70", score=70, passed=True)

    assert answer.json() == {"status": "stored"}


def test_results_with_time_zone_offsets_are_ordered_and_kept_in_utc(api, candidate) -> None:
    today = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=12)
    # Earlier in UTC, but its local time reads later: 10:00+05:00 is 05:00Z, before 06:00Z.
    earlier = today.replace(hour=5, minute=0).astimezone(timezone(timedelta(hours=5)))
    later = today.replace(hour=6, minute=0)
    deliver(
        api,
        registered(api, candidate, "ASM-EP-101"),
        result_id="later",
        score=90,
        passed=True,
        taken_at=later.isoformat(),
    )
    deliver(
        api,
        registered(api, candidate, "ASM-DLP-101"),
        result_id="earlier",
        score=90,
        passed=True,
        taken_at=earlier.isoformat(),
    )

    results = history(api, candidate)["results"]

    assert [r["result_id"] for r in results] == ["later", "earlier"]
    assert datetime.fromisoformat(results[1]["taken_at"]) == earlier
    assert all(datetime.fromisoformat(r["taken_at"]).utcoffset() == timedelta(0) for r in results)
    assert all("+05:00" not in item.sk for item in ExamResult.scan())


def test_the_retake_wait_counts_from_the_newest_result_in_utc(api, candidate) -> None:
    """A fail at 23:00-08:00 (07:00Z next day) is newer than a pass at 01:00Z that day: the wait applies."""
    day = (datetime.now(UTC) - timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)
    failed_at = (day + timedelta(hours=6)).astimezone(timezone(timedelta(hours=-8)))
    deliver(
        api,
        registered(api, candidate, "250-580"),
        result_id="old-pass",
        score=90,
        passed=True,
        taken_at=day.isoformat(),
    )
    deliver(
        api,
        registered(api, candidate, "250-580"),
        result_id="new-fail",
        score=40,
        passed=False,
        taken_at=failed_at.isoformat(),
    )

    refused = api.call("POST", "/me/exam-registrations", {"exam_id": "250-580"}, token=candidate["token"])

    assert error(refused, 409)["code"] == "retake_too_soon"
