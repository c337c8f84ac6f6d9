"""A revoked credential in the browser (issue 21): the dashboard and /credentials say when and why, show no
misleading 100%, offer a way to the Program Support Team, and say what the revocation blocks instead of offering
an exam; photographed at 375 and 1280 px, light and dark, under screenshots/revocation/."""

from __future__ import annotations

from typing import Any

import requests
from playwright.sync_api import expect

from infra import template
from tests.browser.portal import Portal, bearer, new_candidate, registered
from tests.browser.test_credentials import ACC_DLP, CERT_DLP, card, passes, progress_card
from tests.e2e.conftest import Stack

SHOTS = template.ROOT / "screenshots" / "revocation"
REASON = "because a breach of the exam rules was found"


def revoke(stack: Stack, username: str, credential_id: str) -> dict[str, Any]:
    answer = requests.post(
        f"{stack.base}/_local/run/ProgramStaffFunction",
        json={
            "operation": "revoke",
            "username": username,
            "credential_id": credential_id,
            "category": "exam_misconduct",
            "by": "pat@program.example",
            "reason": "Proctor report 2026-114",
        },
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_revoked_credential_says_when_why_and_who_to_ask_and_blocks_what_needs_it(portal: Portal, chromium) -> None:
    stack = portal.stack
    candidate = registered(stack, new_candidate("Tomasz", "Wójcik"))
    passes(stack, bearer(stack, candidate), "ASM-DLP-101")  # ACC-DLP, the prerequisite of CERT-DLP
    done = revoke(stack, candidate.username, "ACC-DLP")
    assert done["result"]["ok"], done

    portal.sign_in(candidate)
    revoked = progress_card(portal, ACC_DLP)
    expect(revoked).to_contain_text("Revoked")
    expect(revoked).to_contain_text(REASON)
    expect(revoked.get_by_role("progressbar")).to_have_count(0)
    expect(revoked.get_by_role("link", name="contact the Program Support Team")).to_have_attribute("href", "/support")

    portal.goto("/credentials")
    plan = portal.main().get_by_role("region", name="Your plan")
    expect(plan).to_contain_text(f"{CERT_DLP}: blocked: {ACC_DLP} was revoked.")
    expect(plan.get_by_role("link", name=f"{CERT_DLP}")).to_have_count(1)
    every = card(portal.main(), CERT_DLP)
    expect(every).to_contain_text(f"Blocked: {ACC_DLP} was revoked")
    expect(every).not_to_contain_text("Next: pass")
    held = portal.main().get_by_role("region", name="Your credentials")
    expect(held).to_contain_text(REASON.capitalize())

    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for width in (375, 1280):
            context = chromium.new_context(
                viewport={"width": width, "height": 900}, locale="en-GB", color_scheme=scheme
            )
            tab = Portal(context.new_page(), stack)
            tab.sign_in(candidate)
            tab.page.screenshot(path=SHOTS / f"dashboard-{width}-{scheme}.png", full_page=True)
            tab.goto("/credentials")
            tab.page.screenshot(path=SHOTS / f"credentials-{width}-{scheme}.png", full_page=True)
            tab.assert_no_problems()
            context.close()
