"""Recovering a username or password by email, resetting it by link, and changing it while logged in."""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from certtracker.core import clock
from certtracker.core.aws import client
from certtracker.models.accounts import Account
from tests.functions.conftest import NEW_PASSWORD, PASSWORD, WRONG_PASSWORD, error

WEAK_PASSWORDS = {"short": "Tiny-pass-1", "common": "password1234", "with the username": "ADA-lantern-92"}
VERIFY_SUBJECT = "Confirm your email address for CertTracker"
USERNAME_SUBJECT = "Your CertTracker username"
RESET_SUBJECT = "Reset your CertTracker password"
CHANGED_SUBJECT = "Your CertTracker password was changed"


def subjects(mail: Any, address: str) -> list[str]:
    return [message["subject"] for message in mail.to(address)]


def reset_link(api: Any, mail: Any, username_or_email: str = "ada") -> str:
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": username_or_email}).status == 202
    return mail.latest_link("ada@example.org", "/reset-password")


def reset(api: Any, token: str, new_password: str = NEW_PASSWORD) -> Any:
    return api.call("POST", "/auth/password-reset", {"token": token, "new_password": new_password})


def change(api: Any, token: str, current: str = PASSWORD, new: str = NEW_PASSWORD) -> Any:
    return api.call("PUT", "/me/password", {"current_password": current, "new_password": new}, token=token)


def stored_hash(api: Any, token: str) -> str:
    """The stored password hash of the account behind a session."""
    account_id = api.call("GET", "/me", token=token).json()["account_id"]
    return Account.get(Account.key(account_id)).password_hash


# ---------------------------------------------------------------- recovery requests


def test_recovery_answers_alike_for_every_account_and_emails_each_only_what_it_may_receive(
    api, mail, candidate, subtests
):
    api.register("bea", "bea@example.org")  # never verified
    usernames = {
        who: api.call("POST", "/auth/recovery/username", {"email": who})
        for who in ("ada@example.org", "bea@example.org", "nobody@example.org")
    }
    passwords = {
        who: api.call("POST", "/auth/recovery/password", {"username_or_email": who})
        for who in ("ada", "ADA@example.org", "bea", "nobody-here", "nobody@example.org")
    }

    for route, answers in (("username", usernames), ("password", passwords)):
        for who, response in answers.items():
            with subtests.test(route=route, who=who):
                assert response.status == 202, response.body
                assert response.body == usernames["ada@example.org"].body
    to_ada = mail.to("ada@example.org")
    assert [m["subject"] for m in to_ada].count(RESET_SUBJECT) == 2
    reminder = next(m for m in to_ada if m["subject"] == USERNAME_SUBJECT)
    assert "Your CertTracker username is: ada" in reminder["text"]
    # An address that was never verified gets nothing but its verification link: again when its
    # registrant asks by username; not when someone asks by the address, which no account has yet.
    assert subjects(mail, "bea@example.org") == [VERIFY_SUBJECT] * 2
    assert mail.to("nobody@example.org") == []


# ---------------------------------------------------------------- reset links


def test_reset_link_sets_the_new_password_once_ends_every_session_and_lifts_the_lock(api, mail, candidate):
    other_session = api.login("ada").json()["token"]
    for _ in range(5):
        api.login("ada", WRONG_PASSWORD)
    assert error(api.login("ada"), 429)["code"] == "too_many_attempts"  # its message suggests recovery
    link = reset_link(api, mail)

    response = reset(api, link)

    assert response.status == 204, response.body
    for token in (candidate["token"], other_session):
        assert error(api.call("GET", "/me", token=token), 401)["code"] == "unauthorized"
    assert subjects(mail, "ada@example.org")[0] == CHANGED_SUBJECT
    assert api.login("ada", NEW_PASSWORD).status == 200
    assert error(api.login("ada"), 401)["code"] == "invalid_credentials"
    assert error(reset(api, link, "Yet-Another-Meadow-31"), 410)["code"] == "link_expired"


def test_reset_link_survives_a_refused_weak_password_but_not_30_minutes(api, mail, candidate, subtests):
    link = reset_link(api, mail)

    for reason, weak in WEAK_PASSWORDS.items():
        with subtests.test(reason):
            detail = error(reset(api, link, weak), 422)

            assert detail["code"] == "weak_password"
            assert detail["field"] == "new_password"
    assert reset(api, link).status == 204  # the refusals did not spend the link

    late = reset_link(api, mail)
    clock.advance(31 * 60)

    assert error(reset(api, late, "Copper-Kettle-Drums-64"), 410)["code"] == "link_expired"
    assert api.login("ada", NEW_PASSWORD).status == 200  # the password is still the one the first link set


def test_reset_link_issued_before_a_later_password_change_is_refused(api, mail, candidate):
    older = reset_link(api, mail)
    newer = reset_link(api, mail)
    assert reset(api, newer).status == 204

    assert error(reset(api, older, "Yet-Another-Meadow-31"), 410)["code"] == "link_expired"

    pending = reset_link(api, mail)
    session = api.login("ada", NEW_PASSWORD).json()["token"]
    assert change(api, session, current=NEW_PASSWORD, new="Copper-Kettle-Drums-64").status == 204

    assert error(reset(api, pending, "Yet-Another-Meadow-31"), 410)["code"] == "link_expired"
    assert api.login("ada", "Copper-Kettle-Drums-64").status == 200


def test_a_reset_link_says_whose_password_it_sets_without_being_used_and_is_refused_before_use_once_spent(
    api, mail, candidate
):
    older = reset_link(api, mail)
    token = reset_link(api, mail)
    described = api.call("POST", "/auth/password-link", {"token": token})
    assert described.status == 200, described.body
    assert described.json() == {"purpose": "reset_password", "username": "ada", "company": None}
    assert reset(api, token).status == 204  # describing it did not use it

    for spent in (token, older):  # used; issued before the password changed
        assert error(api.call("POST", "/auth/password-link", {"token": spent}), 410)["code"] == "link_expired"
    verification = api.call("POST", "/auth/password-link", {"token": "x" * 43})
    assert error(verification, 410)["code"] == "link_expired"  # no such link, as a mistyped one
    me = api.call("GET", "/me", token=api.login("ada", NEW_PASSWORD).json()["token"]).json()
    assert me["partner_id"] is None
    assert me["partner_name"] is None


def test_verification_and_reset_links_do_not_stand_in_for_each_other(api, mail, candidate):
    api.register("bea", "bea@example.org")
    verification = mail.latest_link("bea@example.org", "/verify-email")
    reset_token = reset_link(api, mail)

    assert error(reset(api, verification), 410)["code"] == "link_expired"
    assert error(api.call("POST", "/auth/verify-email", {"token": reset_token}), 410)["code"] == "link_expired"
    assert api.call("POST", "/auth/verify-email", {"token": verification}).status == 200
    assert reset(api, reset_token).status == 204


# ---------------------------------------------------------------- changing the password


def test_password_change_is_refused_for_a_weak_new_or_a_wrong_current_password(api, mail, candidate, subtests):
    password_hash = stored_hash(api, candidate["token"])

    for reason, weak in WEAK_PASSWORDS.items():
        with subtests.test(reason):
            detail = error(change(api, candidate["token"], new=weak), 422)

            assert detail["code"] == "weak_password"
            assert detail["field"] == "new_password"
    wrong = [change(api, candidate["token"], current=WRONG_PASSWORD) for _ in range(5)]
    guessing_stopped = change(api, candidate["token"])  # the right one, once five guesses have failed

    assert error(wrong[0], 403)["code"] == "wrong_password"
    assert error(guessing_stopped, 429)["code"] == "too_many_attempts"
    assert int(guessing_stopped.header("Retry-After") or 0) > 0
    assert stored_hash(api, candidate["token"]) == password_hash
    assert CHANGED_SUBJECT not in subjects(mail, "ada@example.org")


def test_password_change_keeps_this_session_and_ends_the_others(api, mail, candidate):
    other_session = api.login("ada").json()["token"]

    response = change(api, candidate["token"])

    assert response.status == 204, response.body
    assert api.call("GET", "/me", token=candidate["token"]).status == 200
    assert error(api.call("GET", "/me", token=other_session), 401)["code"] == "unauthorized"
    assert subjects(mail, "ada@example.org")[0] == CHANGED_SUBJECT
    assert error(api.login("ada"), 401)["code"] == "invalid_credentials"
    assert api.login("ada", NEW_PASSWORD).status == 200


# ---------------------------------------------------------------- timing (issue 9, item 4)


def calls_made(api, path: str, body: dict) -> tuple[Any, list[tuple[str, str]]]:
    """The AWS calls the function makes for one request (the queue's consumer runs later, elsewhere)."""
    recorded: list[tuple[str, str]] = []
    original = BaseClient._make_api_call

    def record(self: BaseClient, operation: str, params: dict) -> Any:
        recorded.append((self.meta.service_model.service_name, operation))
        return original(self, operation, params)

    with patch.object(BaseClient, "_make_api_call", record):
        response = api.gateway.handle("POST", path, {"Content-Type": "application/json"}, json.dumps(body).encode())
    return response, recorded


def test_recovery_does_the_same_work_whether_or_not_an_account_exists(api, mail, candidate):
    api.register("bea", "bea@example.org")  # never verified
    routes = {
        "/auth/recovery/username": [{"email": e} for e in ("ada@example.org", "bea@example.org", "nobody@example.org")],
        "/auth/recovery/password": [
            {"username_or_email": who} for who in ("ada", "ada@example.org", "bea", "nobody", "nobody@example.org")
        ],
    }
    for path, bodies in routes.items():
        answers = [calls_made(api, path, body) for body in bodies]

        assert {(response.status, response.body) for response, _ in answers} == {
            (answers[0][0].status, answers[0][0].body)
        }
        assert all(calls == [("sqs", "SendMessage")] for _, calls in answers), answers

    # The emails still go out, from the queue, to whoever may have them.
    api.queues.deliver_pending()
    assert [m["subject"] for m in mail.to("ada@example.org")].count(RESET_SUBJECT) == 2
    assert mail.to("nobody@example.org") == []


def test_a_reset_email_that_ses_refuses_is_tried_again_from_the_queue(api, mail, candidate, monkeypatch):
    sesv2 = client("sesv2")
    real_send = sesv2.send_email
    attempts = []

    def flaky(**kwargs: Any) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise ClientError({"Error": {"Code": "Throttling", "Message": "slow down"}}, "SendEmail")
        return real_send(**kwargs)

    monkeypatch.setattr(sesv2, "send_email", flaky)
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": "ada"}).status == 202
    assert [m for m in mail.to("ada@example.org") if m["subject"] == RESET_SUBJECT] == []

    api.queues.retry_failed()  # its visibility timeout has passed: Lambda's trigger hands it over again

    assert len([m for m in mail.to("ada@example.org") if m["subject"] == RESET_SUBJECT]) == 1
