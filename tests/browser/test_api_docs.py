"""Swagger UI at /api/docs in Chromium: it lists every operation of the API's document under the portal's own
Content-Security-Policy (the deployed one, WebHeadersPolicy), with no request to another origin and no policy
violation; screenshots at 375 and 1280 px in screenshots/api-docs-<width>.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect

from infra import template
from tests.e2e.conftest import Stack

SCREENSHOTS = template.ROOT / "screenshots"
# Chromium reports a blocked load or script in the console too; this catches what it would only report here.
RECORD_VIOLATIONS = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) =>
  window.policyViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`));
"""


def _operations(stack: Stack) -> set[tuple[str, str]]:
    document = requests.get(f"{stack.api}/openapi.json", timeout=10).json()
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


@pytest.fixture(params=[375, 1280], ids=lambda width: f"{width}px")
def page(request: pytest.FixtureRequest, chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": request.param, "height": 900}, locale="en-GB")
    yield context.new_page()
    context.close()


def test_api_docs_lists_every_operation_under_the_pages_policy_loading_nothing_from_elsewhere(
    page: Any, stack: Stack
) -> None:
    width = page.viewport_size["width"]
    requested: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(f"uncaught exception: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)

    answer = page.goto(f"{stack.base}/api/docs")
    assert answer is not None
    assert answer.status == 200
    portal = requests.get(f"{stack.base}/", timeout=10)
    policy = answer.headers["content-security-policy"]
    assert policy == portal.headers["Content-Security-Policy"] == template.page_headers()["Content-Security-Policy"]

    summaries = page.locator(".opblock-summary")
    expect(summaries.first).to_be_visible()
    shown = {
        (method.upper(), path)
        for method, path in page.eval_on_selector_all(
            ".opblock-summary",
            "blocks => blocks.map(b => [b.querySelector('.opblock-summary-method').textContent,"
            " b.querySelector('.opblock-summary-path').dataset.path])",
        )
    }
    assert shown == _operations(stack)
    # An opened operation renders its schema and a highlighted example: more of Swagger UI under the policy.
    summaries.filter(has_text="/auth/login").first.click()
    expect(page.locator(".opblock.is-open .highlight-code").first).to_be_visible()

    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"api-docs-{width}.png", full_page=True)
    assert page.evaluate("window.policyViolations") == []
    assert problems == []
    origin = urlsplit(stack.base)
    elsewhere = [url for url in requested if urlsplit(url)[:2] != origin[:2] and not url.startswith("data:")]
    assert elsewhere == []
    assert {urlsplit(url).path for url in requested} >= {"/swagger-ui/swagger-ui-bundle.js", "/api/openapi.json"}
