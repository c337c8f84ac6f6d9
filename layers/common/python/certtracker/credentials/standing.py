"""The standing of an award cycle, and of a certificate, at a moment: the one answer behind every status shown.

Verification, share pages, badges and their status lists, the plan, progress, prerequisites, logos, downloads,
the partner report and the export all ask here (through `credentials.awards` for a credential held); none of
them decides "valid" on its own. The rules, in the words docs/trust.md uses:

- a cycle is **revoked** once the program withdrew it (a revocation withdraws every unexpired cycle of the
  credential: certtracker.credentials.revocation), whatever its dates;
- else **expired** from its expiry on;
- else **expiring** within EXPIRING_WITHIN of its expiry, **valid** before that (both count);
- a certificate is **withdrawn** (replaced by the program staff) or **superseded** (re-issued in a name the
  program approved) whatever its cycle says; **unavailable** once its holder was erased or its award is gone;
  else it stands as its own cycle does (not the credential's latest: an earlier, unexpired cycle is valid).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from certtracker.models.credential_awards import CredentialAward

# A credential this close to its expiry is shown as expiring (and the reminders start then).
EXPIRING_WITHIN = timedelta(days=90)

type CycleStanding = Literal["valid", "expiring", "expired", "revoked"]
type Standing = Literal["valid", "expiring", "expired", "revoked", "superseded", "withdrawn", "unavailable"]

COUNTING: frozenset[str] = frozenset({"valid", "expiring"})


# Why a cycle was revoked, by the category the team chose, in the words the candidate is told (email and pages);
# the team's own note stays with the team.
CATEGORIES: dict[str, str] = {
    "exam_misconduct": "a breach of the exam rules was found",
    "identity_not_confirmed": "the identity or the documents given could not be confirmed",
    "agreement_breach": "the terms of the certification agreement were not kept",
    "awarded_in_error": "it was awarded in error",
    "other": "the Program Support Team decided so",
}
PREREQUISITE_REVOKED = "prerequisite_revoked"  # what a cascade withdraws: its category
REASONS: dict[str, str] = {**CATEGORIES, PREREQUISITE_REVOKED: "a credential it required was revoked"}


def revocation_reason(award: CredentialAward) -> str | None:
    """Why a revoked cycle was revoked, in the candidate's words (None while it is not revoked)."""
    if not award.revoked:
        return None
    return REASONS.get(award.revoked_reason or "", "the Program Support Team decided so")


def of_cycle(award: CredentialAward, now: datetime) -> CycleStanding:
    """The standing of one award cycle at `now`."""
    if award.revoked:
        return "revoked"
    if award.expires_at <= now:
        return "expired"
    return "expiring" if award.expires_at - now <= EXPIRING_WITHIN else "valid"


def counts(standing: Standing) -> bool:
    """Whether a cycle in this standing counts: toward prerequisites, for certificates, logos and badges."""
    return standing in COUNTING


def certificate_ended(certificate_status: str) -> Literal["withdrawn", "superseded"] | None:
    """What a certificate says of itself, whatever its cycle's standing: withdrawn (a wrong name the program
    corrected, before name changes existed), superseded (issued again in a name the program approved since), or
    None: it is its cycle's current certificate, and the cycle decides."""
    if certificate_status == "withdrawn":
        return "withdrawn"
    if certificate_status == "superseded":
        return "superseded"
    return None


def of_certificate(certificate_status: str | None, award: CredentialAward | None, now: datetime) -> Standing:
    """The standing of a certificate (its own status, or None once its holder was erased) printed for `award`."""
    if certificate_status is None:
        return "unavailable"
    if ended := certificate_ended(certificate_status):
        return ended
    if award is None:
        return "unavailable"
    return of_cycle(award, now)
