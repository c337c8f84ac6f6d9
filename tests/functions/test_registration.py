"""Registration and email verification, as a new candidate (or a partner employee) meets them."""

from __future__ import annotations

from typing import Any

from certtracker.core import clock
from certtracker.models.accounts import Account, AccountClaim
from tests.functions.conftest import PASSWORD, error

VERIFY_SUBJECT = "Confirm your email address for CertTracker"
ALREADY_REGISTERED_SUBJECT = "Someone tried to register with your email address"


def stored_account(username: str) -> Account:
    claim = AccountClaim.get(AccountClaim.for_username(username))
    return Account.get(Account.key(claim.account_id))


def subjects(mail: Any, address: str) -> list[str]:
    return [message["subject"] for message in mail.to(address)]


# ---------------------------------------------------------------- registering


def test_registration_answers_201_emails_a_link_and_records_the_privacy_and_marketing_choices(api, mail):
    before = clock.now()
    response = api.register("ada", "ada@example.org")
    after = clock.now()
    assert api.register("grace", "grace@example.org", marketing_opt_in=True).status == 201

    assert response.status == 201, response.body
    assert response.json()["status"] == "verification_email_sent"
    assert subjects(mail, "ada@example.org") == [VERIFY_SUBJECT]
    assert "/verify-email#token=" in mail.to("ada@example.org")[0]["text"]
    verify = api.call("POST", "/auth/verify-email", {"token": mail.latest_link("ada@example.org", "/verify-email")})
    assert verify.status == 200, verify.body
    me = api.call("GET", "/me", token=api.login("ada").json()["token"])
    assert me.status == 200, me.body
    assert me.json()["privacy_notice_version"] == "2026-01"
    assert me.json()["marketing_opt_in"] is False
    # GET /me does not show when the notice was accepted, so read it where it is recorded.
    assert before <= stored_account("ada").privacy_notice_accepted_at <= after
    assert stored_account("grace").marketing_opt_in is True  # off unless chosen, as ada's shows


def test_partner_domains_and_their_subdomains_are_refused_with_the_partnernet_route(api, mail, subtests):
    for address in ("pat@partner.example.com", "pat@eu.partner.example.com", "Pat@Partner.Example.COM"):
        with subtests.test(address=address):
            detail = error(api.register("pat", address), 422)

            assert detail["code"] == "partner_email_domain"
            assert detail["field"] == "email"
            assert "PartnerNet" in detail["message"]
            assert "automatically within 24 hours" in detail["message"]
    assert mail.all() == []
    for username, lookalike in (("pat", "pat@notpartner.example.com"), ("liam", "liam@partner.example.com.evil.org")):
        with subtests.test(lookalike=lookalike):
            assert api.register(username, lookalike).status == 201


def test_taken_username_is_refused_whatever_its_case(api, mail, subtests):
    assert api.register("ada", "ada@example.org").status == 201

    for attempt in ("ada", "ADA", "Ada"):
        with subtests.test(username=attempt):
            detail = error(api.register(attempt, "someone.else@example.org"), 409)

            assert detail["code"] == "username_taken"
    assert mail.to("someone.else@example.org") == []


def test_registering_an_existing_email_answers_like_a_fresh_one_and_tells_only_its_owner(api, mail, candidate):
    owner_hash = stored_account("ada").password_hash
    assert api.register("bob", "bob@example.org").status == 201  # never verified

    fresh = api.register("grace", "grace@example.org")
    again = api.register("mallory", "ada@example.org", password="Another-Quiet-River-93")
    again_other_case = api.register("mallet", "ADA@EXAMPLE.ORG", password="Another-Quiet-River-93")
    again_unverified = api.register("bobby", "bob@example.org", password="Another-Quiet-River-93")

    for response in (again, again_other_case, again_unverified):
        assert (response.status, response.body) == (fresh.status, fresh.body)
    to_owner = [m["subject"] for m in mail.all() if any(a.lower() == "ada@example.org" for a in m["to"])]
    assert to_owner.count(ALREADY_REGISTERED_SUBJECT) == 2
    assert to_owner.count(VERIFY_SUBJECT) == 1  # the owner's own registration, nothing new
    # An address that was never verified is sent nothing but its verification link (PRODUCT.md, item 1).
    assert subjects(mail, "bob@example.org") == [VERIFY_SUBJECT, VERIFY_SUBJECT]
    # The attempts changed nothing: the owner's password stands and no username was claimed.
    assert stored_account("ada").password_hash == owner_hash
    assert api.register("mallory", "mallory@example.org").status == 201


def test_weak_password_is_refused_naming_the_field(api, mail, subtests):
    weak = {
        "shorter than 12 characters": "Tiny-pass-1",
        "on the common list": "password1234",
        "a common password with padding": "Password2024!",
        "a keyboard run": "qwertyuiop123",
        "containing the username": "my-LANTERN7-shines-bright",
        "longer than 128 characters": "Orchid-Lantern-" * 9,
    }
    for reason, password in weak.items():
        with subtests.test(reason):
            detail = error(api.register("lantern7", "lantern7@example.org", password=password), 422)

            assert detail["code"] == "weak_password"
            assert detail["field"] == "password"
    assert mail.all() == []
    assert api.register("lantern7", "lantern7@example.org").status == 201


def test_registration_without_accepting_the_privacy_notice_is_refused(api, mail, subtests):
    body = {
        "username": "ada",
        "email": "ada@example.org",
        "password": PASSWORD,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "country": "GB",
    }
    for case, extra in (("declined", {"accept_privacy_notice": False}), ("not answered", {})):
        with subtests.test(case):
            detail = error(api.call("POST", "/auth/register", {**body, **extra}), 422)

            assert detail["code"] == "validation_error"
            assert detail["field"] == "accept_privacy_notice"
    assert mail.all() == []


# ---------------------------------------------------------------- verifying the email


def test_verification_link_works_once_and_only_within_24_hours(api, mail, subtests):
    api.register("ada", "ada@example.org")
    api.register("bea", "bea@example.org")
    ada_link = mail.latest_link("ada@example.org", "/verify-email")
    bea_link = mail.latest_link("bea@example.org", "/verify-email")

    with subtests.test("a forged link"):
        assert error(api.call("POST", "/auth/verify-email", {"token": "A" * 43}), 410)["code"] == "link_expired"
    clock.advance(23 * 3600)
    with subtests.test("a 23-hour-old link, used once"):
        assert api.call("POST", "/auth/verify-email", {"token": ada_link}).status == 200
        assert stored_account("ada").email_verified is True
    with subtests.test("the same link, used again"):
        assert error(api.call("POST", "/auth/verify-email", {"token": ada_link}), 410)["code"] == "link_expired"
    clock.advance(2 * 3600)
    with subtests.test("a 25-hour-old link"):
        assert error(api.call("POST", "/auth/verify-email", {"token": bea_link}), 410)["code"] == "link_expired"
        assert stored_account("bea").email_verified is False


def test_login_before_verification_is_refused_and_sends_a_new_link(api, mail):
    api.register("ada", "ada@example.org")
    first_link = mail.latest_link("ada@example.org", "/verify-email")

    response = api.login("ada")

    assert error(response, 403)["code"] == "email_not_verified"
    assert response.header("Set-Cookie") is None
    assert subjects(mail, "ada@example.org") == [VERIFY_SUBJECT, VERIFY_SUBJECT]
    new_link = mail.latest_link("ada@example.org", "/verify-email")
    assert new_link != first_link
    assert api.call("POST", "/auth/verify-email", {"token": new_link}).status == 200
    assert api.login("ada").status == 200


# ---------------------------------------------------------------- squatting (issue 9, item 2)


def test_an_address_registered_unverified_by_someone_else_goes_to_whoever_proves_it(api, mail):
    # An attacker registers Carol's address with their own username and password, and cannot open the link.
    assert api.register("mallory", "carol@example.org", password="Quiet-Thief-Owns-Nothing-77").status == 201
    mallory_link = mail.latest_link("carol@example.org", "/verify-email")

    assert api.register("carol", "carol@example.org").status == 201
    carol_link = mail.latest_link("carol@example.org", "/verify-email")

    # Carol's link verifies Carol's own account, never the attacker's.
    assert carol_link != mallory_link
    assert api.call("POST", "/auth/verify-email", {"token": carol_link}).status == 200
    assert stored_account("carol").email_verified is True
    assert stored_account("mallory").email_verified is False
    assert api.login("carol").status == 200
    # The attacker's link no longer proves anything, and their login sends Carol nothing more.
    assert error(api.call("POST", "/auth/verify-email", {"token": mallory_link}), 409)["code"] == "email_taken"
    sent = len(mail.to("carol@example.org"))
    assert error(api.login("mallory", "Quiet-Thief-Owns-Nothing-77"), 403)["code"] == "email_not_verified"
    assert len(mail.to("carol@example.org")) == sent
    # Recovery by the address reaches Carol's account.
    api.call("POST", "/auth/recovery/username", {"email": "carol@example.org"})
    assert "Your CertTracker username is: carol" in mail.to("carol@example.org")[0]["text"]


def test_an_unverified_account_expires_after_seven_days_and_frees_its_username(api, mail):
    assert api.register("squatter", "sam@example.org").status == 201
    assert stored_account("squatter").expires_at is not None  # DynamoDB's TTL deletes it

    clock.advance(7 * 24 * 3600 + 60)

    assert error(api.login("squatter"), 401)["code"] == "invalid_credentials"
    assert api.register("squatter", "samantha@example.org").status == 201
    link = mail.latest_link("samantha@example.org", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": link}).status == 200
    assert stored_account("squatter").email == "samantha@example.org"
    assert stored_account("squatter").expires_at is None  # verified accounts do not expire
    assert api.login("squatter").status == 200
