"""Awards: a credential earned, once per cycle, and what a candidate holds today.

The evaluation that decides an award (the requirement trees of the credential catalog) calls `grant`;
`grant` is the one place an award is written, and it is written once: the put is conditional on the
key (candidate, credential, cycle), so a redelivered result, a retried invocation or two evaluations at
the same moment cannot award a cycle twice.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pynamodb.exceptions import UpdateError

from certtracker.core.observability import count
from certtracker.core.tables import condition_failed, put_once
from certtracker.credentials import standing
from certtracker.models.credential_awards import (
    AWARD_PREFIX,
    STATUS_LIST_SIZE,
    CredentialAward,
    award_key,
    expiry_month,
)

# A cycle's standing as the candidate-facing routes spell it: "earned" is standing's "valid".
Status = Literal["earned", "expiring", "expired", "revoked"]
Rule = Literal["requirements", "renewal"]


def grant(
    account_id: str,
    credential_id: str,
    *,
    cycle: int,
    earned_at: datetime,
    expires_at: datetime,
    rule: Rule = "requirements",
    met_by: list[dict[str, Any]] | None = None,
    holder_name: str | None = None,
) -> bool:
    """Award one cycle of a credential, in the name it is earned under (`holder_name`, as printed: what its
    certificates and badge print from then on). True if this call wrote it; False if that cycle was already
    awarded (by an earlier or a concurrent evaluation), which changes nothing."""
    award = CredentialAward(
        account_id=account_id,
        sk=award_key(credential_id, cycle),
        award_id=secrets.token_urlsafe(12),
        credential_id=credential_id,
        cycle=cycle,
        earned_at=earned_at,
        expires_at=expires_at,
        met_by=json.dumps(met_by or [], separators=(",", ":")),
        rule=rule,
        expiry_month=expiry_month(expires_at),
        holder_name=holder_name,
    )
    if not put_once(award, CredentialAward.sk):
        return False
    count("CredentialAwarded")
    return True


def revocation_update(
    award: CredentialAward, *, revoked: bool, reason: str | None, at: datetime, revocation_id: str | None = None
) -> tuple[list[Any], Any]:
    """The UpdateItem (actions, condition) that revokes (with its reason, time and revocation) or reinstates an
    award, and puts it in, or takes it out of, the revocation status list its badge points to (`status_list`, the
    sparse index the published list is read from). Everything that shows an award follows at once.

    The condition holds only if the award's status list index is still what was read: a badge given its index
    at the same moment (certificates.badges.status_index_of, conditioned the other way) makes the writer read
    again and retry, so a revoked award with an index is always in its list."""
    actions: list[Any] = [CredentialAward.revoked.set(revoked)]
    if revoked:
        actions.append(CredentialAward.revoked_at.set(at))
        actions.append(
            CredentialAward.revoked_reason.set(reason) if reason else CredentialAward.revoked_reason.remove()
        )
        actions.append(
            CredentialAward.revocation_id.set(revocation_id)
            if revocation_id
            else CredentialAward.revocation_id.remove()
        )
    else:
        actions += [
            CredentialAward.revoked_at.remove(),
            CredentialAward.revoked_reason.remove(),
            CredentialAward.revocation_id.remove(),
        ]
    index = award.status_index
    if revoked and index is not None:
        actions.append(CredentialAward.status_list.set(int(index) // STATUS_LIST_SIZE))
    else:
        actions.append(CredentialAward.status_list.remove())
    same_index = (
        CredentialAward.status_index.does_not_exist() if index is None else CredentialAward.status_index == index
    )
    return actions, CredentialAward.sk.exists() & same_index


def set_revoked(award: CredentialAward, *, revoked: bool, reason: str | None, at: datetime) -> None:
    """Revoke or reinstate one award cycle on its own (`revocation_update`), retried while a badge takes its index
    at the same moment. Revoking a credential is certtracker.credentials.revocation's: every cycle at once."""
    for _ in range(5):
        actions, condition = revocation_update(award, revoked=revoked, reason=reason, at=at)
        try:
            award.update(actions=actions, condition=condition)
            return
        except UpdateError as error:
            if not condition_failed(error):
                raise
            award.refresh(consistent_read=True)  # DoesNotExist if the award is gone: nothing to revoke
    raise RuntimeError("the award changed under every attempt to revoke or reinstate it")


def status_of(award: CredentialAward, now: datetime) -> Status:
    """The cycle's standing (certtracker.credentials.standing), as the candidate's routes spell it."""
    found = standing.of_cycle(award, now)
    return "earned" if found == "valid" else found


@dataclass(frozen=True)
class Held:
    """A credential as the candidate holds it: its latest cycle, and the cycles before it."""

    current: CredentialAward
    status: Status
    past: list[CredentialAward]

    @property
    def valid(self) -> bool:
        """Earned or expiring: what counts, and what certificates, logos and badges are given for."""
        return self.status in ("earned", "expiring")


def awards_of(account_id: str, *, consistent: bool = False) -> list[CredentialAward]:
    """Every award of the candidate, every cycle: one query. `consistent` for a read that decides an award or a
    revocation: DynamoDB's queries are eventually consistent unless asked (the emulator's always are)."""
    return list(
        CredentialAward.query(account_id, CredentialAward.sk.startswith(AWARD_PREFIX), consistent_read=consistent)
    )


def prerequisites_used(award: CredentialAward) -> set[str]:
    """The credentials an award cycle was awarded through (its `met_by`)."""
    return {
        str(entry["credential_id"])
        for entry in json.loads(award.met_by or "[]")
        if isinstance(entry, dict) and "credential_id" in entry
    }


def rule_of(award: CredentialAward, previous: CredentialAward | None) -> Rule:
    """Which requirements met a cycle: recorded since it is, inferred for older awards (a cycle earned before the
    one it follows expired was a renewal)."""
    if award.rule in ("requirements", "renewal"):
        return award.rule  # type: ignore[return-value]  # one of the two, just checked
    return "renewal" if previous is not None and award.earned_at < previous.expires_at else "requirements"


def held(account_id: str, now: datetime) -> list[Held]:
    """Each credential the candidate has ever earned, by its latest cycle, newest award first."""
    by_credential: dict[str, list[CredentialAward]] = {}
    for award in awards_of(account_id):
        by_credential.setdefault(award.credential_id, []).append(award)
    result = []
    for cycles in by_credential.values():
        cycles.sort(key=lambda award: award.cycle)
        latest = cycles[-1]
        result.append(Held(current=latest, status=status_of(latest, now), past=cycles[:-1]))
    return sorted(result, key=lambda entry: entry.current.earned_at, reverse=True)


def holding(account_id: str, credential_id: str, now: datetime) -> Held | None:
    """The candidate's credential by its latest cycle, whatever its status; None if they never earned it."""
    return next((entry for entry in held(account_id, now) if entry.current.credential_id == credential_id), None)
