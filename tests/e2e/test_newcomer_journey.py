"""The walk-through of docs/api-walkthrough.md, over HTTP against `make run`: sign-up to sign-out."""

from __future__ import annotations

import requests

from infra import swagger_ui

PASSWORD = "Orchid-Lantern-Violet-42"


def test_a_newcomer_goes_from_sign_up_to_sign_out(stack) -> None:
    api, email = stack.api, "grace@example.org"
    registered = requests.post(
        f"{api}/auth/register",
        timeout=10,
        json={
            "username": "grace",
            "email": email,
            "password": PASSWORD,
            "first_name": "Grace",
            "last_name": "Hopper",
            "country": "US",
            "accept_privacy_notice": True,
        },
    )
    assert registered.status_code == 201, registered.text

    verify = requests.post(
        f"{api}/auth/verify-email", json={"token": stack.link_token(email, "/verify-email")}, timeout=10
    )
    assert verify.status_code == 200

    login = requests.post(f"{api}/auth/login", json={"username": "grace", "password": PASSWORD}, timeout=10)
    assert login.status_code == 200
    token = login.json()["token"]
    me = requests.get(f"{api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.json()["email"] == email
    assert me.headers["Cache-Control"] == "no-store"

    assert requests.post(f"{api}/auth/recovery/username", json={"email": email}, timeout=10).status_code == 202
    assert stack.wait_for_mail(lambda m: "grace" in m["text"] and m["subject"] == "Your CertTracker username")

    assert (
        requests.post(f"{api}/auth/recovery/password", json={"username_or_email": email}, timeout=10).status_code == 202
    )
    reset = requests.post(
        f"{api}/auth/password-reset",
        timeout=10,
        json={"token": stack.link_token(email, "/reset-password"), "new_password": "Quiet-Harbour-Maple-77"},
    )
    assert reset.status_code == 204
    assert requests.get(f"{api}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 401

    browser = requests.Session()
    login = browser.post(
        f"{api}/auth/login", json={"username": "grace", "password": "Quiet-Harbour-Maple-77"}, timeout=10
    )
    assert login.status_code == 200
    assert "session" in browser.cookies
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    assert browser.get(f"{api}/me", timeout=10).status_code == 200  # the cookie alone reads

    change = {"current_password": "Quiet-Harbour-Maple-77", "new_password": "Silver-Comet-Tundra-19"}
    assert browser.put(f"{api}/me/password", json=change, timeout=10).status_code == 403  # no CSRF token
    assert browser.put(f"{api}/me/password", json=change, headers=csrf, timeout=10).status_code == 204

    assert browser.post(f"{api}/auth/logout", headers=csrf, timeout=10).status_code == 204
    assert browser.get(f"{api}/me", timeout=10).status_code == 401
    subjects = [m["subject"] for m in stack.mail()]
    assert subjects.count("Your CertTracker password was changed") == 2


def test_the_api_documents_itself_and_the_pages_are_served(stack) -> None:
    document = requests.get(f"{stack.api}/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.1")
    assert "/auth/login" in document["paths"]
    home = requests.get(stack.base + "/", timeout=10)
    assert home.status_code == 200
    # The deployed distribution's policy (template.yaml WebHeadersPolicy), served locally as well.
    assert home.headers["Content-Security-Policy"].startswith("default-src 'none'; script-src 'self'")
    assert '<script type="module" src="/app.js">' in home.text
    # Swagger UI's page is one of the pages, under the same headers; its files are the pinned package's bytes.
    docs = requests.get(f"{stack.api}/docs", timeout=10)
    assert docs.status_code == 200
    assert docs.headers["Content-Type"].startswith("text/html")
    assert '<script src="/swagger-ui/initializer.js">' in docs.text
    for header in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Permissions-Policy"):
        assert docs.headers[header] == home.headers[header], header
    bundle = requests.get(f"{stack.base}/swagger-ui/swagger-ui-bundle.js", timeout=10)
    assert bundle.headers["Content-Type"].startswith("text/javascript")
    assert bundle.content == (swagger_ui.PACKAGE_FILES / "swagger-ui-bundle.js").read_bytes()
    mail_page = requests.get(stack.base + "/_local/mail", timeout=10)
    assert mail_page.headers["Content-Type"].startswith("text/html")


def test_unknown_routes_and_methods_answer_in_the_error_shape(stack) -> None:
    for method, path in [("GET", "/nowhere"), ("PATCH", "/me"), ("GET", "/auth/login")]:
        response = requests.request(method, stack.api + path, timeout=10)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_running_a_function_that_has_no_schedule_is_a_clear_404(stack) -> None:
    response = requests.post(stack.base + "/_local/run/MeFunction", timeout=10)
    assert response.status_code == 404
    assert "neither a scheduled nor a directly invoked function" in response.json()["error"]["message"]


def test_a_directly_invoked_function_runs_with_the_body_as_its_event(stack) -> None:
    response = requests.post(
        stack.base + "/_local/run/ProgramStaffFunction", json={"operation": "parked_results", "by": "e2e"}, timeout=10
    )
    assert response.status_code == 200
    assert response.json()["result"] == {
        "ok": True,
        "operation": "parked_results",
        "at": response.json()["result"]["at"],
        "results": [],
        "invocation_id": response.json()["result"]["invocation_id"],  # CloudTrail's requestID, once deployed
    }
    broken = requests.post(stack.base + "/_local/run/ProgramStaffFunction", data=b"{not json", timeout=10)
    assert broken.status_code == 400
