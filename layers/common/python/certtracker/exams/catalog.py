"""The exam catalog: what can be taken, how it is delivered, and what replaced what."""

from __future__ import annotations

import time

from certtracker.core.errors import NotFound
from certtracker.models.catalog import EXAMS_PARTITION, CatalogExam

# The catalog changes a few times a year; a warm container may serve it from memory for a minute.
CACHE_SECONDS = 60
_cache: tuple[float, list[CatalogExam]] | None = None


def all_exams() -> list[CatalogExam]:
    """Every exam and assessment, retired ones included: one query, cached briefly per container."""
    global _cache
    if _cache is None or time.monotonic() - _cache[0] > CACHE_SECONDS:
        _cache = (time.monotonic(), list(CatalogExam.query(EXAMS_PARTITION)))
    return _cache[1]


def list_exams(*, kind: str | None = None, track: str | None = None) -> list[CatalogExam]:
    return [
        exam
        for exam in all_exams()
        if (kind is None or exam.kind == kind) and (track is None or exam.track.lower() == track.lower())
    ]


def get_exam(exam_id: str) -> CatalogExam:
    """One exam, from the container's copy of the catalog (no request when it is warm)."""
    for exam in all_exams():
        if exam.exam_id == exam_id:
            return exam
    raise NotFound(f"There is no exam {exam_id} in the catalog.", code="exam_not_found")


def title_and_retired(exam_id: str) -> tuple[str, bool]:
    """An exam's title and whether it is retired; an id gone from the catalog cannot be booked, so it reads
    as retired, titled by its id."""
    for exam in all_exams():
        if exam.exam_id == exam_id:
            return exam.title, bool(exam.retired)
    return exam_id, True


def bookable(exam_id: str) -> bool:
    """Whether the exam can be registered for today: in the catalog and not retired."""
    return any(exam.exam_id == exam_id and not exam.retired for exam in all_exams())


def forget_cache() -> None:
    global _cache
    _cache = None
