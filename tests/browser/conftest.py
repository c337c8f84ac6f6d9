"""Browser ring: the portal's pages in headless Chromium (Debian's, by path) driven by Playwright, against the
local stack (`make run`), started once for the ring and put back as it started for each test module.

One Chromium for the ring, a fresh browser context (cookies, storage, cache) per test. Without Chromium the
ring skips, saying so; in CI (CI=true, where .ci/run installs Chromium) it fails instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, NoReturn

import pytest
from playwright.sync_api import sync_playwright

from infra import browser
from infra.process import local_stack
from tests.browser.portal import Portal
from tests.e2e.conftest import Stack, started_fresh

IN_CI = os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"{reason}: in CI the browser ring must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the whole ring (Playwright's Browser)."""
    executable = browser.chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (.ci/run installs Debian's chromium)")
    with sync_playwright() as playwright:
        launched = browser.launch(playwright, executable)
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def running_stack(chromium: Any) -> Iterator[str]:
    """One local stack for the ring (per xdist worker). Asks for the browser first, so a missing Chromium skips
    before a stack is started for nothing."""
    with local_stack() as base:
        yield base


@pytest.fixture(scope="module")
def stack(running_stack: str) -> Stack:
    """The stack as it started, for each test module, so one module's lockouts and data never reach another."""
    return started_fresh(running_stack)


@pytest.fixture
def context(chromium: Any) -> Iterator[Any]:
    """A fresh browser context per test: no cookie, storage or cache from another test. 1280 x 800, light."""
    opened = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB", color_scheme="light")
    yield opened
    opened.close()


@pytest.fixture
def portal(context: Any, stack: Stack) -> Iterator[Portal]:
    """A watched tab (tests/browser/portal.py); what it saw after the last page it checked fails the test too."""
    tab = Portal(context.new_page(), stack)
    yield tab
    tab.assert_no_problems()
