"""Certificates in the browser (issue 13): a candidate who holds a credential gets its certificate on /credentials,
downloads the PDF, and opens its public verification page, as anyone who scans its QR code does; a mistyped or
unknown code is told as such; a revocation shows at once."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from playwright.sync_api import expect

from certtracker.certificates import codes
from tests.browser.portal import Portal, bearer, new_candidate, registered
from tests.browser.test_credentials import CERT_EP, passes
from tests.e2e.conftest import Stack

CERTIFICATE_ID = re.compile(r"^C-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")
CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


def mistyped(code: str) -> str:
    """`code` with one character changed, lower case and in groups split by spaces: what a person may type."""
    canonical = code.replace("-", "")
    first = codes.ALPHABET[(codes.ALPHABET.index(canonical[0]) + 1) % len(codes.ALPHABET)]
    changed = first + canonical[1:]
    return " ".join(changed[i : i + 4] for i in range(0, 16, 4)).lower()


def certificate_of(stack: Stack, auth: dict[str, str], credential_id: str) -> dict[str, Any]:
    made = requests.post(
        f"{stack.api}/me/certificates", json={"credential_id": credential_id}, headers=auth, timeout=30
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_a_holder_gets_downloads_and_verifies_a_certificate_and_anyone_can_check_it(portal: Portal) -> None:
    stack, page = portal.stack, portal.page
    candidate = registered(stack, new_candidate("Mateo", "Álvarez"))
    passes(stack, bearer(stack, candidate), "250-580")  # CERT-EP, held and valid
    portal.sign_in(candidate)
    portal.goto("/credentials", "Credentials")

    # Held and valid, no certificate yet: "Get certificate" in its row; none listed yet.
    mine = portal.main().get_by_role("region", name="My certificates")
    expect(mine).to_contain_text("You have no certificate yet")
    row = portal.main().get_by_role("table", name="Your credentials").get_by_role("row").filter(has_text=CERT_EP)
    row.get_by_role("button", name=f"Get certificate: {CERT_EP}").click()
    portal.says(f"Your certificate of {CERT_EP} is ready")
    mine = portal.main().get_by_role("region", name="My certificates")
    card = mine.get_by_role("listitem").filter(has=page.get_by_role("heading", name=CERT_EP, exact=True))
    expect(card).to_be_focused()
    expect(card).to_contain_text("Ready")
    facts = card.locator("dl.facts dd")
    certificate_id = facts.nth(0).inner_text()
    code = facts.nth(1).inner_text()
    assert CERTIFICATE_ID.match(certificate_id), certificate_id
    assert CODE.match(code), code
    expect(facts.nth(2)).to_have_text("Mateo Álvarez")
    # The row now shows the certificate instead of the button.
    expect(row).to_contain_text(certificate_id)
    expect(row.get_by_role("button", name=re.compile(r"^Get certificate"))).to_have_count(0)
    portal.check_accessibility()

    # The PDF downloads as an attachment; the page stays.
    with page.expect_download() as downloading:
        card.get_by_role("button", name=f"Download PDF: {CERT_EP}, {certificate_id}").click()
    download = downloading.value
    assert download.suggested_filename == f"CERT-EP-certificate-{certificate_id}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert portal.path == "/credentials"

    # LinkedIn's add-to-profile link: the certification, the program, the certificate id and its page.
    linkedin = card.get_by_role("link", name=re.compile(r"^Add to LinkedIn profile"))
    expect(linkedin).to_have_attribute("target", "_blank")
    expect(linkedin).to_have_attribute("rel", "noopener noreferrer")
    href = linkedin.get_attribute("href") or ""
    assert href.startswith(
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Certified%20Specialist"
    )
    query = {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}
    assert query["organizationName"] == "CertTracker Certification Program"
    assert query["certId"] == certificate_id
    assert query["certUrl"] == f"{stack.base}/verify/{code}"
    assert re.fullmatch(r"20\d\d", query["issueYear"])
    assert re.fullmatch(r"\d{1,2}", query["issueMonth"])

    # "Add to wallet": the award as a signed Open Badge, downloaded with the session like the PDF.
    with page.expect_download() as downloading:
        card.get_by_role("link", name="Add to wallet (Open Badge)").click()
    with open(downloading.value.path(), "rb") as badge:
        signed = json.load(badge)
    assert signed["jwt"].count(".") == 2
    assert "OpenBadgeCredential" in signed["credential"]["type"]

    # Its verification page: valid, with the name, the credential, the dates; not to be indexed.
    card.get_by_role("link", name=re.compile(r"^Verification page")).click()
    portal.arrive("Certificate verification")
    assert portal.path == f"/verify/{code}"
    verdict = portal.main().get_by_role("region", name="Valid")
    expect(verdict.get_by_role("heading", level=2)).to_have_text(re.compile(r"Valid$"))
    for shown in ("Mateo Álvarez", CERT_EP, "Certification", certificate_id, "Valid until", "Checked at"):
        expect(verdict).to_contain_text(shown)
    expect(page.locator('head meta[name="robots"]')).to_have_attribute("content", "noindex")

    # Another code, mistyped (lower case and spaces are fine, one wrong character is not): told at the field.
    form = portal.main().get_by_role("form", name="Check another code")
    form.get_by_label("Verification code").fill(mistyped(code))
    form.get_by_role("button", name="Check").click()
    portal.arrive("Certificate verification")
    field = portal.main().get_by_label("Verification code")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(portal.main().locator(".field-error")).to_contain_text("This code has a typing mistake")
    expect(portal.main().get_by_role("region", name="Valid")).to_have_count(0)

    # A well-formed code no certificate has: said plainly, the code kept in the field.
    unknown = codes.grouped(codes.new_code())
    field.fill(unknown.lower())
    portal.main().get_by_role("button", name="Check").click()
    portal.arrive("Certificate verification")
    assert portal.path == f"/verify/{unknown}"
    portal.says(f"No certificate has the code {unknown}", role="alert")
    expect(portal.main().get_by_label("Verification code")).to_have_value(unknown)

    # Leaving the page drops the robots meta.
    portal.nav("Credentials").click()
    portal.arrive("Credentials")
    expect(page.locator('head meta[name="robots"]')).to_have_count(0)

    # Signed out, as an employer: verification is in the header and the footer of every page, the QR's link, the form.
    portal.sign_out()
    expect(page.locator("footer").get_by_role("link", name="Verify a certificate")).to_have_attribute("href", "/verify")
    portal.nav("Verify a certificate").click()
    portal.arrive("Verify a certificate")
    portal.goto(f"/verify/{code.lower()}", "Certificate verification")
    expect(portal.main().get_by_role("region", name="Valid")).to_contain_text("Mateo Álvarez")
    portal.goto("/verify", "Verify a certificate")
    expect(portal.main().get_by_role("form", name="Check a code").get_by_label("Verification code")).to_be_empty()

    # The certificate id, printed just above the code, typed instead of it: recognised, and told where the code is.
    form = portal.main().get_by_role("form", name="Check a code")
    form.get_by_label("Verification code").fill(certificate_id.lower().replace("-", " "))
    form.get_by_role("button", name="Check").click()
    portal.arrive("Certificate verification")
    assert portal.path == f"/verify/{certificate_id}"  # its own shape in the address bar, not regrouped
    expect(portal.main().locator(".field-error")).to_contain_text("This is the certificate's id, not its verification")


def test_a_revoked_credential_shows_revoked_on_the_verification_page_and_its_pdf_no_longer_downloads(
    portal: Portal,
) -> None:
    stack = portal.stack
    candidate = registered(stack, new_candidate("Ioana", "Popescu"))
    auth = bearer(stack, candidate)
    passes(stack, auth, "250-580")
    code = certificate_of(stack, auth, "CERT-EP")["verification_code"]
    revoked = requests.post(
        f"{stack.base}/_local/run/ProgramStaffFunction",
        json={
            "operation": "revoke",
            "category": "exam_misconduct",
            "by": "browser test",
            "reason": "exam misconduct",
            "username": candidate.username,
            "credential_id": "CERT-EP",
        },
        timeout=30,
    )
    assert revoked.json()["result"]["ok"], revoked.text

    portal.goto(f"/verify/{code}", "Certificate verification")
    verdict = portal.main().get_by_role("region", name="Revoked")
    expect(verdict).to_contain_text("revoked its credential")
    expect(verdict).to_contain_text("Ioana Popescu")
    expect(verdict).to_contain_text("Revoked")
    portal.sign_in(candidate)
    portal.goto("/credentials", "Credentials")
    card = portal.main().get_by_role("region", name="My certificates").get_by_role("listitem").first
    expect(card).to_contain_text("Revoked")
    expect(card.get_by_role("button", name=re.compile(r"^Download PDF"))).to_have_count(0)
    expect(card.get_by_role("link", name=re.compile(r"^Add to LinkedIn"))).to_have_count(0)


def test_a_name_no_certificate_can_print_is_told_beside_the_button_with_a_link_to_a_name_change(portal: Portal) -> None:
    # Which names the fonts cannot draw is the renderer's business (its own tests); here the page's part: the
    # API's 422 is shown where the person pressed, with the way out.
    stack, page = portal.stack, portal.page
    candidate = registered(stack, new_candidate("Sam", "Okoro"))
    passes(stack, bearer(stack, candidate), "250-580")
    message = (
        "The name your certificates print contains characters a certificate cannot print: U+2603. Ask for a name"
        " change on your certificates, or ask the Program Support Team for help."
    )
    refusal = {"error": {"code": "name_not_printable", "message": message, "field": "name"}}
    page.route(
        "**/api/me/certificates",
        lambda route: route.fulfill(status=422, json=refusal) if route.request.method == "POST" else route.fallback(),
    )
    portal.sign_in(candidate)
    portal.goto("/credentials", "Credentials")
    row = portal.main().get_by_role("table", name="Your credentials").get_by_role("row").filter(has_text=CERT_EP)
    row.get_by_role("button", name=f"Get certificate: {CERT_EP}").click()
    alert = row.get_by_role("alert")
    expect(alert).to_contain_text("U+2603")
    expect(alert.get_by_role("link", name="Ask for a name change")).to_have_attribute("href", "/credentials/name")
    expect(row.get_by_role("button", name=f"Get certificate: {CERT_EP}")).to_be_enabled()
    portal.check_accessibility()


def staff(stack: Stack, **operation: Any) -> dict[str, Any]:
    answer = requests.post(f"{stack.base}/_local/run/ProgramStaffFunction", json=operation, timeout=30)
    result: dict[str, Any] = answer.json()["result"]
    assert result["ok"], answer.text
    return result


def test_a_profile_name_change_keeps_the_certificate_and_an_approved_name_change_supersedes_it(
    portal: Portal,
) -> None:
    stack = portal.stack
    candidate = registered(stack, new_candidate("Maria", "Santos"))
    auth = bearer(stack, candidate)
    passes(stack, auth, "250-580")
    old = certificate_of(stack, auth, "CERT-EP")
    changed = requests.patch(f"{stack.api}/me/profile", json={"last_name": "Santos Ferreira"}, headers=auth, timeout=10)
    assert changed.status_code == 200, changed.text

    # The profile's new name changes no certificate: the row keeps it, and nothing offers another.
    portal.sign_in(candidate)
    portal.goto("/credentials", "Credentials")
    row = portal.main().get_by_role("table", name="Your credentials").get_by_role("row").filter(has_text=CERT_EP)
    expect(row).to_contain_text(old["certificate_id"])
    expect(row.get_by_role("button", name=re.compile(r"^Get "))).to_have_count(0)
    mine = portal.main().get_by_role("region", name="My certificates")
    expect(mine).to_contain_text("The name on your certificates: Maria Santos.")

    # Asking for the name change, on its own page; the profile's name is offered.
    mine.get_by_role("link", name="Ask for a name change").click()
    portal.arrive("The name on your certificates")
    expect(portal.main()).to_contain_text("Printed now: Maria Santos.")
    form = portal.main().get_by_role("form", name="Ask for a name change")
    expect(form.get_by_label("New name, as it should be printed")).to_have_value("Maria Santos Ferreira")
    form.get_by_label("Why").fill("I married in May")
    portal.check_accessibility()
    form.get_by_role("button", name="Ask for the name change").click()
    portal.says("Asked. The Program Support Team answers by email")
    pending = portal.main().get_by_role("region", name="Pending")
    expect(pending).to_contain_text("You asked for Maria Santos Ferreira")
    expect(portal.main().get_by_role("form", name="Ask for a name change")).to_have_count(0)  # one at a time
    expect(portal.main().get_by_role("region", name="Your requests")).to_contain_text("Pending")
    portal.check_accessibility()
    portal.goto("/credentials", "Credentials")
    expect(portal.main().get_by_role("region", name="My certificates")).to_contain_text(
        "Name change pending: Maria Santos Ferreira"
    )

    # The team approves: the old certificate is superseded, a new one in the new name is listed.
    approved = staff(
        stack, operation="approve_name_change", username=candidate.username, by="browser test", reason="ok"
    )
    [new_id] = approved["certificates"]
    portal.goto("/credentials", "Credentials")
    cards = portal.main().get_by_role("region", name="My certificates").get_by_role("listitem")
    expect(cards).to_have_count(2)
    new_card = portal.main().locator(f"#certificate-{new_id}")
    expect(new_card.locator("dl.facts")).to_contain_text("Maria Santos Ferreira")
    old_card = portal.main().locator(f"#certificate-{old['certificate_id']}")
    expect(old_card).to_contain_text("Superseded")
    expect(old_card).to_contain_text(f"replaced by {new_id}")
    expect(old_card.get_by_role("button", name=re.compile(r"^Download PDF"))).to_have_count(0)
    expect(row).to_contain_text(new_id)
    expect(portal.main().get_by_role("region", name="My certificates")).to_contain_text(
        "The name on your certificates: Maria Santos Ferreira."
    )
    portal.check_accessibility()
    portal.goto("/credentials/name", "The name on your certificates")
    expect(portal.main().get_by_role("region", name="Your requests")).to_contain_text("Approved")

    # The old code's verification page: superseded, with the date, and neither name nor the new certificate.
    portal.goto(f"/verify/{old['verification_code']}", "Certificate verification")
    verdict = portal.main().get_by_role("region", name="Superseded")
    expect(verdict).to_contain_text("no longer valid")
    expect(verdict).to_contain_text("Superseded on")
    expect(verdict).not_to_contain_text("Ferreira")
    expect(verdict).not_to_contain_text(new_id)
    expect(verdict).not_to_contain_text("Valid until")
