"""The pure evaluator: a requirement tree against one candidate's facts.

`evaluate(node, facts, now)` is pure: it reads only the candidate's `Facts` (passed results, held
credentials) and `now`, and gives an `Evaluation` tree mirroring the requirement tree. Progress is counted
in units: an exam or credential node is 1, an `all_of` the sum of its children, an `any_of` 1 (met or not),
an `n_of` its `count` (each met child adds 1, up to `count`, whatever the child's own size). `percent` is
met units over total units, rounded down, so 100 means met.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from certtracker.credentials.requirements import AllOf, AnyOf, CredentialRequirement, ExamRequirement, Node, NOf

# ------------------------------------------------------------------------------------------ the facts


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months later (earlier if negative), the day clamped to the
    month's last: 31 January + 1 month is 28 (29) February."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class PassedResult:
    exam_id: str
    result_id: str
    taken_at: datetime


@dataclass(frozen=True, slots=True)
class HeldCredential:
    """A credential the candidate was awarded (one cycle of it)."""

    credential_id: str
    earned_at: datetime
    expires_at: datetime
    revoked: bool = False

    def valid_at(self, now: datetime) -> bool:
        return not self.revoked and self.earned_at <= now < self.expires_at


@dataclass(frozen=True)
class Facts:
    """What the evaluator knows of one candidate: passed results and held credentials, indexed by id."""

    results: Mapping[str, Sequence[PassedResult]] = field(default_factory=dict)  # by exam id, newest first
    credentials: Mapping[str, Sequence[HeldCredential]] = field(default_factory=dict)  # latest expiry first

    @classmethod
    def of(cls, results: Iterable[PassedResult] = (), credentials: Iterable[HeldCredential] = ()) -> Facts:
        by_exam: dict[str, list[PassedResult]] = {}
        for result in results:
            by_exam.setdefault(result.exam_id, []).append(result)
        by_credential: dict[str, list[HeldCredential]] = {}
        for held in credentials:
            by_credential.setdefault(held.credential_id, []).append(held)
        for passed in by_exam.values():
            passed.sort(key=lambda r: r.taken_at, reverse=True)
        for cycles in by_credential.values():
            cycles.sort(key=lambda c: c.expires_at, reverse=True)
        return cls(by_exam, by_credential)


# ------------------------------------------------------------------------------------------ evaluation


@dataclass(frozen=True, slots=True)
class Evaluation:
    """One node of the requirement tree, evaluated: whether it is met, its progress units, and for a leaf
    the result or credential that meets it (the freshest result; the held cycle that lasts longest)."""

    node: Node
    met: bool
    met_units: int
    total_units: int
    children: tuple[Evaluation, ...] = ()
    result: PassedResult | None = None
    credential: HeldCredential | None = None

    @property
    def percent(self) -> int:
        return self.met_units * 100 // self.total_units


def evaluate(node: Node, facts: Facts, now: datetime) -> Evaluation:
    """The tree evaluated for one candidate at `now` (timezone-aware). Pure: the same input, the same answer."""
    match node:
        case ExamRequirement(ids, within_months):
            best: PassedResult | None = None
            for exam_id in ids:
                for result in facts.results.get(exam_id, ()):
                    if result.taken_at > now:
                        continue
                    if within_months is not None and now >= add_months(result.taken_at, within_months):
                        break  # newest first: every older result of this exam is staler still
                    if best is None or result.taken_at > best.taken_at:
                        best = result
                    break
            return Evaluation(node, best is not None, int(best is not None), 1, result=best)
        case CredentialRequirement(credential_id):
            held = next((c for c in facts.credentials.get(credential_id, ()) if c.valid_at(now)), None)
            return Evaluation(node, held is not None, int(held is not None), 1, credential=held)
        case AllOf(children):
            evaluated = tuple(evaluate(child, facts, now) for child in children)
            return Evaluation(
                node,
                all(e.met for e in evaluated),
                sum(e.met_units for e in evaluated),
                sum(e.total_units for e in evaluated),
                evaluated,
            )
        case AnyOf(children):
            evaluated = tuple(evaluate(child, facts, now) for child in children)
            met = any(e.met for e in evaluated)
            return Evaluation(node, met, int(met), 1, evaluated)
        case NOf(count, children):
            evaluated = tuple(evaluate(child, facts, now) for child in children)
            met_children = sum(e.met for e in evaluated)
            return Evaluation(node, met_children >= count, min(met_children, count), count, evaluated)
