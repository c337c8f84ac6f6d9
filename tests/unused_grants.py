"""Least privilege over the whole handler ring: a grant in template.yaml that no handler test used fails the run.

Every AWS call a function makes in tests/functions is checked against its Policies as it happens (infra/iam.py,
the ring's `no_missing_grant` fixture). Once every test of that ring has run and passed, the grants no call
needed are listed and fail the run: an unused grant is removed from template.yaml, or the path that needs it
gets a test.

With pytest-xdist each worker runs part of the ring and records only its own calls: each reports the grants
it saw unused, and the controller fails the run on those that every worker saw unused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

RING = Path(__file__).parent / "functions"
_state: dict[str, Any] = {"ran": False, "deselected": False, "workers": []}
_unused_report: list[str] = []


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_deselected(items: list[pytest.Item]) -> None:
    if any(item.path.parent == RING for item in items):
        _state["deselected"] = True


def pytest_collection_finish(session: pytest.Session) -> None:
    collected = {item.path for item in session.items if item.path.parent == RING}
    _state["ran"] = collected == set(RING.glob("test_*.py"))


def _unused_here() -> dict[str, list[str]]:
    from infra import iam

    return {function: [str(grant) for grant in grants] for function, grants in iam.RECORDER.unused_grants().items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist's controller: what a worker that finished reports (see pytest_sessionfinish)."""
    report = getattr(node, "workeroutput", {}).get("unused_grants")
    if report is not None:
        _state["workers"].append(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _is_worker(session.config):
        whole = _state["ran"] and not _state["deselected"]
        session.config.workeroutput["unused_grants"] = {"whole": whole, "unused": _unused_here() if whole else {}}
        return
    if exitstatus != 0:
        return
    if _state["workers"]:
        if not all(report["whole"] for report in _state["workers"]):
            return
        reports = [report["unused"] for report in _state["workers"]]
        unused = {
            function: [grant for grant in grants if all(grant in report.get(function, ()) for report in reports)]
            for function, grants in reports[0].items()
        }
    elif _state["ran"] and not _state["deselected"]:
        unused = _unused_here()
    else:
        return
    for function, grants in sorted(unused.items()):
        _unused_report.extend(f"{function}: {grant}" for grant in grants)
    if _unused_report:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _unused_report:
        terminalreporter.section("grants in template.yaml that no handler test used (remove them, or test their path)")
        for line in _unused_report:
            terminalreporter.line(line)
