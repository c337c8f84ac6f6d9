"""Scheduled functions of template.yaml (Schedule / ScheduleV2 events), run on their rate and on demand."""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from infra import template
from infra.events import ACCOUNT_ID, REGION
from infra.lambdas import LocalFunction

_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int | None:
    """Seconds between runs of a `rate(...)` expression; None for cron, which only runs on demand here."""
    match = _RATE.match(expression.strip())
    if not match:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2).rstrip("s")]


@dataclass(frozen=True)
class Schedule:
    function: str
    expression: str
    every_seconds: int | None


def schedules() -> list[Schedule]:
    found = []
    for name, body in template.resources("AWS::Serverless::Function").items():
        for event in body["Properties"].get("Events", {}).values():
            if event["Type"] in ("Schedule", "ScheduleV2"):
                props = event["Properties"]
                expression = str(props.get("Schedule") or props.get("ScheduleExpression"))
                found.append(Schedule(name, expression, rate_seconds(expression)))
    return found


def direct_functions() -> list[str]:
    """Functions with no event source at all: AWS runs them only when invoked directly (the staff operations)."""
    return [
        name
        for name, body in template.resources("AWS::Serverless::Function").items()
        if not body["Properties"].get("Events")
    ]


def scheduled_event(function: str) -> dict[str, Any]:
    """What EventBridge Scheduler hands a function."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{function}"],
        "detail": {},
    }


class Scheduler:
    """Runs each rate-scheduled function when it is due, in a background thread."""

    def __init__(self, functions: dict[str, LocalFunction]) -> None:
        self.functions = functions
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._due = self._first_runs()

    @staticmethod
    def _first_runs() -> dict[str, float]:
        return {s.function: time.monotonic() + s.every_seconds for s in schedules() if s.every_seconds}

    def run_now(self, function: str, event: Any = None) -> Any:
        """A scheduled function's run now, or a direct function's invocation with `event` (as `aws lambda invoke`)."""
        if function in direct_functions():
            return self.functions[function].invoke({} if event is None else event)
        if function not in {s.function for s in schedules()}:
            raise KeyError(function)
        return self.functions[function].invoke(scheduled_event(function))

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            for schedule in schedules():
                if schedule.every_seconds and time.monotonic() >= self._due[schedule.function]:
                    self._due[schedule.function] = time.monotonic() + schedule.every_seconds
                    try:
                        self.run_now(schedule.function)
                    except Exception as error:  # a failed run is logged and retried at the next tick
                        print(f"scheduled run of {schedule.function} failed: {error!r}", flush=True)

    def start(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """No scheduled run in the block (the local stack's reset), which finishes the run under way; after it, each
        schedule counts from now again, as at the stack's start."""
        self.stop()
        if self._thread is not None:
            self._thread.join()
        try:
            yield
        finally:
            self._due = self._first_runs()
            self.start()
