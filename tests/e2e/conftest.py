"""E2E ring: the local stack (`make run`) started in a subprocess on free ports, used over HTTP."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
import requests

from infra.process import local_stack


class Stack:
    def __init__(self, base: str) -> None:
        self.base = base
        self.api = base + "/api"

    def mail(self) -> list[dict]:
        return requests.get(self.base + "/_local/mail", headers={"Accept": "application/json"}, timeout=10).json()

    def wait_for_mail(self, matches: Callable[[dict], bool], timeout: float = 15.0) -> dict:
        """The newest email that `matches`, waiting for it: some are sent from a queue, a moment later."""
        deadline = time.monotonic() + timeout
        while True:
            found = next((message for message in self.mail() if matches(message)), None)
            if found is not None:
                return found
            if time.monotonic() > deadline:
                raise AssertionError("no such email arrived")
            time.sleep(0.2)

    def passes(self, auth: dict[str, str], exam_id: str, score: int = 84) -> None:
        """Register for `exam_id` and have the Pearson VUE stand-in post a pass to the webhook."""
        registered = requests.post(
            f"{self.api}/me/exam-registrations", json={"exam_id": exam_id}, headers=auth, timeout=10
        )
        assert registered.status_code == 201, registered.text
        delivered = requests.post(
            f"{self.base}/_local/pearson-vue/results",
            timeout=20,
            json={"registration_id": registered.json()["registration_id"], "score": score, "passed": True},
        )
        assert delivered.status_code == 200, delivered.text

    def link_token(self, address: str, path: str) -> str:
        pattern = re.escape(path) + r"#token=([A-Za-z0-9_-]+)"
        message = self.wait_for_mail(lambda m: address in m["to"] and re.search(pattern, m["text"]) is not None)
        return re.search(pattern, message["text"]).group(1)  # type: ignore[union-attr]


def started_fresh(base: str) -> Stack:
    """The running stack put back as it started (POST /_local/reset: its seeded data, clock, mail and stand-ins)."""
    reset = requests.post(base + "/_local/reset", timeout=60)
    assert reset.status_code == 200, reset.text
    return Stack(base)


@pytest.fixture(scope="package")
def running_stack() -> Iterator[str]:
    """One local stack for the ring (per xdist worker): starting one costs seconds of CPU, a reset a fraction."""
    with local_stack() as base:
        yield base


@pytest.fixture(scope="module")
def stack(running_stack: str) -> Stack:
    """The stack as it started, for each test module, so one module's lockouts and data never reach another."""
    return started_fresh(running_stack)
