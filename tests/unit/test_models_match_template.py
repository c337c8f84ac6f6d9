"""Each PynamoDB model agrees with its table in template.yaml: keys, indexes and TTL."""

from __future__ import annotations

import pytest
from pynamodb.attributes import NumberAttribute, TTLAttribute
from pynamodb.models import Model

from certtracker.models import every_model
from infra import template

TYPE_CODES = {"S": "S", "N": "N", "B": "B"}


def table_of(model: type[Model]) -> dict:
    variable = model.Meta.__dict__["table_name"].variable
    refs = {
        function.environment[variable]["Ref"]
        for function in template.functions().values()
        if isinstance(function.environment.get(variable), dict)
    }
    assert len(refs) == 1, f"{variable} must name exactly one table in template.yaml, found {refs}"
    return template.tables()[refs.pop()]


def attribute_type(model: type[Model], name: str) -> str:
    attribute = model.get_attributes()[name]
    return "N" if isinstance(attribute, NumberAttribute | TTLAttribute) else attribute.attr_type


@pytest.mark.parametrize("model", every_model(), ids=lambda m: m.__name__)
def test_model_keys_match_the_table_in_the_template(model: type[Model]) -> None:
    table = table_of(model)
    definitions = {d["AttributeName"]: d["AttributeType"] for d in table["AttributeDefinitions"]}
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    assert keys["HASH"] == model._hash_keyname
    assert keys.get("RANGE") == model._range_keyname
    for name in keys.values():
        assert definitions[name] == attribute_type(model, name)


@pytest.mark.parametrize("model", every_model(), ids=lambda m: m.__name__)
def test_model_indexes_and_ttl_match_the_template(model: type[Model]) -> None:
    table = table_of(model)
    declared = {index["IndexName"]: index for index in table.get("GlobalSecondaryIndexes", [])}
    modelled = {index.Meta.index_name: index for index in model._indexes.values()}
    assert set(modelled) <= set(declared)
    for name, index in modelled.items():
        keys = {k["KeyType"]: k["AttributeName"] for k in declared[name]["KeySchema"]}
        schema = index._get_schema()
        assert {k["KeyType"]: k["AttributeName"] for k in schema["key_schema"]} == keys
        assert schema["projection"]["ProjectionType"] == declared[name]["Projection"]["ProjectionType"]
    ttl = model._ttl_attribute()
    declared_ttl = table.get("TimeToLiveSpecification", {}).get("AttributeName")
    assert (ttl.attr_name if ttl else None) == declared_ttl


@pytest.mark.parametrize("table_name", sorted(template.tables()))
def test_every_index_of_a_table_is_modelled_by_one_of_its_models(table_name: str) -> None:
    models = [model for model in every_model() if table_of(model) is template.tables()[table_name]]
    declared = {index["IndexName"] for index in template.tables()[table_name].get("GlobalSecondaryIndexes", [])}
    modelled = {index.Meta.index_name for model in models for index in model._indexes.values()}
    assert declared == modelled
