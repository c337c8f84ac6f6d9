"""The local stack as a child process on free ports: for the e2e tests and the benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import requests

from infra import template

START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(log: IO[bytes], lines: int = 40) -> str:
    log.seek(0)
    return "\n".join(log.read().decode(errors="replace").splitlines()[-lines:])


@contextmanager
def local_stack() -> Iterator[str]:
    """Start `python -m infra.local` on free ports; yield its base URL; stop it, whatever happens."""
    port, aws_port = free_port(), free_port()
    # No AWS_* from the caller (tests set fake credentials, a developer may have real ones).
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CERTTRACKER_PORT=str(port), CERTTRACKER_AWS_PORT=str(aws_port), PYTHONUNBUFFERED="1")
    base = f"http://127.0.0.1:{port}"
    # Output to a file, not a pipe: an unread pipe that fills up would block the stack.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"], cwd=template.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    if requests.get(base + "/_local/health", timeout=1).ok:
                        break
                except requests.ConnectionError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the local stack did not start:\n{_tail(log)}")
                time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
