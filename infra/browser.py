"""Headless Chromium for the browser tests (tests/browser) and the page budget (bench/pages.py).

Debian's Chromium, launched by path through Playwright: Playwright never downloads a browser here
(PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD, and no `playwright install`). `.ci/run` installs the package; elsewhere
CERTTRACKER_CHROMIUM may name another Chromium. The portal's routes are read from web/app.js's ROUTES table,
so a page added there is measured and photographed without touching the tests.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
from dataclasses import dataclass
from typing import Any

from infra import template

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

APP_JS = template.ROOT / "web" / "app.js"
# Stable, quiet runs: no GPU, /tmp rather than a small /dev/shm, nothing fetched by the browser itself.
LAUNCH_ARGS = ["--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--disable-background-networking"]


def chromium_path() -> str | None:
    """The Chromium to drive, or None when there is none."""
    configured = os.environ.get("CERTTRACKER_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Any, executable: str) -> Any:
    """A headless Chromium (Playwright's Browser) from `executable`; Playwright adds --no-sandbox itself."""
    return playwright.chromium.launch(executable_path=executable, headless=True, args=LAUNCH_ARGS)


@dataclass(frozen=True)
class Route:
    path: str
    module: str
    signed_in: bool

    @property
    def name(self) -> str:
        """A file name for the route: "home" for "/", "exams-history" for "/exams/history"."""
        return self.path.strip("/").replace("/", "-") or "home"


_ROUTE = re.compile(r'^\s*"(/[^"]*)":\s*\[\s*"([^"]+)",\s*(true|false)\s*\],?\s*$', re.MULTILINE)


_WITH_PARAMETER = re.compile(r'"(/[^"]*)":\s*\[\s*"([^"]+)",\s*(true|false)\s*\]')


def opens_a_page(path: str) -> bool:
    """Whether web/app.js's router shows a page for `path` (a path without query or fragment), as its `routeOf`
    resolves one: a path of ROUTES, or `<prefix>/<one segment>` for a prefix of WITH_PARAMETER. Anything else is
    its "Page not found"."""
    exact, with_parameter = _page_paths()
    prefix, _, parameter = path.rpartition("/")
    return path in exact or (bool(parameter) and prefix in with_parameter)


@functools.cache
def _page_paths() -> tuple[frozenset[str], frozenset[str]]:
    """The router's paths and its prefixes that take one segment more, read from web/app.js once."""
    block = APP_JS.read_text(encoding="utf-8").split("const WITH_PARAMETER = {", 1)[1].split("};", 1)[0]
    prefixes = frozenset(found for found, _, _ in _WITH_PARAMETER.findall(block))
    return frozenset(route.path for route in routes()), prefixes


def routes() -> list[Route]:
    """Every route of web/app.js's ROUTES table, in its order."""
    block = APP_JS.read_text(encoding="utf-8").split("const ROUTES = {", 1)[1].split("};", 1)[0]
    found = [Route(path, module, flag == "true") for path, module, flag in _ROUTE.findall(block)]
    if not found:
        raise RuntimeError("no route found in web/app.js's ROUTES table")
    return found
