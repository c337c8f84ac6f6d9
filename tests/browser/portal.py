"""What the browser journeys share: a watched tab on the portal, axe-core on every page it reaches, and
candidates made through the API.

The journeys find things as a person does, by role, label and visible text (get_by_role, get_by_label),
never by CSS ids, so they hold while the pages' markup changes and they fail when a control loses its label.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack

# axe-core impacts that fail a page; "moderate" and "minor" are left to review.
FAILING_IMPACTS = ("serious", "critical")
# The API's designed answers (401 from GET /me when nobody is signed in, a wrong password, a lockout's 429)
# are logged by Chromium as failed resources; they are not page errors. A 5xx is (see Portal._response).
_EXPECTED_API_ANSWER = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d\b")
TIMEOUT_MS = 15_000


# Why a page scrolls sideways, or null: the page wider than its window (and the elements reaching past the window's
# right edge, widest first), or a box inside it that scrolls sideways because its content is wider than it (a table
# in its wrapper: on a phone its rows stack and must fit). Code blocks may scroll.
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const name = (e) => `${e.tagName.toLowerCase()}${e.className ? "." + e.className : ""}`;
  if (document.documentElement.scrollWidth > width) {
    const past = [...document.body.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > width + 0.5);
    const named = past.slice(0, 3).map((e) => `${name(e)} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return `${document.documentElement.scrollWidth} px wide in a ${width} px window; ${named.join(", ")}`;
  }
  const boxes = [...document.body.querySelectorAll("*")].filter((e) => e.tagName !== "PRE"
    && ["auto", "scroll"].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1);
  const scrolling = boxes.map((e) => `${name(e)} scrolls: ${e.scrollWidth} px in ${e.clientWidth} px`);
  return scrolling.length ? scrolling.join("; ") : null;
}"""


LEAKED_VALUE = re.compile(r"\b(?:null|undefined|NaN)\b|\[object \w+\]")


class Portal:
    """One tab on the portal. Console errors (CSP violations show there), uncaught exceptions and 5xx answers
    are collected; `arrive()` waits for a page to finish rendering, checks it with axe-core and fails on any
    of them."""

    def __init__(self, page: Page, stack: Stack) -> None:
        self.page = page
        self.stack = stack
        self.problems: list[str] = []
        self.checked: list[str] = []  # "path: heading" of each page axe looked at
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("response", self._response)

    # ------------------------------------------------------------------ watching
    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if _EXPECTED_API_ANSWER.match(message.text) and urlsplit(where).path.startswith("/api/"):
            return
        self.problems.append(f"console error: {message.text} ({where})")

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self.problems.append(f"{response.status} from {response.request.method} {urlsplit(response.url).path}")

    def assert_no_problems(self) -> None:
        problems, self.problems = self.problems, []
        assert not problems, "The page reported problems:\n" + "\n".join(problems)

    # ------------------------------------------------------------------ moving
    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    def goto(self, path: str, heading: str | re.Pattern[str] | None = None) -> Portal:
        self.page.goto(self.stack.base + path)
        return self.arrive(heading)

    def arrive(self, heading: str | re.Pattern[str] | None = None, *, axe: bool = True) -> Portal:
        """Wait until the router has rendered a page (main not busy, an h1), with `heading` if given; check it."""
        title = self.page.locator("main:not([aria-busy]) > h1")
        try:
            expect(title).to_have_count(1)
            if heading is not None:
                expect(title).to_have_text(heading)
        except AssertionError as error:
            self.assert_no_problems()  # the reason the page did not come, when the page said one
            raise error
        self.assert_no_problems()
        self.assert_no_leaked_values()
        wide = self.sideways()
        assert not wide, f"{self.path} scrolls sideways: {wide}"
        if axe:
            self.check_accessibility()
        return self

    def sideways(self) -> str | None:
        """None, or why the page is wider than its window: no page may scroll sideways, a phone's included."""
        return self.page.evaluate(SIDEWAYS)

    def assert_no_leaked_values(self) -> None:
        """No page shows a programming value as if it were words: null, undefined, NaN, [object Object]."""
        shown = self.page.locator("body").inner_text()
        leaked = LEAKED_VALUE.findall(shown)
        assert not leaked, f"{self.path} shows {sorted(set(leaked))} in its text:\n{shown}"

    def heading(self) -> str:
        return self.page.locator("main > h1").inner_text()

    def main(self) -> Any:
        return self.page.locator("main")

    def says(self, text: str | re.Pattern[str], role: str = "status") -> None:
        """A message with `role` (status: announced; alert: an error) in the page shows `text`."""
        expect(self.main().get_by_role(role).filter(has_text=text).first).to_be_visible()  # type: ignore[arg-type]

    def nav(self, name: str) -> Any:
        """A link or button of the site's main navigation."""
        navigation = self.page.get_by_role("navigation", name="Main")
        return navigation.get_by_role("link", name=name, exact=True).or_(
            navigation.get_by_role("button", name=name, exact=True)
        )

    # ------------------------------------------------------------------ axe-core
    def check_accessibility(self) -> None:
        """axe-core (the copy axe-playwright-python vendors) over the whole document: no serious or critical
        violation. Injected once per document: the portal moves between pages without reloading."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(AXE_SCRIPT)
        results = self.page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
        self.checked.append(f"{self.path}: {self.heading()}")
        failing = [v for v in results["violations"] if v.get("impact") in FAILING_IMPACTS]
        assert not failing, f"axe-core on {self.path} ({self.heading()!r}):\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} — at "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"][:8])
            for v in failing
        )

    # ------------------------------------------------------------------ signing in
    def sign_in(self, candidate: Candidate, *, password: str | None = None) -> Portal:
        """Sign in through the home page's form; arrive at the dashboard."""
        if self.path != "/" or self.heading() != "Welcome to CertTracker":
            self.goto("/", "Welcome to CertTracker")
        form = self.page.get_by_role("form", name="Sign in")
        form.get_by_label("Username").fill(candidate.username)
        form.get_by_label("Password").fill(password or candidate.password)
        form.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(re.compile(r"/dashboard$"))
        return self.arrive()

    def sign_out(self) -> Portal:
        self.nav("Sign out").click()
        return self.arrive("Welcome to CertTracker")

    def storage(self) -> dict[str, dict[str, str]]:
        """What the page keeps in localStorage and sessionStorage."""
        return self.page.evaluate(
            "() => Object.fromEntries([['local', localStorage], ['session', sessionStorage]].map(([name, store]) =>"
            " [name, Object.fromEntries(Object.keys(store).map((key) => [key, store.getItem(key)]))]))"
        )


# ---------------------------------------------------------------------- candidates
@dataclass
class Candidate:
    username: str
    email: str
    password: str
    first_name: str
    last_name: str
    country: str = "SG"

    def registration(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "email": self.email,
            "password": self.password,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "country": self.country,
            "accept_privacy_notice": True,
        }


_numbers = itertools.count(1)


def new_candidate(first_name: str = "Lin", last_name: str = "Chen") -> Candidate:
    """A candidate nobody has registered yet in this process (usernames and emails unique per stack)."""
    number = next(_numbers)
    username = f"{first_name.lower()}{number}"
    return Candidate(
        username=username,
        email=f"{username}@example.org",
        password=f"Orchid-Lantern-{first_name}-{number:03d}",
        first_name=first_name,
        last_name=last_name,
    )


def registered(stack: Stack, candidate: Candidate | None = None, *, verified: bool = True) -> Candidate:
    """Register `candidate` (or a new one) through the API and open its emailed verification link."""
    candidate = candidate or new_candidate()
    answer = requests.post(f"{stack.api}/auth/register", json=candidate.registration(), timeout=10)
    assert answer.status_code == 201, answer.text
    if verified:
        token = stack.link_token(candidate.email, "/verify-email")
        confirmed = requests.post(f"{stack.api}/auth/verify-email", json={"token": token}, timeout=10)
        assert confirmed.status_code == 200, confirmed.text
    return candidate


def bearer(stack: Stack, candidate: Candidate) -> dict[str, str]:
    """An Authorization header for `candidate`, to set up data through the API (a session of its own)."""
    login = requests.post(
        f"{stack.api}/auth/login", json={"username": candidate.username, "password": candidate.password}, timeout=10
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}
