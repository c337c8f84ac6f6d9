"""Issue 4 over HTTP against `make run`: profile, email change, preferences, one-click unsubscribe, export, erasure."""

from __future__ import annotations

import re

import requests

from infra import seed

PASSWORD = "Orchid-Lantern-Violet-42"


def _login(stack, username: str, password: str) -> dict[str, str]:
    login = requests.post(f"{stack.api}/auth/login", json={"username": username, "password": password}, timeout=10)
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def test_a_candidate_keeps_their_data_current_chooses_emails_and_leaves(stack) -> None:
    api = stack.api
    requests.post(
        f"{api}/auth/register",
        timeout=10,
        json={
            "username": "lin",
            "email": "lin@example.org",
            "password": PASSWORD,
            "first_name": "Lin",
            "last_name": "Chen",
            "country": "SG",
            "accept_privacy_notice": True,
        },
    )
    requests.post(
        f"{api}/auth/verify-email", json={"token": stack.link_token("lin@example.org", "/verify-email")}, timeout=10
    )
    auth = _login(stack, "lin", PASSWORD)

    changed = requests.patch(
        f"{api}/me/profile",
        headers=auth,
        timeout=10,
        json={
            "phone": "6123 4567",
            "company": "Acme Pte",
            "job_role": "Security engineer",
            "preferred_language": "zh-CN",
            "address": {"line1": "1 Raffles Place", "city": "Singapore", "postal_code": "048616", "country": "SG"},
            "email": "lin.chen@example.org",
            "current_password": PASSWORD,
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["phone"] == "+6561234567"
    assert changed.json()["pending_email"] == "lin.chen@example.org"
    confirm = requests.post(
        f"{api}/auth/verify-email",
        timeout=10,
        json={"token": stack.link_token("lin.chen@example.org", "/verify-email")},
    )
    assert confirm.status_code == 200
    assert requests.get(f"{api}/me", headers=auth, timeout=10).json()["email"] == "lin.chen@example.org"
    assert any(
        m["subject"] == "Your CertTracker email address was changed" and "lin@example.org" in m["to"]
        for m in stack.mail()
    )

    preferences = {
        "notifications": {
            "exam_results": True,
            "expiry_reminders": True,
            "share_views": False,
            "support_replies": True,
        },
        "marketing_opt_in": True,
    }
    assert requests.put(f"{api}/me/preferences", headers=auth, json=preferences, timeout=10).status_code == 200
    news = next(m for m in stack.mail() if m["subject"] == "You will receive program news from CertTracker")
    assert news["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.search(r"<(.+)>", news["headers"]["List-Unsubscribe"]).group(1)
    assert one_click.startswith(stack.base + "/api/unsubscribe?token=")
    # What a mail client does for RFC 8058: POST the form, no cookie, no login.
    clicked = requests.post(
        one_click,
        data="List-Unsubscribe=One-Click",
        timeout=10,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200, clicked.text
    assert requests.get(f"{api}/me/preferences", headers=auth, timeout=10).json()["marketing_opt_in"] is False

    history = requests.get(f"{api}/me/profile/history", headers=auth, timeout=10).json()
    assert {"email_changed", "consent_changed"} <= {entry["kind"] for entry in history}
    export = requests.get(f"{api}/me/export", headers=auth, timeout=10)
    assert export.json()["profile"]["company"] == "Acme Pte"
    assert "attachment" in export.headers["Content-Disposition"]

    erased = requests.delete(f"{api}/me", headers=auth, json={"password": PASSWORD}, timeout=10)
    assert erased.status_code == 204
    assert requests.get(f"{api}/me", headers=auth, timeout=10).status_code == 401
    again = requests.post(f"{api}/auth/login", json={"username": "lin", "password": PASSWORD}, timeout=10)
    assert again.status_code == 401


def test_another_candidate_never_sees_the_demo_candidates_profile(stack) -> None:
    demo = _login(stack, seed.DEMO_USERNAME, seed.DEMO_PASSWORD)
    requests.post(
        f"{stack.api}/auth/register",
        timeout=10,
        json={
            "username": "moe",
            "email": "mo@example.org",
            "password": PASSWORD,
            "first_name": "Mo",
            "last_name": "Ali",
            "country": "EG",
            "accept_privacy_notice": True,
        },
    )
    requests.post(
        f"{stack.api}/auth/verify-email",
        json={"token": stack.link_token("mo@example.org", "/verify-email")},
        timeout=10,
    )
    other = _login(stack, "moe", PASSWORD)
    for path in ("/me/profile", "/me/preferences", "/me/export", "/me/profile/history"):
        seen = requests.get(stack.api + path, headers=other, timeout=10).text
        assert seed.DEMO_EMAIL not in seen, path
        assert "Dana" not in seen, path
    assert requests.get(f"{stack.api}/me/profile", headers=demo, timeout=10).json()["first_name"] == "Dana"
