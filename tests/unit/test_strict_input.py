"""Strict input everywhere: every model of what a caller sends (each request body of the API, the Pearson VUE
webhook's, each staff operation) refuses a value whose JSON type its schema does not declare, so a boolean or a
string is never read as a number, nor a number as a string or a flag. It walks every model, so a new field (or a
new model) cannot be loose by accident."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

import certtracker.contract
from certtracker.core.api import StrictModel
from certtracker.core.strict_input import STRICT_INPUT
from certtracker.staff import payloads

OPENAPI = Path(__file__).parents[2] / "functions" / "docs" / "openapi.json"

# Values of each JSON type, among them those lax pydantic would convert: "3" and "true" (strings that read as a
# number or a flag), 1 and 0 (numbers that read as flags), 3.0 (a float that reads as an integer).
PROBES: dict[str, list[Any]] = {
    "boolean": [True, False],
    "integer": [3, 1, 0],
    "number": [2.5, 3.0, 1.0],
    "string": ["3", "true", "1", "2026-03-01T09:30:00Z"],
    "array": [["3"]],
    "object": [{"3": 3}],
}
# Lax on purpose, each making sure of its input's shape itself (see certtracker.core.strict_input).
LAX_FIELDS = {("WebhookResult", "taken_at")}


def contract_models() -> list[type[BaseModel]]:
    """Every pydantic model defined in a module of certtracker.contract."""
    found = []
    for module_info in pkgutil.iter_modules(certtracker.contract.__path__, "certtracker.contract."):
        module = importlib.import_module(module_info.name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__
        ]
    return found


def input_models() -> list[type[BaseModel]]:
    return [model for model in contract_models() if issubclass(model, StrictModel)] + list(payloads.MEMBERS)


def _json_type(value: Any) -> str:
    kinds = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return kinds.get(type(value), "null")


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def accepted_types(schema: dict[str, Any], defs: dict[str, Any]) -> set[str] | None:
    """The JSON types a schema admits, or None when it admits any."""
    schema = _resolve(schema, defs)
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            members = [accepted_types(member, defs) for member in schema[combined]]
            if any(member is None for member in members):
                return None
            return set().union(*members)  # type: ignore[arg-type]
    if "const" in schema:
        return {_json_type(schema["const"])}
    if "enum" in schema:
        return {_json_type(value) for value in schema["enum"]}
    if "type" in schema:
        declared = set(schema["type"]) if isinstance(schema["type"], list) else {schema["type"]}
        return declared | ({"integer"} if "number" in declared else set())
    return None


def probes(schema: dict[str, Any], defs: dict[str, Any], path: tuple[str | int, ...] = ()) -> Iterator[Any]:
    """(path, value) for each value of a JSON type the field at `path` does not admit, through nested objects and
    the items of arrays."""
    schema = _resolve(schema, defs)
    for name, field in schema.get("properties", {}).items():
        admitted = accepted_types(field, defs)
        if admitted is not None:
            for kind, values in PROBES.items():
                if kind not in admitted:
                    yield from (((*path, name), value) for value in values)
        for member in [_resolve(field, defs), *(_resolve(m, defs) for m in field.get("anyOf", []))]:
            if "properties" in member:
                yield from probes(member, defs, (*path, name))
            if member.get("type") == "array" and "items" in member:
                item = _resolve(member["items"], defs)
                admitted_items = accepted_types(item, defs)
                for kind, values in PROBES.items():
                    if admitted_items is not None and kind not in admitted_items:
                        yield from (((*path, name, 0), value) for value in values)


def _nested(path: tuple[str | int, ...], value: Any) -> Any:
    for part in reversed(path):
        value = [value] if isinstance(part, int) else {part: value}
    return value


@pytest.mark.parametrize("model", input_models(), ids=lambda model: model.__name__)
def test_no_input_field_takes_a_value_of_a_json_type_it_does_not_declare(model: type[BaseModel]) -> None:
    schema = model.model_json_schema(mode="validation")
    tried = 0
    for path, value in probes(schema, schema.get("$defs", {})):
        tried += 1
        try:
            model.model_validate(_nested(path, value))
        except ValidationError as error:
            refusals = [p for p in error.errors() if tuple(p["loc"][: len(path)]) == path and p["type"] != "missing"]
        else:
            refusals = []
        assert refusals, f"{model.__name__}.{'.'.join(map(str, path))} takes {value!r}"
    assert tried, f"{model.__name__} has no field the walk could probe"


@pytest.mark.parametrize("model", input_models(), ids=lambda model: model.__name__)
def test_every_input_model_has_the_one_strict_setting(model: type[BaseModel]) -> None:
    for key in ("strict", "extra", "str_strip_whitespace"):
        assert model.model_config.get(key) == STRICT_INPUT[key], (model.__name__, key)  # type: ignore[literal-required]
    for name, field in model.model_fields.items():
        lax = any(getattr(constraint, "strict", None) is False for constraint in field.metadata)
        assert not lax or (model.__name__, name) in LAX_FIELDS, f"{model.__name__}.{name} is lax"


def test_every_request_body_of_the_api_and_what_it_nests_is_a_strict_model() -> None:
    """A request model built on the response base (`Model`) would not be walked above: the published document
    says which models are request bodies, and each of them (and each model inside one) must be strict."""
    document = json.loads(OPENAPI.read_text())
    components = document["components"]["schemas"]
    by_name = {model.__name__: model for model in contract_models()}

    def referenced(schema: Any) -> Iterator[str]:
        if isinstance(schema, dict):
            if "$ref" in schema:
                name = schema["$ref"].rsplit("/", 1)[-1]
                yield name
                yield from referenced(components[name])
            for value in schema.values():
                yield from referenced(value)
        elif isinstance(schema, list):
            for value in schema:
                yield from referenced(value)

    bodies = {
        name
        for operations in document["paths"].values()
        for operation in operations.values()
        for name in referenced(operation.get("requestBody", {}))
    }
    assert {"ShareRequest", "AddressModel"} <= bodies  # the walk reaches nested models too
    loose = sorted(name for name in bodies if not issubclass(by_name[name], StrictModel))
    assert not loose, f"request bodies not built on StrictModel: {loose}"


@pytest.mark.parametrize(
    ("value", "refused"),
    [(True, True), ("3", True), (3.0, True), (3, False), (30, False)],
)
def test_the_days_a_share_lasts_are_a_json_integer(value: Any, refused: bool) -> None:
    from certtracker.contract.shares import ShareRequest

    body = {"recipient_email": "talent@employer.example", "credential_ids": ["CERT-EP"], "expires_in_days": value}
    if refused:
        with pytest.raises(ValidationError) as raised:
            ShareRequest.model_validate(body)
        assert raised.value.errors()[0]["loc"] == ("expires_in_days",)
    else:
        assert ShareRequest.model_validate(body).expires_in_days == value


@pytest.mark.parametrize("operation", [["revoke"], {"name": "revoke"}, None, 3, True, "", "drop_table"])
def test_a_staff_operation_that_is_not_one_of_the_names_is_refused_by_field(operation: Any) -> None:
    from certtracker.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as raised:
        payloads.read({"operation": operation, "by": "pat", "reason": "r"})
    assert raised.value.field == "operation"
    assert ", ".join(payloads.OPERATIONS) in raised.value.message
