"""A normal day trips no alarm (issue 23): a signed-out visitor's pages make no request that answers 4xx (each
one would count on the API's 4xx alarm), and a day of ordinary use leaves every alarmed business metric below
its alarm's threshold, read from the local stack's tally of what the functions counted (GET /_local/signals).
"""

from __future__ import annotations

import operator
from typing import Any
from urllib.parse import urlsplit

import requests

from infra import template
from tests.browser.portal import Portal, new_candidate, registered

PUBLIC_PAGES = {
    "/": "Welcome to CertTracker",
    "/register": None,
    "/recover": None,
    "/faq": None,
    "/contact": None,
    "/verify": None,
}
REACHED = {
    "GreaterThanThreshold": operator.gt,
    "GreaterThanOrEqualToThreshold": operator.ge,
}


def signals(portal: Portal) -> dict[str, Any]:
    answer = requests.get(portal.stack.base + "/_local/signals", timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def client_errors(portal: Portal) -> list[str]:
    """Every API answer the tab receives from now on that is a 4xx, as "STATUS METHOD PATH"."""
    seen: list[str] = []

    def watch(response: Any) -> None:
        path = urlsplit(response.url).path
        if path.startswith("/api/") and 400 <= response.status < 500:
            seen.append(f"{response.status} {response.request.method} {path}")

    portal.page.on("response", watch)
    return seen


def visit_public_pages(portal: Portal) -> None:
    for path, heading in PUBLIC_PAGES.items():
        portal.goto(path, heading)


def test_a_signed_out_visitor_makes_no_request_that_answers_4xx(portal: Portal) -> None:
    seen = client_errors(portal)
    visit_public_pages(portal)
    portal.goto("/dashboard", "Welcome to CertTracker")  # a signed-in page sends the visitor to sign in
    portal.says("Sign in to continue")

    assert seen == []


def test_after_signing_out_and_when_a_session_ends_elsewhere_the_pages_stop_asking(portal: Portal) -> None:
    candidate = registered(portal.stack, new_candidate("Noor", "Haddad"))
    portal.sign_in(candidate)
    portal.sign_out()
    seen = client_errors(portal)
    visit_public_pages(portal)
    assert seen == []

    portal.sign_in(candidate)
    # The session ends on the server (as a timeout or a sign-out in another tab would), the marker stays: the
    # next page asks once, hears 401, and forgets the marker; after that nothing is asked.
    portal.page.context.clear_cookies(name="session")
    portal.page.reload()
    portal.arrive("Welcome to CertTracker")
    assert seen == ["401 GET /api/me"]
    visit_public_pages(portal)
    assert seen == ["401 GET /api/me"]


def _alarmed_custom_metrics() -> list[tuple[str, dict[str, Any]]]:
    alarms = template.resources("AWS::CloudWatch::Alarm")
    return [
        (name, alarm["Properties"])
        for name, alarm in sorted(alarms.items())
        if alarm["Properties"].get("Namespace") == "CertTracker"
    ]


def test_a_day_of_ordinary_use_trips_no_alarm(portal: Portal) -> None:
    before = signals(portal)
    seen = client_errors(portal)

    visit_public_pages(portal)
    candidate = registered(portal.stack, new_candidate("Tomas", "Ferreira"))
    portal.sign_in(candidate)
    for path in ("/dashboard", "/exams", "/exams/registrations", "/exams/history", "/credentials", "/profile"):
        portal.goto(path)
    portal.goto("/support")
    portal.sign_out()
    visit_public_pages(portal)

    after = signals(portal)
    assert seen == []
    answers = {kind: after["api"].get(kind, 0) - before["api"].get(kind, 0) for kind in ("4xx", "5xx", "count")}
    assert answers["count"] > 0
    assert (answers["4xx"], answers["5xx"]) == (0, 0)
    counted = {name: after["metrics"][name] - before["metrics"].get(name, 0) for name in after["metrics"]}
    assert (counted["AccountRegistered"], counted["LoginSucceeded"]) == (1, 1)  # the tally hears the functions
    tripped = []
    for name, alarm in _alarmed_custom_metrics():
        metric = alarm["MetricName"]
        if alarm.get("Statistic") == "Sum":
            value = after["metrics"].get(metric, 0) - before["metrics"].get(metric, 0)
        else:  # Maximum, Average or a percentile stays at or under the largest value
            value = after["largest"].get(metric, 0)
        if value and REACHED[alarm["ComparisonOperator"]](value, alarm["Threshold"]):
            tripped.append(f"{name}: {metric} = {value}")
    assert tripped == []
