"""SES failing mid-request: the user's write is kept and the answer says so; transient errors are retried."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from certtracker.core.aws import client
from certtracker.models.accounts import Account


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


def _ses_unavailable(times: int) -> list[int]:
    """Make the next `times` SendEmail calls answer 503 at the HTTP level (botocore sees a real response)."""
    calls: list[int] = []

    def answer(request: Any, **_: Any) -> AWSResponse | None:
        calls.append(1)
        if len(calls) <= times:
            body = b'{"message": "Service unavailable"}'
            return AWSResponse(request.url, 503, {"x-amzn-ErrorType": "ServiceUnavailable"}, _Body(body))
        return None

    client("sesv2").meta.events.register_first("before-send.sesv2.SendEmail", answer)
    return calls


def test_a_transient_ses_error_is_retried_and_the_verification_email_arrives(api, mail) -> None:
    calls = _ses_unavailable(times=2)
    registered = api.register("lin", "lin@example.org")
    assert registered.status == 201
    assert registered.json()["status"] == "verification_email_sent"
    assert len(calls) == 3
    assert mail.to("lin@example.org")


def test_when_ses_stays_down_the_account_is_kept_and_the_candidate_is_told(api, mail, monkeypatch) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(client("sesv2"), "send_email", refuse)
    registered = api.register("lin", "lin@example.org")
    assert registered.status == 201
    assert registered.json()["status"] == "verification_email_delayed"
    assert "account recovery" in registered.json()["message"]
    accounts = [item for item in Account.scan() if item.pk.startswith("ACCOUNT#")]
    assert [account.username for account in accounts] == ["lin"]

    monkeypatch.undo()
    # Recovery sends a fresh verification link to the unverified address.
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": "lin"}).status == 202
    token = mail.latest_link("lin@example.org", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": token}).status == 200
    assert api.login("lin").status == 200


@pytest.mark.parametrize("path", ["/auth/recovery/password", "/auth/recovery/username"])
def test_recovery_answers_the_same_when_email_cannot_be_sent(api, candidate, monkeypatch, path) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")

    monkeypatch.setattr(client("sesv2"), "send_email", refuse)
    body = {"email": candidate["email"]} if path.endswith("username") else {"username_or_email": "ada"}
    answer = api.call("POST", path, body)
    assert answer.status == 202
    assert "If an account matches" in answer.json()["message"]
