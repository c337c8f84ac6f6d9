"""The time budget of one invocation: every outbound call, retries included, ends before the function must answer.

`api.CertTrackerResolver.resolve` opens the budget from the Lambda context's remaining time, less
`ANSWER_RESERVE_S` for shaping and returning the answer. An outbound call asks `remaining()` how long
it may take; a step that must be undoable runs inside `keeping(seconds)`, so that the undo (the
compensating writes) still has `seconds` left when the step gives up. botocore clients get this
through `bind`, which shrinks each attempt's read timeout to what is left and starts no retry that
could not finish in time. Outside a budget (scripts, the seed, the local stack's tools) nothing is cut.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from botocore.exceptions import BotoCoreError

# Kept back from every outbound call for shaping and returning the answer.
ANSWER_RESERVE_S = 0.5
# The shortest read worth starting: an attempt with less would only time out.
MIN_READ_S = 0.2

# time.monotonic() by which outbound calls must be done, or None outside an invocation. A ContextVar,
# not a global: handler tests run invocations in threads, as several Lambda containers would.
_deadline: ContextVar[float | None] = ContextVar("certtracker_deadline", default=None)
_kept: ContextVar[float] = ContextVar("certtracker_kept", default=0.0)


class OutOfTime(BotoCoreError):
    """No attempt of an outbound call can finish before the deadline.

    A BotoCoreError, so callers that already treat an AWS failure as "unavailable" (email.send)
    treat this one alike.
    """

    fmt = "{what} was not attempted: it could not finish before the function must answer"


@contextmanager
def started(context: Any) -> Iterator[None]:
    """The budget of one invocation, from its Lambda context, for the duration of the block."""
    remaining_ms = getattr(context, "get_remaining_time_in_millis", None)
    end = time.monotonic() + remaining_ms() / 1000 - ANSWER_RESERVE_S if callable(remaining_ms) else None
    token = _deadline.set(end)
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def keeping(seconds: float) -> Iterator[None]:
    """Outbound calls in the block leave `seconds` more of the budget for what follows (an undo)."""
    token = _kept.set(_kept.get() + seconds)
    try:
        yield
    finally:
        _kept.reset(token)


def remaining() -> float:
    """Seconds an outbound call may still take: infinite outside an invocation, negative when over."""
    end = _deadline.get()
    if end is None:
        return math.inf
    return end - _kept.get() - time.monotonic()


def read_timeout(connect_timeout: float, configured_read_timeout: float) -> float | None:
    """The read timeout of one attempt that ends in time even if connecting takes all of its
    timeout; None when no such attempt is worth starting."""
    left = remaining() - connect_timeout
    if left < MIN_READ_S:
        return None
    return min(configured_read_timeout, left)


def bind(client: Any, *, max_attempts: int) -> Any:
    """Fit a botocore client's calls into the budget (see `bind_events`); returns the client."""
    bind_events(client.meta.events, client.meta.service_model.service_id.hyphenize(), max_attempts=max_attempts)
    return client


def bind_events(events: Any, service: str, *, max_attempts: int) -> None:
    """Fit the calls to `service` made through `events` (a client's, or a botocore session's, whose
    clients copy them) into the budget.

    Each attempt's read timeout shrinks to what is left (botocore reads `read_timeout` from the
    request's context) and an attempt that cannot finish is not started (OutOfTime). Retries follow
    botocore's standard rules with one more: a retry is made only if it can finish in time. The
    handler runs before botocore's own and always decides, so the client's retry settings no longer
    matter. Idempotent: handlers are registered under unique ids.
    """
    if getattr(events, "_certtracker_deadline", False):
        return
    events.register_first(
        f"needs-retry.{service}",
        _BudgetedRetries(service, max_attempts).needs_retry,
        unique_id=f"certtracker-retries-{service}",
    )
    events.register_first(f"before-send.{service}", _fit_attempt, unique_id=f"certtracker-deadline-{service}")
    events._certtracker_deadline = True


def ran_out(error: BaseException) -> bool:
    """Whether `error` comes from an OutOfTime (PynamoDB wraps botocore's errors in its own)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OutOfTime):
            return True
        seen.add(id(current))
        current = getattr(current, "cause", None) or current.__cause__ or current.__context__
    return False


def _fit_attempt(request: Any, **_: Any) -> None:
    config = request.context["client_config"]
    timeout = read_timeout(config.connect_timeout, config.read_timeout)
    if timeout is None:
        raise OutOfTime(what=_operation(request))
    request.context["read_timeout"] = timeout


def _operation(request: Any) -> str:
    return f"{request.method} {request.url.split('?', 1)[0]}"


class _BudgetedRetries:
    """botocore's standard retry conditions and backoff, and a retry only if it can finish in time.

    botocore's retry quota is left out: within one invocation the deadline already bounds retries.
    """

    def __init__(self, service: str, max_attempts: int) -> None:
        from botocore.retries import standard

        self._adapter = standard.RetryEventAdapter()
        self._conditions = standard.StandardRetryConditions(max_attempts=max_attempts)
        self._backoff = standard.ExponentialBackoff(
            service_name=service, throttling_detector=standard.ThrottlingErrorDetector(self._adapter)
        )

    def needs_retry(self, **kwargs: Any) -> float | bool:
        """The pause before the next attempt, or False for none (never None: botocore's handler must not decide)."""
        if isinstance(kwargs.get("caught_exception"), OutOfTime):
            return False
        context = self._adapter.create_retry_context(**kwargs)
        delay: float | bool = False
        if self._conditions.is_retryable(context):
            delay = float(self._backoff.delay_amount(context))
            config = kwargs["request_dict"]["context"]["client_config"]
            if remaining() - delay < config.connect_timeout + MIN_READ_S:
                delay = False
        self._adapter.adapt_retry_response_from_context(context)
        return delay
