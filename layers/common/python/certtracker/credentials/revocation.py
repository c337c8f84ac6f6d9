"""Revoking and reinstating a credential: every unexpired cycle at once, what was earned only through it, the
record of who, why and when, and the candidate told.

Revocation is of the credential, not of a row. `revoke` withdraws every cycle of the credential that has not
expired (and always its latest, so it is never awarded again by itself), then, as a cascade, every unexpired
award of another credential that could not have been awarded without a withdrawn one: one whose requirements,
evaluated as of the day it was earned with the withdrawn cycles taken away, are no longer met; and a renewal
whose renewed cycle was withdrawn. Everything withdrawn carries the revocation's id, and the revocation's record
lists it, all in one transaction; `reinstate` restores exactly that set, and keeps the record. Both are
idempotent: asked again, they change nothing and say so. Every read here is strongly consistent.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError

from certtracker.accounts.identity import find_account
from certtracker.core import email
from certtracker.core.errors import Conflict, InvalidInput, NotFound
from certtracker.core.observability import count, logger
from certtracker.core.tables import condition_failed, conflicted, transaction
from certtracker.credentials import awards
from certtracker.credentials.catalog import get_credential, titles
from certtracker.credentials.evaluator import Facts, HeldCredential, PassedResult, evaluate
from certtracker.credentials.facts import cycles_by_credential, evidence_for_next_cycle, passed_results
from certtracker.credentials.standing import CATEGORIES, PREREQUISITE_REVOKED, REASONS
from certtracker.models.credential_awards import CredentialAward, Revocation, award_key, revocation_key

# One transaction holds at most 100 writes: the record and 99 award cycles, far more than any candidate has.
MAX_CYCLES = 99
ATTEMPTS = 5
ALSO = {
    "credential_revoked": "Withdrawn with it, because they required it: ",
    "credential_reinstated": "Reinstated with it: ",
}


@dataclass(frozen=True)
class Withdrawn:
    credential_id: str
    cycle: int


@dataclass(frozen=True)
class Outcome:
    """What a revocation or reinstatement changed (`changed` False: it had been done already)."""

    revocation_id: str | None
    credential_id: str
    cycles: list[Withdrawn]
    changed: bool


def revoke(account_id: str, credential_id: str, *, category: str, note: str, by: str, now: datetime) -> Outcome:
    if category not in CATEGORIES:
        raise InvalidInput(f"category must be one of: {', '.join(CATEGORIES)}.", field="category")
    for _ in range(ATTEMPTS):
        award_list = awards.awards_of(account_id, consistent=True)
        own = cycles_by_credential(award_list).get(credential_id)
        if not own:
            raise NotFound("The candidate has never held this credential.", code="award_not_found")
        targets = [award for award in own if not award.revoked and (award.expires_at > now or award is own[-1])]
        if not targets:
            return Outcome(own[-1].revocation_id, credential_id, [], changed=False)
        withdrawn = _with_cascade(targets, award_list, passed_results(account_id, consistent=True), now)
        checked = _standing_on(withdrawn, [a for a in award_list if a.revoked])
        if len(withdrawn) + len(checked) > MAX_CYCLES:
            raise Conflict("Too many award cycles to revoke at once: ask an engineer.", code="too_many_cycles")
        revocation_id = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        record = Revocation(
            account_id=account_id,
            sk=revocation_key(revocation_id),
            revocation_id=revocation_id,
            credential_id=credential_id,
            category=category,
            note=note,
            by=by,
            at=now,
            withdrawn=json.dumps([[a.sk, a.credential_id, int(a.cycle)] for a in withdrawn]),
        )
        try:
            with transaction() as writes:
                writes.save(record, condition=Revocation.sk.does_not_exist())
                for award in withdrawn:
                    reason = category if award.credential_id == credential_id else PREREQUISITE_REVOKED
                    actions, condition = awards.revocation_update(
                        award, revoked=True, reason=reason, at=now, revocation_id=revocation_id
                    )
                    writes.update(award, actions=actions, condition=condition & _NOT_REVOKED)
                for award in checked:  # skipped as withdrawn already: a reinstatement meanwhile makes this read again
                    writes.condition_check(CredentialAward, award.account_id, award.sk, condition=_REVOKED)
        except TransactWriteError as error:
            if condition_failed(error) or conflicted(error):
                continue  # revoked, reinstated, awarded or given a badge meanwhile: read again
            raise
        count("AwardRevoked")
        if len(withdrawn) > len(targets):
            count("AwardRevokedByCascade", len(withdrawn) - len(targets))
        cycles = [Withdrawn(a.credential_id, int(a.cycle)) for a in withdrawn]
        outcome = Outcome(revocation_id, credential_id, cycles, changed=True)
        _tell(account_id, "credential_revoked", outcome, reason=REASONS[category])
        return outcome
    raise Conflict("The candidate's awards kept changing: try again.", code="awards_changing")


def reinstate(account_id: str, credential_id: str, *, note: str, by: str, now: datetime) -> Outcome:
    for _ in range(ATTEMPTS):
        award_list = awards.awards_of(account_id, consistent=True)
        own = cycles_by_credential(award_list).get(credential_id)
        if not own:
            raise NotFound("The candidate has never held this credential.", code="award_not_found")
        latest = own[-1]
        if not latest.revoked:
            return Outcome(None, credential_id, [], changed=False)
        record = _record(account_id, latest.revocation_id)
        if record is not None and record.credential_id != credential_id:
            raise Conflict(
                f"This credential was withdrawn because {record.credential_id}, which it required, was revoked: "
                f"reinstate {record.credential_id}, and this one comes back with it.",
                code="revoked_through_prerequisite",
            )
        if record is None:  # revoked before revocations were recorded: its own revoked cycles
            restored = [award for award in own if award.revoked and award.revocation_id is None]
        else:
            restored = [award for award in award_list if award.revoked and award.revocation_id == record.revocation_id]
        kept = _still_standing_on_revoked(restored, award_list, passed_results(account_id, consistent=True), now)
        if blocking := {kept[award.sk].because_of for award in own if award.sk in kept}:
            required = ", ".join(sorted(blocking))
            raise Conflict(
                f"This credential requires {required}, which is revoked (since this one was): reinstate {required} "
                "first, then this one.",
                code="revoked_through_prerequisite",
            )
        restored = [award for award in restored if award.sk not in kept]
        try:
            with transaction() as writes:
                if record is not None:
                    writes.update(
                        record,
                        actions=[
                            Revocation.reinstated_at.set(now),
                            Revocation.reinstated_by.set(by),
                            Revocation.reinstated_note.set(note),
                        ],
                        condition=Revocation.reinstated_at.does_not_exist(),
                    )
                for award in restored:
                    actions, condition = awards.revocation_update(award, revoked=False, reason=None, at=now)
                    same = (
                        CredentialAward.revocation_id.does_not_exist()
                        if award.revocation_id is None
                        else CredentialAward.revocation_id == award.revocation_id
                    )
                    still_revoked = CredentialAward.revoked == True  # noqa: E712
                    writes.update(award, actions=actions, condition=condition & still_revoked & same)
                for award in _stood_on_by(restored, [a for a in award_list if not a.revoked]):
                    writes.condition_check(CredentialAward, award.account_id, award.sk, condition=_NOT_REVOKED)
                for sk, stays in kept.items():  # stays withdrawn, now with what it still stands on
                    award = next(a for a in award_list if a.sk == sk)
                    writes.update(
                        award,
                        actions=[
                            CredentialAward.revocation_id.set(stays.revocation_id)
                            if stays.revocation_id
                            else CredentialAward.revocation_id.remove(),
                            CredentialAward.revoked_reason.set(PREREQUISITE_REVOKED),
                        ],
                        condition=(CredentialAward.revoked == True)  # noqa: E712
                        & (CredentialAward.revocation_id == award.revocation_id),
                    )
        except TransactWriteError as error:
            if condition_failed(error) or conflicted(error):
                continue
            raise
        count("AwardReinstated")
        outcome = Outcome(
            record.revocation_id if record else None,
            credential_id,
            [Withdrawn(a.credential_id, int(a.cycle)) for a in restored],
            True,
        )
        _tell(account_id, "credential_reinstated", outcome)
        return outcome
    raise Conflict("The candidate's awards kept changing: try again.", code="awards_changing")


def repair_cascade(account_id: str, now: datetime) -> list[Withdrawn]:
    """Withdraw what still stands only on a revoked credential: an award an evaluation granted at the moment its
    prerequisite was revoked (each read the other's state before it changed). The daily reconciliation's check;
    each cycle withdrawn joins its prerequisite's revocation, so reinstating that restores it too."""
    award_list = awards.awards_of(account_id, consistent=True)
    revoked = {award.sk: award for award in award_list if award.revoked}
    if not revoked:
        return []
    cycles = cycles_by_credential(award_list)
    results = passed_results(account_id, consistent=True)
    repaired = []
    for award in award_list:
        if award.revoked or award.expires_at <= now:
            continue
        if not stood_only_on(award, revoked, cycles, award_list, results, now):
            continue
        cause = next(
            (r for r in revoked.values() if r.credential_id in awards.prerequisites_used(award) and r.revocation_id),
            None,
        )
        actions, condition = awards.revocation_update(
            award,
            revoked=True,
            reason=PREREQUISITE_REVOKED,
            at=now,
            revocation_id=cause.revocation_id if cause else None,
        )
        try:
            award.update(actions=actions, condition=condition & (CredentialAward.revoked == False))  # noqa: E712
        except UpdateError as error:
            if condition_failed(error):
                continue  # changed meanwhile: the next run looks again
            raise
        logger.warning("award withdrawn by reconciliation", extra={"credential_id": award.credential_id})
        repaired.append(Withdrawn(award.credential_id, int(award.cycle)))
    return repaired


_NOT_REVOKED = CredentialAward.revoked.does_not_exist() | (CredentialAward.revoked == False)  # noqa: E712
_REVOKED = CredentialAward.revoked == True  # noqa: E712


def _previous_key(award: CredentialAward) -> str:
    """The key of the cycle before `award` (a renewal stands on it)."""
    return award_key(award.credential_id, int(award.cycle) - 1)


def _standing_on(these: list[CredentialAward], among: list[CredentialAward]) -> list[CredentialAward]:
    """Those of `among` that stand on one of `these`: a renewal of one, or a cycle of a credential that requires
    one's credential. A revocation reads the revoked ones without writing them; were one reinstated meanwhile, it
    would have to be withdrawn with the others."""
    keys = {award.sk for award in these}
    credentials = {award.credential_id for award in these}
    return [
        award
        for award in among
        if award.sk not in keys and (_previous_key(award) in keys or awards.prerequisites_used(award) & credentials)
    ]


def _stood_on_by(these: list[CredentialAward], among: list[CredentialAward]) -> list[CredentialAward]:
    """Those of `among` that one of `these` stands on: the cycle one renewed, or a cycle of a credential one
    requires. A reinstatement reads them without writing them; were one revoked meanwhile, what it reinstates
    would stand on a revoked credential."""
    renewed = {_previous_key(award) for award in these}
    used = set().union(*(awards.prerequisites_used(award) for award in these))
    return [award for award in among if award.sk in renewed or award.credential_id in used]


@dataclass(frozen=True)
class _Kept:
    """A cycle that stays withdrawn: the credential it stands on and the revocation it joins (None: unrecorded)."""

    because_of: str
    revocation_id: str | None


def _still_standing_on_revoked(
    restored: list[CredentialAward], award_list: list[CredentialAward], results: list[PassedResult], now: datetime
) -> dict[str, _Kept]:
    """Which of the `restored` cycles would stand only on something that stays revoked (revoked by another
    revocation since, which skipped them as already withdrawn), by award key; to a fixed point, as what is kept
    withdrawn can itself be what another stands on."""
    restoring = {award.sk for award in restored}
    staying = {award.sk: award for award in award_list if award.revoked and award.sk not in restoring}
    cycles = cycles_by_credential(award_list)
    kept: dict[str, _Kept] = {}
    changed = True
    while changed:
        changed = False
        for award in restored:
            if award.sk in kept or not stood_only_on(
                award, staying, cycles, award_list, results, now, restoring=restoring
            ):
                continue
            own = cycles[award.credential_id]
            position = next(i for i, cycle in enumerate(own) if cycle.sk == award.sk)
            used = awards.prerequisites_used(award)
            under = [own[position - 1]] if position and own[position - 1].sk in staying else []
            under += [a for a in staying.values() if a.credential_id in used]
            joined = [kept[a.sk].revocation_id if a.sk in kept else a.revocation_id for a in under]
            revocation_id = next((r for r in joined if r), None)
            kept[award.sk] = _Kept(under[0].credential_id if under else award.credential_id, revocation_id)
            staying[award.sk] = award
            changed = True
    return kept


def _record(account_id: str, revocation_id: str | None) -> Revocation | None:
    if revocation_id is None:
        return None
    try:
        return Revocation.get(account_id, revocation_key(revocation_id), consistent_read=True)
    except DoesNotExist:
        return None


def _with_cascade(
    targets: list[CredentialAward], award_list: list[CredentialAward], results: list[PassedResult], now: datetime
) -> list[CredentialAward]:
    """`targets` and, to a fixed point, every unexpired award that stood only on something withdrawn."""
    withdrawn = {award.sk: award for award in targets}
    cycles = cycles_by_credential(award_list)
    changed = True
    while changed:
        changed = False
        for award in award_list:
            if award.sk in withdrawn or award.revoked or award.expires_at <= now:
                continue
            if stood_only_on(award, withdrawn, cycles, award_list, results, now):
                withdrawn[award.sk] = award
                changed = True
    return list(withdrawn.values())


def stood_only_on(
    award: CredentialAward,
    withdrawn: dict[str, CredentialAward],
    cycles: dict[str, list[CredentialAward]],
    award_list: list[CredentialAward],
    results: list[PassedResult],
    now: datetime,
    *,
    restoring: set[str] | frozenset[str] = frozenset(),
) -> bool:
    """Whether `award` stood only on the `withdrawn` cycles (by award key), the revoked cycles being `restoring`
    counted as held."""
    own = cycles[award.credential_id]
    position = next(i for i, cycle in enumerate(own) if cycle.sk == award.sk)
    previous = own[position - 1] if position else None
    if awards.rule_of(award, previous) == "renewal":
        return previous is not None and previous.sk in withdrawn  # a renewal stands on the cycle it renewed
    taken_away = {a.credential_id for a in withdrawn.values()}
    if not awards.prerequisites_used(award) & taken_away:
        return False
    try:
        credential = get_credential(award.credential_id)
    except NotFound:  # withdrawn from the catalog since: nothing to evaluate it against
        return False
    held = [
        HeldCredential(
            a.credential_id, a.earned_at, a.expires_at, (a.revoked and a.sk not in restoring) or a.sk in withdrawn
        )
        for a in award_list
    ]
    # Re-evaluated without them as of the day it was earned, and as of each moment since when what it could stand
    # on grew (a credential earned, a result taken), up to now: it is withdrawn only if none meets its requirements.
    # Not only now: once it stood on something else, a lapse of that later does not withdraw it (nothing lapsing
    # withdraws an award), so the answer is the same whenever it is asked, by the revocation or by a later
    # reconciliation.
    evidence = evidence_for_next_cycle(own[:position], results)
    facts = Facts.of(evidence, held)
    grew = [h.earned_at for h in held if not h.revoked] + [result.taken_at for result in evidence]
    moments = sorted({award.earned_at, now, *(moment for moment in grew if award.earned_at < moment < now)})
    return not any(evaluate(credential.requirements, facts, moment).met for moment in moments)


def _tell(account_id: str, kind: str, outcome: Outcome, *, reason: str = "") -> None:
    """The candidate is told of a revocation and of a reinstatement, whatever their notification preferences: it
    is about their standing, not news."""
    account = find_account(account_id)
    if account is None or not account.email_verified:
        return
    names = titles()
    others = sorted(
        {
            names.get(w.credential_id, w.credential_id)
            for w in outcome.cycles
            if w.credential_id != outcome.credential_id
        }
    )
    sent = email.send_to(
        account.email,
        kind,
        {
            "first_name": account.first_name,
            "credential_title": names.get(outcome.credential_id, outcome.credential_id),
            "reason": reason,
            "also": (ALSO[kind] + ", ".join(others) + ".") if others else "",
            "credentials_link": email.web_link("/credentials"),
            "support_link": email.web_link("/support"),
        },
    )
    logger.info(kind.replace("_", " "), extra={"credential_id": outcome.credential_id, "emailed": sent})
