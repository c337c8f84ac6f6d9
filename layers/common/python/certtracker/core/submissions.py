"""A form submitted twice makes one thing: the client's Idempotency-Key, or else the same content a few minutes
apart (a double-clicked form without a key), finds what the first submission made.

A feature keeps a claim item per submission beside what it makes, written in the same transaction with
`claim_condition`, so two submissions at the same moment cannot both make something; `earlier` reads a claim
back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist

from certtracker.core.errors import InvalidInput
from certtracker.core.tokens import digest

SUBMISSION_PREFIX = "SUBMISSION#"
IDEMPOTENCY_KEY_WINDOW = timedelta(hours=24)
RESUBMISSION_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class Submission:
    """What makes two submissions the same: the key they share, and a digest of what they carry."""

    key: str  # the claim's sort key
    payload_hash: str
    window: timedelta

    @classmethod
    def of(cls, idempotency_key: str | None, *content: str) -> Submission:
        payload_hash = digest("\x00".join(content))
        if idempotency_key:
            return cls(SUBMISSION_PREFIX + "KEY#" + digest(idempotency_key), payload_hash, IDEMPOTENCY_KEY_WINDOW)
        return cls(SUBMISSION_PREFIX + "CONTENT#" + payload_hash, payload_hash, RESUBMISSION_WINDOW)

    def claim_condition(self, claim: Any, now: datetime) -> Any:
        """The condition a claim (a model with `sk` and `created_at`) is written under: none yet, or one whose
        window has passed."""
        model = type(claim)
        return model.sk.does_not_exist() | (model.created_at < now - self.window)


def earlier[Claim](model: type[Claim], owner: str, submission: Submission, now: datetime) -> Claim | None:
    """The claim an earlier identical submission left, if it is inside its window. The same key with other
    content is refused (422 `idempotency_key_reused`)."""
    try:
        claim: Any = model.get(owner, submission.key, consistent_read=True)  # type: ignore[attr-defined]
    except DoesNotExist:
        return None
    if claim.created_at < now - submission.window:
        return None
    if claim.payload_hash != submission.payload_hash:
        raise InvalidInput(
            "Idempotency-Key: this key was already used for a different request; use a new key for a new request.",
            field="Idempotency-Key",
            code="idempotency_key_reused",
        )
    return claim  # type: ignore[no-any-return]
