"""Awards the moment requirements are met: a stored result re-evaluates the candidate's credentials.

`award_what_is_met` reads the candidate's passed results and awards (two queries), evaluates every
credential of the catalog (cached), and grants each one that is now met: a first award, an award again
after the last cycle expired, or a renewal inside the window before expiry (which extends the credential
from its old expiry date, not from the day of the pass). A new award can complete another credential's
prerequisite or its 2-of-5, so it evaluates again until nothing changes. Writing is `awards.grant`'s
conditional put, so running this twice, or twice at once, awards each cycle once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from certtracker.accounts.identity import find_account
from certtracker.core import clock, email, names
from certtracker.core.observability import count, logger
from certtracker.credentials import awards
from certtracker.credentials.catalog import Credential, all_credentials
from certtracker.credentials.evaluator import Evaluation, Facts, HeldCredential, PassedResult, add_months, evaluate
from certtracker.credentials.facts import (
    cycles_by_credential,
    evidence_for_next_cycle,
    held_credentials,
    passed_results,
)
from certtracker.models.credential_awards import CredentialAward
from certtracker.models.exam_results import ExamResult
from certtracker.notifications import notify


@dataclass(frozen=True)
class Decision:
    """An award to write: which cycle, its dates, the rule that met it, and the evaluation that met it."""

    credential: Credential
    cycle: int
    earned_at: datetime
    expires_at: datetime
    rule: awards.Rule
    evaluation: Evaluation


def decide(
    credential: Credential,
    cycles: list[CredentialAward],
    results: list[PassedResult],
    held: list[HeldCredential],
    now: datetime,
) -> Decision | None:
    """What the candidate earns of `credential` now, given its cycles so far (oldest first), if anything.

    The renewal rule: a new cycle counts only results no earlier cycle counted, taken after the latest cycle was
    earned (facts.evidence_for_next_cycle). Inside the renewal window before expiry, the recertification
    requirements renew it from results taken in the window (extending it from the old expiry); once it lapsed,
    the full requirements must be met again. A revoked credential is never awarded again here: only reinstated."""
    latest = cycles[-1] if cycles else None
    if latest is not None and latest.revoked:
        return None
    evidence = evidence_for_next_cycle(cycles, results)
    if latest is None or latest.expires_at <= now:
        evaluation = evaluate(credential.requirements, Facts.of(evidence, held), now)
        if not evaluation.met:
            return None
        cycle = int(latest.cycle) + 1 if latest else 1
        expires_at = add_months(now, credential.validity_months)
        return Decision(credential, cycle, now, expires_at, "requirements", evaluation)
    window_opens = latest.expires_at - timedelta(days=credential.recertification.renewal_window_days)
    if now < window_opens:
        return None
    recent = Facts.of([r for r in evidence if r.taken_at >= window_opens], held)
    evaluation = evaluate(credential.recertification.requirements, recent, now)
    if not evaluation.met:
        return None
    expires_at = add_months(latest.expires_at, credential.validity_months)
    return Decision(credential, int(latest.cycle) + 1, now, expires_at, "renewal", evaluation)


def _met_by(evaluation: Evaluation) -> list[dict[str, str]]:
    """The results and credentials that met the requirements, for the award's record."""
    found: list[dict[str, str]] = []
    stack = [evaluation]
    while stack:
        node = stack.pop()
        if node.met and node.result is not None:
            found.append({"result_id": node.result.result_id, "exam_id": node.result.exam_id})
        if node.met and node.credential is not None:
            found.append({"credential_id": node.credential.credential_id})
        stack.extend(node.children)
    return found


def award_what_is_met(account_id: str) -> list[Decision]:
    """Grant every credential the candidate meets now, cascading; returns the awards this call wrote. Its reads
    are strongly consistent: two results stored at once must each see the other, or neither awards."""
    now = clock.now()
    results = passed_results(account_id, consistent=True)
    award_list = awards.awards_of(account_id, consistent=True)
    written: list[Decision] = []
    catalog = all_credentials()
    earned_under: list[str | None] = []  # the name the awards are earned under, read at the first award
    for _ in range(len(catalog) + 1):  # each round can only add awards, so this ends
        held, cycles = held_credentials(award_list), cycles_by_credential(award_list)
        granted_this_round = False
        for credential in catalog:
            decision = decide(credential, cycles.get(credential.credential_id, []), results, held, now)
            if decision is None:
                continue
            if not earned_under:
                earned_under.append(_name_earned_under(account_id, award_list, now))
            if awards.grant(
                account_id,
                credential.credential_id,
                cycle=decision.cycle,
                earned_at=decision.earned_at,
                expires_at=decision.expires_at,
                rule=decision.rule,
                met_by=_met_by(decision.evaluation),
                holder_name=earned_under[0],
            ):
                written.append(decision)
            # Written here or by a concurrent evaluation: either way the cycle is held now.
            award_list = awards.awards_of(account_id, consistent=True)
            granted_this_round = True
            break  # re-read the facts: this award may meet another credential's prerequisite
        if not granted_this_round:
            break
    for decision in written:
        _tell(account_id, decision)
    return written


def _name_earned_under(account_id: str, award_list: list[CredentialAward], now: datetime) -> str | None:
    """The name a new award carries: the one the candidate's latest named award carries, a current one first (an
    approved name change renames only current cycles): whatever the profile says since, only an approved name
    change gives another. Else (a first award) the profile's."""
    named = [award for award in award_list if award.holder_name is not None]
    if named:
        return max(named, key=lambda award: (award.expires_at > now, award.earned_at)).holder_name
    account = find_account(account_id)
    return names.printed_name(account.first_name, account.last_name) if account else None


def _tell(account_id: str, decision: Decision) -> None:
    account = find_account(account_id)
    if account is None:
        return
    sent = notify(
        account,
        "exam_results",
        "credential_awarded",
        {
            "first_name": account.first_name,
            "credential_title": decision.credential.title,
            "expires_on": f"{decision.expires_at.day} {decision.expires_at:%B %Y}",
            "link": email.web_link("/dashboard"),
        },
    )
    logger.info(
        "credential awarded",
        extra={"credential_id": decision.credential.credential_id, "cycle": decision.cycle, "emailed": sent},
    )


def on_result_passed(result: ExamResult) -> None:
    """Called once per passed result, after it is stored, in the same invocation."""
    count("ExamPassed")
    award_what_is_met(result.account_id)
