"""Issue 13 over HTTP against `make run`: a credential earned through the Pearson VUE stand-in, its certificate
requested and downloaded through the presigned link, verified by its code, revoked by the program staff through
/_local/run, and verified again as revoked."""

from __future__ import annotations

import requests

from infra import seed


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
            "by": "e2e@program.example",
            "reason": "Demonstration of a revocation",
        },
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["result"]["ok"] is True
    assert requests.get(f"{api}{certificate['verification_path']}", timeout=10).json()["status"] == "revoked"
