"""Every alarm in template.yaml has an entry in docs/operations.md: what it means, the normal traffic that must
not trip it, and what to do."""

from __future__ import annotations

import re

import pytest

from infra import template

DOC = (template.ROOT / "docs" / "operations.md").read_text("utf-8")
# Alarms made one per function are documented once, by their pattern.
PATTERNS = {
    re.escape(entry).replace(re.escape("<Function>"), "[A-Za-z]+") for entry in re.findall(r"`(<Function>\w+)`", DOC)
}
DOCUMENTED = set(re.findall(r"^\| `(\w+)` \|", DOC, re.MULTILINE))


@pytest.mark.parametrize("alarm", sorted(template.resources("AWS::CloudWatch::Alarm")))
def test_every_alarm_has_its_entry_in_the_runbook(alarm: str) -> None:
    assert alarm in DOCUMENTED or any(re.fullmatch(pattern, alarm) for pattern in PATTERNS), alarm


def test_the_runbook_names_no_alarm_the_template_does_not_have() -> None:
    assert set(template.resources("AWS::CloudWatch::Alarm")) >= DOCUMENTED
