"""PartnerNet provisioning and partner credit in the browser (issue 15): contacts added at the PartnerNet stand-in,
the sync run twice, one set-password email per contact; the manager sets a password, signs in, an employee
passes an exam, and the manager sees the company's credit report and can download it as CSV. A candidate who
already has an account is associated with a partner only once they confirm it from the email (issue 22)."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.browser.portal import Candidate, Portal, bearer, registered
from tests.browser.test_credentials import CERT_EP, passes
from tests.browser.test_screenshots import SCREENSHOTS

PASSWORD = "Harbor-Quietly-Sings-58"


def add_contact(
    stack, contact_id: str, email: str, first: str, last: str, manager: bool, partner_id: str = "P-1001"
) -> None:
    body = {
        "contact_id": contact_id,
        "partner_id": partner_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "country": "DE",
        "is_program_manager": manager,
    }
    assert requests.post(f"{stack.base}/_local/partnernet/contacts", json=body, timeout=10).status_code == 200


def welcome(stack, address: str) -> tuple[str, str]:
    """The username and set-password path of the one welcome email `address` got."""
    message = stack.wait_for_mail(lambda m: address in m["to"] and "set-password" in m["text"])
    welcomes = [m for m in stack.mail() if address in m["to"] and "set-password" in m["text"]]
    assert len(welcomes) == 1
    username = re.search(r"Your username: (\S+)", message["text"]).group(1)  # type: ignore[union-attr]
    link = re.search(r"/set-password#token=[A-Za-z0-9_-]+", message["text"]).group(0)  # type: ignore[union-attr]
    return username, link


def test_a_provisioned_manager_sets_a_password_and_sees_the_company_credit(portal: Portal) -> None:
    stack = portal.stack
    add_contact(stack, "C-501", "marta.lind@partner.example.com", "Marta", "Lind", manager=True)
    add_contact(stack, "C-502", "omar.haddad@partner.example.com", "Omar", "Haddad", manager=False)
    for _ in range(2):
        ran = requests.post(f"{stack.base}/_local/run/PartnerNetSyncFunction", timeout=30)
        assert ran.status_code == 200, ran.text
    marta, marta_link = welcome(stack, "marta.lind@partner.example.com")
    omar, omar_link = welcome(stack, "omar.haddad@partner.example.com")

    # Omar sets his password through the API and passes an exam; Marta does it all in the browser.
    token = omar_link.partition("#token=")[2]
    reset = requests.post(
        f"{stack.api}/auth/password-reset", json={"token": token, "new_password": PASSWORD}, timeout=10
    )
    assert reset.status_code == 204, reset.text
    passes(
        stack, bearer(stack, Candidate(omar, "omar.haddad@partner.example.com", PASSWORD, "Omar", "Haddad")), "250-580"
    )

    portal.goto(marta_link, "Set your password")
    expect(portal.main().locator("dl.facts")).to_contain_text(marta)
    expect(portal.main().locator("dl.facts")).to_contain_text("Example Partner Inc.")
    portal.page.screenshot(path=str(SCREENSHOTS / "set-password.png"), full_page=True)
    portal.main().get_by_role("link", name="privacy notice").click()  # read it, then come back to the form
    portal.arrive()
    portal.page.go_back()
    portal.arrive("Set your password")
    portal.main().get_by_label("Password").fill(PASSWORD)
    portal.main().get_by_role("button", name="Set the password").click()
    portal.arrive("Welcome, Marta")  # on the dashboard, signed in by the password just set
    portal.page.screenshot(path=str(SCREENSHOTS / "set-password-done.png"), full_page=True)
    portal.goto("/set-password", "Set your password")  # used: the page no longer holds its token
    portal.says("Open the link in the email again", role="alert")
    portal.nav("My company").click()
    portal.arrive("My company")
    requirements = portal.main().get_by_role("table", name=re.compile("^Requirements"))
    expect(requirements.get_by_role("row").filter(has_text=CERT_EP)).to_contain_text("Missing 1")
    employees = portal.main().get_by_role("table", name="Employees and their credentials")
    expect(employees.get_by_role("row").filter(has_text="Omar Haddad")).to_contain_text(CERT_EP)
    expect(employees.get_by_role("row").filter(has_text="Marta Lind")).to_contain_text("None yet")
    with portal.page.expect_download() as downloading:
        portal.main().get_by_role("button", name="Download as CSV").click()
    with open(downloading.value.path(), encoding="utf-8") as exported:
        text = exported.read()
    assert text.startswith("name,username,email,credential_id")
    assert "Omar Haddad" in text
    portal.page.screenshot(path=str(SCREENSHOTS / "company-manager.png"), full_page=True)
    portal.page.set_viewport_size({"width": 375, "height": 800})  # the report on a phone: no sideways scroll
    assert portal.sideways() is None, portal.sideways()
    portal.page.screenshot(path=str(SCREENSHOTS / "company-manager-375.png"), full_page=True)
    portal.page.set_viewport_size({"width": 1280, "height": 800})

    portal.goto("/profile", "Your profile")
    expect(portal.main()).to_contain_text("Your account belongs to Example Partner Inc. in PartnerNet")


def _run_sync(stack) -> None:
    for _ in range(2):
        ran = requests.post(f"{stack.base}/_local/run/PartnerNetSyncFunction", timeout=30)
        assert ran.status_code == 200, ran.text


def _employees(stack, manager: dict[str, str], partner_id: str) -> list[str]:
    report = requests.get(f"{stack.api}/partners/{partner_id}/credentials", headers=manager, timeout=10)
    assert report.status_code == 200, report.text
    return [employee["name"] for employee in report.json()["employees"]]


def test_a_candidate_with_an_account_confirms_the_association_from_the_email(portal: Portal) -> None:
    stack = portal.stack
    lee = registered(stack, Candidate("leepark", "lee.park@fabrikam.example", "Quiet-Meadow-Lantern-31", "Lee", "Park"))
    # Contoso takes Fabrikam's domain on: Lee's address, registered before, belongs to the partner now.
    contoso = {
        "partner_id": "P-1003",
        "name": "Contoso Integration GmbH",
        "tier": "registered",
        "domains": ["contoso.example", "fabrikam.example"],
    }
    assert requests.post(f"{stack.base}/_local/partnernet/partners", json=contoso, timeout=10).status_code == 200
    add_contact(stack, "C-601", "kim.berg@contoso.example", "Kim", "Berg", manager=True, partner_id="P-1003")
    add_contact(stack, "C-602", "lee.park@fabrikam.example", "Lee", "Park", manager=False, partner_id="P-1003")
    _run_sync(stack)
    kim, kim_link = welcome(stack, "kim.berg@contoso.example")
    reset = {"token": kim_link.partition("#token=")[2], "new_password": PASSWORD}
    assert requests.post(f"{stack.api}/auth/password-reset", json=reset, timeout=10).status_code == 204
    manager = bearer(stack, Candidate(kim, "kim.berg@contoso.example", PASSWORD, "Kim", "Berg"))
    assert _employees(stack, manager, "P-1003") == ["Kim Berg"]  # Lee is only asked, not associated

    asked = [m for m in stack.mail() if lee.email in m["to"] and "/confirm-partner#token=" in m["text"]]
    assert len(asked) == 1
    assert "Contoso Integration GmbH" in asked[0]["subject"]
    token = stack.link_token(lee.email, "/confirm-partner")
    portal.goto(f"/confirm-partner#token={token}", "Confirm your company")
    assert "#token" not in portal.page.url
    question = portal.main()
    expect(question).to_contain_text("The partner company Contoso Integration GmbH asks to associate")
    expect(question).to_contain_text(lee.username)
    for width in (375, 1280):
        portal.page.set_viewport_size({"width": width, "height": 800})
        portal.page.screenshot(path=str(SCREENSHOTS / f"confirm-partner-{width}.png"), full_page=True)
    question.get_by_role("button", name="Confirm: I work for Contoso Integration GmbH").click()
    portal.says("Your account is now associated with Contoso Integration GmbH.")
    portal.page.screenshot(path=str(SCREENSHOTS / "confirm-partner-done.png"), full_page=True)
    assert sorted(_employees(stack, manager, "P-1003")) == ["Kim Berg", "Lee Park"]

    portal.sign_in(lee)
    portal.goto("/profile", "Your profile")
    expect(portal.main()).to_contain_text("Your account belongs to Contoso Integration GmbH in PartnerNet")
    # The link worked once.
    portal.goto(f"/confirm-partner#token={token}", "This link cannot be used")
    assert "invalid, used or expired" in portal.main().get_by_role("alert").inner_text()
