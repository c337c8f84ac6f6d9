"""What a candidate is told about a requested email change, and how to take it back."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from certtracker.core.aws import client
from tests.functions.conftest import NEW_PASSWORD, PASSWORD, error


def test_sending_the_current_address_again_cancels_the_pending_change_and_its_link(api, mail, candidate) -> None:
    auth = candidate["token"]
    asked = api.call("PATCH", "/me/profile", {"current_password": PASSWORD, "email": "ada.new@example.org"}, token=auth)
    assert asked.json()["pending_email"] == "ada.new@example.org"
    assert "We sent a link to ada.new@example.org" in asked.json()["message"]
    link = mail.latest_link("ada.new@example.org", "/verify-email")

    cancelled = api.call("PATCH", "/me/profile", {"current_password": PASSWORD, "email": "ada@example.org"}, token=auth)
    assert cancelled.status == 200
    assert cancelled.json()["pending_email"] is None
    assert error(api.call("POST", "/auth/verify-email", {"token": link}), 410)["code"] == "link_expired"
    assert api.call("GET", "/me", token=auth).json()["email"] == "ada@example.org"
    kinds = [entry["kind"] for entry in api.call("GET", "/me/profile/history", token=auth).json()]
    assert kinds[:2] == ["email_change_cancelled", "email_change_requested"]


def test_when_the_link_cannot_be_sent_the_candidate_is_told_to_ask_again(api, mail, candidate, monkeypatch) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(client("sesv2"), "send_email", refuse)
    asked = api.call(
        "PATCH", "/me/profile", {"current_password": PASSWORD, "email": "ada.new@example.org"}, token=candidate["token"]
    )
    assert asked.status == 200
    assert "could not be sent just now" in asked.json()["message"]
    monkeypatch.undo()

    again = api.call(
        "PATCH", "/me/profile", {"current_password": PASSWORD, "email": "ada.new@example.org"}, token=candidate["token"]
    )
    assert "We sent a link" in again.json()["message"]
    assert api.call("POST", "/auth/verify-email", {"token": mail.latest_link("ada.new@example.org", "/verify-email")})


# ---------------------------------------------------------------- a stolen session (issue 9, item 1)

REQUESTED_SUBJECT = "Someone asked to change your CertTracker email address"


def ask(api: Any, token: str, body: dict[str, Any]) -> Any:
    return api.call("PATCH", "/me/profile", body, token=token)


def test_changing_the_email_needs_the_current_password_and_a_wrong_one_changes_nothing(api, mail, candidate) -> None:
    auth = candidate["token"]

    missing = error(ask(api, auth, {"email": "thief@example.net", "company": "Thieves Ltd"}), 422)
    wrong = error(ask(api, auth, {"email": "thief@example.net", "current_password": "Not-The-Password-123"}), 403)

    assert (missing["code"], missing["field"]) == ("password_required", "current_password")
    assert wrong["code"] == "wrong_password"
    profile = api.call("GET", "/me/profile", token=auth).json()
    assert (profile["pending_email"], profile["company"]) == (None, None)
    assert mail.to("thief@example.net") == []
    # Other fields need no password.
    assert ask(api, auth, {"company": "Analytical Engines"}).status == 200


def test_the_current_address_is_told_at_once_and_its_link_cancels_the_change_and_ends_every_session(
    api, mail, candidate
) -> None:
    stolen = candidate["token"]
    assert ask(api, stolen, {"email": "thief@example.net", "current_password": PASSWORD}).status == 200
    thief_link = mail.latest_link("thief@example.net", "/verify-email")
    notice = next(m for m in mail.to("ada@example.org") if m["subject"] == REQUESTED_SUBJECT)
    assert "thief@example.net" in notice["text"]
    cancel = mail.latest_link("ada@example.org", "/cancel-email-change")

    cancelled = api.call("POST", "/auth/cancel-email-change", {"token": cancel})

    assert cancelled.status == 200, cancelled.body
    assert error(api.call("GET", "/me", token=stolen), 401)
    assert error(api.call("POST", "/auth/verify-email", {"token": thief_link}), 410)["code"] == "link_expired"
    assert error(api.call("POST", "/auth/cancel-email-change", {"token": cancel}), 410)["code"] == "link_expired"
    fresh = api.login("ada").json()["token"]
    assert api.call("GET", "/me", token=fresh).json()["email"] == "ada@example.org"
    kinds = [entry["kind"] for entry in api.call("GET", "/me/profile/history", token=fresh).json()]
    assert kinds[:2] == ["email_change_cancelled", "email_change_requested"]


def test_a_password_reset_cancels_a_pending_email_change_and_spends_its_link(api, mail, candidate) -> None:
    # The takeover: a stolen session asks for the attacker's address; the owner resets the password.
    assert ask(api, candidate["token"], {"email": "thief@example.net", "current_password": PASSWORD}).status == 200
    thief_link = mail.latest_link("thief@example.net", "/verify-email")
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": "ada"}).status == 202
    reset = mail.latest_link("ada@example.org", "/reset-password")
    assert api.call("POST", "/auth/password-reset", {"token": reset, "new_password": NEW_PASSWORD}).status == 204

    assert error(api.call("POST", "/auth/verify-email", {"token": thief_link}), 410)["code"] == "link_expired"
    token = api.login("ada", NEW_PASSWORD).json()["token"]
    profile = api.call("GET", "/me/profile", token=token).json()
    assert (profile["email"], profile["pending_email"]) == ("ada@example.org", None)
    # A reset to the address is still the owner's.
    api.call("POST", "/auth/recovery/password", {"username_or_email": "thief@example.net"})
    assert [m for m in mail.to("thief@example.net") if "reset" in m["subject"].lower()] == []


def test_a_password_change_cancels_a_pending_email_change_too(api, mail, candidate) -> None:
    auth = candidate["token"]
    assert ask(api, auth, {"email": "thief@example.net", "current_password": PASSWORD}).status == 200
    thief_link = mail.latest_link("thief@example.net", "/verify-email")
    changed = api.call("PUT", "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, token=auth)
    assert changed.status == 204

    assert error(api.call("POST", "/auth/verify-email", {"token": thief_link}), 410)["code"] == "link_expired"
    assert api.call("GET", "/me/profile", token=auth).json()["pending_email"] is None


def test_the_link_to_a_new_address_does_not_carry_the_name_the_sender_chose(api, mail, candidate) -> None:
    auth = candidate["token"]
    assert ask(api, auth, {"first_name": "Click www.example.net now"}).status == 200
    assert ask(api, auth, {"email": "someone@example.net", "current_password": PASSWORD}).status == 200

    (message,) = mail.to("someone@example.net")
    assert "Click" not in message["text"]
    assert "Click" not in message["html"]
