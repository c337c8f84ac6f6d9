"""Issue 21 over HTTP against `make run`: a verification never lies. The renewal-then-revoke sequence (an earlier,
unexpired cycle's certificate is revoked with the newest), the lapse-then-pass sequence (a lapsed credential does not
come back from an unrelated pass), and a result stamped a little ahead of the stack's clock, which awards at once.
The stack's clock moves through /_local/clock; sessions end as they would, so each move signs in again."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests

from tests.e2e.test_hardening_reproductions import PASSWORD, verified_session

STAFF = {"by": "pat@program.example", "reason": "Proctor report 2026-114"}


def later(stack, days: float, username: str) -> dict[str, str]:
    moved = requests.post(f"{stack.base}/_local/clock", json={"advance_days": days}, timeout=10)
    assert moved.status_code == 200, moved.text
    login = requests.post(f"{stack.api}/auth/login", json={"username": username, "password": PASSWORD}, timeout=10)
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def staff(stack, **operation) -> dict:
    answer = requests.post(f"{stack.base}/_local/run/ProgramStaffFunction", json={**operation, **STAFF}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def held(stack, auth) -> dict[str, dict]:
    answer = requests.get(f"{stack.api}/me/credentials", headers=auth, timeout=10)
    return {entry["credential_id"]: entry for entry in answer.json()["credentials"]}


def verified(stack, code: str) -> str:
    return requests.get(f"{stack.api}/verify/{code}", timeout=10).json()["status"]


def test_revoking_after_a_renewal_revokes_the_earlier_cycles_certificate_too(stack) -> None:
    auth = verified_session(stack, "renewer", "renewer@example.org")
    stack.passes(auth, "250-580")
    first = requests.post(f"{stack.api}/me/certificates", json={"credential_id": "CERT-EP"}, headers=auth, timeout=30)
    assert first.status_code == 201, first.text
    code = first.json()["verification_code"]

    auth = later(stack, 630, "renewer")  # 100 days before cycle 1 expires: inside the renewal window
    stack.passes(auth, "250-580")
    entry = held(stack, auth)["CERT-EP"]
    assert (entry["cycle"], [c["cycle"] for c in entry["past_cycles"]]) == (2, [1])
    assert verified(stack, code) == "valid"  # cycle 1 has not expired

    revoked = staff(stack, operation="revoke", username="renewer", credential_id="CERT-EP", category="exam_misconduct")
    assert sorted(c["cycle"] for c in revoked["cycles"]) == [1, 2]
    assert verified(stack, code) == "revoked"
    again = staff(stack, operation="revoke", username="renewer", credential_id="CERT-EP", category="exam_misconduct")
    assert (again["ok"], again["changed"]) == (True, False)
    told = stack.wait_for_mail(lambda m: "renewer@example.org" in m["to"] and "was revoked" in m["subject"])
    assert "/support" in told["text"]

    staff(stack, operation="reinstate", username="renewer", credential_id="CERT-EP")
    assert verified(stack, code) == "valid"


def test_a_lapsed_credential_does_not_come_back_from_an_unrelated_pass(stack) -> None:
    auth = verified_session(stack, "lapser", "lapser@example.org")
    stack.passes(auth, "250-580")
    auth = later(stack, 750, "lapser")  # CERT-EP's 24 months are over
    stack.passes(auth, "250-586")  # CERT-EM: every credential is evaluated again
    statuses = {credential_id: entry["status"] for credential_id, entry in held(stack, auth).items()}
    assert statuses == {"CERT-EP": "expired", "CERT-EM": "earned"}
    stack.passes(auth, "250-580")  # new evidence: a new cycle
    assert (held(stack, auth)["CERT-EP"]["status"], held(stack, auth)["CERT-EP"]["cycle"]) == ("earned", 2)


def test_a_result_stamped_ninety_seconds_ahead_awards_at_once(stack) -> None:
    auth = verified_session(stack, "early", "early@example.org")
    now = requests.get(f"{stack.base}/_local/clock", timeout=10).json()["now"]
    ahead = (datetime.fromisoformat(now) + timedelta(seconds=90)).isoformat()
    registered = requests.post(
        f"{stack.api}/me/exam-registrations", json={"exam_id": "250-580"}, headers=auth, timeout=10
    )
    delivered = requests.post(
        f"{stack.base}/_local/pearson-vue/results",
        json={"registration_id": registered.json()["registration_id"], "score": 84, "passed": True, "taken_at": ahead},
        timeout=20,
    )
    assert [d["body"]["status"] for d in delivered.json()["deliveries"]] == ["stored"], delivered.text
    assert held(stack, auth)["CERT-EP"]["status"] == "earned"
