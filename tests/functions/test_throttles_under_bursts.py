"""Every throttle holds under a burst: concurrent requests, each in a container of its own, as Lambda scales out.

The local gateway runs one request per function at a time, so only these in-process bursts can show it.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from certtracker.accounts.verification import EMAILS_PER_HOUR_FROM_PUBLIC_ROUTES
from certtracker.core import clock, throttling
from certtracker.models.accounts import Account
from certtracker.support.requests import ANONYMOUS_PER_ADDRESS, ANONYMOUS_PER_EMAIL
from infra import template
from infra.lambdas import load_functions
from infra.queues import sqs_event
from tests.functions.conftest import NEW_PASSWORD, PASSWORD, WRONG_PASSWORD, Api, error

BURST = 16
GUESSES = throttling.PER_USERNAME.failures

pytestmark = pytest.mark.usefixtures("dynamodb_writes_atomically")


def statuses(responses) -> Counter[int]:
    return Counter(response.status for response in responses)


def refused_alike(responses, code: str) -> None:
    """Every 429 of a burst is the throttle's own answer, with a Retry-After."""
    for response in responses:
        if response.status == 429:
            assert error(response, 429)["code"] == code
            assert int(response.header("Retry-After") or 0) > 0


# ---------------------------------------------------------------- passwords


def test_a_burst_of_logins_checks_at_most_the_allowed_number_of_passwords(api, candidate, password_checks):
    responses = api.burst(BURST, "POST", "/auth/login", {"username": "ada", "password": WRONG_PASSWORD})

    assert password_checks.count == GUESSES
    # The guesses that were checked answer as one after another would: the last of them locks the username.
    assert statuses(responses) == {401: GUESSES - 1, 429: BURST - GUESSES + 1}
    refused_alike(responses, "too_many_attempts")
    assert error(api.login("ada"), 429)["code"] == "too_many_attempts"  # the right password, while locked

    clock.advance(throttling.WINDOW.total_seconds() + 1)  # the window has passed: the next burst starts a new one
    again = api.burst(BURST, "POST", "/auth/login", {"username": "ada", "password": WRONG_PASSWORD})

    assert password_checks.count == 2 * GUESSES
    assert statuses(again) == statuses(responses)


def test_a_burst_of_logins_for_an_unknown_username_is_throttled_exactly_alike(api, candidate, password_checks):
    known = api.burst(BURST, "POST", "/auth/login", {"username": "ada", "password": WRONG_PASSWORD})
    checks_for_known = password_checks.count
    elsewhere = Api(api.gateway, source_ip="198.51.100.20")

    unknown = elsewhere.burst(BURST, "POST", "/auth/login", {"username": "nobody-here", "password": WRONG_PASSWORD})

    assert password_checks.count - checks_for_known == checks_for_known == GUESSES
    assert sorted((r.status, r.body) for r in unknown) == sorted((r.status, r.body) for r in known)


def test_a_burst_of_logins_from_one_address_checks_at_most_its_allowed_number_of_passwords(api, password_checks):
    left = 4  # guesses the address has left before the burst; fewer than the burst's username allows
    for n in range(throttling.PER_ADDRESS.failures - left):
        assert api.login(f"guess{n}", WRONG_PASSWORD).status == 401
    before = password_checks.count

    responses = api.burst(BURST, "POST", "/auth/login", {"username": "fresh-name", "password": WRONG_PASSWORD})

    assert password_checks.count - before == left
    assert statuses(responses) == {401: left - 1, 429: BURST - left + 1}
    refused_alike(responses, "too_many_attempts")


def test_a_burst_of_password_changes_checks_at_most_the_allowed_number_of_passwords(api, candidate, password_checks):
    before = Account.get(Account.key(api.call("GET", "/me", token=candidate["token"]).json()["account_id"]))
    checks_before = password_checks.count

    responses = api.burst(
        BURST,
        "PUT",
        "/me/password",
        {"current_password": WRONG_PASSWORD, "new_password": NEW_PASSWORD},
        token=candidate["token"],
    )

    assert password_checks.count - checks_before == GUESSES
    assert statuses(responses) == {403: GUESSES - 1, 429: BURST - GUESSES + 1}
    refused_alike(responses, "too_many_attempts")
    assert Account.get(before.pk).password_hash == before.password_hash


def test_a_burst_of_erasures_checks_at_most_the_allowed_number_of_passwords(api, candidate, password_checks):
    responses = api.burst(BURST, "DELETE", "/me", {"password": WRONG_PASSWORD}, token=candidate["token"])

    assert password_checks.count == GUESSES
    assert statuses(responses) == {403: GUESSES - 1, 429: BURST - GUESSES + 1}
    refused_alike(responses, "too_many_attempts")
    assert api.call("GET", "/me", token=candidate["token"]).status == 200


def test_successful_logins_do_not_count_against_their_address(api, candidate):
    # Attempts are counted before the check; a right password takes its attempt back from the address.
    for _ in range(throttling.PER_ADDRESS.failures + 1):
        assert api.login("ada", PASSWORD).status == 200


# ---------------------------------------------------------------- counted uses


def test_a_burst_of_anonymous_support_requests_accepts_only_the_limit(api, mail):
    body = {
        "name": "Lin Chen",
        "email": "lin@example.org",
        "category": "login",
        "subject": "Cannot log in",
        "message": "The reset link never arrives.",
    }

    limit, window = ANONYMOUS_PER_EMAIL
    assert ANONYMOUS_PER_ADDRESS[0] >= 8  # the burst comes from one client: only the email's limit is reached

    responses = api.burst(8, "POST", "/support/requests", body)

    assert statuses(responses) == {201: limit, 429: 8 - limit}
    refused_alike(responses, "too_many_support_requests")

    clock.advance(window.total_seconds() + 1)  # the next burst races to start a new window
    again = api.burst(8, "POST", "/support/requests", {**body, "subject": "Still cannot log in"})

    assert statuses(again) == {201: limit, 429: 8 - limit}


def test_a_burst_of_password_recovery_requests_sends_at_most_the_hourly_limit_of_emails(api, mail, candidate):
    sent_before = len(mail.to("ada@example.org"))

    responses = api.burst(BURST, "POST", "/auth/recovery/password", {"username_or_email": "ada"})
    # The route only queues; the queue's consumer sends. Lambda may run a consumer per message at once.
    consumed = consume_at_once("RecoveryQueue", "RecoveryMailFunction")

    assert statuses(responses) == {202: BURST}
    assert consumed == BURST
    assert len(mail.to("ada@example.org")) - sent_before == EMAILS_PER_HOUR_FROM_PUBLIC_ROUTES


def consume_at_once(queue: str, function: str) -> int:
    """Every message on `queue`, each handed at the same moment to a container of its own of `function`."""
    sqs = boto3.client("sqs")
    messages: list[dict] = []
    while batch := sqs.receive_message(QueueUrl=template.queue_url(queue), MaxNumberOfMessages=10).get("Messages"):
        messages += batch
    containers = [load_functions()[function] for _ in messages]
    for container in containers:
        container.load()
    start = threading.Barrier(len(messages))

    def one(container_and_message: tuple) -> None:
        container, message = container_and_message
        start.wait()
        container.invoke(sqs_event(queue, [message]), serialized=False)

    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        list(pool.map(one, zip(containers, messages, strict=True)))
    return len(messages)
