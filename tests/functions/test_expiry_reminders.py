"""Expiry reminders: 90, 30 and 7 days before a credential expires, each sent once however often the daily run
goes; a renewed, revoked or unwanted one is not sent; the run reads the index, never scans."""

from __future__ import annotations

from datetime import timedelta

from certtracker.core import clock
from certtracker.credentials import awards
from infra.scheduler import scheduled_event
from tests.functions.conftest import make_candidate


def run(gateway) -> dict:
    function = gateway.functions["ExpiryRemindersFunction"]
    return function.invoke(scheduled_event("ExpiryRemindersFunction"), serialized=False)


def owner_of(api, who) -> str:
    return api.call("GET", "/me", token=who["token"]).json()["account_id"]


def grant(owner: str, credential_id: str, *, days_left: float, cycle: int = 1) -> None:
    now = clock.now()
    assert awards.grant(
        owner,
        credential_id,
        cycle=cycle,
        earned_at=now - timedelta(days=300),
        expires_at=now + timedelta(days=days_left),
    )


def reminders_to(mail, address: str) -> list[str]:
    return [m["subject"] for m in mail.to(address) if "expires on" in m["subject"]]


def test_each_threshold_is_sent_once_however_often_the_run_goes(api, mail, gateway, candidate) -> None:
    grant(owner_of(api, candidate), "CERT-EP", days_left=89.5)
    assert run(gateway)["sent"] == 1
    assert run(gateway)["sent"] == 0  # the same day again: nothing
    assert len(reminders_to(mail, candidate["email"])) == 1
    clock.advance(60 * 86400)  # 29.5 days left: the 30-day reminder
    assert run(gateway)["sent"] == 1
    clock.advance(23 * 86400)  # 6.5 days left: the 7-day reminder
    assert run(gateway)["sent"] == 1
    assert run(gateway)["sent"] == 0
    subjects = reminders_to(mail, candidate["email"])
    assert len(subjects) == 3
    assert all("Endpoint" in subject or "CERT-EP" in subject for subject in subjects)


def test_a_missed_run_sends_the_threshold_crossed_not_the_older_ones_late(api, mail, gateway, candidate) -> None:
    grant(owner_of(api, candidate), "CERT-EP", days_left=20)  # 90 and 30 both passed: only the 30-day one
    report = run(gateway)
    assert report["sent"] == 1
    assert run(gateway)["sent"] == 0


def test_a_renewed_or_revoked_or_far_off_credential_gets_no_reminder(api, mail, gateway, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner, "CERT-EP", days_left=50)
    grant(owner, "CERT-EP", days_left=50 + 730, cycle=2)  # renewed: the old cycle's expiry does not matter
    grant(owner, "ACC-EM", days_left=200)  # not within 90 days
    assert run(gateway)["sent"] == 0
    assert reminders_to(mail, candidate["email"]) == []


def test_a_candidate_who_turned_reminders_off_is_not_sent_one_and_others_are(api, mail, gateway, candidate) -> None:
    choices = api.call("GET", "/me/preferences", token=candidate["token"]).json()
    choices["notifications"]["expiry_reminders"] = False
    assert api.call("PUT", "/me/preferences", choices, token=candidate["token"]).status == 200
    grant(owner_of(api, candidate), "CERT-EP", days_left=10)
    other = make_candidate(api, mail, "grace", "grace@example.org")
    grant(owner_of(api, other), "CERT-EP", days_left=10)
    assert run(gateway)["sent"] == 1
    assert reminders_to(mail, candidate["email"]) == []
    assert len(reminders_to(mail, "grace@example.org")) == 1


def test_erasure_takes_the_reminders_sent_with_the_person(api, gateway, candidate) -> None:
    from certtracker.models.credential_awards import ReminderSent
    from tests.functions.conftest import PASSWORD

    owner = owner_of(api, candidate)
    grant(owner, "CERT-EP", days_left=10)
    assert run(gateway)["sent"] == 1
    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"]).status == 204
    assert list(ReminderSent.query(owner)) == []
