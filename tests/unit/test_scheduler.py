"""The local stack's reading of schedule expressions."""

from __future__ import annotations

import pytest

from infra.scheduler import rate_seconds, scheduled_event


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("rate(1 minute)", 60), ("rate(15 minutes)", 900), ("rate(1 hour)", 3600), ("rate(2 days)", 172800)],
)
def test_rate_expressions_become_intervals(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


def test_cron_expressions_run_only_on_demand() -> None:
    assert rate_seconds("cron(0 3 * * ? *)") is None


def test_a_scheduled_event_looks_like_eventbridges() -> None:
    event = scheduled_event("PartnerNetSyncFunction")
    assert event["detail-type"] == "Scheduled Event"
    assert event["resources"][0].endswith("rule/PartnerNetSyncFunction")
