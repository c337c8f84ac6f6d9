"""A candidate's journeys through the portal in Chromium, one per feature, as a person does them: by the
visible labels, headings and buttons. Every page reached is checked with axe-core and for console errors."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import expect

from tests.browser.portal import Portal, bearer, new_candidate, registered

SIGNED_IN_PATHS = ["/dashboard", "/profile", "/preferences", "/privacy", "/exams/registrations", "/exams/history"]
SIGNED_IN_PATHS += ["/support"]
# The lockout's words: the API says "Wait N minutes and try again", the page adds Retry-After as "Try again in
# N minutes" unless the message already says when.
HOW_LONG = re.compile(r"(try again in|wait) \d+ minutes?", re.IGNORECASE)


def _any(*words: str) -> re.Pattern[str]:
    return re.compile("|".join(words), re.IGNORECASE)


def test_a_new_candidate_registers_confirms_edits_registers_for_an_exam_sees_the_result_and_asks_support(
    portal: Portal,
) -> None:
    stack, page = portal.stack, portal.page
    candidate = new_candidate("Mei", "Tanaka")

    # Register: the privacy notice accepted, marketing left unticked.
    portal.goto("/", "Welcome to CertTracker")
    portal.main().get_by_role("link", name="Create an account").click()
    portal.arrive(_any("create", "register"))
    form = portal.main()
    form.get_by_label("Username").fill(candidate.username)
    form.get_by_label("Email address").fill(candidate.email)
    form.get_by_label("Password", exact=True).fill(candidate.password)
    form.get_by_label("First name").fill(candidate.first_name)
    form.get_by_label("Last name").fill(candidate.last_name)
    form.get_by_label("Country").select_option(candidate.country)
    expect(form.get_by_label(_any("news", "marketing"))).not_to_be_checked()
    form.get_by_label(_any("accept the privacy notice")).check()
    form.get_by_role("button", name=_any("create", "register")).click()
    portal.arrive(_any("check your email"))
    expect(portal.main()).to_contain_text(candidate.email)

    # The emailed link, from the local mailbox, opened in the browser.
    token = stack.link_token(candidate.email, "/verify-email")
    portal.goto(f"/verify-email#token={token}", "Email address confirmed")
    portal.main().get_by_role("link", name="Sign in").click()
    portal.arrive("Welcome to CertTracker")
    portal.sign_in(candidate)
    expect(portal.main()).to_contain_text(candidate.first_name)
    assert portal.storage()["local"] == {}, "nothing is kept in localStorage"

    # Edit the profile; the change is there after a reload.
    portal.nav("Profile").click()
    portal.arrive(_any("profile"))
    portal.main().get_by_label("Job role").fill("Security engineer")
    portal.main().get_by_role("button", name=_any("save")).first.click()
    portal.says(_any("saved", "updated", "changed"))
    page.reload()
    portal.arrive(_any("profile"), axe=False)
    expect(portal.main().get_by_label("Job role")).to_have_value("Security engineer")

    # Register for an exam: the Pearson VUE scheduling link.
    portal.nav("Exams").click()
    portal.arrive(_any("exams"))
    portal.main().get_by_role("button", name=re.compile(r"Register for 250-580")).click()
    portal.says(_any("registered for 250-580"))
    expect(portal.main().get_by_role("link", name=_any("pearson vue", "schedule")).first).to_be_visible()
    portal.check_accessibility()

    # The Pearson VUE stand-in posts a signed result; it shows in the history.
    mine = page.request.get(f"{stack.api}/me/exam-registrations").json()["registrations"]
    delivered = requests.post(
        f"{stack.base}/_local/pearson-vue/results",
        json={"registration_id": mine[0]["registration_id"], "score": 84, "passed": True},
        timeout=20,
    )
    assert [d["body"]["status"] for d in delivered.json()["deliveries"]] == ["stored"]
    portal.nav("History").click()
    portal.arrive(_any("history"))
    expect(portal.main()).to_contain_text("250-580")
    expect(portal.main()).to_contain_text("84")

    # File a support request: its reference is shown.
    portal.nav("Support").click()
    portal.arrive(_any("support"))
    portal.main().get_by_label(_any("topic", "category")).select_option("exams")
    portal.main().get_by_label("Subject").fill("Voucher not accepted")
    portal.main().get_by_label("Message").fill("The test center did not accept my voucher for 250-580.")
    portal.main().get_by_role("button", name=_any("send", "submit")).click()
    reference = page.request.get(f"{stack.api}/me/support-requests").json()["requests"][0]["reference"]
    portal.says(reference)
    portal.check_accessibility()

    # Sign out: the session is over, in the browser and at the API.
    portal.sign_out()
    portal.says("You are signed out")
    assert portal.storage() == {"local": {}, "session": {}}
    assert page.request.get(f"{stack.api}/me").status == 401
    portal.goto("/profile", "Welcome to CertTracker")
    portal.says("Sign in to continue")


def test_a_forgotten_password_is_reset_from_the_emailed_link_and_the_new_one_signs_in(portal: Portal) -> None:
    candidate = registered(portal.stack, new_candidate("Omar", "Haddad"))
    portal.goto("/", "Welcome to CertTracker")
    portal.main().get_by_role("link", name="Forgot your username or password?").first.click()
    portal.arrive(_any("recovery", "recover"))
    portal.main().get_by_label("Username or email address").fill(candidate.username)
    portal.main().get_by_role("button", name=_any("reset link")).click()
    portal.says("If an account matches")

    token = portal.stack.link_token(candidate.email, "/reset-password")
    portal.goto(f"/reset-password#token={token}", "Choose a new password")
    portal.page.get_by_label("New password").fill("Juniper-Compass-Meadow-19")
    portal.page.get_by_role("button", name="Set the new password").click()
    portal.arrive("Your password is changed")
    portal.main().get_by_role("link", name="Sign in").click()
    portal.arrive("Welcome to CertTracker")
    portal.sign_in(candidate, password="Juniper-Compass-Meadow-19")


def test_repeated_wrong_passwords_lock_the_sign_in_and_the_page_says_for_how_long(portal: Portal) -> None:
    candidate = registered(portal.stack, new_candidate("Ines", "Moreau"))
    portal.goto("/", "Welcome to CertTracker")
    form = portal.page.get_by_role("form", name="Sign in")
    said = []
    for attempt in range(8):
        form.get_by_label("Username").fill(candidate.username)
        form.get_by_label("Password").fill(f"Not-the-password-{attempt}")
        with portal.page.expect_response(re.compile(r"/api/auth/login$")) as answer:
            form.get_by_role("button", name="Sign in").click()
        said.append(form.get_by_role("alert").inner_text())
        if answer.value.status == 429:
            break
    assert answer.value.status == 429, said
    assert said[0] == "The username or password is wrong."
    assert HOW_LONG.search(said[-1]), said[-1]
    expect(form.get_by_label("Username")).to_have_value(candidate.username)  # what was typed stays
    portal.check_accessibility()

    # While locked, even the right password is refused, with the same words.
    form.get_by_label("Password").fill(candidate.password)
    form.get_by_role("button", name="Sign in").click()
    expect(form.get_by_role("alert")).to_contain_text(HOW_LONG)
    assert portal.path == "/"


def test_a_candidate_signs_in_with_the_keyboard_alone(portal: Portal) -> None:
    candidate = registered(portal.stack, new_candidate("Kofi", "Mensah"))
    portal.goto("/", "Welcome to CertTracker")
    keyboard = portal.page.keyboard
    form = portal.page.get_by_role("form", name="Sign in")

    def focused(locator: object) -> bool:
        return bool(locator.evaluate("(element) => element === document.activeElement"))  # type: ignore[attr-defined]

    username = form.get_by_label("Username")
    for _ in range(40):
        keyboard.press("Tab")
        if focused(username):
            break
    assert focused(username), "Tab never reached the username field"
    assert username.evaluate("(element) => element.matches(':focus-visible')"), "the focus is not visible"
    keyboard.type(candidate.username)
    keyboard.press("Tab")
    assert focused(form.get_by_label("Password")), "Tab from the username does not reach the password"
    keyboard.type(candidate.password)
    keyboard.press("Enter")
    portal.page.wait_for_url(re.compile(r"/dashboard$"))
    portal.arrive()
    expect(portal.main()).to_contain_text(candidate.first_name)


def test_a_second_candidate_never_sees_the_first_ones_data(portal: Portal) -> None:
    stack, page = portal.stack, portal.page
    first = registered(stack, new_candidate("Zephyrine", "Quillfeather"))
    second = registered(stack, new_candidate("Bruno", "Costa"))
    auth = bearer(stack, first)
    made = requests.post(f"{stack.api}/me/exam-registrations", json={"exam_id": "250-587"}, headers=auth, timeout=20)
    assert made.status_code == 201, made.text
    requests.post(
        f"{stack.base}/_local/pearson-vue/results",
        json={"registration_id": made.json()["registration_id"], "score": 91, "passed": True},
        timeout=20,
    )
    filed = requests.post(
        f"{stack.api}/me/support-requests",
        json={"category": "other", "subject": "Zephyrine's certificate", "message": "Please resend my certificate."},
        headers=auth,
        timeout=10,
    )
    assert filed.status_code == 201, filed.text
    secrets = [first.first_name, first.last_name, first.username, first.email, filed.json()["reference"]]

    # The first candidate sees their own data, so the pages (and whatever they keep) have held it.
    portal.sign_in(first)
    for path in SIGNED_IN_PATHS:
        portal.goto(path)
    expect(portal.main()).to_contain_text(filed.json()["reference"])
    portal.sign_out()

    # The second, in the same tab: nothing of the first, on any page, reached by link or by address.
    portal.sign_in(second)
    for path in SIGNED_IN_PATHS:
        portal.goto(path)
        shown = page.content()
        assert not [secret for secret in secrets if secret in shown], f"{path} shows the first candidate's data"
        if path != "/exams":
            assert "250-587" not in portal.main().inner_text(), f"{path} shows the first candidate's exam"
    for name in ["Dashboard", "History", "Support"]:
        portal.nav(name).click()
        portal.arrive(axe=False)
        assert not [secret for secret in secrets if secret in page.content()]


def test_a_signed_out_visit_to_a_page_returns_there_after_signing_in(portal: Portal) -> None:
    candidate = registered(portal.stack, new_candidate("Aiko", "Tanaka"))
    portal.goto("/exams/history?result=failed", "Welcome to CertTracker")
    portal.says("Sign in to continue")
    form = portal.page.get_by_role("form", name="Sign in")
    form.get_by_label("Username").fill(candidate.username)
    form.get_by_label("Password").fill(candidate.password)
    form.get_by_role("button", name="Sign in").click()
    portal.page.wait_for_url(re.compile(r"/exams/history\?result=failed$"))
    portal.arrive()
    # Only a path inside the portal is followed after sign-in, never another site.
    portal.page.context.clear_cookies()
    portal.goto("/?next=//evil.example/steal", "Welcome to CertTracker")
    form.get_by_label("Username").fill(candidate.username)
    form.get_by_label("Password").fill(candidate.password)
    form.get_by_role("button", name="Sign in").click()
    portal.page.wait_for_url(re.compile(r"/dashboard$"))
