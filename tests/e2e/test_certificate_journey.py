"""Issues 13 and 21 over HTTP against `make run`: a credential earned through the Pearson VUE stand-in, its
certificate requested and downloaded through the presigned link, verified by its code, revoked by the program staff
through /_local/run, and verified again as revoked; a certificate that keeps the award's name through profile
edits until a name change the staff approve supersedes it."""

from __future__ import annotations

import requests

from infra import seed
from tests.browser.portal import bearer, new_candidate, registered


def test_a_newcomer_earns_downloads_verifies_and_sees_a_revocation(stack) -> None:
    api = stack.api
    login = requests.post(
        f"{api}/auth/login", timeout=10, json={"username": seed.DEMO_USERNAME, "password": seed.DEMO_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    stack.passes(auth, "250-580")

    made = requests.post(f"{api}/me/certificates", json={"credential_id": "CERT-EP"}, headers=auth, timeout=30)
    assert made.status_code == 201, made.text
    certificate = made.json()
    download = requests.get(
        f"{stack.base}/api{certificate['download_path']}", headers=auth, timeout=10, allow_redirects=False
    )
    assert download.status_code == 302
    pdf = requests.get(download.headers["Location"], timeout=10)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["Content-Disposition"]

    # What the QR code opens: the page, and the API behind it.
    page = requests.get(f"{stack.base}{certificate['verification_path']}", timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    verified = requests.get(f"{api}{certificate['verification_path']}", timeout=10).json()
    assert verified["status"] == "valid"
    assert verified["holder_name"] == certificate["holder_name"]

    revoked = requests.post(
        f"{stack.base}/_local/run/ProgramStaffFunction",
        timeout=20,
        json={
            "operation": "revoke",
            "username": seed.DEMO_USERNAME,
            "credential_id": "CERT-EP",
            "category": "awarded_in_error",
            "by": "e2e@program.example",
            "reason": "Demonstration of a revocation",
        },
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["result"]["ok"] is True
    assert requests.get(f"{api}{certificate['verification_path']}", timeout=10).json()["status"] == "revoked"


def test_certificates_keep_the_awards_name_until_an_approved_name_change_supersedes_them(stack) -> None:
    """Issue 21 over HTTP: the award is granted through the Pearson VUE webhook in the profile's name; three
    profile names later there is still one certificate; a name change asked for, approved by the staff, supersedes
    it; the candidate is emailed."""
    api = stack.api
    candidate = registered(stack, new_candidate("John", "Smith"))
    auth = bearer(stack, candidate)
    stack.passes(auth, "250-580")
    first = requests.post(f"{api}/me/certificates", json={"credential_id": "CERT-EP"}, headers=auth, timeout=30)
    assert first.status_code == 201, first.text
    for given, family in (("Maria", "Garcia"), ("Elon", "Musk")):
        edited = requests.patch(
            f"{api}/me/profile", json={"first_name": given, "last_name": family}, headers=auth, timeout=10
        )
        assert edited.status_code == 200, edited.text
        again = requests.post(f"{api}/me/certificates", json={"credential_id": "CERT-EP"}, headers=auth, timeout=30)
        assert (again.status_code, again.json()["certificate_id"]) == (200, first.json()["certificate_id"])
    old = first.json()
    assert requests.get(f"{api}{old['verification_path']}", timeout=10).json()["holder_name"] == "John Smith"

    path = f"{api}/me/name-change-requests"
    odd = requests.post(path, json={"new_name": "John \u202eSmith", "reason": "x"}, headers=auth, timeout=10)
    assert odd.status_code == 422, odd.text
    raw = {**auth, "Content-Type": "application/json"}
    not_utf8 = requests.post(path, data=b'{"new_name": "J\xff", "reason": "x"}', headers=raw, timeout=10)
    assert (not_utf8.status_code, not_utf8.json()["error"]["code"]) == (400, "invalid_encoding")
    keyed = {**auth, "Idempotency-Key": "e2e-name-change-1"}
    body = {"new_name": "Jon Smith", "reason": "Misspelled at registration"}
    asked = requests.post(path, json=body, headers=keyed, timeout=10)
    assert asked.status_code == 201, asked.text
    resent = requests.post(path, json=body, headers=keyed, timeout=10)
    assert (resent.status_code, resent.json()["request_id"]) == (200, asked.json()["request_id"])

    def staff(**operation: str) -> dict:
        answer = requests.post(f"{stack.base}/_local/run/ProgramStaffFunction", json=operation, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()["result"]

    queue = staff(operation="name_change_requests", by="e2e@program.example")["requests"]
    assert [entry["new_name"] for entry in queue if entry["username"] == candidate.username] == ["Jon Smith"]
    approved = staff(
        operation="approve_name_change", username=candidate.username, by="e2e@program.example", reason="Checked"
    )
    assert approved["ok"] is True, approved
    superseded = requests.get(f"{api}{old['verification_path']}", timeout=10).json()
    assert (superseded["status"], superseded["holder_name"]) == ("superseded", None)
    current = requests.post(f"{api}/me/certificates", json={"credential_id": "CERT-EP"}, headers=auth, timeout=30)
    assert current.json()["certificate_id"] == approved["certificates"][0]
    assert (current.json()["holder_name"], current.json()["status"]) == ("Jon Smith", "ready")
    told = stack.wait_for_mail(lambda m: candidate.email in m["to"] and "name on your certificates" in m["subject"])
    assert "Jon Smith" in told["text"]
