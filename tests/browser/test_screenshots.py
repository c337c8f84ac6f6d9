"""Every route of web/app.js at 375 and 1280 px wide, light, and the pages in DARK dark too:
a full-page screenshot of each under screenshots/ (git ignores it) to look at, and each page checked with
axe-core, for console errors and for scrolling sideways. The candidate has an exam result (and with it a credential
and its certificate, re-issued once in an approved name, with a second name change pending), an open registration, a
support request and a share, so the signed-in pages show data rather than their empty state; the certificate's
verification page (/verify/{code}), the superseded one's, and the shared link (/shares/{token}) are photographed
beside the routes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import requests

from infra import browser, template
from tests.browser.portal import Portal, bearer, new_candidate, registered
from tests.e2e.conftest import Stack

SCREENSHOTS = template.ROOT / "screenshots"
WIDTHS = (375, 1280)
DARK = ("/", "/dashboard", "/credentials", "/credentials/shares", "/credentials/name", "/verify")


def _candidate_with_data(stack: Stack) -> tuple[Any, str, str, str]:
    """The candidate, the verification code of its certificate, the path of the link it shared, and the code of
    the certificate an approved name change superseded (a second name change is left pending)."""
    candidate = registered(stack, new_candidate("Priya", "Nair"))
    auth = bearer(stack, candidate)
    taken = requests.post(f"{stack.api}/me/exam-registrations", json={"exam_id": "250-580"}, headers=auth, timeout=20)
    requests.post(
        f"{stack.base}/_local/pearson-vue/results",
        json={"registration_id": taken.json()["registration_id"], "score": 84, "passed": True},
        timeout=20,
    )
    requests.post(f"{stack.api}/me/exam-registrations", json={"exam_id": "250-587"}, headers=auth, timeout=20)
    requests.post(
        f"{stack.api}/me/support-requests",
        json={"category": "exams", "subject": "Voucher not accepted", "message": "The test center refused it."},
        headers=auth,
        timeout=10,
    )
    made = requests.post(f"{stack.api}/me/certificates", json={"credential_id": "CERT-EP"}, headers=auth, timeout=30)
    for new_name in ("Priya Nair-Rao", "Priya N. Rao"):
        asked = requests.post(
            f"{stack.api}/me/name-change-requests",
            json={"new_name": new_name, "reason": "Marriage"},
            headers=auth,
            timeout=10,
        )
        assert asked.status_code == 201, asked.text
        if new_name == "Priya Nair-Rao":
            approval = {"operation": "approve_name_change", "username": candidate.username, "by": "s", "reason": "ok"}
            approved = requests.post(f"{stack.base}/_local/run/ProgramStaffFunction", json=approval, timeout=30)
            [current] = approved.json()["result"]["verification_codes"]
    requests.post(
        f"{stack.api}/me/shares",
        json={
            "recipient_email": "talent@employer.example",
            "credential_ids": ["CERT-EP"],
            "expires_in_days": 30,
            "message": "As discussed on Tuesday: my certification.",
        },
        headers=auth,
        timeout=10,
    )
    invitation = stack.wait_for_mail(lambda message: "talent@employer.example" in message["to"])
    shared = re.search(r"/shares/[A-Za-z0-9_-]{43}", invitation["text"])
    assert shared, invitation["text"]
    return candidate, current, shared.group(0), made.json()["verification_code"]


def _visit(tab: Portal, path: str, shot: Path, failures: list[str]) -> None:
    try:
        tab.goto(path)
    except AssertionError as error:  # photographed all the same, and reported at the end
        failures.append(f"{path} at {shot.parent.name}: {error}")
    shot.parent.mkdir(parents=True, exist_ok=True)
    tab.page.screenshot(path=shot, full_page=True)
    if wide := tab.sideways():
        failures.append(f"{path} at {shot.parent.name} scrolls sideways: {wide}")


def test_every_page_at_375_and_1280_px_and_dark(chromium: Any, stack: Stack) -> None:
    for old in SCREENSHOTS.glob("*/*.png"):
        old.unlink()
    candidate, code, shared, superseded = _candidate_with_data(stack)
    routes = browser.routes()
    failures: list[str] = []
    for scheme in ("light", "dark"):
        for width in WIDTHS:
            context = chromium.new_context(
                viewport={"width": width, "height": 900}, locale="en-GB", color_scheme=scheme
            )
            tab = Portal(context.new_page(), stack)
            folder = SCREENSHOTS / (f"{width}" if scheme == "light" else f"{width}-dark")
            chosen = [route for route in routes if scheme == "light" or route.path in DARK]
            for route in (route for route in chosen if not route.signed_in):
                _visit(tab, route.path, folder / f"{route.name}.png", failures)
            _visit(tab, f"/verify/{code}", folder / "verify-code.png", failures)
            _visit(tab, f"/verify/{superseded}", folder / "verify-superseded.png", failures)
            _visit(tab, shared, folder / "shared-link.png", failures)
            tab.sign_in(candidate)
            for route in (route for route in chosen if route.signed_in):
                _visit(tab, route.path, folder / f"{route.name}.png", failures)
            context.close()
    assert not failures, "\n\n".join(failures)
