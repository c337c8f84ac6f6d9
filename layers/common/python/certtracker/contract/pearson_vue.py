"""The result Pearson VUE posts to the webhook, and its answer (apart from the candidate's exam routes, so the webhook
loads only these)."""

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StringConstraints

from certtracker.core import clock
from certtracker.core.api import Model, StrictModel

# No result can predate the program, and Pearson VUE's clock may run a little ahead of ours.
RESULTS_SINCE = datetime(2000, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(minutes=5)


def _iso_8601(value: object) -> object:
    """Only an ISO 8601 date and time: pydantic would also read "1714550000" as seconds since 1970."""
    if not isinstance(value, str) or not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]", value):
        raise ValueError("must be an ISO 8601 date and time with a time zone, such as 2026-03-01T09:30:00Z")
    return value


def _plausible_and_utc(taken_at: datetime) -> datetime:
    """Within the program's lifetime, and in UTC, so that sort keys built from it order correctly."""
    # Compared before converting: year 1 or 9999 with an offset cannot be converted to UTC at all.
    if taken_at < RESULTS_SINCE:
        raise ValueError(f"is before {RESULTS_SINCE.date().isoformat()}, when the program began")
    if taken_at > clock.now() + CLOCK_SKEW:
        raise ValueError("is in the future")
    return taken_at.astimezone(UTC)


class WebhookResult(StrictModel):
    """What Pearson VUE posts for each result (exams and assessments alike).

    Strict, as every request model: a number must be a JSON number and a flag a JSON boolean ("85" or true
    for a score is refused, not converted); `taken_at` must carry its time zone.
    """

    result_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    registration_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    score: int = Field(ge=0, le=100, description="Percent")
    passed: bool
    taken_at: Annotated[
        AwareDatetime,
        BeforeValidator(_iso_8601),
        AfterValidator(_plausible_and_utc),
        # Lax only here, where _iso_8601 has already made sure the value is an ISO 8601 string.
        Field(strict=False, description="ISO 8601 with a time zone; not before 2000, not in the future"),
    ]
    delivery: Literal["test_center", "online_proctored", "online_unproctored"]


class WebhookAnswer(Model):
    status: Literal["stored", "duplicate", "parked"] = Field(
        description="stored; duplicate (a redelivery, nothing changed); parked: kept for the Program Support "
        "Team, not in the candidate's history, because the result matches no registration or its `passed` "
        "disagrees with its score and the exam's pass mark"
    )
