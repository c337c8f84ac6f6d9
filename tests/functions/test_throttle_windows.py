"""Throttle windows that pass and locks that stand, on the routes that re-authenticate or email."""

from __future__ import annotations

from certtracker.core import clock
from tests.functions.conftest import PASSWORD, WRONG_PASSWORD, error

RESET_SUBJECT = "Reset your CertTracker password"


def test_wrong_passwords_on_an_email_change_lock_it_like_logins(api, mail, candidate):
    auth = candidate["token"]
    change = {"email": "thief@example.net", "current_password": WRONG_PASSWORD}
    answers = [api.call("PATCH", "/me/profile", change, token=auth) for _ in range(6)]

    assert [a.status for a in answers] == [403] * 4 + [429] * 2  # the fifth failure locks, as at login
    assert error(answers[-1], 429)["code"] == "too_many_attempts"
    # The right password is refused too while the lock stands, and nothing was asked for.
    locked = api.call("PATCH", "/me/profile", {**change, "current_password": PASSWORD}, token=auth)
    assert locked.status == 429
    assert mail.to("thief@example.net") == []


def test_an_erasure_long_after_a_failed_attempt_starts_a_new_window(api, mail, candidate):
    wrong = api.call("DELETE", "/me", {"password": WRONG_PASSWORD}, token=candidate["token"])
    assert error(wrong, 403)["code"] == "wrong_password"

    clock.advance(16 * 60)  # the failure's window has passed

    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"]).status == 204


def test_recovery_emails_count_again_from_zero_an_hour_later(api, mail, candidate):
    for _ in range(6):
        api.call("POST", "/auth/recovery/password", {"username_or_email": "ada"})
    sent = [m for m in mail.to("ada@example.org") if m["subject"] == RESET_SUBJECT]
    assert len(sent) == 5  # five an hour from public routes

    clock.advance(3601)
    api.call("POST", "/auth/recovery/password", {"username_or_email": "ada"})

    assert len([m for m in mail.to("ada@example.org") if m["subject"] == RESET_SUBJECT]) == 6
