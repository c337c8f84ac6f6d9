"""The local stack's reset (POST /_local/reset), which gives each module of the e2e and browser rings the one stack
of its ring as it started: whatever a module did is gone, whatever the seed made is back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from infra import seed
from tests.e2e.conftest import started_fresh
from tests.e2e.test_hardening_reproductions import PASSWORD, verified_session


def test_a_reset_stack_keeps_nothing_a_module_did_and_has_the_seed_back(stack) -> None:
    auth = verified_session(stack, "leftover", "leftover@example.org")
    exam = {"exam_id": "250-580"}
    registered = requests.post(f"{stack.api}/me/exam-registrations", json=exam, headers=auth, timeout=10)
    assert registered.status_code == 201, registered.text
    assert requests.post(f"{stack.base}/_local/clock", json={"advance_days": 400}, timeout=10).status_code == 200
    assert requests.post(f"{stack.base}/_local/pearson-vue/outage", json={"seconds": 600}, timeout=10).ok
    assert requests.get(f"{stack.base}/_local/signals", timeout=10).json()["api"]

    stack = started_fresh(stack.base)

    now = datetime.fromisoformat(requests.get(f"{stack.base}/_local/clock", timeout=10).json()["now"])
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)
    assert stack.mail() == []
    assert requests.get(f"{stack.base}/_local/signals", timeout=10).json() == {"api": {}, "metrics": {}, "largest": {}}
    gone = requests.post(f"{stack.api}/auth/login", json={"username": "leftover", "password": PASSWORD}, timeout=10)
    assert gone.status_code == 401
    demo = requests.post(
        f"{stack.api}/auth/login", json={"username": seed.DEMO_USERNAME, "password": seed.DEMO_PASSWORD}, timeout=10
    )
    assert demo.status_code == 200, demo.text
    # The username and address are free again, and Pearson VUE answers (its outage was the module's).
    auth = verified_session(stack, "leftover", "leftover@example.org")
    again = requests.post(f"{stack.api}/me/exam-registrations", json=exam, headers=auth, timeout=10)
    assert again.status_code == 201, again.text
    assert requests.get(again.json()["scheduling_url"], timeout=10).status_code == 200
