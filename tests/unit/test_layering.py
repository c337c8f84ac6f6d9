"""The layer's arrows point one way, read from the source (ast): no package imports one above it, and no two modules
import each other, directly or around a circle.

Every import counts, wherever it stands: at the top, inside a function (deferred to the route that needs it, for
the cold start, but a dependency all the same) or under TYPE_CHECKING (the names it brings still tie the modules'
meanings together). Deferring an import changes when a module loads, never which way the arrow points.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from infra import template

LAYER = template.ROOT / "layers" / "common" / "python"
HANDLERS = "functions"  # functions/<name>/app.py, named functions.<name>.app here

# From the bottom up. A package may import the packages of the tiers below its own; within a tier, only the arrows
# written in DOMAIN_ARROWS.
TIERS: tuple[frozenset[str], ...] = (
    # What every domain uses: resolver and error mapping, settings, clock, clients (and what a reset forgets),
    # time budgets, tables, throttles, email.
    frozenset({"core"}),
    # The table models, and the HTTP contract's request and response models.
    frozenset({"models", "contract"}),
    # What several domains consult, reading only the tables: wanted email with its unsubscribe link, and which
    # addresses are a partner company's.
    frozenset({"notifications", "partner_addresses"}),
    # The domains.
    frozenset(
        {"accounts", "exams", "credentials", "certificates", "partners", "shares", "support", "profile", "staff"}
    ),
    # The handlers, one per function.
    frozenset({HANDLERS}),
)

# Which domain may call which: each its own order. Exams come before what they earn; the candidate's own pages
# (profile: export and erasure of everything) and the support team's tools (staff) come last.
DOMAIN_ARROWS: Mapping[str, frozenset[str]] = {
    "accounts": frozenset(),
    "support": frozenset({"accounts"}),
    "exams": frozenset({"accounts"}),
    "credentials": frozenset({"accounts", "exams"}),
    "certificates": frozenset({"accounts", "credentials"}),
    "partners": frozenset({"accounts", "credentials"}),
    "shares": frozenset({"accounts", "certificates", "credentials"}),
    "profile": frozenset({"accounts", "certificates", "credentials", "partners", "shares"}),
    "staff": frozenset({"accounts", "certificates", "credentials", "exams"}),
}


@dataclass(frozen=True)
class Import:
    importer: str  # a module's dotted name
    imported: str  # the module it loads (a package's __init__ when the name is not a module of its own)
    line: int

    def __str__(self) -> str:
        return f"{self.importer} (line {self.line}) imports {self.imported}"


def _module_names() -> dict[str, Path]:
    names = {}
    for path in sorted((LAYER / "certtracker").rglob("*.py")):
        parts = path.relative_to(LAYER).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for path in sorted((template.ROOT / HANDLERS).glob("*/app.py")):
        names[f"{HANDLERS}.{path.parent.name}.app"] = path
    return names


def _imports_in(module: str, path: Path, known: Iterable[str]) -> list[Import]:
    """The imports of certtracker modules in `module`'s source, resolved to modules of the layer."""
    known = set(known)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from a import b`: the module a.b when there is one, else a name defined in a.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import a.b.c` loads a.b.c; a name in a module means the module
                target = target.rpartition(".")[0]
            if target and target != module:
                found.append(Import(module, target, node.lineno))
    return found


@cache
def imports() -> tuple[Import, ...]:
    names = _module_names()
    return tuple(found for module, path in names.items() for found in _imports_in(module, path, names))


def unit(module: str) -> str:
    """The package a module belongs to for the layering: certtracker.<package>…, or the handlers."""
    first, _, rest = module.partition(".")
    return HANDLERS if first == HANDLERS else rest.partition(".")[0] or "certtracker"


def tier(package: str) -> int:
    return next(level for level, members in enumerate(TIERS) if package in members)


def allowed(importer: str, imported: str) -> bool:
    if importer == imported or imported == "certtracker":  # the root package is only its docstring
        return True
    if tier(imported) != tier(importer):
        return tier(imported) < tier(importer)
    return imported in DOMAIN_ARROWS.get(importer, frozenset())


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit); those of one node without a loop
    are left out, so what remains are the circles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles = []
    nodes = sorted({*graph, *(w for targets in graph.values() for w in targets)})
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph.get(node, ()):
                        circles.append(sorted(component))
    return circles


def test_every_package_of_the_layer_has_its_place_in_the_order() -> None:
    packages = {unit(module) for module in _module_names()} - {"certtracker"}
    placed = set().union(*TIERS)
    assert packages - placed == set(), "a new package: give it a tier (and its domain arrows) in this test"
    assert placed - packages == set(), "a tier names a package that no longer exists"
    assert set(DOMAIN_ARROWS) == set(TIERS[3])


def test_the_domains_allowed_arrows_form_an_order() -> None:
    assert strongly_connected(DOMAIN_ARROWS) == []


def test_no_package_imports_one_above_it() -> None:
    upward = [str(found) for found in imports() if not allowed(unit(found.importer), unit(found.imported))]
    assert upward == []


def test_every_allowed_domain_arrow_is_one_the_code_uses() -> None:
    """The table says what is, not what might be: an arrow no longer used is taken out (and its way back opens)."""
    used = {(unit(found.importer), unit(found.imported)) for found in imports()}
    unused = sorted((a, b) for a, targets in DOMAIN_ARROWS.items() for b in targets if (a, b) not in used)
    assert unused == []


def test_no_module_imports_itself_around_a_circle() -> None:
    graph: dict[str, set[str]] = {}
    for found in imports():
        graph.setdefault(found.importer, set()).add(found.imported)
    assert strongly_connected(graph) == []


def test_core_reaches_nothing_above_it() -> None:
    """The issue that started it (23): core.aws named the badges, the secrets and every model to clear their caches."""
    core = [str(found) for found in imports() if unit(found.importer) == "core" and unit(found.imported) != "core"]
    assert core == []


# The reader itself: it must see what hides in a function or under TYPE_CHECKING, resolve relative imports, and find
# the circles and the upward arrows it is there to find.


def test_the_reader_counts_imports_in_functions_under_type_checking_and_relative(tmp_path: Path) -> None:
    source = tmp_path / "issuing.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import codes\n"
        "if TYPE_CHECKING:\n"
        "    from certtracker.models.certificates import Certificate\n"
        "def render():\n"
        "    from certtracker.core import clock, errors\n"
        "    import certtracker.core.email.quoting\n"
    )
    known = {
        "certtracker.certificates.issuing",
        "certtracker.certificates.codes",
        "certtracker.models.certificates",
        "certtracker.core",
        "certtracker.core.clock",
        "certtracker.core.email",
        "certtracker.core.email.quoting",
    }
    found = _imports_in("certtracker.certificates.issuing", source, known)
    assert sorted((f.line, f.imported) for f in found) == [
        (2, "certtracker.certificates.codes"),
        (4, "certtracker.models.certificates"),
        (6, "certtracker.core"),  # `errors` is no module of its own in `known`: a name of core's __init__
        (6, "certtracker.core.clock"),
        (7, "certtracker.core.email.quoting"),
    ]


@pytest.mark.parametrize(
    ("graph", "circles"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
        ({"a": {"a"}}, [["a"]]),
        ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c", "a"}}, [["a", "b"], ["c", "d"]]),
    ],
)
def test_the_circle_finder_finds_each_circle_once(graph: dict[str, set[str]], circles: list[list[str]]) -> None:
    assert sorted(strongly_connected(graph)) == circles


def test_an_arrow_up_or_against_the_domain_order_is_refused() -> None:
    assert allowed("credentials", "core")
    assert allowed("credentials", "notifications")
    assert allowed("shares", "credentials")
    assert allowed(HANDLERS, "staff")
    assert not allowed("core", "models")
    assert not allowed("core", "certificates")
    assert not allowed("models", "contract")  # one tier: no arrow unless written down
    assert not allowed("notifications", "profile")
    assert not allowed("credentials", "shares")
    assert not allowed("staff", HANDLERS)
