"""The planner: for each credential not held, the smallest set of exams still to pass that can be booked today,
and a dated timeline of what lapses when.

`exams_to_pass` works on the evaluated tree: a met node needs nothing; an unmet exam node needs one of its
bookable versions (retired ones cannot be booked, though a pass of one still counts where it is listed); an
`all_of` needs what all its children need, an `any_of` what its cheapest child needs, an `n_of` what its
cheapest `count` children need together; an unmet prerequisite needs that credential's own plan. Each node
gives its few cheapest alternatives (sets of exams, supersets pruned), so overlapping children are counted
once: two requirements met by the same exam cost one exam. Pure: the catalogs come in as arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations, product
from typing import Literal

from certtracker.credentials.evaluator import Evaluation, Facts, add_months, evaluate
from certtracker.credentials.requirements import AllOf, AnyOf, CredentialRequirement, ExamRequirement, Node, NOf

# Enough alternatives per node to find the cheapest path in any real program; a bound keeps it fast.
MAX_ALTERNATIVES = 32

type Alternatives = list[frozenset[str]]  # each a set of exam ids that, passed, meets the node


def _prune(options: Iterable[frozenset[str]]) -> Alternatives:
    """The minimal sets (no superset of another kept), cheapest first, at most MAX_ALTERNATIVES."""
    ordered = sorted(set(options), key=lambda option: (len(option), sorted(option)))
    kept: Alternatives = []
    for option in ordered:
        if not any(smaller <= option for smaller in kept):
            kept.append(option)
        if len(kept) == MAX_ALTERNATIVES:
            break
    return kept


def _union_of(parts: list[Alternatives]) -> Alternatives:
    combined: Alternatives = [frozenset()]
    for alternatives in parts:
        combined = _prune(a | b for a, b in product(combined, alternatives))
    return combined


def exams_to_pass(
    evaluation: Evaluation, bookable: Callable[[str], bool], prerequisite: Callable[[str], Alternatives]
) -> Alternatives:
    """The cheapest sets of bookable exams that would meet this node (empty list: no bookable way)."""
    if evaluation.met:
        return [frozenset()]
    match evaluation.node:
        case ExamRequirement(exam_ids, _):
            return _prune(frozenset({exam_id}) for exam_id in exam_ids if bookable(exam_id))
        case CredentialRequirement(credential_id):
            return prerequisite(credential_id)
        case AllOf():
            parts = [exams_to_pass(child, bookable, prerequisite) for child in evaluation.children]
            return [] if any(not part for part in parts) else _union_of(parts)
        case AnyOf():
            return _prune(o for child in evaluation.children for o in exams_to_pass(child, bookable, prerequisite))
        case NOf(count, _):
            parts = [exams_to_pass(child, bookable, prerequisite) for child in evaluation.children]
            return _prune(o for chosen in combinations([p for p in parts if p], count) for o in _union_of(list(chosen)))
    raise TypeError(f"unknown requirement node {evaluation.node!r}")


@dataclass(frozen=True)
class Step:
    credential_id: str
    exams: tuple[str, ...]  # the smallest set of bookable exams still to pass; empty if none can be booked
    bookable: bool
    blocked_by: str | None = None  # a revoked credential every way to this one needs: no exam can earn it


@dataclass(frozen=True)
class Lapse:
    on: datetime
    what: Literal["credential_expires", "renewal_window_opens", "result_ages_out"]
    credential_id: str
    exam_id: str | None = None


def steps(
    requirements_by_credential: Mapping[str, Node],
    not_held: Iterable[str],
    facts_for: Callable[[str], Facts],
    now: datetime,
    bookable: Callable[[str], bool],
    revoked: Collection[str] = (),
) -> list[Step]:
    """For each credential not held: the smallest set of bookable exams that would earn it now. `facts_for` gives
    the facts a credential's next cycle may count (its renewal rule's evidence); a `revoked` credential is never
    earned again by passing exams, so what needs it is blocked, and says by what."""
    cache: dict[str, Alternatives] = {}
    evaluated: dict[str, Evaluation] = {}

    def evaluation_of(credential_id: str) -> Evaluation:
        if credential_id not in evaluated:
            node = requirements_by_credential[credential_id]
            evaluated[credential_id] = evaluate(node, facts_for(credential_id), now)
        return evaluated[credential_id]

    def plan_for(credential_id: str) -> Alternatives:
        if credential_id not in cache:
            cache[credential_id] = []  # a cycle (refused by the catalog's validation) plans nothing
            if credential_id not in revoked and credential_id in requirements_by_credential:
                cache[credential_id] = exams_to_pass(evaluation_of(credential_id), bookable, plan_for)
        return cache[credential_id]

    def blocker(credential_id: str, seen: frozenset[str] = frozenset()) -> str | None:
        if credential_id in revoked:
            return credential_id
        if credential_id in seen or credential_id not in requirements_by_credential:
            return None
        for node in _unmet_prerequisites(evaluation_of(credential_id)):
            if found := blocker(node, seen | {credential_id}):
                return found
        return None

    result = []
    for credential_id in not_held:
        alternatives = plan_for(credential_id)
        if alternatives:
            result.append(Step(credential_id, tuple(sorted(alternatives[0])), True))
        else:
            result.append(Step(credential_id, (), False, blocker(credential_id)))
    return result


def _unmet_prerequisites(evaluation: Evaluation) -> list[str]:
    """The prerequisite credentials the evaluated tree still lacks."""
    found = []
    stack = [evaluation]
    while stack:
        node = stack.pop()
        if not node.met and isinstance(node.node, CredentialRequirement):
            found.append(node.node.credential_id)
        stack.extend(node.children)
    return sorted(found)


def timeline(
    held: Iterable[tuple[str, datetime, int]],
    fresh_results: Iterable[tuple[str, str, datetime]],
    now: datetime,
) -> list[Lapse]:
    """What lapses when, from now on: each held credential's renewal window opening and its expiry
    ((credential, expires_at, window days)), and each result that ages out of a freshness limit
    ((credential, exam, ages_out_at))."""
    lapses = []
    for credential_id, expires_at, window_days in held:
        opens = expires_at - timedelta(days=window_days)
        if opens > now:
            lapses.append(Lapse(opens, "renewal_window_opens", credential_id))
        if expires_at > now:
            lapses.append(Lapse(expires_at, "credential_expires", credential_id))
    for credential_id, exam_id, ages_out_at in fresh_results:
        if ages_out_at > now:
            lapses.append(Lapse(ages_out_at, "result_ages_out", credential_id, exam_id))
    return sorted(lapses, key=lambda lapse: (lapse.on, lapse.what, lapse.credential_id))


def fresh_results_used(evaluation: Evaluation, credential_id: str) -> list[tuple[str, str, datetime]]:
    """The results meeting freshness-limited exam nodes, with the moment each ages out."""
    found = []
    stack = [evaluation]
    while stack:
        node = stack.pop()
        if isinstance(node.node, ExamRequirement) and node.node.within_months and node.result is not None:
            ages_out = add_months(node.result.taken_at, node.node.within_months)
            found.append((credential_id, node.result.exam_id, ages_out))
        stack.extend(node.children)
    return found
