"""certtracker.core.deadline: the time left, what is kept back, and botocore attempts fitted into it."""

from __future__ import annotations

import math
import time
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from certtracker.core import deadline


class _Context:
    def __init__(self, remaining_ms: int) -> None:
        self._end = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self._end - time.monotonic()) * 1000)


class _Body:
    def stream(self, **_: Any) -> Any:
        yield b'{"message": "Service unavailable"}'


def test_the_budget_is_the_context_s_time_less_what_is_kept_and_ends_with_the_invocation() -> None:
    assert deadline.remaining() == math.inf
    with deadline.started(_Context(3000)):
        assert 2.4 < deadline.remaining() <= 3.0 - deadline.ANSWER_RESERVE_S
        with deadline.keeping(1.5):
            assert 0.9 < deadline.remaining() <= 1.0
            assert deadline.read_timeout(0.5, 5.0) is not None
            with deadline.keeping(0.5):
                assert deadline.read_timeout(0.5, 5.0) is None  # 0.5 s left, all of it for connecting
        assert deadline.read_timeout(0.5, 1.0) == 1.0  # never longer than configured
    assert deadline.remaining() == math.inf


def _ses(pause_s: float, calls: list[float]) -> Any:
    """An SES client whose every attempt takes `pause_s` and answers 503."""
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    config = Config(connect_timeout=0.5, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 3})
    client = deadline.bind(session.client("sesv2", config=config), max_attempts=3)

    def unavailable(request: Any, **_: Any) -> AWSResponse:
        calls.append(request.context["read_timeout"])
        time.sleep(pause_s)
        return AWSResponse(request.url, 503, {"x-amzn-ErrorType": "ServiceUnavailable"}, _Body())

    client.meta.events.register("before-send.sesv2", unavailable)  # after the deadline's own handler
    return client


def _send(client: Any) -> None:
    client.send_email(FromEmailAddress="a@example.org", Content={"Raw": {"Data": b"x"}})


def test_a_retry_that_cannot_finish_in_time_is_not_started() -> None:
    calls: list[float] = []
    client = _ses(0.4, calls)
    # Outside an invocation: botocore's standard retries. (This also loads the client's endpoint rules, which
    # a loaded machine can take a good part of a second over: the budget below measures attempts, not that.)
    with pytest.raises(ClientError):
        _send(client)
    assert len(calls) == 3

    calls.clear()
    with deadline.started(_Context(1500)), pytest.raises(ClientError):  # 1 s for calls: one attempt
        _send(client)
    assert len(calls) == 1
    assert calls[0] <= 0.5  # the read timeout shrank to what was left after connecting


def test_an_attempt_that_cannot_finish_is_not_started_and_says_so() -> None:
    calls: list[float] = []
    client = _ses(0, calls)
    with deadline.started(_Context(1000)), pytest.raises(deadline.OutOfTime) as raised:  # 0.5 s: too little
        _send(client)
    assert calls == []
    wrapped = RuntimeError("a library's own error")
    wrapped.__cause__ = raised.value
    assert deadline.ran_out(wrapped)
    assert not deadline.ran_out(RuntimeError("something else"))
