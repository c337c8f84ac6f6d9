"""Issue 6 over HTTP against `make run`: both kinds of support request, the emails in /_local/mail."""

from __future__ import annotations

import requests

from infra import seed


def test_a_candidate_files_both_kinds_of_request_and_the_team_and_candidate_get_emails(stack) -> None:
    anonymous = requests.post(
        f"{stack.api}/support/requests",
        timeout=10,
        json={
            "name": "Lin Chen",
            "email": "lin@example.org",
            "category": "login",
            "subject": "Cannot log in",
            "message": "The password reset link never arrives.",
        },
    )
    assert anonymous.status_code == 201, anonymous.text
    login = requests.post(
        f"{stack.api}/auth/login", timeout=10, json={"username": seed.DEMO_USERNAME, "password": seed.DEMO_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    mine = requests.post(
        f"{stack.api}/me/support-requests",
        headers=auth,
        timeout=10,
        json={
            "category": "partner_account",
            "subject": "Wrong company",
            "message": "My account shows no partner company.",
        },
    )
    assert mine.status_code == 201

    mail = stack.mail()
    team_subjects = {m["to"][0]: m["subject"] for m in mail if m["headers"].get("Reply-To")}
    assert anonymous.json()["reference"] in team_subjects["global_exams@certtracker.example.com"]
    assert mine.json()["reference"] in team_subjects["partnerservice@certtracker.example.com"]
    assert any(anonymous.json()["reference"] in m["subject"] for m in mail if m["to"] == ["lin@example.org"])
    listed = requests.get(f"{stack.api}/me/support-requests", headers=auth, timeout=10).json()["requests"]
    assert [r["reference"] for r in listed] == [mine.json()["reference"]]
