"""Contacting the Program Support Team: references, routing, confirmations, limits, escaping, privacy."""

from __future__ import annotations

import re
from typing import Any

from botocore.exceptions import ClientError

from certtracker.core.aws import client
from certtracker.models.support_requests import SupportRequest
from tests.functions.conftest import error, make_candidate

EXAMS_TEAM = "global_exams@certtracker.example.com"
PARTNER_TEAM = "partnerservice@certtracker.example.com"
REFERENCE = re.compile(r"^CT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def request(**overrides: Any) -> dict[str, Any]:
    return {
        "category": "exams",
        "subject": "Voucher not accepted",
        "message": "My voucher code is refused.",
        **overrides,
    }


def anonymous(**overrides: Any) -> dict[str, Any]:
    defaults = {
        "name": "Lin Chen",
        "email": "lin@example.org",
        "category": "login",
        "subject": "Cannot log in",
        "message": "The reset link never arrives.",
    }
    return {**defaults, **overrides}


def test_a_logged_in_request_gets_a_reference_reaches_the_team_and_is_confirmed(api, mail, candidate) -> None:
    filed = api.call("POST", "/me/support-requests", request(), token=candidate["token"])
    assert filed.status == 201, filed.body
    reference = filed.json()["reference"]
    assert REFERENCE.match(reference)
    team = mail.to(EXAMS_TEAM)[0]
    assert reference in team["subject"]
    assert team["headers"]["Reply-To"] == "ada@example.org"
    assert "Ada Lovelace" in team["text"]
    confirmation = mail.to("ada@example.org")[0]
    assert reference in confirmation["subject"]

    listed = api.call("GET", "/me/support-requests", token=candidate["token"]).json()
    assert [(r["reference"], r["status"]) for r in listed["requests"]] == [(reference, "open")]


def test_partner_account_questions_go_to_the_partner_program_team(api, mail, candidate) -> None:
    api.call("POST", "/me/support-requests", request(category="partner_account"), token=candidate["token"])
    assert mail.to(PARTNER_TEAM)
    assert not mail.to(EXAMS_TEAM)


def test_the_identity_comes_from_the_session_not_the_body(api, mail, candidate) -> None:
    spoofed = api.call("POST", "/me/support-requests", request(email="ceo@example.org"), token=candidate["token"])
    assert error(spoofed, 422)["field"] == "email"


def test_another_candidates_requests_are_never_shown(api, mail, candidate) -> None:
    api.call("POST", "/me/support-requests", request(subject="Ada's private question"), token=candidate["token"])
    other = make_candidate(api, mail, "grace", "grace@example.org")
    assert api.call("GET", "/me/support-requests", token=other["token"]).json()["requests"] == []
    mine = api.call("GET", "/me/support-requests", token=candidate["token"]).json()
    stolen = api.call(
        "GET", "/me/support-requests?cursor=" + (mine["next_cursor"] or "eyJ4IjoxfQ"), token=other["token"]
    )
    assert stolen.status in (200, 422)
    assert "Ada's private question" not in stolen.body.decode()


def test_an_anonymous_request_is_filed_and_confirmed_without_a_login(api, mail) -> None:
    filed = api.call("POST", "/support/requests", anonymous())
    assert filed.status == 201
    assert mail.to(EXAMS_TEAM)[0]["headers"]["Reply-To"] == "lin@example.org"
    assert mail.to("lin@example.org")


def test_anonymous_requests_are_limited_per_email_and_per_address_with_retry_after(api) -> None:
    for _ in range(3):
        assert api.call("POST", "/support/requests", anonymous()).status == 201
    limited = api.call("POST", "/support/requests", anonymous())
    assert error(limited, 429)["code"] == "too_many_support_requests"
    assert int(limited.header("Retry-After")) > 0
    for index in range(6):  # other addresses, same client: 10 attempts an hour from one place (the refused one counts)
        assert api.call("POST", "/support/requests", anonymous(email=f"p{index}@example.org")).status == 201
    assert api.call("POST", "/support/requests", anonymous(email="late@example.org")).status == 429


def test_html_in_a_request_is_shown_as_text_in_the_team_email(api, mail, candidate) -> None:
    api.call(
        "POST",
        "/me/support-requests",
        request(subject="<img src=x onerror=alert(1)>", message="<script>steal()</script> please help"),
        token=candidate["token"],
    )
    team_html = mail.to(EXAMS_TEAM)[0]["html"]
    assert "<script>" not in team_html
    assert "&lt;script&gt;steal()&lt;/script&gt;" in team_html
    assert "<img" not in team_html


def test_when_email_fails_the_request_is_kept_and_the_candidate_is_told(api, mail, candidate, monkeypatch) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(client("sesv2"), "send_email", refuse)
    filed = api.call("POST", "/me/support-requests", request(), token=candidate["token"])
    assert filed.status == 201
    assert "could not be sent" in filed.json()["message"]
    assert len([item for item in SupportRequest.scan() if item.sk.startswith("REQUEST#")]) == 1


def test_bad_requests_are_refused_by_field(api, candidate) -> None:
    for body, field in [
        (request(category="billing"), "category"),
        (request(message="short"), "message"),
        (request(subject="x" * 151), "subject"),
        (request(subject="bell\x07"), "subject"),
    ]:
        assert error(api.call("POST", "/me/support-requests", body, token=candidate["token"]), 422)["field"] == field
    assert error(api.call("POST", "/support/requests", anonymous(email="not-an-email")), 422)["field"] == "email"
