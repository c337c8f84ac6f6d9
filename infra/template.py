"""template.yaml read once, for the local stack and the tests: functions, routes, tables, environment."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"

# The local stack's values for template parameters that have no default (each deployment gives its own,
# samconfig.toml) or whose deployed default needs HTTPS. example.com is fine here: nothing leaves moto.
LOCAL_PARAMETERS = {
    "SenderEmail": "no-reply@certtracker.example.com",
    "SenderIdentity": "no-reply@certtracker.example.com",
    "WebBaseUrl": "https://certtracker.example.com",
    "SupportExamsEmail": "global_exams@certtracker.example.com",
    "SupportPartnerEmail": "partnerservice@certtracker.example.com",
    "AlarmEmail": "ops@certtracker.example.com",
    "SessionCookieName": "session",
    "SessionCookieSecure": "false",
    # No CloudFront in front of the local gateway: the client's address is the connection's.
    "ClientAddressFrom": "direct",
    # The handler tests start the stand-ins on free ports and set these to them; `make run` to its own.
    "PearsonVueBaseUrl": "http://127.0.0.1:9/_local/pearson-vue",
    "PartnerNetBaseUrl": "http://127.0.0.1:9/_local/partnernet",
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
    return function_named(auth["Authorizers"][auth["DefaultAuthorizer"]]["FunctionArn"])


def function_named(reference: dict[str, Any]) -> str:
    """The logical id of the function an ARN reference names: !GetAtt F.Arn, !Ref F, or its alias !Ref F.Alias
    (AutoPublishAlias: what every invoker calls, so that SnapStart applies)."""
    named = reference["Fn::GetAtt"][0] if "Fn::GetAtt" in reference else reference["Ref"]
    return str(named).removesuffix(".Alias")


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


LOCAL_REGION = "us-east-1"


def kms_alias_name(logical_id: str) -> str:
    """A KMS alias as `!Ref` gives it; the local stack names aliases by their logical id (infra/resources.py)."""
    return f"alias/{logical_id}"


def kms_alias_target(alias_name: str) -> str | None:
    """The logical id of the key a local alias points to, or None if it is not one of the template's aliases."""
    aliases = resources("AWS::KMS::Alias")
    logical_id = alias_name.removeprefix("alias/")
    if not alias_name.startswith("alias/") or logical_id not in aliases:
        return None
    return str(aliases[logical_id]["Properties"]["TargetKeyId"]["Ref"])


def condition(name: str, parameters: dict[str, str]) -> bool:
    """One of the template's Conditions, evaluated with these parameter values (the local region)."""
    return bool(_evaluate(template()["Conditions"][name], parameters))


def _evaluate(value: Any, parameters: dict[str, str]) -> Any:
    """The intrinsics a function's environment or a condition uses, as the local stack resolves them."""
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((kind, argument),) = value.items()
    if kind == "Ref":
        if argument == "AWS::Region":
            return LOCAL_REGION
        if argument in resources("AWS::KMS::Alias"):
            return kms_alias_name(argument)
        return queue_url(argument) if argument in queues() else parameters.get(argument, argument)
    if kind == "Fn::If":
        name, when_true, when_false = argument
        return _evaluate(when_true if condition(name, parameters) else when_false, parameters)
    if kind == "Fn::Sub" and isinstance(argument, str):
        return re.sub(r"\$\{([^}!.]+)\}", lambda found: str(_evaluate({"Ref": found.group(1)}, parameters)), argument)
    if kind == "Fn::Equals":
        left, right = (str(_evaluate(side, parameters)) for side in argument)
        return left == right
    if kind == "Fn::Not":
        return not _evaluate(argument[0], parameters)
    if kind == "Fn::And":
        return all(_evaluate(part, parameters) for part in argument)
    if kind == "Fn::Or":
        return any(_evaluate(part, parameters) for part in argument)
    if kind == "Condition":
        return condition(argument, parameters)
    raise ValueError(f"infra/template.py cannot resolve {value!r} for the local stack")


def resolve_environment(function: Function, parameters: dict[str, str]) -> dict[str, str]:
    """A function's environment with intrinsics resolved as the local stack names things (tables and the email
    configuration set by logical id, queues by their URL) and the template's conditions evaluated."""
    return {key: str(_evaluate(value, parameters)) for key, value in function.environment.items()}


def page_headers() -> dict[str, str]:
    """The headers CloudFront adds to the web pages (WebHeadersPolicy), as the local stack serves them: the
    same Content-Security-Policy, so a page that breaks it deployed breaks it on `make run` and in the tests.
    Only `upgrade-insecure-requests` and HSTS are left out: the local stack is plain HTTP."""
    config = template()["Resources"]["WebHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = config["SecurityHeadersConfig"]
    policy = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    directives = [d.strip() for d in policy.split(";") if d.strip() and d.strip() != "upgrade-insecure-requests"]
    headers = {
        "Content-Security-Policy": "; ".join(directives),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
    }
    headers.update({item["Header"]: item["Value"] for item in config["CustomHeadersConfig"]["Items"]})
    return headers


def page_aliases() -> dict[str, str]:
    """The paths the edge's routing function (WebPageRouting) serves from another file of the web bucket, by
    its ALIASES table: {"/api/docs": "/swagger-ui/index.html"}."""
    code = template()["Resources"]["WebPageRouting"]["Properties"]["FunctionCode"]
    found = re.search(r"^\s*var ALIASES = (\{.*\});$", code, re.MULTILINE)
    if found is None:
        raise RuntimeError("WebPageRouting's code has no `var ALIASES = {...};` line")
    aliases: dict[str, str] = json.loads(found.group(1))
    return aliases
