"""template.yaml read once, for the local stack and the tests: functions, routes, tables, environment."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

# The local stack's values for template parameters whose deployed defaults need HTTPS.
LOCAL_PARAMETERS = {
    "SessionCookieName": "session",
    "SessionCookieSecure": "false",
    "SwaggerUiAssetsUrl": "/_local/swagger-ui",
    # The handler tests start the stand-in on a free port and set PEARSON_VUE_BASE_URL to it.
    "PearsonVueBaseUrl": "http://127.0.0.1:9/_local/pearson-vue",
}


class _CfnLoader(yaml.SafeLoader):
    """PyYAML loader that understands CloudFormation's short-form tags (!Ref, !GetAtt, !Sub, ...)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _construct_tag)


@cache
def template() -> dict[str, Any]:
    return yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)  # noqa: S506 (a SafeLoader subclass)


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in template()["Resources"].items() if body["Type"] == kind}


@dataclass(frozen=True)
class Route:
    function: str
    path: str
    method: str
    authorized: bool


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_dir: Path
    handler: str
    environment: dict[str, Any] = field(hash=False)
    memory_mb: int
    timeout_s: int
    # The IAM statements of its Policies, as written (intrinsics unresolved; infra/iam.py resolves them).
    policies: list[Any] = field(default_factory=list, hash=False)


def functions() -> dict[str, Function]:
    globals_ = template().get("Globals", {}).get("Function", {})
    result = {}
    for name, body in resources("AWS::Serverless::Function").items():
        props = body["Properties"]
        environment = dict(globals_.get("Environment", {}).get("Variables", {}))
        environment.update(props.get("Environment", {}).get("Variables", {}))
        result[name] = Function(
            logical_id=name,
            code_dir=ROOT / props["CodeUri"],
            handler=props.get("Handler", globals_.get("Handler", "app.handler")),
            environment=environment,
            memory_mb=int(props.get("MemorySize", globals_.get("MemorySize", 128))),
            timeout_s=int(props.get("Timeout", globals_.get("Timeout", 3))),
            policies=list(props.get("Policies", [])),
        )
    return result


def routes() -> list[Route]:
    apis = resources("AWS::Serverless::Api")
    result = []
    for name, body in resources("AWS::Serverless::Function").items():
        for event in body["Properties"].get("Events", {}).values():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            api = apis[props["RestApiId"]["Ref"]]["Properties"]
            default_authorizer = api.get("Auth", {}).get("DefaultAuthorizer")
            authorizer = props.get("Auth", {}).get("Authorizer", default_authorizer)
            result.append(Route(name, props["Path"], props["Method"].upper(), authorizer not in (None, "NONE")))
    return result


def authorizer_function() -> str:
    """The logical id of the function behind the API's default authorizer."""
    (api,) = resources("AWS::Serverless::Api").values()
    auth = api["Properties"]["Auth"]
    return str(auth["Authorizers"][auth["DefaultAuthorizer"]]["FunctionArn"]["Fn::GetAtt"][0])


def gateway_responses() -> dict[str, dict[str, Any]]:
    (api,) = resources("AWS::Serverless::Api").values()
    return dict(api["Properties"].get("GatewayResponses", {}))


def binary_media_types() -> list[str]:
    """The API's BinaryMediaTypes, unescaped ("*~1*" is how CloudFormation spells "*/*")."""
    (api,) = resources("AWS::Serverless::Api").values()
    return [str(kind).replace("~1", "/") for kind in api["Properties"].get("BinaryMediaTypes", [])]


def tables() -> dict[str, dict[str, Any]]:
    return {name: body["Properties"] for name, body in resources("AWS::DynamoDB::Table").items()}


def parameter_values(overrides: dict[str, str] | None = None) -> dict[str, str]:
    values = {name: str(p.get("Default", "")) for name, p in template().get("Parameters", {}).items()}
    values.update(LOCAL_PARAMETERS)
    values.update(overrides or {})
    return values


def queues() -> dict[str, dict[str, Any]]:
    return {name: body.get("Properties", {}) for name, body in resources("AWS::SQS::Queue").items()}


def queue_url(logical_id: str) -> str:
    """A queue's URL as `!Ref` gives it; the emulator finds a queue by the name at the end of its URL."""
    return f"https://sqs.us-east-1.amazonaws.com/123456789012/{logical_id}"


def resolve_environment(function: Function, parameters: dict[str, str]) -> dict[str, str]:
    """A function's environment with Refs resolved as the local stack names things (tables by logical id)."""
    resolved = {}
    for key, value in function.environment.items():
        if isinstance(value, dict) and "Ref" in value:
            name = value["Ref"]
            value = queue_url(name) if name in queues() else parameters.get(name, name)
        resolved[key] = str(value)
    return resolved
