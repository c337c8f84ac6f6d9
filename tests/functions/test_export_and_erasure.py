"""The candidate's own data: exported as one JSON document, erased with the password, and nothing left behind."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
from pynamodb.exceptions import TransactWriteError

from certtracker.core import clock
from certtracker.core.tokens import digest
from certtracker.credentials import awards
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account
from certtracker.models.support_requests import SupportRequest
from certtracker.profile import personal_data
from tests.functions.conftest import (
    NEW_PASSWORD,
    NEWS_BUT_NO_EXAM_RESULTS,
    PASSWORD,
    WRONG_PASSWORD,
    Api,
    Mailbox,
    error,
)

TABLES = {
    "AccountsTable",
    "AccountHistoryTable",
    "OneTimeTokensTable",
    "SessionsTable",
    "LoginThrottleTable",
    "PartnersTable",
    "CatalogTable",  # no personal data
    "ExamRegistrationsTable",
    "ExamResultsTable",
    "SupportRequestsTable",
    "CredentialAwardsTable",
    "CertificatesTable",
    "SharesTable",
}


def person(api: Api, mail: Mailbox, username: str, email: str, first_name: str, last_name: str) -> dict[str, str]:
    """A registered, verified, logged-in candidate with the names given (make_candidate's, with names)."""
    assert api.register(username, email, first_name=first_name, last_name=last_name).status == 201
    link = mail.latest_link(email, "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": link}).status == 200
    login = api.login(username)
    assert login.status == 200, login.body
    session = {"username": username, "email": email, **login.json()}
    session["account_id"] = api.call("GET", "/me", token=session["token"]).json()["account_id"]
    return session


def get(api: Api, who: dict[str, str], path: str) -> Any:
    response = api.call("GET", path, token=who["token"])
    assert response.status == 200, response.body
    return response.json()


def every_item() -> dict[str, list[dict[str, Any]]]:
    """Every item of every table, as DynamoDB holds it."""
    dynamodb = boto3.client("dynamodb")
    names = [name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]]
    return {
        name: [item for page in dynamodb.get_paginator("scan").paginate(TableName=name) for item in page["Items"]]
        for name in names
    }


def own_data(api: Api, who: dict[str, str]) -> dict[str, Any]:
    """What a candidate sees of their own data, without what moves by itself (export time, session activity)."""
    exported = get(api, who, "/me/export")
    return {
        "profile": get(api, who, "/me/profile"),
        "preferences": get(api, who, "/me/preferences"),
        "history": get(api, who, "/me/profile/history"),
        "export": {key: value for key, value in exported.items() if key not in ("exported_at", "sessions")},
    }


def fill_in(api: Api, mail: Mailbox, who: dict[str, str], profile: dict[str, Any]) -> str:
    """Give a candidate a full profile and program news; returns the one-click unsubscribe token."""
    changed = api.call("PATCH", "/me/profile", profile, token=who["token"])
    assert changed.status == 200, changed.body
    choices = NEWS_BUT_NO_EXAM_RESULTS
    assert api.call("PUT", "/me/preferences", choices, token=who["token"]).status == 200
    news = next(m for m in mail.all() if "List-Unsubscribe" in m["headers"])
    return news["headers"]["List-Unsubscribe"].rpartition("token=")[2].rstrip(">")


PIPPA_PROFILE = {
    "first_name": "Pippa",
    "last_name": "Quennell-Xu",
    "phone": "020 7946 0958",
    "company": "Analytical Engines Ltd",
    "job_role": "Countess of Computation",
    "preferred_language": "fr",
    "address": {
        "line1": "221B Baker Street",
        "line2": "Flat Marigold",
        "city": "Marylebone",
        "region": "Westminstershire",
        "postal_code": "NW1 6XE",
        "country": "GB",
    },
}


def anonymous_request(name: str, address: str, message: str) -> dict[str, str]:
    return {"name": name, "email": address, "category": "login", "subject": "Login", "message": message}


# ---------------------------------------------------------------- export


def test_export_is_an_attachment_with_everything_held_about_me_and_no_secret(api, mail, candidate):
    unsubscribe = fill_in(api, mail, candidate, {**PIPPA_PROFILE, "first_name": "Augusta", "last_name": "King"})
    assert (
        api.call(
            "PATCH",
            "/me/profile",
            {"current_password": PASSWORD, "email": "augusta@example.net"},
            token=candidate["token"],
        ).status
        == 200
    )
    change_link = mail.latest_link("augusta@example.net", "/verify-email")
    second = api.login("ada").json()

    response = api.call("GET", "/me/export", token=candidate["token"])

    assert response.status == 200, response.body
    assert response.header("Content-Disposition") == 'attachment; filename="certtracker-my-data.json"'
    assert (response.header("Content-Type") or "").startswith("application/json")
    assert response.header("Cache-Control") == "no-store"
    document = response.json()
    assert set(document) >= {"exported_at", "profile", "consents", "history", "sessions", "outstanding_links"}
    profile = document["profile"]
    assert {k: profile[k] for k in ("username", "email", "pending_email", "first_name", "last_name", "phone")} == {
        "username": "ada",
        "email": "ada@example.org",
        "pending_email": "augusta@example.net",
        "first_name": "Augusta",
        "last_name": "King",
        "phone": "+442079460958",
    }
    assert (profile["company"], profile["job_role"], profile["country"], profile["preferred_language"]) == (
        "Analytical Engines Ltd",
        "Countess of Computation",
        "GB",
        "fr",
    )
    assert profile["address"] == PIPPA_PROFILE["address"]
    assert profile["email_verified"] is True
    assert profile["created_at"]
    consents = document["consents"]
    assert consents["privacy_notice_version"] == "2026-01"
    assert consents["privacy_notice_accepted_at"]
    assert consents["marketing_opt_in"] is True
    assert consents["notifications"]["exam_results"] is False
    kinds = sorted({entry["kind"] for entry in document["history"]})
    assert kinds == ["consent_changed", "email_change_requested", "name_changed"]
    assert all(entry["at"] for entry in document["history"])
    assert len(document["sessions"]) == 2
    assert all(set(session) == {"created_at", "last_seen_at", "expires_at"} for session in document["sessions"])
    links = sorted((link["purpose"], link["topic"]) for link in document["outstanding_links"])
    assert links == [("cancel_email_change", None), ("change_email", None), ("unsubscribe", "marketing")]
    assert all(set(link) == {"purpose", "issued_at", "expires_at", "topic"} for link in document["outstanding_links"])

    # No credential, nor the fingerprint of one, is handed out.
    text = response.body.decode()
    stored = every_item()
    hashes = [item["token_hash"]["S"] for table in ("SessionsTable", "OneTimeTokensTable") for item in stored[table]]
    hashes += [item["csrf_hash"]["S"] for item in stored["SessionsTable"]]
    secrets = [candidate["token"], candidate["csrf_token"], second["token"], second["csrf_token"], unsubscribe]
    secrets += [change_link, *[digest(secret) for secret in secrets], *hashes]
    account = next(a for a in Account.scan() if a.pk.startswith("ACCOUNT#"))
    secrets += [account.password_hash, PASSWORD]
    assert hashes
    assert all(secret not in text for secret in secrets)
    assert "$argon2" not in text
    assert "password_hash" not in text
    assert "token_hash" not in text
    assert "csrf" not in text


def test_export_has_the_requests_filed_without_login_under_each_address_while_it_was_mine(api, mail, candidate):
    """Requests filed without logging in are keyed by the address: the current one since it became mine, and
    earlier ones for the time I held them (the history's email_changed entries). Not another person's address,
    nor what someone filed under my old address after I left it."""
    account_id = get(api, candidate, "/me")["account_id"]
    filed, changed_at = {}, None
    for label, address in (
        ("old, while mine", "ada.old@example.org"),
        ("old, after I left it", "ada.old@example.org"),
        ("current", "ada@example.org"),
        ("someone else", "bob@example.org"),
    ):
        if label == "old, after I left it":
            changed_at = clock.now()
        response = api.call("POST", "/support/requests", anonymous_request("Ada Lovelace", address, f"About {label}."))
        assert response.status == 201, response.body
        filed[label] = response.json()["reference"]
    # The account held ada.old@ from its registration until `changed_at`, then moved to ada@ (written to the
    # tables directly, as a completed email change leaves them, so this test does not depend on how a change
    # is asked for).
    account = Account.get(Account.key(account_id))
    account.update(actions=[Account.created_at.set(account.created_at - timedelta(days=1))])
    assert changed_at is not None
    AccountEvent.new(
        account_id, "email_changed", changed_at, previous="ada.old@example.org", current="ada@example.org"
    ).save()

    exported = get(api, candidate, "/me/export")

    mine = {request["reference"]: request for request in exported["support_requests_without_login"]}
    assert set(mine) == {filed["old, while mine"], filed["current"]}
    assert mine[filed["current"]]["email"] == "ada@example.org"
    assert mine[filed["current"]]["name"] == "Ada Lovelace"
    assert mine[filed["current"]]["message"] == "About current."

    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"]).status == 204
    left = sorted(item.message for item in SupportRequest.scan() if item.sk.startswith("REQUEST#"))
    assert left == ["About old, after I left it.", "About someone else."]


# ---------------------------------------------------------------- erasure


def test_erasure_with_the_wrong_password_is_refused_and_erases_nothing(api, mail, candidate, subtests):
    fill_in(api, mail, candidate, PIPPA_PROFILE)
    before = own_data(api, candidate)

    for label, body, status in (
        ("a wrong password", {"password": WRONG_PASSWORD}, 403),
        ("no password", {}, 422),
        ("an empty password", {"password": ""}, 422),
        ("no body", None, 422),
    ):
        with subtests.test(label):
            refused = error(api.call("DELETE", "/me", body, token=candidate["token"]), status)
            if status == 403:
                assert refused["code"] == "wrong_password"
            else:
                assert refused.get("field") in ("password", None)

    assert own_data(api, candidate) == before
    assert api.login("ada").status == 200


def test_erasure_ends_every_session_frees_the_username_and_email_and_leaves_no_personal_data(api, mail):
    pippa = person(api, mail, "pquennell", "philippa.q@example.org", "Philippa", "Quennell")
    grace = person(api, mail, "ghopper", "grace.h@example.org", "Grace", "Hopper")
    unsubscribe = fill_in(api, mail, pippa, PIPPA_PROFILE)
    asked = api.call(
        "PATCH", "/me/profile", {"current_password": PASSWORD, "email": "pippa.new@example.net"}, token=pippa["token"]
    )
    assert asked.status == 200, asked.body
    change_link = mail.latest_link("pippa.new@example.net", "/verify-email")
    second = api.login("pquennell").json()["token"]
    assert api.login("pquennell", WRONG_PASSWORD).status == 401  # counted by the login throttle
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": "pquennell"}).status == 202
    reset_link = mail.latest_link("philippa.q@example.org", "/reset-password")
    fill_in(
        api,
        mail,
        grace,
        {"phone": "+1 202-555-0143", "company": "Navy", "address": {"line1": "1 Pentagon", "country": "US"}},
    )
    # Requests filed without logging in, under pippa's address: hers, and keyed by her email, not her id.
    for author, address, text in (
        ("Philippa Quennell", "philippa.q@example.org", "I cannot log in since Tuesday."),
        ("Grace Hopper", "grace.h@example.org", "My voucher is refused."),
    ):
        filed = api.call("POST", "/support/requests", anonymous_request(author, address, text))
        assert filed.status == 201, filed.body
    # A credential shared with a recruiter, with a note: the share, its link and its submission claim.
    now = clock.now()
    assert awards.grant(pippa["account_id"], "CERT-EP", cycle=1, earned_at=now, expires_at=now + timedelta(days=365))
    share = {"recipient_email": "recruiter.for.pippa@example.com", "credential_ids": ["CERT-EP"], "expires_in_days": 30}
    shared = api.call("POST", "/me/shares", {**share, "message": "From Pippa, as promised"}, token=pippa["token"])
    assert shared.status == 201, shared.body
    grace_before = own_data(api, grace)

    erased = api.call("DELETE", "/me", {"password": PASSWORD}, token=pippa["token"])

    assert erased.status == 204, erased.body
    assert erased.body == b""
    for token in (pippa["token"], second):
        assert error(api.call("GET", "/me", token=token), 401)
    assert error(api.call("POST", "/auth/verify-email", {"token": change_link}), 410)["code"] == "link_expired"
    reset = api.call("POST", "/auth/password-reset", {"token": reset_link, "new_password": NEW_PASSWORD})
    assert error(reset, 410)["code"] == "link_expired"
    unsubscribed = api.call(
        "POST",
        "/unsubscribe?token=" + unsubscribe,
        raw=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert error(unsubscribed, 410)["code"] == "link_expired"

    # Every table, every item: nothing that names or locates pippa is left, only the tombstone.
    needles = [
        "philippa.q@example.org",
        "pippa.new@example.net",
        "philippa",  # first name at registration, and in the request filed without logging in
        "quennell",  # last name, both spellings
        "pippa",  # first name after the profile change
        "i cannot log in",
        "pquennell",
        digest("pquennell"),
        "philippa",
        "quennell",
        "pippa",
        "+442079460958",
        "2079460958",
        "221b baker street",
        "flat marigold",
        "marylebone",
        "westminstershire",
        "nw1 6xe",
        "analytical engines",
        "countess of computation",
        "recruiter.for.pippa",
        "as promised",
    ]
    stored = every_item()
    assert set(stored) == TABLES
    leftovers = [
        (table, needle, item)
        for table, items in stored.items()
        for item in items
        for needle in needles
        if needle in json.dumps(item).lower()
    ]
    assert leftovers == []
    mentions = [(table, item) for table, items in stored.items() for item in items if pippa["account_id"] in str(item)]
    assert [table for table, _ in mentions] == ["AccountsTable"]
    (_, tombstone) = mentions[0]
    assert set(tombstone) == {"pk", "account_id", "erased_at"}
    assert tombstone["pk"] == {"S": "ERASED#" + pippa["account_id"]}

    # Grace's account is untouched, and pippa's username and email are free again.
    assert error(api.login("pquennell"), 401)["code"] == "invalid_credentials"
    assert own_data(api, grace) == grace_before
    assert [item.email for item in SupportRequest.scan() if item.sk.startswith("REQUEST#")] == ["grace.h@example.org"]
    assert api.login("ghopper").status == 200
    again = api.register("pquennell", "philippa.q@example.org")
    assert again.status == 201, again.body
    link = mail.latest_link("philippa.q@example.org", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": link}).status == 200
    fresh = api.login("pquennell").json()["token"]
    profile = get(api, {"token": fresh}, "/me/profile")
    assert (profile["phone"], profile["address"], profile["company"]) == (None, None, None)
    history = get(api, {"token": fresh}, "/me/profile/history")
    assert {entry["details"].get("via") for entry in history} == {"registration"}


def test_an_erasure_that_fails_at_the_end_can_be_retried_with_the_same_session(api, mail, candidate, monkeypatch):
    fill_in(api, mail, candidate, PIPPA_PROFILE)
    account_id = get(api, candidate, "/me")["account_id"]

    def failing() -> Any:
        raise TransactWriteError("Failed to write transaction items")

    monkeypatch.setattr(personal_data, "transaction", failing)
    failed = api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"])

    assert error(failed, 409)["code"] == "erasure_conflict"
    assert get(api, candidate, "/me/profile")["last_name"] == "Quennell-Xu"  # still there, still logged in
    monkeypatch.undo()
    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"]).status == 204
    mentions = [table for table, items in every_item().items() for item in items if account_id in str(item)]
    assert mentions == ["AccountsTable"]
    assert api.call("GET", "/me", token=candidate["token"]).status == 401
