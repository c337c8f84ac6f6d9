"""The credential catalog: its versioned JSON document, the checks that refuse a bad one, and the read.

The document (`infra/seed_data/credentials.json`, loaded by `python -m infra.credentials load`):

    {"version": "2026-11",
     "credentials": [
       {"credential_id": "CERT-EP",                     upper-case letters, digits and dashes
        "kind": "certification",                        accreditation (online assessments) | certification
        "level": "specialist",                          foundation | specialist | professional
        "title": "...", "track": "Endpoint Protection", "description": "...",
        "validity_months": 24,                          12 to 36
        "requirements": <tree>,                         see certtracker.credentials.requirements
        "recertification": {"renewal_window_days": 180, "requirements": <tree>}}]}

`validate` refuses unknown exam ids, references to credentials not in the document, prerequisite cycles
(through `credential` nodes of both trees), bad trees, duplicates and bad validity, naming the credential
and the problem for every one it finds.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from certtracker.core import aws
from certtracker.core.errors import NotFound
from certtracker.credentials import requirements
from certtracker.credentials.requirements import InvalidRequirement, Node
from certtracker.models.catalog import CREDENTIALS_PARTITION, CatalogCredential

type Kind = Literal["accreditation", "certification"]
type Level = Literal["foundation", "specialist", "professional"]
KINDS: tuple[Kind, ...] = ("accreditation", "certification")
LEVELS: tuple[Level, ...] = ("foundation", "specialist", "professional")
MIN_VALIDITY_MONTHS, MAX_VALIDITY_MONTHS = 12, 36
CREDENTIAL_ID = re.compile(r"[A-Z][A-Z0-9]*(-[A-Z0-9]+)*")
MAX_ID_LENGTH = 40
FIELDS = {
    "credential_id",
    "kind",
    "level",
    "title",
    "track",
    "description",
    "validity_months",
    "requirements",
    "recertification",
}
TEXT_LIMITS = {"title": 120, "track": 64, "description": 1000}


class InvalidCatalog(ValueError):
    """A document refused: `problems` holds one line per problem, each naming the credential at fault."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the credential catalog is refused:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Recertification:
    renewal_window_days: int  # passing `requirements` within this many days before expiry renews
    requirements: Node


@dataclass(frozen=True, slots=True)
class Credential:
    credential_id: str
    kind: Kind
    level: Level
    title: str
    track: str
    description: str
    validity_months: int
    requirements: Node
    recertification: Recertification


@dataclass(frozen=True, slots=True)
class CredentialCatalog:
    version: str
    credentials: tuple[Credential, ...]


# ------------------------------------------------------------------------------------------ validation


def validate(document: Any, exam_ids: Collection[str], tracks: Collection[str] | None = None) -> CredentialCatalog:
    """The document as typed definitions, or `InvalidCatalog` listing every problem found.

    `exam_ids` are those of the exam catalog (retired ones included); `tracks`, when given, the tracks a
    credential may name.
    """
    if not isinstance(document, Mapping) or set(document) != {"version", "credentials"}:
        raise InvalidCatalog(['the document is an object with exactly "version" and "credentials"'])
    version = document["version"]
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.-]{0,31}", version):
        raise InvalidCatalog(['"version" must be a short text such as "2026-11"'])
    entries = document["credentials"]
    if not isinstance(entries, list) or not entries:
        raise InvalidCatalog(['"credentials" must be a non-empty list'])

    problems: list[str] = []
    parsed: list[Credential] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        name = entry.get("credential_id") if isinstance(entry, Mapping) else None
        label = f"credential {name}" if isinstance(name, str) else f"credentials[{index}]"
        if isinstance(name, str):
            if name in seen:
                problems.append(f"{label}: the id is used twice")
            seen.add(name)
        credential = _parse_credential(entry, label, problems)
        if credential is not None:
            parsed.append(credential)

    known = {credential.credential_id for credential in parsed}
    exams = set(exam_ids)
    for credential in parsed:
        label = f"credential {credential.credential_id}"
        if tracks is not None and credential.track not in tracks:
            problems.append(f"{label}: track {credential.track!r} is not a track of the exam catalog")
        for tree_name, tree in _trees(credential):
            for exam_id in sorted(requirements.exam_ids(tree) - exams):
                problems.append(f"{label}: {tree_name} name exam {exam_id}, which is not in the exam catalog")
            for other in sorted(requirements.credential_ids(tree) - known - {credential.credential_id}):
                if other not in seen:  # a credential refused above is not also reported as unknown
                    problems.append(f"{label}: {tree_name} name credential {other}, which is not in this document")
    problems.extend(_cycles(parsed))
    if problems:
        raise InvalidCatalog(problems)
    return CredentialCatalog(version, tuple(parsed))


def _parse_credential(entry: Any, label: str, problems: list[str]) -> Credential | None:
    if not isinstance(entry, Mapping):
        problems.append(f"{label}: must be an object")
        return None
    before = len(problems)
    missing, unknown = FIELDS - set(entry), set(entry) - FIELDS
    if missing:
        problems.append(f"{label}: missing {', '.join(sorted(missing))}")
        return None
    if unknown:
        problems.append(f"{label}: unknown field(s) {', '.join(sorted(unknown))}")
    credential_id = entry["credential_id"]
    if (
        not isinstance(credential_id, str)
        or len(credential_id) > MAX_ID_LENGTH
        or not CREDENTIAL_ID.fullmatch(credential_id)
    ):
        problems.append(f"{label}: credential_id must be upper-case letters, digits and dashes, at most 40")
    if entry["kind"] not in KINDS:
        problems.append(f"{label}: kind must be one of {', '.join(KINDS)}, not {entry['kind']!r}")
    if entry["level"] not in LEVELS:
        problems.append(f"{label}: level must be one of {', '.join(LEVELS)}, not {entry['level']!r}")
    for text_field, limit in TEXT_LIMITS.items():
        value = entry[text_field]
        if not isinstance(value, str) or not value.strip() or len(value) > limit or value != value.strip():
            problems.append(f"{label}: {text_field} must be text of 1 to {limit} characters, without outer spaces")
    validity = entry["validity_months"]
    if isinstance(validity, bool) or not isinstance(validity, int):
        problems.append(f"{label}: validity_months must be a whole number of months")
    elif not MIN_VALIDITY_MONTHS <= validity <= MAX_VALIDITY_MONTHS:
        problems.append(
            f"{label}: validity_months is {validity}; a credential is valid {MIN_VALIDITY_MONTHS} to "
            f"{MAX_VALIDITY_MONTHS} months"
        )
    tree = _tree(entry["requirements"], "requirements", label, problems)
    recertification = _recertification(entry["recertification"], entry["validity_months"], label, problems)
    if len(problems) > before or tree is None or recertification is None:
        return None
    return Credential(
        credential_id=credential_id,
        kind=cast(Kind, entry["kind"]),
        level=cast(Level, entry["level"]),
        title=entry["title"],
        track=entry["track"],
        description=entry["description"],
        validity_months=validity,
        requirements=tree,
        recertification=recertification,
    )


def _tree(data: Any, path: str, label: str, problems: list[str]) -> Node | None:
    try:
        return requirements.parse(data, path)
    except InvalidRequirement as error:
        problems.append(f"{label}: {error}")
        return None


def _recertification(data: Any, validity_months: Any, label: str, problems: list[str]) -> Recertification | None:
    if not isinstance(data, Mapping) or set(data) != {"renewal_window_days", "requirements"}:
        problems.append(f"{label}: recertification is an object with exactly renewal_window_days and requirements")
        return None
    window = data["renewal_window_days"]
    # The window opens inside the validity period: at most the shortest validity's length (a year).
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 365:
        problems.append(f"{label}: recertification.renewal_window_days must be a whole number from 1 to 365")
        return None
    tree = _tree(data["requirements"], "recertification.requirements", label, problems)
    return Recertification(window, tree) if tree is not None else None


def _trees(credential: Credential) -> tuple[tuple[str, Node], ...]:
    return (
        ("requirements", credential.requirements),
        ("recertification requirements", credential.recertification.requirements),
    )


def _cycles(credentials: list[Credential]) -> list[str]:
    """One line per prerequisite cycle (a credential that, through `credential` nodes, requires itself)."""
    needs = {
        c.credential_id: sorted(set().union(*(requirements.credential_ids(tree) for _, tree in _trees(c))))
        for c in credentials
    }
    problems: list[str] = []
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(credential_id: str) -> None:
        state[credential_id] = 1
        path.append(credential_id)
        for other in needs.get(credential_id, ()):
            if state.get(other) == 1:
                cycle = path[path.index(other) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    chain = " → ".join([*cycle, other])
                    problems.append(f"credential {other}: prerequisite cycle {chain}")
            elif other in needs and other not in state:
                visit(other)
        path.pop()
        state[credential_id] = 2

    for credential_id in needs:
        if credential_id not in state:
            visit(credential_id)
    return problems


# ------------------------------------------------------------------------------------------ storage


def to_item(credential: Credential, version: str) -> CatalogCredential:
    return CatalogCredential(
        pk=CREDENTIALS_PARTITION,
        sk=credential.credential_id,
        credential_id=credential.credential_id,
        catalog_version=version,
        kind=credential.kind,
        level=credential.level,
        title=credential.title,
        track=credential.track,
        description=credential.description,
        validity_months=credential.validity_months,
        requirements=_dump(credential.requirements),
        renewal_window_days=credential.recertification.renewal_window_days,
        recertification_requirements=_dump(credential.recertification.requirements),
    )


def from_item(item: CatalogCredential) -> Credential:
    return Credential(
        credential_id=item.credential_id,
        kind=cast(Kind, item.kind),
        level=cast(Level, item.level),
        title=item.title,
        track=item.track,
        description=item.description,
        validity_months=int(item.validity_months),
        requirements=requirements.parse(json.loads(item.requirements)),
        recertification=Recertification(
            int(item.renewal_window_days),
            requirements.parse(json.loads(item.recertification_requirements), "recertification.requirements"),
        ),
    )


def _dump(node: Node) -> str:
    return json.dumps(requirements.to_json(node), separators=(",", ":"))


# ------------------------------------------------------------------------------------------ the read

# The catalog changes a few times a year; a warm container may serve it from memory for a minute.
CACHE_SECONDS = 60
_cache: tuple[float, list[Credential]] | None = None


def all_credentials() -> list[Credential]:
    """Every credential of the loaded catalog, parsed: one query, cached briefly per container."""
    global _cache
    if _cache is None or time.monotonic() - _cache[0] > CACHE_SECONDS:
        items = CatalogCredential.query(CREDENTIALS_PARTITION)
        _cache = (time.monotonic(), [from_item(item) for item in items])
    return _cache[1]


def list_credentials(*, kind: str | None = None, track: str | None = None) -> list[Credential]:
    return [
        credential
        for credential in all_credentials()
        if (kind is None or credential.kind == kind) and (track is None or credential.track.lower() == track.lower())
    ]


def titles() -> dict[str, str]:
    """Each credential's title by its id (from the cached catalog)."""
    return {credential.credential_id: credential.title for credential in all_credentials()}


def get_credential(credential_id: str) -> Credential:
    """One credential, from the container's copy of the catalog (no request when it is warm)."""
    for credential in all_credentials():
        if credential.credential_id == credential_id:
            return credential
    raise NotFound(f"There is no credential {credential_id} in the catalog.", code="credential_not_found")


@aws.on_reset
def forget_cache() -> None:
    global _cache
    _cache = None
