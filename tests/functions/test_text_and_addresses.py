"""One text-field policy and one address rule, on every route that takes free text or an email address."""

from __future__ import annotations

import unicodedata
from typing import Any

from certtracker.core.input_messages import NOUNS
from certtracker.models.accounts import AccountClaim
from certtracker.models.support_requests import SupportRequest
from tests.functions.conftest import error

LINE_BREAKS = {"LINE SEPARATOR": "\u2028", "PARAGRAPH SEPARATOR": "\u2029", "NEXT LINE (C1)": "\x85"}
INVISIBLE = {
    "ZERO WIDTH SPACE": "\u200b",
    "RIGHT-TO-LEFT OVERRIDE": "\u202e",
    "LEFT-TO-RIGHT ISOLATE": "\u2066",
    "POP DIRECTIONAL ISOLATE": "\u2069",
    "BYTE ORDER MARK": "\ufeff",
    "WORD JOINER": "\u2060",
}
CONTROLS = {"BELL": "\x07", "ESCAPE": "\x1b", "DELETE": "\x7f", "C1 CSI": "\x9b", "CARRIAGE RETURN": "\r"}


def support(**overrides: Any) -> dict[str, Any]:
    return {"category": "login", "subject": "Cannot log in", "message": "The reset link never arrives.", **overrides}


def anonymous(**overrides: Any) -> dict[str, Any]:
    return support(**{"name": "Lin Chen", "email": "lin@example.org", **overrides})


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "username": "lin",
        "email": "lin@example.org",
        "password": "Orchid-Lantern-Violet-42",
        "first_name": "Lin",
        "last_name": "Chen",
        "country": "DE",
        "accept_privacy_notice": True,
        **overrides,
    }


def one_line_fields(token: str) -> list[tuple[str, str, Any, str]]:
    """(method, path, body builder, field) for every one-line free-text field of every request model."""
    return [
        ("POST", "/auth/register", lambda v: registration(first_name=v), "first_name"),
        ("POST", "/auth/register", lambda v: registration(last_name=v), "last_name"),
        ("PATCH", "/me/profile", lambda v: {"first_name": v}, "first_name"),
        ("PATCH", "/me/profile", lambda v: {"last_name": v}, "last_name"),
        ("PATCH", "/me/profile", lambda v: {"company": v}, "company"),
        ("PATCH", "/me/profile", lambda v: {"job_role": v}, "job_role"),
        ("PATCH", "/me/profile", lambda v: {"address": {"line1": v}}, "address.line1"),
        ("PATCH", "/me/profile", lambda v: {"address": {"line2": v}}, "address.line2"),
        ("PATCH", "/me/profile", lambda v: {"address": {"city": v}}, "address.city"),
        ("PATCH", "/me/profile", lambda v: {"address": {"region": v}}, "address.region"),
        ("POST", "/support/requests", lambda v: anonymous(name=v), "name"),
        ("POST", "/support/requests", lambda v: anonymous(subject=v), "subject"),
        ("POST", "/me/support-requests", lambda v: support(subject=v), "subject"),
    ]


def stored_requests() -> list[SupportRequest]:
    return [item for item in SupportRequest.scan() if item.sk.startswith("REQUEST#")]


# ---------------------------------------------------------------- item 5: one text-field policy


def test_a_line_break_in_a_support_subject_is_refused_before_anything_is_stored_or_sent(api, mail, candidate, subtests):
    sent_before = len(mail.all())
    for label, char in LINE_BREAKS.items():
        for path, body, token in (
            ("/support/requests", anonymous(subject=f"Cannot{char}log in"), None),
            ("/me/support-requests", support(subject=f"Cannot{char}log in"), candidate["token"]),
        ):
            with subtests.test(label, path=path):
                refused = error(api.call("POST", path, body, token=token), 422)
                assert refused["field"] == "subject"
                assert "one line" in refused["message"]
    assert stored_requests() == []
    assert len(mail.all()) == sent_before


def test_every_one_line_text_field_refuses_line_breaks_controls_and_invisible_characters(api, candidate, subtests):
    for method, path, body, field in one_line_fields(candidate["token"]):
        token = None if path.startswith(("/auth", "/support")) else candidate["token"]
        for label, char in {**LINE_BREAKS, **INVISIBLE, **CONTROLS}.items():
            with subtests.test(label, path=path, field=field):
                refused = error(api.call(method, path, body(f"Chen{char}Lin"), token=token), 422)
                assert refused["field"] == field
                assert f"U+{ord(char):04X}" in refused["message"]
    assert stored_requests() == []
    assert api.call("GET", "/me/profile", token=candidate["token"]).json()["company"] is None


def test_a_message_keeps_its_line_breaks_and_tabs_and_nothing_else_invisible(api, candidate, subtests):
    for label, char in {**LINE_BREAKS, **INVISIBLE, "BELL": "\x07", "VERTICAL TAB": "\x0b"}.items():
        with subtests.test(label):
            body = support(message=f"The reset link{char} never arrives.")
            refused = error(api.call("POST", "/me/support-requests", body, token=candidate["token"]), 422)
            assert refused["field"] == "message"
    body = support(message="Steps:\r\n\t1. open the link\r\n\t2. nothing happens\rThanks")
    assert api.call("POST", "/me/support-requests", body, token=candidate["token"]).status == 201
    (stored,) = stored_requests()
    assert stored.message == "Steps:\n\t1. open the link\n\t2. nothing happens\nThanks"


def test_names_are_stored_in_nfc_and_joiners_inside_a_word_of_a_script_that_needs_them_are_kept(api, candidate):
    decomposed = unicodedata.normalize("NFD", "Zoë Ångström")
    persian = "\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645"  # Persian; the zero-width non-joiner is part of its spelling
    changed = api.call(
        "PATCH", "/me/profile", {"first_name": decomposed, "last_name": persian}, token=candidate["token"]
    )
    assert changed.status == 200, changed.body
    profile = api.call("GET", "/me/profile", token=candidate["token"]).json()
    assert (profile["first_name"], profile["last_name"]) == ("Zoë Ångström", persian)
    assert profile["first_name"] == unicodedata.normalize("NFC", profile["first_name"])
    # The same joiner between Latin letters only hides something: refused.
    refused = api.call("PATCH", "/me/profile", {"last_name": "Ch\u200ben"}, token=candidate["token"])
    assert error(refused, 422)["field"] == "last_name"


def test_a_name_that_would_print_blank_or_as_a_pile_of_accents_is_refused_naming_the_field(api, candidate, subtests):
    """Issue 21: the Hangul filler passed the policy and printed a blank name; 99 stacked accents drew over the page."""
    name_fields = [entry for entry in one_line_fields(candidate["token"]) if entry[3] in ("first_name", "last_name")]
    refusals = {
        "HANGUL FILLER": ("\u3164", "invisible characters: it contains U+3164 (HANGUL FILLER)"),
        "a filler inside a name": ("Min\u3164jun", "U+3164"),
        "BRAILLE PATTERN BLANK": ("\u2800", "U+2800"),
        "99 accents on one letter": ("a" + "\u0301" * 99, "more than 4 accents or other marks on one character"),
    }
    before = api.call("GET", "/me/profile", token=candidate["token"]).json()
    for method, path, body, field in name_fields:
        token = None if path.startswith("/auth") else candidate["token"]
        for label, (value, reason) in refusals.items():
            with subtests.test(label, path=path, field=field):
                refused = error(api.call(method, path, body(value), token=token), 422)
                assert refused["field"] == field
                assert reason in refused["message"]
                assert refused["message"].startswith(f"{NOUNS[field][:1].upper()}{NOUNS[field][1:]} must not")
    assert api.call("GET", "/me/profile", token=candidate["token"]).json() == before
    assert not [claim for claim in AccountClaim.scan() if claim.pk == AccountClaim.for_username("lin")]


# ---------------------------------------------------------------- item 6: addresses that can be delivered


def address_fields(token: str) -> list[tuple[str, str, Any, str, str | None]]:
    """(method, path, body builder, field, token) for every field of every request model that takes an address."""
    return [
        ("POST", "/auth/register", lambda v: registration(email=v), "email", None),
        ("POST", "/auth/recovery/username", lambda v: {"email": v}, "email", None),
        ("POST", "/auth/recovery/password", lambda v: {"username_or_email": v}, "username_or_email", None),
        ("POST", "/support/requests", lambda v: anonymous(email=v), "email", None),
        ("PATCH", "/me/profile", lambda v: {"email": v}, "email", token),
    ]


def test_an_internationalized_local_part_is_refused_with_422_naming_the_field_everywhere(
    api, mail, candidate, subtests
):
    sent_before = len(mail.all())
    for method, path, body, field, token in address_fields(candidate["token"]):
        for address in ("üser@example.org", "用户@例子.example"):
            with subtests.test(path=path, address=address):
                refused = error(api.call(method, path, body(address), token=token), 422)
                assert refused["field"] == field
                assert "before the @" in refused["message"]
    assert len(mail.all()) == sent_before
    assert stored_requests() == []


def test_an_internationalized_domain_is_stored_and_sent_as_punycode_and_the_account_can_be_verified(api, mail):
    registered = api.call("POST", "/auth/register", registration(email="lin@Bücher.example"))
    assert registered.status == 201, registered.body
    (message,) = mail.all()
    assert message["headers"]["To"] == "lin@xn--bcher-kva.example"
    link = mail.latest_link("lin@xn--bcher-kva.example", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": link}).status == 200
    token = api.login("lin").json()["token"]
    assert api.call("GET", "/me", token=token).json()["email"] == "lin@xn--bcher-kva.example"

    filed = api.call("POST", "/support/requests", anonymous(email="lin@bücher.example"))
    assert filed.status == 201, filed.body
    team = next(m for m in mail.all() if m["headers"].get("Reply-To"))
    assert team["headers"]["Reply-To"] == "lin@xn--bcher-kva.example"
    assert [r.email for r in stored_requests()] == ["lin@xn--bcher-kva.example"]


def test_the_same_mailbox_in_unicode_and_in_punycode_is_one_address(api, mail, subtests):
    assert api.call("POST", "/auth/register", registration(email="lin@bücher.example")).status == 201
    link = mail.latest_link("lin@xn--bcher-kva.example", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": link}).status == 200

    again = api.call("POST", "/auth/register", registration(username="other", email="LIN@XN--BCHER-KVA.example"))
    assert again.status == 201  # answered like a fresh registration; the owner is told
    claims = [claim.pk for claim in AccountClaim.scan() if claim.pk.startswith("EMAIL#")]
    assert claims == ["EMAIL#lin@xn--bcher-kva.example"]

    for written in ("lin@BÜCHER.example", "lin@xn--bcher-kva.example"):
        with subtests.test(written):
            count = len(mail.to("lin@xn--bcher-kva.example"))
            assert api.call("POST", "/auth/recovery/username", {"email": written}).status == 202
            assert len(mail.to("lin@xn--bcher-kva.example")) == count + 1
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": "lin@bücher.example"}).status == 202
    assert mail.latest_link("lin@xn--bcher-kva.example", "/reset-password")
