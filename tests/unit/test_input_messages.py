"""Every constraint of every request body the API takes has a sentence written for a person
(certtracker.core.input_messages): walked from the OpenAPI document, each property's constraints are turned into the
problem pydantic reports for them, and the sentence must name the field in words and use none of pydantic's."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from certtracker.core.input_messages import BROKEN_LINK, NOUNS, PATTERNS, sentence
from infra import template

DOCUMENT = json.loads((template.ROOT / "functions" / "docs" / "openapi.json").read_text(encoding="utf-8"))
SCHEMAS = DOCUMENT["components"]["schemas"]
# Pydantic's own wording, which must never reach a person.
PYDANTIC = re.compile(r"should|after validation|Input |String |Value error|valid_|literal|\{|\}")

# Constraint keyword → the problem pydantic reports when it is not met, with its context.
PROBLEMS = {
    "minLength": lambda value: [("string_too_short", {"min_length": value})],
    "maxLength": lambda value: [("string_too_long", {"max_length": value})],
    "pattern": lambda value: [("string_pattern_mismatch", {"pattern": value})],
    "minimum": lambda value: [("greater_than_equal", {"ge": value})],
    "maximum": lambda value: [("less_than_equal", {"le": value})],
    "minItems": lambda value: [("too_short", {"min_length": value, "actual_length": 0, "field_type": "List"})],
    "maxItems": lambda value: [("too_long", {"max_length": value, "actual_length": value + 1, "field_type": "List"})],
    "enum": lambda value: [("enum", {"expected": ", ".join(map(repr, value))})],
    "const": lambda value: [("value_error", {"error": ValueError("must be true")})],
    "format": lambda value: [("value_error", {"error": ValueError("must have one @")})],
}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    return SCHEMAS[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema


def _request_models() -> set[str]:
    found = set()
    for operations in DOCUMENT["paths"].values():
        for operation in operations.values():
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                if "$ref" in content["schema"]:
                    found.add(content["schema"]["$ref"].rsplit("/", 1)[1])
    return found


def _constraints(model: str) -> Iterator[tuple[str, str, tuple[str, dict[str, Any]]]]:
    """(model, field path, problem) for each constraint of each property, nested objects and list items included."""

    def walk(schema: dict[str, Any], path: tuple[str, ...]) -> Iterator[tuple[str, str, tuple[str, dict[str, Any]]]]:
        schema = _resolve(schema)
        for name, prop in schema.get("properties", {}).items():
            here = (*path, name)
            if name in schema.get("required", []):
                yield model, ".".join(here), ("missing", {})
            for variant in [prop, *prop.get("anyOf", []), *prop.get("allOf", [])]:
                variant = _resolve(variant)
                for keyword, value in variant.items():
                    for problem in PROBLEMS.get(keyword, lambda _: [])(value):
                        yield model, ".".join(here), problem
                if "properties" in variant:
                    yield from walk(variant, here)
                items = _resolve(variant.get("items", {}))
                for keyword, value in items.items():
                    for problem in PROBLEMS.get(keyword, lambda _: [])(value):
                        yield model, ".".join((*here, "0")), problem

    yield from walk(SCHEMAS[model], ())


CASES = sorted({str(case): case for model in _request_models() for case in _constraints(model)}.values(), key=str)


def test_the_walk_finds_the_request_models_and_their_constraints() -> None:
    fields = {path for _, path, _ in CASES}
    assert {"credential_ids", "credential_ids.0", "recipient_email", "address.postal_code", "username"} <= fields
    assert len(CASES) > 150


@pytest.mark.parametrize(("model", "path", "problem"), CASES, ids=[f"{m}.{p}:{k}" for m, p, (k, _) in CASES])
def test_every_constraint_of_a_request_has_a_sentence_written_for_a_person(
    model: str, path: str, problem: tuple[str, dict[str, Any]]
) -> None:
    kind, context = problem
    location = ("body", *(int(part) if part.isdigit() else part for part in path.split(".")))
    said = sentence({"type": kind, "loc": location, "msg": "Pydantic's own words.", "ctx": context})
    leaf = next(part for part in reversed(path.split(".")) if not part.isdigit())
    assert leaf == "token" or leaf in NOUNS, f"{model}.{path}: no words for this field in NOUNS"
    if kind == "string_pattern_mismatch" and leaf != "token":
        assert leaf in PATTERNS, f"{model}.{path}: no rule for this pattern in PATTERNS"
    assert not PYDANTIC.search(said), f"{model}.{path} ({kind}): {said!r}"
    assert said[:1].isupper(), said
    assert said.endswith("."), said
    assert "this field" not in said, said
    assert "is not valid" not in said, said
    assert said == BROKEN_LINK or leaf != "token", said


def test_the_share_form_with_nothing_ticked_says_so_in_words() -> None:
    problem = {
        "type": "too_short",
        "loc": ("body", "credential_ids"),
        "msg": "List should have at least 1 item after validation, not 0",
        "ctx": {"field_type": "List", "min_length": 1, "actual_length": 0},
    }
    assert sentence(problem) == "Tick at least one credential to share."


@pytest.mark.parametrize(("model", "path", "problem"), CASES[:40])
def test_a_problem_reported_without_its_context_is_still_a_sentence(
    model: str, path: str, problem: tuple[str, dict[str, Any]]
) -> None:
    """The webhook reports its problems without their context (`include_context=False`): never an error instead."""
    kind, _ = problem
    said = sentence({"type": kind, "loc": ("body", *path.split(".")), "msg": "x"})
    assert said.endswith(".")
