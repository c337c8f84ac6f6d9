"""What follows a passed exam or assessment: the credentials issue awards credentials here."""

from __future__ import annotations

from certtracker.core.observability import count
from certtracker.models.exam_results import ExamResult


def on_result_passed(result: ExamResult) -> None:
    """Called once per passed result, after it is stored. The credentials issue fills this in."""
    count("ExamPassed")
