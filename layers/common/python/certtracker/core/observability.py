"""The Powertools Logger and Metrics every function shares, configured by environment."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

# POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE come from template.yaml Globals.
# Tracing is X-Ray active tracing at the function level (template.yaml); the Powertools
# Tracer and its X-Ray SDK cost about 250 ms of cold import, so no module loads them.
logger = Logger()
metrics = Metrics()

__all__ = ["MetricUnit", "count", "logger", "measure_seconds", "metrics"]


def count(name: str, value: float = 1) -> None:
    """Record one business event as an EMF metric."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def measure_seconds(name: str, seconds: float) -> None:
    """A business duration (EMF), e.g. from a PartnerNet change to its account being ready."""
    metrics.add_metric(name=name, unit=MetricUnit.Seconds, value=seconds)
