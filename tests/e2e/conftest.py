"""E2E ring: the local stack (`make run`) started in a subprocess on free ports, used over HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from infra.process import local_stack


class Stack:
    def __init__(self, base: str) -> None:
        self.base = base
        self.api = base + "/api"

    def mail(self) -> list[dict]:
        return requests.get(self.base + "/_local/mail", headers={"Accept": "application/json"}, timeout=10).json()

    def link_token(self, address: str, path: str) -> str:
        for message in self.mail():
            found = re.search(re.escape(path) + r"#token=([A-Za-z0-9_-]+)", message["text"])
            if address in message["to"] and found:
                return found.group(1)
        raise AssertionError(f"no {path} link was sent to {address}")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """A fresh stack per test module, so one module's lockouts and data never reach another."""
    with local_stack() as base:
        yield Stack(base)
