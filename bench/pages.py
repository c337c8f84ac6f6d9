"""The page budget: each route of web/app.js loaded in headless Chromium on the local stack, with an empty
cache, counting what the browser fetches until the network is idle.

Budget per page (issue 11): at most 60 KB of HTML+CSS+JS before compression and at most 6 requests. Calls
to /api are left out of both and reported beside them. Signed-in routes are loaded as the demo candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from infra import browser
from infra.process import local_stack

BUDGET_BYTES = 60 * 1024
BUDGET_REQUESTS = 6
# infra/seed.py's demo candidate; importing seed would load the layer's table models into this process.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "Certified-Sunrise-4821"
FAILED_TITLES = ("Something went wrong", "Page not found")


class NoBrowser(Exception):
    pass


@dataclass
class PageLoad:
    route: browser.Route
    files: list[tuple[str, int]] = field(default_factory=list)  # (path, bytes) of each request outside /api
    api_calls: list[str] = field(default_factory=list)  # "GET /api/me 200"
    api_bytes: int = 0
    error: str | None = None

    @property
    def requests(self) -> int:
        return len(self.files)

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.files)

    @property
    def modules(self) -> list[str]:
        """The page's own scripts: what it fetches beyond the shell (index.html, app.css, app.js, core.js)."""
        return [path.removeprefix("/pages/") for path, _ in self.files if path.startswith("/pages/")]

    @property
    def over_budget(self) -> list[str]:
        over = []
        if self.bytes > BUDGET_BYTES:
            over.append(f"{self.bytes / 1024:.1f} KB > {BUDGET_BYTES // 1024} KB")
        if self.requests > BUDGET_REQUESTS:
            over.append(f"{self.requests} requests > {BUDGET_REQUESTS}")
        return over


def _load(chromium: Any, base: str, route: browser.Route, state: dict[str, Any] | None) -> PageLoad:
    result = PageLoad(route)
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, storage_state=state)
    try:
        page = context.new_page()
        finished: list[Any] = []
        problems: list[str] = []
        page.on("requestfinished", lambda request: finished.append(request))
        page.on("requestfailed", lambda request: problems.append(f"{request.url} failed: {request.failure}"))
        page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
        page.goto(base + route.path)
        title = page.locator("main:not([aria-busy]) > h1")
        title.wait_for(timeout=15_000)
        page.wait_for_load_state("networkidle")
        heading = title.inner_text()
        for request in finished:
            url = urlsplit(request.url)
            if url.scheme not in ("http", "https"):
                continue  # data: URLs (the favicon) cost no request
            response = request.response()
            status = response.status if response else 0
            size = len(response.body()) if response and status not in (204, 304) else 0
            if url.path.startswith("/api/"):
                result.api_calls.append(f"{request.method} {url.path} {status}")
                result.api_bytes += size
            else:
                result.files.append((url.path, size))
                if status >= 400:
                    problems.append(f"{url.path} answered {status}")
        if heading in FAILED_TITLES:
            problems.insert(0, f"the page says {heading!r}")
        if route.signed_in and page.url.rstrip("/") == base:
            problems.insert(0, "sent to sign in: the demo candidate's session did not hold")
        result.error = "; ".join(problems) or None
    except Exception as error:  # a page that does not render is reported, and the others are still measured
        result.error = f"{type(error).__name__}: {error}".splitlines()[0]
    finally:
        context.close()
    return result


def measure() -> list[PageLoad]:
    from playwright.sync_api import sync_playwright

    executable = browser.chromium_path()
    if executable is None:
        raise NoBrowser("Chromium is not installed (apt-get install chromium), so no page could be measured")
    with local_stack() as base, sync_playwright() as playwright:
        chromium = browser.launch(playwright, executable)
        try:
            signing_in = chromium.new_context()
            answer = signing_in.request.post(
                base + "/api/auth/login", data={"username": DEMO_USERNAME, "password": DEMO_PASSWORD}
            )
            if not answer.ok:
                raise RuntimeError(f"the demo candidate could not sign in: {answer.status} {answer.text()}")
            state = signing_in.storage_state()
            signing_in.close()
            return [_load(chromium, base, route, state if route.signed_in else None) for route in browser.routes()]
        finally:
            chromium.close()
