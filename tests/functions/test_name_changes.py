"""Issue 21, "Certificates in any name": the name on certificates is a fact of the award. A candidate asks for a
name change (POST, GET /me/name-change-requests), the Program Support Team approves or refuses it
(`name_change_requests`, `approve_name_change`, `refuse_name_change`), and approval re-issues every current
certificate and badge in the new name and supersedes the old ones, exactly once however it is raced."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from certtracker.models.certificates import CERTIFICATE_PREFIX, Certificate
from infra.lambdas import load_functions
from tests.functions.conftest import error, make_candidate
from tests.functions.test_badges import fetch_badge, revoked_in_list, verified
from tests.functions.test_certificates import grant, owner_of, rename, request
from tests.functions.test_credential_awards import passes
from tests.functions.test_program_staff import staff
from tests.functions.test_revocation_and_cycles import later
from tests.functions.test_shares import link_token, open_link, share

STAFF = {"by": "pat@program.example", "reason": "Marriage certificate seen"}
PATH = "/me/name-change-requests"


def ask(api, who, new_name: str = "Ada King", reason: str = "I married", headers=None):
    return api.call("POST", PATH, {"new_name": new_name, "reason": reason}, token=who["token"], headers=headers)


def asked(api, who) -> dict[str, Any]:
    answer = api.call("GET", PATH, token=who["token"])
    assert answer.status == 200, answer.body
    return answer.json()


def verify(api, code: str) -> dict[str, Any]:
    answer = api.call("GET", f"/verify/{code}")
    assert answer.status == 200, answer.body
    return answer.json()


def certificates(api, who) -> dict[str, dict[str, Any]]:
    listed = api.call("GET", "/me/certificates", token=who["token"]).json()["certificates"]
    return {entry["certificate_id"]: entry for entry in listed}


def test_an_approved_name_change_reissues_every_current_certificate_and_badge_and_supersedes_the_old(
    api, mail, candidate
) -> None:
    owner = owner_of(api, candidate)
    grant(owner, "CERT-EP")
    grant(owner, "ACC-EP", days=700)
    old = request(api, candidate, "CERT-EP").json()
    old_badge = verified(api, fetch_badge(api, candidate).json()["jwt"])

    made = ask(api, candidate, "Ada  King", "I married in May")
    assert made.status == 201, made.body
    body = made.json()
    assert (body["new_name"], body["status"], body["decided_at"]) == ("Ada King", "pending", None)
    assert asked(api, candidate) == {"current_names": ["Ada Lovelace"], "requests": [body]}
    # Nothing changes until the team decides.
    assert request(api, candidate, "CERT-EP").json()["certificate_id"] == old["certificate_id"]

    queue = staff(api.gateway, operation="name_change_requests", by="pat@program.example")
    assert queue["ok"], queue
    assert [(entry["username"], entry["current_names"], entry["new_name"]) for entry in queue["requests"]] == [
        ("ada", ["Ada Lovelace"], "Ada King")
    ]
    done = staff(api.gateway, operation="approve_name_change", username="ada", request_id=body["request_id"], **STAFF)
    assert done["ok"], done
    [new_id] = done["certificates"]  # ACC-EP had no certificate: none made, its next one prints the new name
    assert "Ada" not in str(done)  # the answer is logged: ids only

    superseded = verify(api, old["verification_code"])
    assert superseded["status"] == "superseded"
    assert superseded["superseded_at"]
    assert superseded["holder_name"] is None
    assert superseded["replaced_by"] is None  # nothing that leads to the new name
    assert "King" not in str(superseded)
    fresh = verify(api, done["verification_codes"][0])
    assert (fresh["status"], fresh["holder_name"]) == ("valid", "Ada King")

    listed = certificates(api, candidate)
    assert listed[old["certificate_id"]]["status"] == "superseded"
    assert listed[old["certificate_id"]]["download_path"] is None
    assert listed[new_id]["status"] == "rendering"  # queued: rendered on its first request or download
    gone = api.call("GET", f"/me/certificates/{old['certificate_id']}/download", token=candidate["token"])
    assert error(gone, 410)["code"] == "certificate_superseded"
    again = request(api, candidate, "CERT-EP")
    assert (again.status, again.json()["certificate_id"], again.json()["status"]) == (200, new_id, "ready")
    assert request(api, candidate, "ACC-EP").json()["holder_name"] == "Ada King"

    # The badge: the new name, another credential id; the one handed out in the old name is set in the list.
    new_badge = verified(api, fetch_badge(api, candidate).json()["jwt"])
    assert new_badge["credentialSubject"]["identifier"][1]["identityHash"] == "Ada King"
    assert new_badge["id"] != old_badge["id"]
    assert revoked_in_list(api, old_badge["credentialStatus"])
    assert not revoked_in_list(api, new_badge["credentialStatus"])

    after = asked(api, candidate)
    assert after["current_names"] == ["Ada King"]
    assert (after["requests"][0]["status"], after["requests"][0]["decision_reason"]) == ("approved", STAFF["reason"])
    [email] = [m for m in mail.to(candidate["email"]) if m["subject"] == "The name on your certificates was changed"]
    assert "Ada King" in email["text"]
    assert "/credentials/name" in email["text"]
    assert staff(api.gateway, operation="name_change_requests", by="pat")["requests"] == []
    twice = staff(api.gateway, operation="approve_name_change", username="ada", **STAFF)
    assert twice["error"]["code"] == "name_change_not_found"


def test_a_refused_name_change_changes_nothing_and_tells_the_candidate_why(api, mail, candidate) -> None:
    grant(owner_of(api, candidate))
    old = request(api, candidate).json()
    assert ask(api, candidate, "Elon Musk", "I prefer it").status == 201
    refused = staff(
        api.gateway, operation="refuse_name_change", username="ada", by="pat", reason="Send a legal document <b>"
    )
    assert refused["ok"], refused
    assert verify(api, old["verification_code"])["status"] == "valid"
    assert request(api, candidate).json()["certificate_id"] == old["certificate_id"]
    [email] = [m for m in mail.to(candidate["email"]) if "not approved" in m["subject"]]
    assert "Send a legal document <b>" in email["text"]
    assert "&lt;b&gt;" in email["html"]
    assert asked(api, candidate)["requests"][0]["status"] == "refused"
    assert ask(api, candidate, "Ada King", "Marriage, document attached").status == 201  # may ask again


def test_one_request_pends_at_a_time_and_a_form_sent_twice_makes_one(api, candidate) -> None:
    grant(owner_of(api, candidate))
    key = {"Idempotency-Key": "4d1c7f0e-name-change"}
    first = ask(api, candidate, headers=key)
    assert first.status == 201
    assert ask(api, candidate, headers=key).json() == first.json()  # the same key: the first one
    same = ask(api, candidate)  # the same form without a key, while it waits: the first one
    assert (same.status, same.json()["request_id"]) == (200, first.json()["request_id"])
    other = ask(api, candidate, "Ada Byron", "Another one")
    assert error(other, 409)["code"] == "name_change_pending"
    reused = ask(api, candidate, "Ada Byron", "Another one", headers=key)
    assert error(reused, 422)["code"] == "idempotency_key_reused"
    assert len(asked(api, candidate)["requests"]) == 1


def test_the_same_request_at_the_same_moment_makes_one_pending_request(
    api, candidate, dynamodb_writes_atomically
) -> None:
    grant(owner_of(api, candidate))
    body = {"new_name": "Ada King", "reason": "I married"}
    answers = api.burst(6, "POST", PATH, body, token=candidate["token"])
    statuses = [answer.status for answer in answers]
    # Six at once are six counted against the five a day: the sixth may be told to wait, never a second request.
    assert statuses.count(201) == 1, [answer.body for answer in answers]
    assert set(statuses) <= {200, 201, 429}, statuses
    assert len({answer.json()["request_id"] for answer in answers if answer.status < 300}) == 1
    assert len(staff(api.gateway, operation="name_change_requests", by="pat")["requests"]) == 1


def test_approvals_at_the_same_moment_make_one_new_certificate(api, candidate, dynamodb_writes_atomically) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    old = request(api, candidate).json()
    assert ask(api, candidate).status == 201
    containers = [load_functions() for _ in range(4)]
    start = threading.Barrier(len(containers))

    def approve(functions: dict[str, Any]) -> dict[str, Any]:
        start.wait()
        event = {"operation": "approve_name_change", "username": "ada", **STAFF}
        answer: dict[str, Any] = functions["ProgramStaffFunction"].invoke(event, serialized=False)
        return answer

    with ThreadPoolExecutor(max_workers=len(containers)) as pool:
        answers = list(pool.map(approve, containers))
    assert [answer["ok"] for answer in answers].count(True) == 1, answers
    made = [
        item
        for item in Certificate.query(owner, Certificate.sk.startswith(CERTIFICATE_PREFIX))
        if item.status != "superseded"
    ]
    assert len(made) == 1
    assert made[0].holder_name == "Ada King"
    assert verify(api, old["verification_code"])["status"] == "superseded"


def test_another_candidate_can_neither_see_nor_affect_my_request(api, mail, candidate) -> None:
    grant(owner_of(api, candidate))
    mine = request(api, candidate).json()
    assert ask(api, candidate).status == 201
    other = make_candidate(api, mail, "grace", "grace@example.org")
    grant(owner_of(api, other))
    assert asked(api, other) == {"current_names": ["Ada Lovelace"], "requests": []}
    # Who asks comes from the session: an account id in the body is refused, not obeyed.
    smuggled = {"new_name": "Grace Hopper", "reason": "x", "account_id": owner_of(api, candidate)}
    assert error(api.call("POST", PATH, smuggled, token=other["token"]), 422)
    assert ask(api, other, "Grace Hopper", "My name").status == 201  # her own pending request, beside mine
    done = staff(api.gateway, operation="approve_name_change", username="grace", **STAFF)
    assert done["ok"], done
    assert verify(api, mine["verification_code"])["status"] == "valid"
    assert asked(api, candidate)["requests"][0]["status"] == "pending"
    assert api.call("POST", PATH, {"new_name": "X", "reason": "y"}).status == 401
    assert api.call("GET", PATH).status == 401


def test_bad_names_and_bodies_are_refused_and_nothing_is_asked(api, candidate) -> None:
    owner = owner_of(api, candidate)
    assert error(ask(api, candidate), 409)["code"] == "no_current_credential"
    grant(owner)
    for name in ("Ada \u202eKing", "Ada\u200bKing", "Ada\nKing", "Ada\u2028King", "Ada\x00King", "", " ", "A" * 201):
        refused = error(ask(api, candidate, name), 422)
        assert refused.get("field") == "new_name", (name, refused)
    unprintable = error(ask(api, candidate, "Ada \U00010000\U0001f600"), 422)
    assert unprintable["code"] == "name_not_printable"
    assert "U+1F600" in unprintable["message"]
    assert error(ask(api, candidate, "Ada Lovelace"), 422)["code"] == "name_unchanged"
    assert error(ask(api, candidate, reason=""), 422)["field"] == "reason"
    assert error(api.call("POST", PATH, {"new_name": "Ada King"}, token=candidate["token"]), 422)
    not_utf8 = api.call("POST", PATH, raw=b'{"new_name": "Ada \xff", "reason": "x"}', token=candidate["token"])
    assert error(not_utf8, 400)["code"] == "invalid_encoding"
    assert asked(api, candidate)["requests"] == []


def test_name_change_requests_are_limited_per_candidate(api, candidate) -> None:
    grant(owner_of(api, candidate))
    for number in range(5):
        assert ask(api, candidate, f"Ada King {number}", "again").status == 201
        assert staff(api.gateway, operation="refuse_name_change", username="ada", **STAFF)["ok"]
    limited = ask(api, candidate, "Ada Byron", "again")
    assert error(limited, 429)["code"] == "too_many_name_change_requests"
    assert int(limited.header("Retry-After") or 0) > 0
    later(api, candidate, (int(limited.header("Retry-After")) + 1) / 86_400)  # the day has passed: a new one starts
    assert ask(api, candidate, "Ada Byron", "again").status == 201


def test_a_staff_correction_takes_the_same_path_and_waits_for_a_pending_request(api, candidate) -> None:
    grant(owner_of(api, candidate))
    old = request(api, candidate).json()
    correction = {"operation": "correct_name", "username": "ada", "holder_name": "Ada Lovelace-King", **STAFF}
    assert ask(api, candidate).status == 201
    assert staff(api.gateway, **correction)["error"]["code"] == "name_change_pending"
    assert staff(api.gateway, operation="refuse_name_change", username="ada", **STAFF)["ok"]
    done = staff(api.gateway, **correction, certificate_id=old["certificate_id"])
    assert done["ok"], done
    assert verify(api, old["verification_code"])["status"] == "superseded"
    assert verify(api, done["verification_codes"][0])["holder_name"] == "Ada Lovelace-King"
    [corrected, _] = asked(api, candidate)["requests"]
    assert (corrected["new_name"], corrected["status"]) == ("Ada Lovelace-King", "approved")


def test_the_share_pages_verify_link_points_at_the_current_certificate_never_a_superseded_one(
    api, mail, candidate
) -> None:
    owner = owner_of(api, candidate)
    grant(owner, "CERT-EP")
    grant(owner, "ACC-EP")
    old = request(api, candidate).json()
    assert share(api, candidate).status == 201
    token = link_token(mail)
    assert open_link(api, token).json()["credentials"][0]["verification_path"] == old["verification_path"]
    rename(owner, "Elon", "Musk")  # the profile's name alone changes no link
    assert open_link(api, token).json()["credentials"][0]["verification_path"] == old["verification_path"]
    assert ask(api, candidate).status == 201
    done = staff(api.gateway, operation="approve_name_change", username="ada", **STAFF)
    shown = open_link(api, token).json()["credentials"][0]["verification_path"]
    assert shown == "/verify/" + done["verification_codes"][0]


def test_export_lists_the_requests_and_erasure_deletes_them(api, candidate) -> None:
    grant(owner_of(api, candidate))
    assert ask(api, candidate).status == 201
    exported = api.call("GET", "/me/export", token=candidate["token"]).json()["name_change_requests"]
    assert [(entry["new_name"], entry["status"]) for entry in exported] == [("Ada King", "pending")]
    assert api.call("DELETE", "/me", {"password": "Orchid-Lantern-Violet-42"}, token=candidate["token"]).status == 204
    assert staff(api.gateway, operation="name_change_requests", by="pat")["requests"] == []


def test_an_award_earned_later_carries_the_approved_name_not_the_profiles(api, candidate) -> None:
    owner = owner_of(api, candidate)
    passes(api, candidate, "250-580", "r-1")  # CERT-EP, awarded by the evaluation in the profile's name
    assert request(api, candidate, "CERT-EP").json()["holder_name"] == "Ada Lovelace"
    assert ask(api, candidate).status == 201
    assert staff(api.gateway, operation="approve_name_change", username="ada", **STAFF)["ok"]
    rename(owner, "Elon", "Musk")  # a profile edit since gives no new award another name
    passes(api, candidate, "250-586", "r-2")  # CERT-EM
    assert request(api, candidate, "CERT-EM").json()["holder_name"] == "Ada King"
    assert asked(api, candidate)["current_names"] == ["Ada King"]
