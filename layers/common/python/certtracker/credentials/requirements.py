"""What a credential requires: the requirement tree, its JSON grammar, and the pure evaluator.

Grammar (each node is a JSON object with exactly one key):

    {"all_of": [node, ...]}                      every child is met
    {"any_of": [node, ...]}                      at least one child is met
    {"n_of": {"count": 2, "of": [node, ...]}}    at least `count` children are met (1 <= count <= len(of))
    {"exam": {"ids": ["250-580", "250-561"],     a passed result of any listed exam id; a retired version
              "within_months": 24}}              counts only where it is listed. `within_months` (optional,
                                                 1-120) is freshness: the result counts until the same day
                                                 `within_months` calendar months after it was taken
    {"credential": "CERT-EP"}                    a prerequisite credential, held and valid (not revoked,
                                                 not expired) at the time of evaluation

Lists are never empty. `parse` turns JSON into frozen dataclasses (raising `InvalidRequirement` with the
path of the node at fault); `to_json` is its inverse. Which exam and credential ids exist is the catalog's
check (`certtracker.credentials.catalog.validate`), not this module's.

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
from typing import Any

MAX_WITHIN_MONTHS = 120
# Deep enough for any real program; a limit keeps a hostile or broken document from exhausting the stack.
MAX_DEPTH = 16


class InvalidRequirement(ValueError):
    """A requirement tree that does not follow the grammar; the message names the node's path."""


# ------------------------------------------------------------------------------------------ the tree


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class NOf:
    count: int
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class ExamRequirement:
    exam_ids: tuple[str, ...]  # the versions that count, retired ones included where listed
    within_months: int | None = None


@dataclass(frozen=True, slots=True)
class CredentialRequirement:
    credential_id: str


type Node = AllOf | AnyOf | NOf | ExamRequirement | CredentialRequirement


def parse(data: Any, path: str = "requirements") -> Node:
    """A requirement tree from its JSON form; `InvalidRequirement` names the first node at fault."""
    return _parse(data, path, 0)


def _parse(data: Any, path: str, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise InvalidRequirement(f"{path}: the tree is nested more than {MAX_DEPTH} levels deep")
    if not isinstance(data, Mapping) or len(data) != 1:
        raise InvalidRequirement(
            f"{path}: a requirement is an object with exactly one key (all_of, any_of, n_of, exam or credential)"
        )
    ((kind, value),) = data.items()
    where = f"{path}.{kind}"
    if kind in ("all_of", "any_of"):
        children = _parse_list(value, where, depth)
        return AllOf(children) if kind == "all_of" else AnyOf(children)
    if kind == "n_of":
        _only_keys(value, where, required={"count", "of"})
        count = value["count"]
        children = _parse_list(value["of"], where + ".of", depth)
        if not _is_int(count) or not 1 <= count <= len(children):
            raise InvalidRequirement(
                f"{where}.count: must be a whole number from 1 to the {len(children)} requirement(s) listed, "
                f"not {count!r}"
            )
        return NOf(count, children)
    if kind == "exam":
        _only_keys(value, where, required={"ids"}, optional={"within_months"})
        ids = value["ids"]
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i.strip() for i in ids):
            raise InvalidRequirement(f"{where}.ids: must be a non-empty list of exam ids")
        if len(set(ids)) != len(ids):
            raise InvalidRequirement(f"{where}.ids: lists an exam id twice")
        within = value.get("within_months")
        if within is not None and (not _is_int(within) or not 1 <= within <= MAX_WITHIN_MONTHS):
            raise InvalidRequirement(f"{where}.within_months: must be a whole number from 1 to {MAX_WITHIN_MONTHS}")
        return ExamRequirement(tuple(ids), within)
    if kind == "credential":
        if not isinstance(value, str) or not value.strip():
            raise InvalidRequirement(f"{where}: must be a credential id")
        return CredentialRequirement(value)
    raise InvalidRequirement(f"{path}: unknown requirement {kind!r} (all_of, any_of, n_of, exam or credential)")


def _parse_list(value: Any, path: str, depth: int) -> tuple[Node, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidRequirement(f"{path}: must be a non-empty list of requirements")
    return tuple(_parse(child, f"{path}[{i}]", depth + 1) for i, child in enumerate(value))


def _only_keys(value: Any, path: str, *, required: set[str], optional: frozenset[str] | set[str] = frozenset()) -> None:
    if not isinstance(value, Mapping):
        raise InvalidRequirement(f"{path}: must be an object with {', '.join(sorted(required))}")
    missing = required - set(value)
    unknown = set(value) - required - set(optional)
    if missing:
        raise InvalidRequirement(f"{path}: missing {', '.join(sorted(missing))}")
    if unknown:
        raise InvalidRequirement(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def to_json(node: Node) -> dict[str, Any]:
    """The JSON form of a tree (`parse(to_json(node)) == node`)."""
    match node:
        case AllOf(children):
            return {"all_of": [to_json(child) for child in children]}
        case AnyOf(children):
            return {"any_of": [to_json(child) for child in children]}
        case NOf(count, children):
            return {"n_of": {"count": count, "of": [to_json(child) for child in children]}}
        case ExamRequirement(exam_ids, within_months):
            exam: dict[str, Any] = {"ids": list(exam_ids)}
            if within_months is not None:
                exam["within_months"] = within_months
            return {"exam": exam}
        case CredentialRequirement(credential_id):
            return {"credential": credential_id}


def walk(node: Node) -> Iterable[Node]:
    """Every node of the tree, the root first."""
    yield node
    if isinstance(node, AllOf | AnyOf | NOf):
        for child in node.children:
            yield from walk(child)


def exam_ids(node: Node) -> set[str]:
    return {exam_id for n in walk(node) if isinstance(n, ExamRequirement) for exam_id in n.exam_ids}


def credential_ids(node: Node) -> set[str]:
    return {n.credential_id for n in walk(node) if isinstance(n, CredentialRequirement)}


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
