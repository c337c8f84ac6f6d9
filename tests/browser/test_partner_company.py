"""PartnerNet provisioning and partner credit in the browser (issue 15): contacts added at the PartnerNet stand-in,
the sync run twice, one set-password email per contact; the manager sets a password, signs in, an employee
passes an exam, and the manager sees the company's credit report and can download it as CSV."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.browser.portal import Candidate, Portal, bearer
from tests.browser.test_credentials import CERT_EP, passes
from tests.browser.test_screenshots import SCREENSHOTS

PASSWORD = "Harbor-Quietly-Sings-58"


def add_contact(stack, contact_id: str, email: str, first: str, last: str, manager: bool) -> None:
    body = {
        "contact_id": contact_id,
        "partner_id": "P-1001",
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
    portal.main().get_by_label("Password").fill(PASSWORD)
    portal.main().get_by_role("button", name="Set the password").click()
    portal.arrive("Your password is set")
    portal.sign_in(Candidate(marta, "marta.lind@partner.example.com", PASSWORD, "Marta", "Lind"))
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

    portal.goto("/profile", "Your profile")
    expect(portal.main()).to_contain_text("associated with partner P-1001 through PartnerNet")
