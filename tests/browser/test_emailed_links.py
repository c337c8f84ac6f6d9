"""The pages behind emailed links, in Chromium: the verification link works once, and a link cut short says
what to do."""

from __future__ import annotations

import re

import requests

from tests.browser.portal import Portal, new_candidate, registered


def test_the_emailed_verification_link_confirms_the_address_once(portal: Portal) -> None:
    stack = portal.stack
    candidate = registered(stack, verified=False)
    token = stack.link_token(candidate.email, "/verify-email")

    portal.goto(f"/verify-email#token={token}", "Email address confirmed")
    assert "#token" not in portal.page.url  # taken out of the address bar at once
    expect_status = portal.main().get_by_role("status")
    assert "Your email address is confirmed" in expect_status.inner_text()
    login = {"username": candidate.username, "password": candidate.password}
    assert requests.post(f"{stack.api}/auth/login", json=login, timeout=10).status_code == 200

    portal.goto(f"/verify-email#token={token}", "This link cannot be used")
    assert re.search(r"invalid, used or expired", portal.main().get_by_role("alert").inner_text())
    portal.main().get_by_role("link", name="Sign in").click()
    portal.arrive("Welcome to CertTracker")


def test_a_link_without_its_token_says_to_open_the_email_again(portal: Portal) -> None:
    for path, title in [
        ("/verify-email", "Confirm your email address"),
        ("/reset-password", "Choose a new password"),
        ("/unsubscribe", "Unsubscribe"),
        ("/cancel-email-change", "Cancel the email address change"),
        ("/confirm-partner", "Confirm your company"),
    ]:
        portal.goto(path, title)
        assert "Open the link in the email again" in portal.main().get_by_role("alert").inner_text()


def test_an_unused_reset_link_takes_a_new_password(portal: Portal) -> None:
    stack = portal.stack
    candidate = registered(stack, new_candidate("Ana", "Souza"))
    requests.post(f"{stack.api}/auth/recovery/password", json={"username_or_email": candidate.username}, timeout=10)
    token = stack.link_token(candidate.email, "/reset-password")

    portal.goto(f"/reset-password#token={token}", "Choose a new password")
    portal.page.get_by_label("New password").fill("Tangerine-Harbour-Comet-77")
    portal.page.get_by_role("button", name="Set the new password").click()
    portal.arrive("Your password is changed")
    login = {"username": candidate.username, "password": "Tangerine-Harbour-Comet-77"}
    assert requests.post(f"{stack.api}/auth/login", json=login, timeout=10).status_code == 200
