"""POST, GET /me/shares, DELETE /me/shares/{id} and the public GET /shares/{token}: credentials forwarded to a
third party by an emailed link that expires, can be revoked, shows live statuses and counts its views."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from certtracker.core import clock
from certtracker.core.aws import client
from certtracker.credentials import awards
from certtracker.models.credential_awards import CredentialAward
from certtracker.models.shares import Share, ShareLink
from certtracker.shares import sharing
from tests.functions.conftest import PASSWORD, error, make_candidate
from tests.functions.test_certificates import grant, owner_of, request

EMPLOYER = "hiring@employer.example"
SUBJECT = "Credentials shared with you through the Accreditation and Certification Program"
PHISHING_NAME = ("Security alert:", "your payroll account is locked, sign in at https://evil.example")
NOTE = "Hello Grace,\nhere are the two credentials we talked about."


def share(api, who, *, to: str = EMPLOYER, credentials=("CERT-EP", "ACC-EP"), days: int = 30, headers=None, **extra):
    body = {"recipient_email": to, "credential_ids": list(credentials), "expires_in_days": days, **extra}
    return api.call("POST", "/me/shares", body, token=who["token"], headers=headers)


def link_token(mail, to: str = EMPLOYER) -> str:
    """The token of the newest share link emailed to `to`."""
    for message in mail.to(to):
        found = re.search(r"/shares/([A-Za-z0-9_-]{43})\b", message["text"])
        if found:
            return found.group(1)
    raise AssertionError(f"no share link was sent to {to}")


def open_link(api, token: str, source_ip: str = "198.51.100.20"):
    api.source_ip, before = source_ip, api.source_ip
    try:
        return api.call("GET", f"/shares/{token}")
    finally:
        api.source_ip = before


def mine(api, who) -> list[dict[str, Any]]:
    answer = api.call("GET", "/me/shares", token=who["token"])
    assert answer.status == 200, answer.body
    return answer.json()["shares"]


def signed_in_again(api, who) -> dict[str, str]:
    """After the clock moved past the session's lifetime."""
    login = api.login(who["username"])
    assert login.status == 200, login.body
    return {**who, "token": login.json()["token"]}


@pytest.fixture
def holder(api, candidate) -> dict[str, str]:
    """The logged-in candidate, holding CERT-EP and ACC-EP."""
    owner = owner_of(api, candidate)
    grant(owner, "CERT-EP")
    grant(owner, "ACC-EP", days=700)
    return {**candidate, "account_id": owner}


def test_a_share_emails_the_recipient_a_link_that_shows_the_name_and_each_credentials_live_status(
    api, mail, holder
) -> None:
    answer = share(api, holder, message=NOTE)
    assert answer.status == 201, answer.body
    body = answer.json()
    assert re.fullmatch(r"[0-9a-f]{21}", body["share_id"])
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=29, hours=23) < expires_at - clock.now() <= timedelta(days=30)

    [email] = mail.to(EMPLOYER)
    assert email["subject"] == SUBJECT
    assert "Ada Lovelace (the name on their certificates) shared 2 credentials" in email["text"]
    assert email["headers"]["Reply-To"] == holder["email"]
    assert "Certified Specialist: Endpoint Security Complete" in email["text"]
    assert "Endpoint Protection Accreditation" in email["text"]
    assert "> Hello Grace,\n> here are the two credentials we talked about." in email["text"]
    assert "here are the two credentials" in email["html"]
    assert "List-Unsubscribe" not in email["headers"]  # not a newsletter: one email, asked for by the candidate

    token = link_token(mail)
    stored = Share.get(holder["account_id"], "SHARE#" + body["share_id"])
    assert token not in str(stored.attribute_values)  # only its digest is kept
    assert stored.link_hash != token

    seen = open_link(api, token)
    assert seen.status == 200, seen.body
    assert seen.header("Referrer-Policy") == "no-referrer"
    assert seen.header("Cache-Control") == "no-store"
    assert "noindex" in seen.header("X-Robots-Tag")
    view = seen.json()
    assert view["holder_name"] == "Ada Lovelace"
    assert view["message"] == NOTE
    assert [(c["credential_id"], c["status"]) for c in view["credentials"]] == [
        ("CERT-EP", "valid"),
        ("ACC-EP", "valid"),
    ]
    assert view["credentials"][0]["title"] == "Certified Specialist: Endpoint Security Complete"
    assert view["credentials"][0]["verification_path"] is None  # no certificate yet

    certificate = request(api, holder).json()
    again = open_link(api, token).json()
    assert again["credentials"][0]["verification_path"] == certificate["verification_path"]


def test_views_are_counted_with_their_times_and_the_first_one_tells_the_candidate_once(api, mail, holder) -> None:
    shared = share(api, holder).json()
    token = link_token(mail)
    [listed] = mine(api, holder)
    assert listed["status"] == "active"
    assert listed["views"] == {"count": 0, "first_viewed_at": None, "last_viewed_at": None}
    assert listed["recipient_email"] == EMPLOYER
    assert [c["credential_id"] for c in listed["credentials"]] == ["CERT-EP", "ACC-EP"]

    first = clock.now()
    assert open_link(api, token).status == 200
    clock.advance(600)
    assert open_link(api, token, source_ip="192.0.2.9").status == 200
    assert open_link(api, token).status == 200

    [listed] = mine(api, holder)
    assert listed["views"]["count"] == 3
    assert datetime.fromisoformat(listed["views"]["first_viewed_at"]) - first < timedelta(seconds=5)
    assert datetime.fromisoformat(listed["views"]["last_viewed_at"]) - first >= timedelta(minutes=10)
    notices = [m for m in mail.to(holder["email"]) if m["subject"] == "Your shared credentials were opened"]
    assert len(notices) == 1
    assert EMPLOYER in notices[0]["text"]
    assert "List-Unsubscribe" in notices[0]["headers"]  # the share_views preference, RFC 8058
    # The log keeps when, and nothing about who: no address, no agent.
    stored = Share.get(holder["account_id"], "SHARE#" + shared["share_id"])
    assert len(stored.view_times) == 3
    assert "198.51.100.20" not in str(stored.attribute_values)


def test_a_candidate_who_turned_off_share_views_gets_no_notice(api, mail, holder) -> None:
    preferences = api.call("GET", "/me/preferences", token=holder["token"]).json()
    preferences["notifications"]["share_views"] = False
    assert api.call("PUT", "/me/preferences", preferences, token=holder["token"]).status == 200
    share(api, holder)
    assert open_link(api, link_token(mail)).status == 200
    assert not [m for m in mail.to(holder["email"]) if "opened" in m["subject"]]


def test_first_views_at_the_same_moment_are_all_counted_and_tell_the_candidate_once(
    api, mail, holder, dynamodb_writes_atomically
) -> None:
    share(api, holder)
    token = link_token(mail)
    answers = api.burst(6, "GET", f"/shares/{token}")
    assert [a.status for a in answers] == [200] * 6
    assert mine(api, holder)[0]["views"]["count"] == 6
    assert len([m for m in mail.to(holder["email"]) if "opened" in m["subject"]]) == 1


def test_the_view_log_keeps_the_first_times_and_counts_every_view(api, mail, holder, monkeypatch) -> None:
    monkeypatch.setattr(sharing, "VIEW_LOG_SIZE", 2)
    shared = share(api, holder).json()
    token = link_token(mail)
    for _ in range(4):
        assert open_link(api, token).status == 200
    stored = Share.get(holder["account_id"], "SHARE#" + shared["share_id"])
    assert stored.views == 4
    assert len(stored.view_times) == 2


def test_revoking_stops_the_link_at_once_and_the_list_says_so(api, mail, holder) -> None:
    shared = share(api, holder).json()
    token = link_token(mail)
    assert open_link(api, token).status == 200

    revoked = api.call("DELETE", f"/me/shares/{shared['share_id']}", token=holder["token"])
    assert revoked.status == 204
    gone = error(open_link(api, token), 404)
    assert gone["code"] == "share_not_found"
    assert "Lovelace" not in gone["message"]
    [listed] = mine(api, holder)
    assert listed["status"] == "revoked"
    assert listed["revoked_at"] is not None
    assert listed["views"]["count"] == 1
    # Again: nothing changes.
    assert api.call("DELETE", f"/me/shares/{shared['share_id']}", token=holder["token"]).status == 204


def test_another_candidate_can_neither_see_nor_revoke_my_shares(api, mail, holder) -> None:
    shared = share(api, holder).json()
    token = link_token(mail)
    bob = make_candidate(api, mail, "bob", "bob@example.org")
    assert mine(api, bob) == []
    refused = error(api.call("DELETE", f"/me/shares/{shared['share_id']}", token=bob["token"]), 404)
    assert refused["code"] == "share_not_found"
    assert open_link(api, token).status == 200  # still working: Bob's attempt changed nothing
    # Bob cannot share my credentials either: he holds none of them.
    assert error(share(api, bob, to="someone@example.org"), 422)["code"] == "credential_not_held"
    # Ids and tokens of the wrong shape are refused before any lookup.
    assert api.call("DELETE", "/me/shares/not-a-share", token=bob["token"]).status == 422
    assert error(open_link(api, "x" * 10), 404)["code"] == "share_not_found"
    assert error(open_link(api, token[:-1] + ("A" if token[-1] != "A" else "B")), 404)["code"] == "share_not_found"


def test_an_expired_link_is_410_without_a_name_and_the_list_says_expired(api, mail, holder) -> None:
    share(api, holder, days=1)
    token = link_token(mail)
    clock.advance(timedelta(days=1, minutes=1).total_seconds())
    expired = error(open_link(api, token), 410)
    assert expired["code"] == "share_expired"
    assert "Ada" not in expired["message"]
    [listed] = mine(api, signed_in_again(api, holder))
    assert listed["status"] == "expired"
    assert listed["views"]["count"] == 0  # an expired link's opening is not a view


def test_a_credential_revoked_or_expired_after_sharing_shows_as_such(api, mail, holder) -> None:
    share(api, holder, credentials=["CERT-EP", "ACC-EP"], days=90)
    token = link_token(mail)
    award = next(a for a in awards.awards_of(holder["account_id"]) if a.credential_id == "CERT-EP")
    awards.set_revoked(award, revoked=True, reason="misconduct", at=clock.now())
    lapsed = next(a for a in awards.awards_of(holder["account_id"]) if a.credential_id == "ACC-EP")
    lapsed.update(actions=[CredentialAward.expires_at.set(clock.now() - timedelta(days=1))])
    statuses = {c["credential_id"]: c for c in open_link(api, token).json()["credentials"]}
    assert statuses["CERT-EP"]["status"] == "revoked"
    assert statuses["CERT-EP"]["revoked_at"] is not None
    assert statuses["ACC-EP"]["status"] == "expired"


def test_only_credentials_held_and_not_revoked_can_be_shared(api, mail, holder) -> None:
    refused = error(share(api, holder, credentials=["CERT-EP", "CERT-DLP"]), 422)
    assert refused["code"] == "credential_not_held"
    assert "CERT-DLP" in refused["message"]
    assert refused["field"] == "credential_ids"
    award = next(a for a in awards.awards_of(holder["account_id"]) if a.credential_id == "CERT-EP")
    awards.set_revoked(award, revoked=True, reason="misconduct", at=clock.now())
    assert error(share(api, holder, credentials=["CERT-EP"]), 409)["code"] == "credential_revoked"
    assert mine(api, holder) == []
    assert not mail.to(EMPLOYER)


def test_a_share_of_nothing_is_refused_in_words_a_person_wrote(api, holder) -> None:
    body = {"recipient_email": EMPLOYER, "credential_ids": [], "expires_in_days": 30}
    refused = error(api.call("POST", "/me/shares", body, token=holder["token"]), 422)
    assert refused == {
        "code": "validation_error",
        "field": "credential_ids",
        "message": "Tick at least one credential to share.",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 91}, "expires_in_days"),
        ({"expires_in_days": 10**30}, "expires_in_days"),
        ({"expires_in_days": 2.5}, "expires_in_days"),
        # Strict types: not read as 1 day and 3 days, as they were before the contract models were strict.
        ({"expires_in_days": True}, "expires_in_days"),
        ({"expires_in_days": "3"}, "expires_in_days"),
        ({"expires_in_days": 3.0}, "expires_in_days"),
        ({"credential_ids": "CERT-EP"}, "credential_ids"),
        ({"message": 42}, "message"),
        ({"credential_ids": []}, "credential_ids"),
        ({"credential_ids": [f"CERT-{n}" for n in range(21)]}, "credential_ids"),
        ({"credential_ids": ["cert ep"]}, "credential_ids"),
        ({"recipient_email": "not an address"}, "recipient_email"),
        ({"recipient_email": "jürgen@employer.example"}, "recipient_email"),
        ({"recipient_email": "a@b.example\r\nBcc: x@y.example"}, "recipient_email"),
        ({"message": "x" * 501}, "message"),
        ({"message": "Look \u202eevil"}, "message"),
        ({"message": "line\u2028separator"}, "message"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_shared(api, mail, holder, change, field) -> None:
    body = {"recipient_email": EMPLOYER, "credential_ids": ["CERT-EP"], "expires_in_days": 30, **change}
    refused = error(api.call("POST", "/me/shares", body, token=holder["token"]), 422)
    assert field in (refused.get("field") or "") + refused["message"]
    if field == "expires_in_days":
        assert refused["field"] == "expires_in_days"
    assert mine(api, holder) == []


def test_html_in_the_note_is_shown_as_text_in_the_email_and_an_idn_recipient_gets_punycode(api, mail, holder) -> None:
    answer = share(api, holder, to="hr@bücher.example", message="<script>alert(1)</script> & <b>hi</b>")
    assert answer.status == 201, answer.body
    [email] = mail.to("hr@xn--bcher-kva.example")
    assert "<script>" not in email["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;hi&lt;/b&gt;" in email["html"]
    assert "<script>alert(1)</script>" in email["text"]
    assert mine(api, holder)[0]["recipient_email"] == "hr@xn--bcher-kva.example"


def test_shares_per_day_and_share_emails_per_recipient_are_limited(api, mail, holder) -> None:
    for n in range(sharing.EMAILS_PER_RECIPIENT[0]):
        assert share(api, holder, credentials=["CERT-EP"], days=n + 1).status == 201
    limited = api.call(
        "POST",
        "/me/shares",
        {"recipient_email": EMPLOYER, "credential_ids": ["ACC-EP"], "expires_in_days": 9},
        token=holder["token"],
    )
    assert error(limited, 429)["code"] == "too_many_shares_to_recipient"
    assert 0 < int(limited.header("Retry-After")) <= 86400
    # Another candidate cannot send that recipient more either.
    bob = make_candidate(api, mail, "bob", "bob@example.org")
    grant(owner_of(api, bob), "CERT-EP")
    assert error(share(api, bob, credentials=["CERT-EP"]), 429)["code"] == "too_many_shares_to_recipient"

    for n in range(sharing.SHARES_PER_DAY[0] - sharing.EMAILS_PER_RECIPIENT[0] - 1):
        assert share(api, holder, to=f"r{n}@employer.example", credentials=["CERT-EP"]).status == 201
    per_day = share(api, holder, to="one-more@employer.example", credentials=["CERT-EP"])
    assert error(per_day, 429)["code"] == "too_many_shares"
    assert len(mine(api, holder)) == sharing.SHARES_PER_DAY[0] - 1

    clock.advance(timedelta(days=1, seconds=1).total_seconds())
    assert share(api, signed_in_again(api, holder), credentials=["CERT-EP"]).status == 201


def test_a_form_sent_twice_makes_one_share_and_one_email(api, mail, holder) -> None:
    key = {"Idempotency-Key": "9b1f6c1e-share-form"}
    first = share(api, holder, headers=key)
    again = share(api, holder, headers=key)
    assert first.status == again.status == 201
    assert again.json()["share_id"] == first.json()["share_id"]
    assert "already" in again.json()["message"]
    assert len(mail.to(EMPLOYER)) == 1
    reused = error(share(api, holder, days=7, headers=key), 422)
    assert reused["code"] == "idempotency_key_reused"
    # Without a key, the same form a moment later is the same share too.
    plain = share(api, holder, to="other@employer.example")
    assert share(api, holder, to="other@employer.example").json()["share_id"] == plain.json()["share_id"]
    assert len(mine(api, holder)) == 2


def test_the_same_form_at_the_same_moment_makes_one_share(api, mail, holder, dynamodb_writes_atomically) -> None:
    body = {"recipient_email": EMPLOYER, "credential_ids": ["CERT-EP"], "expires_in_days": 30}
    answers = api.burst(5, "POST", "/me/shares", body, token=holder["token"], headers={"Idempotency-Key": "k-1"})
    assert [a.status for a in answers] == [201] * 5
    assert len({a.json()["share_id"] for a in answers}) == 1
    assert len(mine(api, holder)) == 1
    assert len(mail.to(EMPLOYER)) == 1


def test_when_the_email_cannot_be_sent_nothing_is_shared_and_the_same_form_can_be_sent_again(
    api, mail, holder, monkeypatch
) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(client("sesv2"), "send_email", refuse)
    key = {"Idempotency-Key": "retry-me"}
    failed = share(api, holder, headers=key)
    assert error(failed, 503)["code"] == "share_email_not_sent"
    assert failed.header("Retry-After")
    assert mine(api, holder) == []
    assert list(ShareLink.scan()) == []

    monkeypatch.undo()
    assert share(api, holder, headers=key).status == 201
    assert len(mine(api, holder)) == 1
    assert open_link(api, link_token(mail)).status == 200


def test_views_are_limited_per_client_address(api, mail, holder) -> None:
    share(api, holder)
    token = link_token(mail)
    for _ in range(60):
        assert open_link(api, token, source_ip="203.0.113.99").status == 200
    limited = open_link(api, token, source_ip="203.0.113.99")
    assert error(limited, 429)["code"] == "too_many_share_views"
    assert open_link(api, token, source_ip="203.0.113.100").status == 200


def test_export_lists_shares_with_their_views_and_erasure_stops_every_link(api, mail, holder) -> None:
    shared = share(api, holder, message=NOTE).json()
    token = link_token(mail)
    assert open_link(api, token).status == 200
    exported = api.call("GET", "/me/export", token=holder["token"]).json()["shares"]
    assert len(exported) == 1
    assert exported[0]["share_id"] == shared["share_id"]
    assert exported[0]["recipient_email"] == EMPLOYER
    assert exported[0]["message"] == NOTE
    assert exported[0]["views"] == 1
    assert len(exported[0]["view_times"]) == 1

    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=holder["token"]).status == 204
    assert error(open_link(api, token), 404)["code"] == "share_not_found"
    assert list(Share.scan()) == []


def test_a_phishing_profile_name_reaches_neither_the_subject_nor_the_body_and_the_note_is_quoted_with_inert_links(
    api, mail, holder
) -> None:
    first, last = PHISHING_NAME
    renamed = api.call("PATCH", "/me/profile", {"first_name": first, "last_name": last}, token=holder["token"])
    assert renamed.status == 200, renamed.body
    note = "Payroll is locked.\nSign in at https://evil.example/login or www.evil.example\nor evil.example/reset"
    assert share(api, holder, message=note).status == 201

    [email] = mail.to(EMPLOYER)
    assert email["subject"] == SUBJECT
    for part in (email["text"], email["html"]):
        assert "payroll account" not in part
        assert "Security alert" not in part
        assert "Ada Lovelace" in part  # the name on the certificates, which only the Program Support Team changes
        assert "evil.example" not in part  # no form a mail client links
        assert "https://evil" not in part
        assert "https[:]//evil[.]example/login" in part
        assert "evil[.]example/reset" in part
    # The note comes after the program's own words, quoted line by line, so the preview line never shows it.
    text = email["text"]
    assert "> Payroll is locked.\n> Sign in at https[:]//evil[.]example/login or www[.]evil[.]example\n>" in text
    assert text.index("> Payroll") > text.index("/shares/")
    assert '<blockquote style="white-space: pre-wrap;' in email["html"]
    assert email["html"].count("<a ") == 1  # the program's own link only
    # The page the link opens names the candidate as the email did.
    assert open_link(api, link_token(mail)).json()["holder_name"] == "Ada Lovelace"


def test_a_long_note_is_cut_in_the_email_and_marked_so(api, mail, holder) -> None:
    note = "\n".join(f"line {n}" for n in range(40))
    assert share(api, holder, message=note[: sharing.MAX_MESSAGE]).status == 201
    [email] = mail.to(EMPLOYER)
    assert f"> line {sharing.NOTE_LINES - 1} […]" in email["text"]
    assert f"line {sharing.NOTE_LINES}\n" not in email["text"]


def test_plus_addressed_and_dotted_gmail_recipients_are_one_recipient_to_the_share_limit(api, mail, holder) -> None:
    limit = sharing.EMAILS_PER_RECIPIENT[0]
    spellings = ["a+1@example.org", "a+2@example.org", "A@Example.org", "a+x@example.org", "a+y@example.org"]
    for n, to in enumerate(spellings[:limit]):
        assert share(api, holder, to=to, credentials=["CERT-EP"], days=n + 1).status == 201
    assert error(share(api, holder, to="a+3@example.org"), 429)["code"] == "too_many_shares_to_recipient"

    for n in range(limit):
        to = "A.b@gmail.com" if n % 2 else f"ab+{n}@googlemail.com"
        assert share(api, holder, to=to, credentials=["CERT-EP"], days=n + 1).status == 201
    assert error(share(api, holder, to="ab@gmail.com"), 429)["code"] == "too_many_shares_to_recipient"
    # Another provider's dots are its users' own: a.b@example.org is not ab@example.org.
    assert share(api, holder, to="a.b@example.org", credentials=["CERT-EP"]).status == 201
