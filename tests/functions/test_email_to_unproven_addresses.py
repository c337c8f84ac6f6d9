"""Email to an address its owner has not proven carries no text the sender chose in its Subject, and the sender's
words in its body only quoted and inert (the share invitation's own tests are in test_shares.py)."""

from __future__ import annotations

from tests.functions.conftest import PASSWORD, make_candidate

LURE = "Security alert: your payroll account is locked, sign in at https://evil.example"
VICTIM = "victim@example.org"


def test_an_anonymous_support_confirmation_names_no_one_and_quotes_the_subject_inertly(api, mail) -> None:
    body = {
        "name": LURE[:100],
        "email": VICTIM,
        "category": "login",
        "subject": LURE,
        "message": "Sign in at https://evil.example/login now.",
    }
    assert api.call("POST", "/support/requests", body).status == 201
    [confirmation] = mail.to(VICTIM)
    assert "payroll" not in confirmation["subject"]
    for part in (confirmation["text"], confirmation["html"]):
        assert "evil.example" not in part
        assert "https[:]//evil[.]example" in part
        assert "Sign in at" not in part  # the message is the team's to read, not the recipient's
    assert "> Security alert: your payroll account is locked" in confirmation["text"]
    assert "Hello Security" not in confirmation["text"]
    assert '<blockquote style="white-space: pre-wrap;' in confirmation["html"]


def test_a_username_that_reads_as_a_web_address_reaches_an_unproven_address_only_inert(api, mail) -> None:
    assert api.register("payroll.evil.example", VICTIM).status == 201
    [verification] = mail.to(VICTIM)
    for part in (verification["text"], verification["html"]):
        assert "payroll.evil.example" not in part
        assert "payroll[.]evil[.]example (each dot written [.]" in part


def test_an_email_change_link_shows_the_username_inert_and_no_name(api, mail) -> None:
    someone = make_candidate(api, mail, "secure.evil.example", "someone@example.org")
    asked = api.call("PATCH", "/me/profile", {"email": VICTIM, "current_password": PASSWORD}, token=someone["token"])
    assert asked.status == 200, asked.body
    [link] = mail.to(VICTIM)
    assert "secure[.]evil[.]example" in link["text"]
    assert "secure.evil.example" not in link["text"]
    assert "Ada" not in link["text"]


def test_an_ordinary_username_is_shown_as_it_is(api, mail) -> None:
    assert api.register("carol", "carol@example.org").status == 201
    [verification] = mail.to("carol@example.org")
    assert "Your username is carol." in verification["text"]
