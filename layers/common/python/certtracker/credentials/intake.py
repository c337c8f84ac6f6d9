"""A result from Pearson VUE taken in: stored once by the exams domain, then what a pass completes is awarded in
the same invocation (the daily reconciliation catches whatever this one could not finish)."""

from __future__ import annotations

from certtracker.credentials import evaluation
from certtracker.exams import results


def receive_result(delivered: results.Delivered) -> results.Status:
    """Store `delivered` (however often it comes) and award what a stored pass completes. Returns stored, duplicate
    or parked."""
    recorded = results.record(delivered)
    if recorded.stored is not None and recorded.stored.passed:
        evaluation.on_result_passed(recorded.stored)
    return recorded.status
