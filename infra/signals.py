"""What the local stack would have told an operator: the API's answers by status class and the business metrics
every function counted, so the browser ring can check that a normal day trips no alarm (GET /_local/signals).

The functions run in this process with Powertools Metrics; its output is off locally (POWERTOOLS_METRICS_DISABLED),
so each metric is tallied here as it is added instead of read back from EMF lines.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

_lock = threading.Lock()
_answers: Counter[str] = Counter()
_metrics: Counter[str] = Counter()  # the sum of each metric's values
_largest: dict[str, float] = {}  # each metric's largest value (what Maximum, Average or a percentile stays under)


def answered(status: int) -> None:
    """One answer of the API (as API Gateway's 4XXError and 5XXError metrics count them)."""
    with _lock:
        _answers[f"{status // 100}xx"] += 1
        _answers["count"] += 1


def counted(name: str, value: float) -> None:
    with _lock:
        _metrics[name] += value
        _largest[name] = max(value, _largest.get(name, value))


def reset() -> None:
    """Nothing answered or counted yet (the stack's reset)."""
    with _lock:
        _answers.clear()
        _metrics.clear()
        _largest.clear()


def snapshot() -> dict[str, Any]:
    with _lock:
        return {"api": dict(_answers), "metrics": dict(_metrics), "largest": dict(_largest)}


def install() -> None:
    """Tally every metric the functions add, whichever Metrics instance adds it."""
    from aws_lambda_powertools.metrics import Metrics

    original = Metrics.add_metric

    def add_metric(self: Metrics, name: str, unit: Any, value: float, resolution: Any = 60) -> None:
        counted(name, value)
        original(self, name=name, unit=unit, value=value, resolution=resolution)

    Metrics.add_metric = add_metric  # type: ignore[method-assign]
