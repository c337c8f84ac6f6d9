"""Shares in the browser (issue 14): a candidate shares two credentials from the credentials page, the recipient
opens the emailed link in a browser of their own, the candidate sees the view counted and gets the notice, then
revokes the share and the link stops working."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.portal import Portal, bearer, new_candidate, registered
from tests.browser.test_credentials import ACC_DLP, CERT_EP, passes
from tests.e2e.conftest import Stack

EMPLOYER = "talent@employer.example"
NOTE = "Hello Sam,\n<b>as promised</b>: my two credentials."


@pytest.fixture
def recipient(chromium: Any, stack: Stack) -> Iterator[Portal]:
    """Someone else's browser: no session, no storage from the candidate's."""
    opened = chromium.new_context(viewport={"width": 390, "height": 844}, locale="en-US", color_scheme="light")
    tab = Portal(opened.new_page(), stack)
    yield tab
    tab.assert_no_problems()
    opened.close()


def share_link(stack: Stack) -> str:
    invitation = stack.wait_for_mail(lambda message: EMPLOYER in message["to"])
    found = re.search(r"/shares/[A-Za-z0-9_-]{43}", invitation["text"])
    assert found, invitation["text"]
    return found.group(0)


def test_a_candidate_shares_two_credentials_sees_the_view_and_revokes_the_link(
    portal: Portal, recipient: Portal
) -> None:
    stack, page = portal.stack, portal.page
    candidate = registered(stack, new_candidate("Ines", "Moreau"))
    auth = bearer(stack, candidate)
    passes(stack, auth, "250-580")  # CERT-EP
    portal.sign_in(candidate)
    portal.goto("/credentials/shares", "Share your credentials")  # the only credential held comes ticked
    expect(portal.main().get_by_role("region", name="New share").get_by_label(CERT_EP)).to_be_checked()
    passes(stack, auth, "ASM-DLP-101")  # ACC-DLP
    portal.goto("/credentials", "Credentials")
    portal.main().get_by_role("link", name="Share credentials").click()
    portal.arrive("Share your credentials")
    mine = portal.main().get_by_role("region", name="Your shares")
    expect(mine).to_contain_text("You have not shared any credentials yet")

    # Nothing ticked: the page says so at the credentials.
    form = portal.main().get_by_role("region", name="New share")
    form.get_by_label("Recipient's email").fill(EMPLOYER)
    form.get_by_role("button", name="Share").click()
    said = form.locator('[data-field="credential_ids"] .field-error')
    expect(said).to_have_text("Tick at least one credential to share.")  # written for a person, not pydantic's

    form.get_by_label(CERT_EP).check()
    form.get_by_label(ACC_DLP).check()
    form.get_by_label("The link works for").select_option("14")
    form.get_by_label("A note to them (optional)").fill(NOTE)
    form.get_by_role("button", name="Share").click()
    portal.says(f"Shared: {EMPLOYER} has an email with the link")
    row = mine.get_by_role("row").filter(has_text=EMPLOYER)
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Not opened yet")
    expect(row).to_contain_text(CERT_EP)
    portal.check_accessibility()

    # The recipient opens the emailed link: the name, both credentials valid, the note as text.
    link = share_link(stack)
    recipient.goto(link, "Credentials of Ines Moreau")
    cards = recipient.main().get_by_role("listitem")
    expect(cards).to_have_count(2)
    expect(cards.filter(has_text=CERT_EP)).to_contain_text("Valid")
    expect(cards.filter(has_text=ACC_DLP)).to_contain_text("Valid")
    expect(recipient.main()).to_contain_text("<b>as promised</b>")
    expect(recipient.page.locator('meta[name="robots"]')).to_have_attribute("content", "noindex")

    # The candidate sees the view, and was told by email.
    portal.goto("/credentials/shares", "Share your credentials")
    row = portal.main().get_by_role("region", name="Your shares").get_by_role("row").filter(has_text=EMPLOYER)
    expect(row).to_contain_text("1 view")
    notice = stack.wait_for_mail(lambda m: candidate.email in m["to"] and "opened" in m["subject"])
    assert EMPLOYER in notice["text"]

    # Revoking asks first; keeping it changes nothing; the date it worked until stays once revoked.
    until = row.locator('td[data-label="Until"]').inner_text()
    row.get_by_role("button", name=f"Revoke the link sent to {EMPLOYER}").click()
    row.get_by_role("button", name="Keep it").click()
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name=f"Revoke the link sent to {EMPLOYER}").click()
    expect(row).to_contain_text("The link stops working at once")
    row.get_by_role("button", name=f"Yes, revoke the link sent to {EMPLOYER}").click()
    portal.says(f"The link sent to {EMPLOYER} no longer works")
    expect(row).to_contain_text("Revoked on")
    expect(row.locator('td[data-label="Until"]')).to_have_text(until)
    expect(row.get_by_role("button")).to_have_count(0)

    recipient.page.reload()
    recipient.arrive("Shared credentials")
    recipient.says("This link does not work", role="alert")
    expect(recipient.main()).not_to_contain_text("Moreau")
    assert page.url.endswith("/credentials/shares")
