"""Issue 14 over HTTP against `make run`: a credential earned through the Pearson VUE stand-in is shared with an
employer, who opens the emailed link; the view is counted and the candidate told; the revoked link stops working."""

from __future__ import annotations

import re

import requests

from infra import seed

EMPLOYER = "talent@employer.example"


def test_a_candidate_shares_the_employer_opens_the_link_and_a_revocation_stops_it(stack) -> None:
    api = stack.api
    login = requests.post(
        f"{api}/auth/login", timeout=10, json={"username": seed.DEMO_USERNAME, "password": seed.DEMO_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    me = requests.get(f"{api}/me", headers=auth, timeout=10).json()
    stack.passes(auth, "250-580")
    held = [
        c["credential_id"]
        for c in requests.get(f"{api}/me/credentials", headers=auth, timeout=10).json()["credentials"]
    ]
    assert "CERT-EP" in held

    body = {"recipient_email": EMPLOYER, "credential_ids": held, "expires_in_days": 14, "message": "As discussed."}
    shared = requests.post(f"{api}/me/shares", json=body, headers={**auth, "Idempotency-Key": "e2e-1"}, timeout=10)
    assert shared.status_code == 201, shared.text
    invitation = stack.wait_for_mail(lambda m: EMPLOYER in m["to"])
    assert "As discussed." in invitation["text"]
    token = re.search(r"/shares/([A-Za-z0-9_-]{43})", invitation["text"]).group(1)  # type: ignore[union-attr]

    page = requests.get(f"{stack.base}/shares/{token}", timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    seen = requests.get(f"{api}/shares/{token}", timeout=10)
    assert seen.status_code == 200, seen.text
    assert seen.headers["Referrer-Policy"] == "no-referrer"
    assert seen.json()["holder_name"]
    assert {c["credential_id"]: c["status"] for c in seen.json()["credentials"]}["CERT-EP"] == "valid"

    [mine] = requests.get(f"{api}/me/shares", headers=auth, timeout=10).json()["shares"]
    assert mine["views"]["count"] == 1
    stack.wait_for_mail(lambda m: me["email"] in m["to"] and m["subject"] == "Your shared credentials were opened")

    revoked = requests.delete(f"{api}/me/shares/{mine['share_id']}", headers=auth, timeout=10)
    assert revoked.status_code == 204
    gone = requests.get(f"{api}/shares/{token}", timeout=10)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "share_not_found"
