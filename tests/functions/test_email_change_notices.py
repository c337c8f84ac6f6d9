"""What a candidate is told about a requested email change, and how to take it back."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from certtracker.aws import client
from tests.functions.conftest import error


def test_sending_the_current_address_again_cancels_the_pending_change_and_its_link(api, mail, candidate) -> None:
    auth = candidate["token"]
    asked = api.call("PATCH", "/me/profile", {"email": "ada.new@example.org"}, token=auth)
    assert asked.json()["pending_email"] == "ada.new@example.org"
    assert "We sent a link to ada.new@example.org" in asked.json()["message"]
    link = mail.latest_link("ada.new@example.org", "/verify-email")

    cancelled = api.call("PATCH", "/me/profile", {"email": "ada@example.org"}, token=auth)
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
    asked = api.call("PATCH", "/me/profile", {"email": "ada.new@example.org"}, token=candidate["token"])
    assert asked.status == 200
    assert "could not be sent just now" in asked.json()["message"]
    monkeypatch.undo()

    again = api.call("PATCH", "/me/profile", {"email": "ada.new@example.org"}, token=candidate["token"])
    assert "We sent a link" in again.json()["message"]
    assert api.call("POST", "/auth/verify-email", {"token": mail.latest_link("ada.new@example.org", "/verify-email")})
