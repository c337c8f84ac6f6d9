"""Credentials in the browser: a candidate passes exams through the Pearson VUE stand-in and watches progress
and awards change on the dashboard and on /credentials (issue 12); a second candidate sees none of it."""

from __future__ import annotations

import re
from typing import Any

import requests
from playwright.sync_api import expect

from tests.browser.portal import Portal, bearer, new_candidate, registered
from tests.e2e.conftest import Stack

ACC_DLP = "Data Loss Prevention Sales Accreditation"
CERT_DLP = "Certified Specialist: Data Loss Prevention 16.x"
CERT_EP = "Certified Specialist: Endpoint Security Complete"
PRO_SEC = "Certified Security Professional"
ACC_EP = "Endpoint Protection Accreditation"


def passes(stack: Stack, auth: dict[str, str], exam_id: str) -> None:
    """Register for `exam_id` and have the Pearson VUE stand-in post a pass for it."""
    made = requests.post(f"{stack.api}/me/exam-registrations", json={"exam_id": exam_id}, headers=auth, timeout=20)
    assert made.status_code == 201, made.text
    delivered = requests.post(
        f"{stack.base}/_local/pearson-vue/results",
        json={"registration_id": made.json()["registration_id"], "score": 88, "passed": True},
        timeout=20,
    )
    assert [d["body"]["status"] for d in delivered.json()["deliveries"]] == ["stored"], delivered.text


def card(scope: Any, title: str) -> Any:
    """The card (a list item) whose heading is `title`."""
    return scope.get_by_role("listitem").filter(has=scope.page.get_by_role("heading", name=title, exact=True))


def progress_card(portal: Portal, title: str) -> Any:
    return card(portal.main().get_by_role("region", name="Your progress"), title)


def shows_earned(scope: Any, title: str) -> None:
    found = card(scope, title)
    expect(found).to_contain_text("Earned")
    expect(found.get_by_role("progressbar", name=title)).to_have_attribute("value", "100")
    expect(found).to_contain_text("100% — earned")


def test_passed_exams_show_as_progress_and_awards_on_the_dashboard_and_the_credentials_page(portal: Portal) -> None:
    stack, page = portal.stack, portal.page
    candidate = registered(stack, new_candidate("Amara", "Okafor"))
    auth = bearer(stack, candidate)
    passes(stack, auth, "ASM-DLP-101")  # ACC-DLP, the prerequisite of CERT-DLP
    passes(stack, auth, "ASM-EP-101")  # one of ACC-EP's two assessments

    # The dashboard: ACC-DLP earned; CERT-DLP half done, its next step the 16.x exam; ACC-EP half done.
    portal.sign_in(candidate)
    progress = portal.main().get_by_role("region", name="Your progress")
    shows_earned(progress, ACC_DLP)
    dlp = progress_card(portal, CERT_DLP)
    expect(dlp).to_contain_text("In progress")
    expect(dlp).to_contain_text("50% — 1 of 2 requirements met")
    expect(dlp.get_by_role("progressbar", name=CERT_DLP)).to_have_attribute("value", "50")
    expect(dlp.get_by_role("link", name=re.compile(r"^250-587 "))).to_have_attribute("href", "/exams#exam-250-587")
    expect(progress_card(portal, ACC_EP)).to_contain_text("50% — 1 of 2 requirements met")
    expect(progress_card(portal, ACC_EP).get_by_role("link", name=re.compile(r"^ASM-EP-201 "))).to_be_visible()
    expect(progress).to_contain_text("more not started yet")
    expect(progress.get_by_role("link", name="See all credentials")).to_be_visible()

    # Two certifications passed: each is awarded at once, and with them 2 of the 5 track certifications
    # award the professional credential. A reload shows it all.
    passes(stack, auth, "250-587")
    passes(stack, auth, "250-580")
    page.reload()
    portal.arrive(re.compile("Welcome"))
    progress = portal.main().get_by_role("region", name="Your progress")
    for title in (ACC_DLP, CERT_DLP, CERT_EP, PRO_SEC):
        shows_earned(progress, title)
    expect(progress_card(portal, ACC_EP)).to_contain_text("In progress")
    expect(progress_card(portal, ACC_EP)).to_contain_text("50% — 1 of 2 requirements met")

    # /credentials: what is held, by cycle; every credential with its tree.
    portal.nav("Credentials").click()
    portal.arrive("Credentials")
    held = portal.main().get_by_role("table", name="Your credentials")
    for title in (ACC_DLP, CERT_DLP, CERT_EP, PRO_SEC):
        row = held.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))
        expect(row).to_contain_text("Earned")
        expect(row.get_by_role("cell").nth(4)).to_have_text("1")  # the cycle
    expect(held.get_by_role("row")).to_have_count(5)  # the header and four credentials
    every = portal.main().get_by_role("region", name="Every credential of the program")
    for title in (ACC_DLP, CERT_DLP, CERT_EP, PRO_SEC):
        shows_earned(every, title)

    # PRO-SEC's tree: 2 of these 5, met by the two certifications held.
    professional = card(every, PRO_SEC)
    professional.get_by_text("Requirements and renewal").click()
    expect(professional).to_contain_text("2 of these 5 (2 met)")
    tree = professional.get_by_role("listitem").filter(has_text="2 of these 5")
    for title in (CERT_EP, CERT_DLP):
        met = tree.get_by_role("listitem").filter(has=page.get_by_role("link", name=title, exact=True))
        expect(met).to_contain_text("Met")
    expect(professional).to_contain_text("In the 180 days before it expires")

    # CERT-EP: met by the current version, the retired one marked.
    endpoint = card(every, CERT_EP)
    endpoint.get_by_text("Requirements and renewal").click()
    expect(endpoint).to_contain_text(re.compile(r"250-580 .* — passed on "))
    expect(endpoint.get_by_text("Retired", exact=True)).to_be_visible()

    # ACC-EP, half done: one assessment met, the other not yet; freshness in words.
    accreditation = card(every, ACC_EP)
    expect(accreditation.get_by_role("progressbar", name=ACC_EP)).to_have_attribute("value", "50")
    accreditation.get_by_text("Requirements and renewal").click()
    expect(accreditation).to_contain_text("Not yet")
    expect(accreditation).to_contain_text("passed within the last 24 months")
    portal.check_accessibility()  # with the trees open

    # A prerequisite links to its credential on the same page, opened there.
    tree.get_by_role("link", name=CERT_DLP, exact=True).click()
    assert page.url.endswith("/credentials#credential-CERT-DLP")
    expect(card(every, CERT_DLP).locator("details")).to_have_attribute("open", "")

    # The plan: ACC-EP's one missing assessment, and the dates that matter.
    plan = portal.main().get_by_role("region", name="Your plan")
    step = plan.get_by_role("listitem").filter(has=page.get_by_role("link", name=ACC_EP, exact=True))
    expect(step.get_by_role("link", name=re.compile(r"^ASM-EP-201 "))).to_be_visible()
    expect(step).not_to_contain_text("http")
    expect(plan).to_contain_text("What lapses when")
    expect(plan).to_contain_text(re.compile(r"stops counting toward"))

    # Logos: one per credential held and valid, downloaded as an attachment through the API's 302; the rules.
    logos = portal.main().get_by_role("region", name="Logos")
    expect(logos.get_by_role("link", name=re.compile(r"^Download PNG: "))).to_have_count(4)
    with page.expect_download() as downloading:
        logos.get_by_role("link", name=f"Download PNG: {CERT_EP} logo").click()
    assert downloading.value.suggested_filename == "CERT-EP-logo.png"
    expect(logos.get_by_role("list", name="Using a logo")).to_contain_text("only while its credential is valid")

    # A second candidate, in the same tab: nothing of it.
    portal.sign_out()
    other = registered(stack, new_candidate("Bruno", "Costa"))
    portal.sign_in(other)
    progress = portal.main().get_by_role("region", name="Your progress")
    expect(progress).to_contain_text("Nothing under way yet")
    expect(progress.get_by_role("progressbar")).to_have_count(0)
    portal.goto("/credentials", "Credentials")
    expect(portal.main().get_by_role("region", name="Logos")).to_contain_text("While you hold a valid credential")
    expect(portal.main()).to_contain_text("You hold no credential yet")
    expect(portal.main().get_by_role("table")).to_have_count(0)
    expect(portal.main().get_by_text("Earned", exact=True)).to_have_count(0)
    expect(portal.main().get_by_text("In progress", exact=True)).to_have_count(0)
    assert candidate.first_name not in page.content()


def test_a_newcomer_sits_an_exam_at_the_stand_in_and_sees_the_award_without_leaving_the_browser(portal: Portal):
    candidate = registered(portal.stack, new_candidate("Noor", "Haddad"))
    portal.sign_in(candidate)
    portal.nav("Exams").click()
    portal.arrive("Exams and assessments")
    portal.main().get_by_role("button", name=re.compile(r"Register for 250-580")).click()
    schedule = portal.main().get_by_role("link", name=re.compile(r"Schedule 250-580 at Pearson VUE"))
    schedule.click()
    page = portal.page
    expect(page.get_by_role("heading", name="Schedule exam 250-580")).to_be_visible()
    page.get_by_role("button", name="Pass (score 85%)").click()
    expect(page.get_by_text("CertTracker answered: stored")).to_be_visible()
    page.get_by_role("link", name="your dashboard").click()
    portal.arrive()
    shows_earned(portal.main().get_by_role("region", name="Your progress"), CERT_EP)
