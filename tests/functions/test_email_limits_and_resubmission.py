"""No one can make CertTracker send email in bulk; a form sent twice makes one request (issue 9, item 10)."""

from __future__ import annotations

from typing import Any

from certtracker.core import clock
from certtracker.models.support_requests import SupportRequest
from tests.functions.conftest import PASSWORD, error, make_candidate

EXAMS_TEAM = "global_exams@certtracker.example.com"


def request(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "exams",
        "subject": "Voucher not accepted",
        "message": "My voucher code is refused.",
        **overrides,
    }


def file(api: Any, who: dict[str, str], body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else None
    return api.call("POST", "/me/support-requests", body, token=who["token"], headers=headers)


def stored_requests(account_id: str | None = None) -> list[SupportRequest]:
    return [item for item in SupportRequest.scan() if item.sk.startswith("REQUEST#")]


def test_a_form_sent_twice_with_one_idempotency_key_makes_one_request_and_one_set_of_emails(api, mail, candidate):
    first = file(api, candidate, request(), key="5b1f0c2e-double-click")
    again = file(api, candidate, request(), key="5b1f0c2e-double-click")

    assert first.status == again.status == 201
    assert again.json()["reference"] == first.json()["reference"]
    assert "already filed" in again.json()["message"]
    assert len(stored_requests()) == 1
    assert len(mail.to(EXAMS_TEAM)) == 1
    listed = api.call("GET", "/me/support-requests", token=candidate["token"]).json()["requests"]
    assert [item["reference"] for item in listed] == [first.json()["reference"]]


def test_one_idempotency_key_for_a_different_request_is_refused(api, mail, candidate):
    assert file(api, candidate, request(), key="key-1").status == 201

    refused = error(file(api, candidate, request(subject="Another question"), key="key-1"), 422)

    assert (refused["code"], refused["field"]) == ("idempotency_key_reused", "Idempotency-Key")
    assert len(stored_requests()) == 1


def test_the_same_form_without_a_key_makes_one_request_within_ten_minutes_and_a_new_one_after(api, mail, candidate):
    first = file(api, candidate, request()).json()["reference"]
    assert file(api, candidate, request()).json()["reference"] == first
    assert file(api, candidate, request(message="A different message, so a new request.")).status == 201

    clock.advance(11 * 60)

    assert file(api, candidate, request()).json()["reference"] != first
    assert len(stored_requests()) == 3


def test_an_anonymous_form_sent_twice_makes_one_request(api, mail):
    body = {
        "name": "Lin Chen",
        "email": "lin@example.org",
        "category": "login",
        "subject": "Cannot log in",
        "message": "The reset link never arrives.",
    }
    headers = {"Idempotency-Key": "anon-1"}
    first = api.call("POST", "/support/requests", body, headers=headers)
    again = api.call("POST", "/support/requests", body, headers=headers)

    assert again.json()["reference"] == first.json()["reference"]
    assert len(mail.to("lin@example.org")) == 1


def test_a_logged_in_candidate_files_at_most_ten_requests_an_hour(api, mail, candidate):
    answers = [file(api, candidate, request(subject=f"Question number {n}")) for n in range(12)]

    assert [a.status for a in answers] == [201] * 10 + [429] * 2
    assert error(answers[-1], 429)["code"] == "too_many_support_requests"
    assert int(answers[-1].header("Retry-After") or 0) > 0
    assert len(mail.to(EXAMS_TEAM)) == 10


def test_an_address_gets_at_most_ten_emails_an_hour_whoever_causes_them(api, mail):
    # Eleven strangers register the same address: each registration would send it a link.
    for n in range(11):
        assert api.register(f"stranger{n}", "victim@example.org").status == 201
    # And a logged-in candidate asks to move to it.
    someone = make_candidate(api, mail, "someone", "someone@example.org")
    api.call(
        "PATCH", "/me/profile", {"email": "victim@example.org", "current_password": PASSWORD}, token=someone["token"]
    )

    assert len(mail.to("victim@example.org")) == 10

    clock.advance(3601)
    assert api.register("stranger-late", "victim@example.org").status == 201
    assert len(mail.to("victim@example.org")) == 11


def test_four_identical_submissions_at_the_same_moment_make_one_request(
    api, mail, candidate, dynamodb_writes_atomically
):
    for headers in ({"Idempotency-Key": "one-form"}, {}):  # with a key, and a double click without one
        answers = api.burst(
            4,
            "POST",
            "/me/support-requests",
            request(subject=f"Burst {bool(headers)}"),
            token=candidate["token"],
            headers=headers,
        )

        assert [answer.status for answer in answers] == [201] * 4, [a.body for a in answers]
        assert len({answer.json()["reference"] for answer in answers}) == 1
    assert len(stored_requests()) == 2
    assert len(mail.to(EXAMS_TEAM)) == 2


def test_plus_addressing_and_gmail_dots_do_not_lift_the_ten_emails_an_hour(api, mail):
    # Strangers register tagged spellings of one inbox: each would send it a verification link.
    spellings = [f"victim+{n}@gmail.com" for n in range(6)] + [f"vic.tim+{n}@googlemail.com" for n in range(6)]
    for n, address in enumerate(spellings):
        assert api.register(f"stranger{n}", address).status == 201
    one_inbox = ("@gmail.com", "@googlemail.com")
    delivered = [message for message in mail.all() if any(to.endswith(one_inbox) for to in message["to"])]
    assert len(delivered) == 10
