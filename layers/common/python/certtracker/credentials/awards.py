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
from datetime import datetime, timedelta
from typing import Any, Literal

from pynamodb.exceptions import UpdateError

from certtracker.core.observability import count
from certtracker.models.base import condition_failed, put_once
from certtracker.models.credential_awards import (
    AWARD_PREFIX,
    STATUS_LIST_SIZE,
    CredentialAward,
    award_key,
    expiry_month,
)

# A credential this close to its expiry is shown as expiring (and the reminders start then).
EXPIRING_WITHIN = timedelta(days=90)

Status = Literal["earned", "expiring", "expired", "revoked"]


def grant(
    account_id: str,
    credential_id: str,
    *,
    cycle: int,
    earned_at: datetime,
    expires_at: datetime,
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
        expiry_month=expiry_month(expires_at),
        holder_name=holder_name,
    )
    if not put_once(award, CredentialAward.sk):
        return False
    count("CredentialAwarded")
    return True


def set_revoked(award: CredentialAward, *, revoked: bool, reason: str | None, at: datetime) -> None:
    """Revoke (with its reason and time) or reinstate an award, in one UpdateItem that also puts it in, or takes
    it out of, the revocation status list its badge points to (`status_list`, the sparse index the published
    list is read from). Everything that shows an award (verification, plan, logos, badges) follows at once.

    The write is conditioned on the award's status list index being what was read: a badge given its index at
    the same moment (certificates.badges.status_index_of, conditioned the other way) makes this read again and
    retry, so a revoked award with an index is always in its list."""
    for _ in range(5):
        actions: list[Any] = [CredentialAward.revoked.set(revoked)]
        if revoked:
            actions.append(CredentialAward.revoked_at.set(at))
            actions.append(
                CredentialAward.revoked_reason.set(reason) if reason else CredentialAward.revoked_reason.remove()
            )
        else:
            actions += [CredentialAward.revoked_at.remove(), CredentialAward.revoked_reason.remove()]
        index = award.status_index
        if revoked and index is not None:
            actions.append(CredentialAward.status_list.set(int(index) // STATUS_LIST_SIZE))
        else:
            actions.append(CredentialAward.status_list.remove())
        same_index = (
            CredentialAward.status_index.does_not_exist() if index is None else CredentialAward.status_index == index
        )
        try:
            award.update(actions=actions, condition=CredentialAward.sk.exists() & same_index)
            return
        except UpdateError as error:
            if not condition_failed(error):
                raise
            award.refresh(consistent_read=True)  # DoesNotExist if the award is gone: nothing to revoke
    raise RuntimeError("the award changed under every attempt to revoke or reinstate it")


def status_of(award: CredentialAward, now: datetime) -> Status:
    if award.revoked:
        return "revoked"
    if award.expires_at <= now:
        return "expired"
    return "expiring" if award.expires_at - now <= EXPIRING_WITHIN else "earned"


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


def awards_of(account_id: str) -> list[CredentialAward]:
    """Every award of the candidate, every cycle: one query."""
    return list(CredentialAward.query(account_id, CredentialAward.sk.startswith(AWARD_PREFIX)))


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
