"""GET /me/credentials: what a candidate holds, by cycle, with a status that moves with the clock; an award is
written once however often or concurrently it is granted; export and erasure cover awards."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from certtracker.core import clock
from certtracker.credentials import awards
from certtracker.models.credential_awards import ANONYMIZED_PARTITION, CredentialAward
from tests.functions.conftest import PASSWORD, make_candidate


def account_id(api, who) -> str:
    return api.call("GET", "/me", token=who["token"]).json()["account_id"]


def held(api, who) -> list[dict]:
    response = api.call("GET", "/me/credentials", token=who["token"])
    assert response.status == 200, response.body
    return response.json()["credentials"]


def grant(owner: str, credential_id: str, *, cycle: int = 1, days: int = 365) -> bool:
    now = clock.now()
    return awards.grant(owner, credential_id, cycle=cycle, earned_at=now, expires_at=now + timedelta(days=days))


def test_a_new_candidate_holds_nothing_and_a_logged_out_caller_gets_401(api, candidate) -> None:
    assert held(api, candidate) == []
    assert api.call("GET", "/me/credentials").status == 401


def test_a_credential_is_earned_then_expiring_then_expired_as_the_clock_moves(api, mail, candidate) -> None:
    assert grant(account_id(api, candidate), "CERT-EP", days=200)
    (first,) = held(api, candidate)
    summary = (first["credential_id"], first["status"], first["cycle"], first["past_cycles"])
    assert summary == ("CERT-EP", "earned", 1, [])
    clock.advance(111 * 86400)  # 89 days left
    token = api.login(candidate["username"]).json()["token"]  # the old session has long ended
    assert held(api, {"token": token})[0]["status"] == "expiring"
    clock.advance(90 * 86400)
    token = api.login(candidate["username"]).json()["token"]
    assert held(api, {"token": token})[0]["status"] == "expired"


def test_earning_it_again_starts_the_next_cycle_and_keeps_the_last_as_history(api, candidate) -> None:
    owner = account_id(api, candidate)
    assert grant(owner, "ACC-DLP", cycle=1, days=30)
    clock.advance(40 * 86400)
    assert grant(owner, "ACC-DLP", cycle=2)
    token = api.login(candidate["username"]).json()["token"]
    (entry,) = held(api, {"token": token})
    assert (entry["cycle"], entry["status"]) == (2, "earned")
    assert [past["cycle"] for past in entry["past_cycles"]] == [1]


def test_another_candidate_never_sees_these_credentials(api, mail, candidate) -> None:
    assert grant(account_id(api, candidate), "CERT-EP")
    other = make_candidate(api, mail, "grace", "grace@example.org")
    assert held(api, other) == []
    assert len(held(api, candidate)) == 1


def test_an_award_is_written_once_however_many_evaluations_grant_it_at_the_same_moment(api, candidate) -> None:
    owner = account_id(api, candidate)
    with ThreadPoolExecutor(max_workers=8) as pool:
        written = list(pool.map(lambda _: grant(owner, "CERT-PRO"), range(8)))
    assert written.count(True) == 1
    assert grant(owner, "CERT-PRO") is False  # and again later: still once
    assert [award.credential_id for award in CredentialAward.query(owner)] == ["CERT-PRO"]


def test_export_lists_awards_and_erasure_keeps_them_only_anonymized(api, candidate) -> None:
    owner = account_id(api, candidate)
    assert grant(owner, "CERT-EP")
    award_id = next(iter(CredentialAward.query(owner))).award_id
    exported = api.call("GET", "/me/export", token=candidate["token"]).json()
    assert [(c["credential_id"], c["cycle"]) for c in exported["credentials"]] == [("CERT-EP", 1)]
    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"]).status == 204
    assert list(CredentialAward.query(owner)) == []
    (kept,) = list(CredentialAward.query(ANONYMIZED_PARTITION))
    assert (kept.credential_id, kept.award_id) == ("CERT-EP", award_id)  # a certificate can still be told apart
    assert owner not in str(kept.attribute_values)
