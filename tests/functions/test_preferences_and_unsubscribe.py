"""Email preferences and consent history, and the RFC 8058 one-click unsubscribe that needs no login."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from certtracker import notifications
from certtracker.core import clock
from tests.functions.conftest import error, make_candidate

NEWS_SUBJECT = "You will receive program news from CertTracker"
ALL_ON = {"exam_results": True, "expiry_reminders": True, "share_views": True, "support_replies": True}
DEFAULTS = {"notifications": ALL_ON, "marketing_opt_in": False}
MARKETING_ON = {"notifications": ALL_ON, "marketing_opt_in": True}


def preferences(api: Any, who: dict[str, str]) -> dict[str, Any]:
    response = api.call("GET", "/me/preferences", token=who["token"])
    assert response.status == 200, response.body
    return response.json()


def put(api: Any, who: dict[str, str], body: Any) -> Any:
    return api.call("PUT", "/me/preferences", body, token=who["token"])


def consent_events(api: Any, who: dict[str, str], via: str | None = None) -> list[dict[str, Any]]:
    entries = api.call("GET", "/me/profile/history", token=who["token"]).json()
    return [e for e in entries if e["kind"] == "consent_changed" and (via is None or e["details"]["via"] == via)]


def one_click_token(message: dict[str, Any]) -> str:
    """The token of the List-Unsubscribe URL, after checking the URL is an https one to the API's unsubscribe."""
    header = message["headers"]["List-Unsubscribe"]
    assert header[:1] + header[-1:] == "<>", header
    url = urlsplit(header[1:-1])
    assert (url.scheme, url.netloc, url.path) == ("https", "certtracker.example.com", "/api/unsubscribe"), header
    return parse_qs(url.query)["token"][0]


def opt_in(api: Any, mail: Any, who: dict[str, str]) -> str:
    """Turn program news on; returns the one-click token of the confirmation email."""
    assert put(api, who, MARKETING_ON).status == 200
    news = mail.to(who["email"])[0]
    assert news["subject"] == NEWS_SUBJECT
    return one_click_token(news)


def one_click(api: Any, token: str, **extra_query: str) -> Any:
    """What a mail client sends for RFC 8058: a form POST to the List-Unsubscribe URL, with no credentials."""
    return api.call(
        "POST",
        "/unsubscribe?" + urlencode({"token": token, **extra_query}),
        raw=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


# ---------------------------------------------------------------- preferences


def test_a_new_candidate_gets_every_notification_and_no_program_news(api, candidate):
    response = api.call("GET", "/me/preferences", token=candidate["token"])

    assert response.status == 200, response.body
    assert response.header("Cache-Control") == "no-store"
    assert response.json() == DEFAULTS


def test_each_preference_change_is_kept_with_its_time_and_the_privacy_notice_version(api, candidate):
    wanted = {"notifications": {**ALL_ON, "exam_results": False, "share_views": False}, "marketing_opt_in": False}
    before = clock.now()

    changed = put(api, candidate, wanted)

    assert changed.status == 200, changed.body
    assert changed.json() == wanted
    assert preferences(api, candidate) == wanted
    events = consent_events(api, candidate, via="preferences")
    assert sorted((e["details"]["topic"], e["details"]["value"]) for e in events) == [
        ("exam_results", False),
        ("share_views", False),
    ]
    assert all(e["details"]["privacy_notice_version"] == "2026-01" for e in events)
    assert all(before <= datetime.fromisoformat(e["at"]) <= clock.now() for e in events)

    assert put(api, candidate, wanted).status == 200  # the same choices again are no change
    assert len(consent_events(api, candidate, via="preferences")) == 2

    clock.advance(60)
    back_on = {**wanted, "notifications": {**wanted["notifications"], "share_views": True}}
    assert put(api, candidate, back_on).status == 200
    newest = consent_events(api, candidate, via="preferences")[0]
    assert (newest["details"]["topic"], newest["details"]["value"]) == ("share_views", True)
    assert datetime.fromisoformat(newest["at"]) > datetime.fromisoformat(events[0]["at"])


def test_turning_program_news_on_sends_a_confirmation_with_one_click_unsubscribe_headers_and_link(api, mail, candidate):
    turned_on = put(api, candidate, MARKETING_ON)

    assert turned_on.status == 200, turned_on.body
    assert preferences(api, candidate)["marketing_opt_in"] is True
    news = mail.to("ada@example.org")[0]
    assert news["subject"] == NEWS_SUBJECT
    token = one_click_token(news)
    assert news["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"To stop receiving these emails: https://certtracker.example.com/unsubscribe#token={token}" in news["text"]
    assert f'href="https://certtracker.example.com/unsubscribe#token={token}"' in news["html"]
    (event,) = consent_events(api, candidate, via="preferences")
    assert event["details"] == {
        "topic": "marketing",
        "value": True,
        "privacy_notice_version": "2026-01",
        "via": "preferences",
    }
    # Already on: no second confirmation. Transactional mail carries no unsubscribe.
    assert put(api, candidate, MARKETING_ON).status == 200
    assert [m["subject"] for m in mail.to("ada@example.org")].count(NEWS_SUBJECT) == 1
    verification = mail.to("ada@example.org")[-1]
    assert "List-Unsubscribe" not in verification["headers"]
    assert "List-Unsubscribe-Post" not in verification["headers"]


def test_preferences_with_missing_unknown_or_mistyped_keys_are_refused_by_name(api, candidate, subtests):
    without = {k: v for k, v in ALL_ON.items() if k != "share_views"}
    cases: list[tuple[str, Any, str | None]] = [
        ("no marketing choice", {"notifications": ALL_ON}, "marketing_opt_in"),
        ("no notifications", {"marketing_opt_in": True}, "notifications"),
        (
            "a notification kind missing",
            {"notifications": without, "marketing_opt_in": True},
            "notifications.share_views",
        ),
        (
            "an unknown notification kind",
            {"notifications": {**ALL_ON, "newsletters": True}, "marketing_opt_in": True},
            "notifications.newsletters",
        ),
        ("an unknown key", {**MARKETING_ON, "sms": True}, "sms"),
        ("a choice that is not a yes or no", {**MARKETING_ON, "marketing_opt_in": "perhaps"}, "marketing_opt_in"),
        (
            "a null choice",
            {"notifications": {**ALL_ON, "exam_results": None}, "marketing_opt_in": True},
            "notifications.exam_results",
        ),
        ("notifications as a list", {"notifications": ["exam_results"], "marketing_opt_in": True}, "notifications"),
        ("an empty body", {}, None),
    ]
    for label, body, field in cases:
        with subtests.test(label):
            refused = error(put(api, candidate, body), 422)
            if field:
                assert refused["field"] == field, refused
    assert preferences(api, candidate) == DEFAULTS
    assert consent_events(api, candidate, via="preferences") == []


# ---------------------------------------------------------------- one-click unsubscribe


def test_one_click_unsubscribe_turns_program_news_off_without_a_login_and_a_second_click_is_harmless(
    api, mail, candidate
):
    token = opt_in(api, mail, candidate)

    first = one_click(api, token)

    assert first.status == 200, first.body
    assert first.json()["topic"] == "marketing"
    assert "unsubscribed" in first.json()["message"]
    assert preferences(api, candidate) == DEFAULTS
    (event,) = consent_events(api, candidate, via="unsubscribe_link")
    assert (event["details"]["topic"], event["details"]["value"]) == ("marketing", False)
    assert event["details"]["privacy_notice_version"] == "2026-01"

    again = one_click(api, token)

    assert again.status == 200, again.body
    assert preferences(api, candidate) == DEFAULTS
    assert len(consent_events(api, candidate, via="unsubscribe_link")) == 1


def test_an_unsubscribe_link_for_one_kind_of_notification_turns_off_only_that_kind(api, candidate):
    account_id = api.call("GET", "/me", token=candidate["token"]).json()["account_id"]
    assert put(api, candidate, MARKETING_ON).status == 200
    link = notifications.unsubscribe_link(account_id, "expiry_reminders")
    token = parse_qs(urlsplit(link.one_click_url).query)["token"][0]

    response = one_click(api, token)

    assert response.status == 200, response.body
    assert response.json()["topic"] == "expiry_reminders"
    assert preferences(api, candidate) == {
        "notifications": {**ALL_ON, "expiry_reminders": False},
        "marketing_opt_in": True,
    }


def test_a_forged_unknown_or_malformed_unsubscribe_token_is_refused_and_changes_nothing(api, mail, candidate, subtests):
    opt_in(api, mail, candidate)
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": "ada"}).status == 202
    reset_token = mail.latest_link("ada@example.org", "/reset-password")

    for label, token in (("an unknown token", secrets.token_urlsafe(32)), ("a password reset token", reset_token)):
        with subtests.test(label):
            assert error(one_click(api, token), 410)["code"] == "link_expired"
    for label, target in (
        ("a token too short", "/unsubscribe?token=abc"),
        ("a token with markup", "/unsubscribe?token=%3Cscript%3Ealert(1)%3C%2Fscript%3Exxxxxxxx"),
        ("no token", "/unsubscribe"),
    ):
        with subtests.test(label):
            refused = api.call(
                "POST",
                target,
                raw=b"List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert error(refused, 422)["field"] == "token"
    assert preferences(api, candidate)["marketing_opt_in"] is True
    # The reset link was not spent by being tried as an unsubscribe token.
    reset = api.call("POST", "/auth/password-reset", {"token": reset_token, "new_password": "Lantern-Orchid-Sings-77"})
    assert reset.status == 204, reset.body


def test_an_unsubscribe_link_cannot_be_replayed_for_another_person(api, mail, candidate):
    ada_token = opt_in(api, mail, candidate)
    bob = make_candidate(api, mail, "bob", "bob@example.org")
    bob_id = api.call("GET", "/me", token=bob["token"]).json()["account_id"]
    opt_in(api, mail, bob)

    # Whatever names bob, in the query or as a login, ada's link only ever unsubscribes ada.
    replayed = api.call(
        "POST",
        "/unsubscribe?" + urlencode({"token": ada_token, "account_id": bob_id, "username": "bob"}),
        raw=b"List-Unsubscribe=One-Click&account_id=" + bob_id.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {bob['token']}"},
    )

    assert replayed.status == 200, replayed.body
    assert preferences(api, bob)["marketing_opt_in"] is True
    assert preferences(api, candidate)["marketing_opt_in"] is False
    assert consent_events(api, bob, via="unsubscribe_link") == []


def test_an_unsubscribe_link_works_for_90_days_and_then_is_gone_without_changing_anything(api, mail, candidate):
    first_token = opt_in(api, mail, candidate)
    clock.advance(timedelta(days=89).total_seconds())
    assert one_click(api, first_token).status == 200  # a late click still works
    session = api.login("ada").json()  # the old session timed out meanwhile
    assert preferences(api, session)["marketing_opt_in"] is False
    opt_in(api, mail, {**session, "email": "ada@example.org"})  # news again, with a fresh link
    clock.advance(timedelta(days=2).total_seconds())

    expired = one_click(api, first_token)

    assert error(expired, 410)["code"] == "link_expired"
    session = api.login("ada").json()
    assert preferences(api, session)["marketing_opt_in"] is True
