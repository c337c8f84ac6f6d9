"""template.yaml as SAM deploys it: SAM's own translator, offline, and what the transformed template must hold.

The other template tests read template.yaml as written; what reaches CloudFormation is SAM's expansion of it
(the stages of an API, the roles and their managed policies, event source mappings, rules, invoke configs).
The translator runs here without AWS: code folders become S3 locations as `sam package` leaves them, and
the template names no managed policy that would need IAM's list of them.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import boto3
import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from infra import template


def _packaged(document: dict[str, Any]) -> dict[str, Any]:
    """The template as `sam package` hands it on: local code and layer folders become S3 locations."""
    packaged = copy.deepcopy(document)
    for body in packaged["Resources"].values():
        properties = body.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = "s3://certtracker-artifacts/" + properties[key].strip("/")
    return packaged


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=template.LOCAL_REGION))
    translated = translator.translate(_packaged(template.template()), parameter_values={}, get_managed_policy_map=dict)
    return json.loads(json.dumps(translated))  # plain dicts and lists, as CloudFormation would read them


def _of_type(transformed: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in transformed["Resources"].items() if body["Type"] == kind}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _refers_to(value: Any, logical_id: str) -> bool:
    """Whether an intrinsic (Ref, GetAtt, or a ${...} in a Sub) names this resource."""
    text = json.dumps(value)
    return (
        f'{{"Ref": "{logical_id}"}}' in text
        or f'"Fn::GetAtt": ["{logical_id}", ' in text
        or f"${{{logical_id}}}" in text
        or f"${{{logical_id}." in text
    )


# ---------------------------------------------------------------- one stage, behind the web ACL


def test_the_api_has_one_stage_and_it_is_the_one_the_web_acl_guards(transformed: dict[str, Any]) -> None:
    (stage_id, stage), *others = _of_type(transformed, "AWS::ApiGateway::Stage").items()
    assert not others, "API Gateway would serve each stage at its own path, around the web ACL"
    # A deployment given a StageName makes a stage of its own (SAM's "Stage"), one no resource above shows.
    for name, deployment in _of_type(transformed, "AWS::ApiGateway::Deployment").items():
        assert "StageName" not in deployment["Properties"], name
    assert stage["Properties"]["StageName"] == "api"
    (association,) = _of_type(transformed, "AWS::WAFv2::WebACLAssociation").values()
    arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn.endswith(f"/stages/${{{stage_id}}}")
    assert _refers_to(stage["Properties"]["RestApiId"], "CertTrackerApi")
    assert "/restapis/${CertTrackerApi}/" in arn
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    # And that stage has what the extra one lacked: access logs, tracing, throttling.
    assert stage["Properties"]["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert stage["Properties"]["TracingEnabled"] is True
    assert all("ThrottlingRateLimit" in setting for setting in stage["Properties"]["MethodSettings"])


def test_every_lambda_permission_of_the_api_is_for_the_api_itself(transformed: dict[str, Any]) -> None:
    for name, permission in _of_type(transformed, "AWS::Lambda::Permission").items():
        if permission["Properties"]["Principal"] == "apigateway.amazonaws.com":
            assert _refers_to(permission["Properties"]["SourceArn"], "CertTrackerApi"), name
