"""What a credential requires: the requirement tree and its JSON grammar.

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

The tree is evaluated for a candidate by `certtracker.credentials.evaluator`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
