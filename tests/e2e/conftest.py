"""E2E ring: the local stack (`make run`) started in a subprocess on free ports, used over HTTP."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    port, aws_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CERTTRACKER_PORT=str(port), CERTTRACKER_AWS_PORT=str(aws_port), PYTHONUNBUFFERED="1")
    # Output to a file, not a pipe: an unread pipe that fills up would block the stack.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/_local/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                log.seek(0)
                raise RuntimeError(f"the local stack did not start:\n{log.read().decode(errors='replace')}")
            time.sleep(0.2)
        yield Stack(base)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
