"""The profile: contact and demographic data, the email change by link, the history, and who may touch it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from certtracker.core import clock
from certtracker.core.aws import client
from tests.functions.conftest import NEWS_BUT_NO_EXAM_RESULTS, PASSWORD, error, make_candidate

CHANGE_LINK_SUBJECT = "Confirm your new email address for CertTracker"
CHANGED_SUBJECT = "Your CertTracker email address was changed"
ALREADY_REGISTERED_SUBJECT = "Someone tried to register with your email address"
USERNAME_SUBJECT = "Your CertTracker username"
RESET_SUBJECT = "Reset your CertTracker password"

FULL_ADDRESS = {
    "line1": "12 St James's Square",
    "line2": "Second floor",
    "city": "London",
    "region": "Greater London",
    "postal_code": "SW1Y 4JH",
    "country": "GB",
}


AS_REGISTERED = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "pending_email": None,
    "phone": None,
    "address": None,
    "company": None,
    "job_role": None,
    "country": "GB",
    "preferred_language": None,
}


def get_profile(api: Any, who: dict[str, str]) -> dict[str, Any]:
    response = api.call("GET", "/me/profile", token=who["token"])
    assert response.status == 200, response.body
    return response.json()


def patch(api: Any, who: dict[str, str], body: Any) -> Any:
    return api.call("PATCH", "/me/profile", body, token=who["token"])


def me(api: Any, who: dict[str, str]) -> dict[str, Any]:
    response = api.call("GET", "/me", token=who["token"])
    assert response.status == 200, response.body
    return response.json()


def history(api: Any, who: dict[str, str]) -> list[dict[str, Any]]:
    response = api.call("GET", "/me/profile/history", token=who["token"])
    assert response.status == 200, response.body
    return response.json()


def subjects(mail: Any, address: str) -> list[str]:
    return [message["subject"] for message in mail.to(address)]


# ---------------------------------------------------------------- reading and changing the profile


def test_profile_shows_what_the_candidate_registered_with_and_nothing_else_yet(api, candidate):
    response = api.call("GET", "/me/profile", token=candidate["token"])

    assert response.status == 200, response.body
    assert response.header("Cache-Control") == "no-store"
    assert response.json() == AS_REGISTERED


def test_patch_changes_every_field_it_is_given_and_keeps_the_others(api, candidate, subtests):
    changed = patch(
        api,
        candidate,
        {
            "first_name": "Augusta",
            "last_name": "King",
            "phone": "020 7946 0958",  # national, read in the profile's country (GB)
            "address": {**FULL_ADDRESS, "country": "gb"},
            "company": "Analytical Engines Ltd",
            "job_role": "Security engineer",
            "preferred_language": "pt-BR",
        },
    )

    assert changed.status == 200, changed.body
    expected = {
        "first_name": "Augusta",
        "last_name": "King",
        "email": "ada@example.org",
        "pending_email": None,
        "phone": "+442079460958",
        "address": FULL_ADDRESS,
        "company": "Analytical Engines Ltd",
        "job_role": "Security engineer",
        "country": "GB",
        "preferred_language": "pt-BR",
    }
    assert changed.json() == expected
    assert get_profile(api, candidate) == expected

    with subtests.test("a national number is read in the country given with it"):
        moved = patch(api, candidate, {"country": "de", "phone": "030 901820"})
        assert moved.status == 200, moved.body
        assert (moved.json()["country"], moved.json()["phone"]) == ("DE", "+4930901820")

    with subtests.test("an international number keeps its own country"):
        abroad = patch(api, candidate, {"phone": "+1 (202) 555-0143"})
        assert abroad.json()["phone"] == "+12025550143"

    with subtests.test("only the fields given change"):
        only_company = patch(api, candidate, {"company": "Difference Engines plc"})
        assert only_company.status == 200
        assert only_company.json() == {
            **expected,
            "country": "DE",
            "phone": "+12025550143",
            "company": "Difference Engines plc",
        }

    with subtests.test("an address merges (JSON Merge Patch): the fields given change, null removes one"):
        before = patch(api, candidate, {}).json()["address"]
        partial = patch(api, candidate, {"address": {"city": "Berlin", "country": "DE", "region": None}})
        assert partial.status == 200
        merged = {k: v for k, v in before.items() if k != "region"} | {"city": "Berlin", "country": "DE"}
        assert partial.json()["address"] == merged


def test_null_clears_an_optional_field_but_cannot_remove_a_required_one(api, candidate, subtests):
    filled = patch(
        api,
        candidate,
        {
            "phone": "+44 20 7946 0958",
            "address": FULL_ADDRESS,
            "company": "Analytical Engines Ltd",
            "job_role": "Security engineer",
            "preferred_language": "fr",
        },
    )
    assert filled.status == 200, filled.body

    cleared = patch(
        api,
        candidate,
        {"phone": None, "address": None, "company": None, "job_role": None, "preferred_language": None},
    )

    assert cleared.status == 200, cleared.body
    assert get_profile(api, candidate) == AS_REGISTERED
    for field in ("first_name", "last_name", "email", "country"):
        with subtests.test(required=field):
            refused = error(patch(api, candidate, {field: None}), 422)
            assert refused["field"] == field
            assert "cannot be removed" in refused["message"]
    assert get_profile(api, candidate)["first_name"] == "Ada"


def test_invalid_unknown_and_over_long_values_are_refused_by_name_and_change_nothing(api, candidate, subtests):
    before = get_profile(api, candidate)
    cases: list[tuple[str, dict[str, Any], str, str | None]] = [
        ("an impossible phone number", {"phone": "12345"}, "phone", "invalid_phone"),
        ("a phone number with letters", {"phone": "call me maybe"}, "phone", None),
        ("a phone number that is too long", {"phone": "+44 " + "1" * 40}, "phone", None),
        ("an unknown country", {"country": "ZZ"}, "country", None),
        ("a country name instead of a code", {"country": "Germany"}, "country", None),
        ("an unknown address country", {"address": {"city": "Nowhere", "country": "XX"}}, "address.country", None),
        ("an unknown address field", {"address": {"street": "Main Street"}}, "address.street", None),
        ("an address that is not an object", {"address": "12 St James's Square"}, "address", None),
        ("an unsupported language", {"preferred_language": "xx"}, "preferred_language", None),
        ("a language in the wrong case", {"preferred_language": "PT-br"}, "preferred_language", None),
        ("an unknown field", {"nickname": "Ada"}, "nickname", None),
        ("a first name of 101 characters", {"first_name": "A" * 101}, "first_name", None),
        ("a last name of 101 characters", {"last_name": "L" * 101}, "last_name", None),
        ("a blank first name", {"first_name": "   "}, "first_name", None),
        ("a name with a control character", {"last_name": "Love\x00lace"}, "last_name", None),
        ("a company of 101 characters", {"company": "C" * 101}, "company", None),
        ("a job role of 101 characters", {"job_role": "J" * 101}, "job_role", None),
        ("an address line of 201 characters", {"address": {"line1": "L" * 201}}, "address.line1", None),
        ("a city of 101 characters", {"address": {"city": "C" * 101}}, "address.city", None),
        ("a postal code of 17 characters", {"address": {"postal_code": "1" * 17}}, "address.postal_code", None),
        ("an email of 255 characters", {"email": "a" * 243 + "@example.org"}, "email", None),
        ("something that is not an email", {"email": "ada at example.org"}, "email", None),
    ]
    for label, body, field, code in cases:
        with subtests.test(label):
            refused = error(patch(api, candidate, body), 422)
            assert refused["field"] == field, refused
            if code:
                assert refused["code"] == code
    assert get_profile(api, candidate) == before
    kinds = [entry["kind"] for entry in history(api, candidate)]
    assert "name_changed" not in kinds
    assert "email_change_requested" not in kinds


def test_name_and_email_changes_are_in_the_history_with_their_times_newest_first(api, mail, candidate):
    def timed(body: dict[str, Any]) -> tuple[datetime, datetime]:
        before = clock.now()
        assert patch(api, candidate, body).status == 200
        after = clock.now()
        clock.advance(60)
        return before, after

    renamed = timed({"first_name": "Augusta"})
    email_asked = timed({"current_password": PASSWORD, "email": "augusta@example.net"})
    timed({"company": "Analytical Engines Ltd", "phone": "020 7946 0958"})  # not history: absent below
    surname = timed({"last_name": "King", "first_name": "Augusta"})  # an unchanged field is no change
    verified_before = clock.now()
    link = mail.latest_link("augusta@example.net", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": link}).status == 200
    verified = (verified_before, clock.now())

    entries = [e for e in history(api, candidate) if e["kind"] != "consent_changed"]

    assert [(e["kind"], e["details"]) for e in entries] == [
        ("email_changed", {"previous": "ada@example.org", "current": "augusta@example.net"}),
        ("name_changed", {"previous": "Augusta Lovelace", "current": "Augusta King"}),
        ("email_change_requested", {"requested": "augusta@example.net"}),
        ("name_changed", {"previous": "Ada Lovelace", "current": "Augusta Lovelace"}),
    ]
    for entry, (start, end) in zip(entries, (verified, surname, email_asked, renamed), strict=True):
        assert start <= datetime.fromisoformat(entry["at"]) <= end, entry


# ---------------------------------------------------------------- email change


def test_a_new_email_becomes_the_login_email_only_once_its_link_is_opened_and_only_once(api, mail, candidate):
    asked = patch(api, candidate, {"current_password": PASSWORD, "email": "Augusta@EXAMPLE.net"})

    assert asked.status == 200, asked.body
    assert (asked.json()["email"], asked.json()["pending_email"]) == ("ada@example.org", "Augusta@example.net")
    assert me(api, candidate)["email"] == "ada@example.org"
    assert subjects(mail, "Augusta@example.net") == [CHANGE_LINK_SUBJECT]
    assert CHANGED_SUBJECT not in subjects(mail, "ada@example.org")
    link = mail.latest_link("Augusta@example.net", "/verify-email")

    opened = api.call("POST", "/auth/verify-email", {"token": link})

    assert opened.status == 200, opened.body
    assert "new email address is confirmed" in opened.json()["message"]
    assert me(api, candidate)["email"] == "Augusta@example.net"
    assert get_profile(api, candidate)["pending_email"] is None
    notice = mail.to("ada@example.org")[0]
    assert notice["subject"] == CHANGED_SUBJECT
    assert "Augusta@example.net" in notice["text"]
    assert error(api.call("POST", "/auth/verify-email", {"token": link}), 410)["code"] == "link_expired"
    assert me(api, candidate)["email"] == "Augusta@example.net"

    # Recovery now answers to the new address only.
    sent_to_old = len(mail.to("ada@example.org"))
    for body in ({"email": "augusta@example.net"}, {"email": "ada@example.org"}):
        assert api.call("POST", "/auth/recovery/username", body).status == 202
    for body in ({"username_or_email": "augusta@example.net"}, {"username_or_email": "ada@example.org"}):
        assert api.call("POST", "/auth/recovery/password", body).status == 202
    assert subjects(mail, "Augusta@example.net")[:2] == [RESET_SUBJECT, USERNAME_SUBJECT]
    assert len(mail.to("ada@example.org")) == sent_to_old
    reset = mail.latest_link("Augusta@example.net", "/reset-password")
    assert api.call("POST", "/auth/password-reset", {"token": reset, "new_password": PASSWORD + "!"}).status == 204


def test_only_the_link_of_the_latest_email_request_works(api, mail, candidate):
    assert patch(api, candidate, {"current_password": PASSWORD, "email": "first@example.net"}).status == 200
    first = mail.latest_link("first@example.net", "/verify-email")
    assert (
        patch(api, candidate, {"current_password": PASSWORD, "email": "second@example.net"}).json()["pending_email"]
        == "second@example.net"
    )
    second = mail.latest_link("second@example.net", "/verify-email")

    assert error(api.call("POST", "/auth/verify-email", {"token": first}), 410)["code"] == "link_expired"
    assert me(api, candidate)["email"] == "ada@example.org"
    assert api.call("POST", "/auth/verify-email", {"token": second}).status == 200
    assert me(api, candidate)["email"] == "second@example.net"


def test_a_partner_company_email_is_refused_as_at_registration(api, mail, candidate, subtests):
    for address in ("ada@partner.example.com", "ada@emea.PARTNER.example.com"):
        with subtests.test(address=address):
            refused = error(
                patch(
                    api, candidate, {"current_password": PASSWORD, "email": address, "company": "Example Partner Inc."}
                ),
                422,
            )
            assert (refused["code"], refused["field"]) == ("partner_email_domain", "email")
            assert "PartnerNet" in refused["message"]
    profile = get_profile(api, candidate)
    assert (profile["email"], profile["pending_email"], profile["company"]) == ("ada@example.org", None, None)
    assert not [m for m in mail.all() if "partner.example.com" in " ".join(m["to"]).lower()]


def test_an_email_of_another_account_answers_like_a_free_one_and_only_tells_its_owner(api, mail, candidate):
    bob = make_candidate(api, mail, "bob", "bob@example.org")
    bob_before = me(api, bob)
    told_before = len(mail.to("bob@example.org"))

    taken = patch(api, candidate, {"current_password": PASSWORD, "email": "bob@example.org"})
    told = mail.to("bob@example.org")[: len(mail.to("bob@example.org")) - told_before]
    free = patch(api, candidate, {"current_password": PASSWORD, "email": "augusta@example.net"})

    assert taken.status == free.status == 200
    assert taken.json()["pending_email"] == "bob@example.org"
    assert {**taken.json(), "pending_email": "?", "message": "?"} == {
        **free.json(),
        "pending_email": "?",
        "message": "?",
    }
    assert taken.headers.keys() == free.headers.keys()
    assert [m["subject"] for m in told] == [ALREADY_REGISTERED_SUBJECT]
    assert "/verify-email" not in told[0]["text"]
    assert subjects(mail, "augusta@example.net") == [CHANGE_LINK_SUBJECT]
    # Nothing moved: each account keeps its address, and bob's address still leads to bob.
    assert me(api, candidate)["email"] == "ada@example.org"
    assert me(api, bob) == bob_before
    assert api.call("POST", "/auth/recovery/username", {"email": "bob@example.org"}).status == 202
    reminder = mail.to("bob@example.org")[0]
    assert reminder["subject"] == USERNAME_SUBJECT
    assert "username is: bob" in reminder["text"]


def test_asking_again_and_again_for_another_accounts_email_tells_its_owner_only_a_few_times_an_hour(
    api, mail, candidate
):
    make_candidate(api, mail, "bob", "bob@example.org")

    statuses = [
        patch(api, candidate, {"current_password": PASSWORD, "email": "bob@example.org"}).status for _ in range(8)
    ]

    assert statuses == [200] * 5 + [429] * 3  # five email changes a day per account
    assert subjects(mail, "bob@example.org").count(ALREADY_REGISTERED_SUBJECT) <= 5


def test_an_address_registered_but_unproven_by_someone_else_goes_to_whoever_opens_their_link_first(
    api, mail, candidate
):
    assert patch(api, candidate, {"current_password": PASSWORD, "email": "contested@example.net"}).status == 200
    link = mail.latest_link("contested@example.net", "/verify-email")
    assert api.register("carol", "contested@example.net").status == 201
    carol_link = mail.latest_link("contested@example.net", "/verify-email")

    assert api.call("POST", "/auth/verify-email", {"token": link}).status == 200

    assert me(api, candidate)["email"] == "contested@example.net"
    assert error(api.call("POST", "/auth/verify-email", {"token": carol_link}), 409)["code"] == "email_taken"
    assert error(api.login("carol"), 403)["code"] == "email_not_verified"


def test_opening_the_link_of_an_address_taken_meanwhile_says_the_address_belongs_to_another_account(
    api, mail, candidate
):
    assert patch(api, candidate, {"current_password": PASSWORD, "email": "contested@example.net"}).status == 200
    link = mail.latest_link("contested@example.net", "/verify-email")
    assert api.register("carol", "contested@example.net").status == 201
    carol_link = mail.latest_link("contested@example.net", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": carol_link}).status == 200

    taken = error(api.call("POST", "/auth/verify-email", {"token": link}), 409)

    assert taken["code"] == "email_taken"
    assert me(api, candidate)["email"] == "ada@example.org"
    assert api.login("carol").status == 200


def test_when_ses_fails_during_an_email_change_the_profile_stays_consistent_and_the_answer_is_no_5xx(
    api, mail, candidate, monkeypatch, subtests
):
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(client("sesv2"), "send_email", refuse)

    asked = patch(api, candidate, {"current_password": PASSWORD, "email": "augusta@example.net"})

    assert asked.status == 200, asked.body
    assert get_profile(api, candidate)["pending_email"] == "augusta@example.net"
    assert me(api, candidate)["email"] == "ada@example.org"
    assert mail.to("augusta@example.net") == []

    with subtests.test("asking again once SES is back sends a link that works"):
        monkeypatch.undo()
        assert patch(api, candidate, {"current_password": PASSWORD, "email": "augusta@example.net"}).status == 200
        link = mail.latest_link("augusta@example.net", "/verify-email")
        monkeypatch.setattr(client("sesv2"), "send_email", refuse)
        opened = api.call("POST", "/auth/verify-email", {"token": link})  # the old address cannot be told
        assert opened.status == 200, opened.body
        assert me(api, candidate)["email"] == "augusta@example.net"
        assert get_profile(api, candidate)["pending_email"] is None


def test_a_cookie_session_needs_the_csrf_token_to_change_the_profile_the_preferences_or_erase(api, candidate, subtests):
    cookie = {"Cookie": candidate["cookie"].split(";", 1)[0]}
    writes = (
        ("PATCH", "/me/profile", {"company": "Cookie Jar Ltd"}),
        (
            "PUT",
            "/me/preferences",
            {
                "notifications": {
                    "exam_results": False,
                    "expiry_reminders": True,
                    "share_views": True,
                    "support_replies": True,
                },
                "marketing_opt_in": False,
            },
        ),
        ("DELETE", "/me", {"password": PASSWORD}),
    )
    for method, path, body in writes:
        with subtests.test(route=f"{method} {path}"):
            assert error(api.call(method, path, body, headers=cookie), 403)["code"] == "csrf_failed"
    assert get_profile(api, candidate)["company"] is None
    assert me(api, candidate)["username"] == "ada"
    with_csrf = {**cookie, "X-CSRF-Token": candidate["csrf_token"]}
    assert api.call("GET", "/me/profile", headers=cookie).status == 200  # reads need no CSRF token
    for method, path, body in writes:
        with subtests.test(route=f"{method} {path}", csrf=True):
            assert api.call(method, path, body, headers=with_csrf).status in (200, 204)
    assert api.call("GET", "/me", token=candidate["token"]).status == 401


# ---------------------------------------------------------------- BOLA matrix over the session routes


def test_another_candidates_session_only_ever_reads_or_changes_their_own_data_on_every_route(
    api, mail, candidate, subtests
):
    ada = candidate
    ada_id = me(api, ada)["account_id"]
    filled = patch(api, ada, {"phone": "020 7946 0958", "company": "Analytical Engines Ltd", "address": FULL_ADDRESS})
    assert filled.status == 200, filled.body
    ada_choices = NEWS_BUT_NO_EXAM_RESULTS
    assert api.call("PUT", "/me/preferences", ada_choices, token=ada["token"]).status == 200
    bob = make_candidate(api, mail, "bob", "bob@example.org")
    bob_id = me(api, bob)["account_id"]

    def ada_data() -> dict[str, Any]:
        exported = api.call("GET", "/me/export", token=ada["token"]).json()
        return {
            "me": me(api, ada),
            "profile": get_profile(api, ada),
            "history": history(api, ada),
            "preferences": api.call("GET", "/me/preferences", token=ada["token"]).json(),
            "export": {k: v for k, v in exported.items() if k not in ("exported_at", "sessions")},
        }

    before = ada_data()
    foreign_query = f"?account_id={ada_id}&username=ada"
    foreign_fields = {"account_id": ada_id, "username": "ada"}

    for path in ("/me/profile", "/me/profile/history", "/me/preferences", "/me/export", "/me"):
        with subtests.test(route=f"GET {path}", with_foreign_query=True):
            read = api.call("GET", path + foreign_query, token=bob["token"])
            assert read.status == 200, read.body
            assert "ada@example.org" not in read.body.decode()
            assert ada_id not in read.body.decode()

    with subtests.test(route="GET /me/profile"):
        assert get_profile(api, bob)["email"] == "bob@example.org"
        assert get_profile(api, bob)["company"] is None

    with subtests.test(route="PATCH /me/profile"):
        for name, value in foreign_fields.items():
            refused = error(patch(api, bob, {name: value, "company": "Hijack Ltd"}), 422)
            assert refused["field"] == name
        assert get_profile(api, bob)["company"] is None
        assert patch(api, bob, {"company": "Bob's Bakery", "last_name": "Baker"}).status == 200
        assert get_profile(api, bob)["company"] == "Bob's Bakery"

    with subtests.test(route="GET /me/profile/history"):
        bob_history = history(api, bob)
        assert [e["details"] for e in bob_history if e["kind"] == "name_changed"] == [
            {"previous": "Ada Lovelace", "current": "Ada Baker"}
        ]
        assert all(e["details"].get("via") == "registration" for e in bob_history if e["kind"] == "consent_changed")

    with subtests.test(route="GET /me/preferences"):
        read = api.call("GET", "/me/preferences", token=bob["token"]).json()
        assert read["marketing_opt_in"] is False
        assert read["notifications"]["exam_results"] is True

    with subtests.test(route="PUT /me/preferences"):
        for name, value in foreign_fields.items():
            refused = error(api.call("PUT", "/me/preferences", {**ada_choices, name: value}, token=bob["token"]), 422)
            assert refused["field"] == name
        bob_choices = {
            "notifications": {**ada_choices["notifications"], "exam_results": True},
            "marketing_opt_in": False,
        }
        bob_choices["notifications"]["share_views"] = False
        assert api.call("PUT", "/me/preferences", bob_choices, token=bob["token"]).json() == bob_choices

    with subtests.test(route="GET /me/export"):
        exported = api.call("GET", "/me/export", token=bob["token"]).json()
        assert (exported["profile"]["account_id"], exported["profile"]["username"]) == (bob_id, "bob")

    with subtests.test(route="DELETE /me"):
        for name, value in foreign_fields.items():
            refused = error(api.call("DELETE", "/me", {"password": PASSWORD, name: value}, token=bob["token"]), 422)
            assert refused["field"] == name
        assert me(api, bob)["account_id"] == bob_id
        assert api.call("DELETE", "/me", {"password": PASSWORD}, token=bob["token"]).status == 204
        assert api.call("GET", "/me", token=bob["token"]).status == 401

    assert ada_data() == before

    for method, path in (
        ("GET", "/me/profile"),
        ("PATCH", "/me/profile"),
        ("GET", "/me/profile/history"),
        ("GET", "/me/preferences"),
        ("PUT", "/me/preferences"),
        ("GET", "/me/export"),
        ("DELETE", "/me"),
    ):
        with subtests.test(route=f"{method} {path}", session="none"):
            body = None if method == "GET" else {"password": PASSWORD}
            assert api.call(method, path + foreign_query, body).status == 401
