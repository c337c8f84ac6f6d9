"""IAM as template.yaml grants it, enforced locally: each AWS call a function makes is checked against its Policies.

moto checks no IAM, so a function could use a table it has no grant on and pass every local test,
then get AccessDenied once deployed. botocore's `BaseClient._make_api_call` (boto3 clients and
PynamoDB both go through it) is wrapped: a call made during a function's invocation
(`infra.lambdas.CURRENT_FUNCTION`) becomes the IAM actions and resource ARNs that IAM authorizes it
by, each recorded and matched against that function's statements. A missing grant raises
`MissingGrant` in the tests and AccessDenied (as AWS answers) on the local stack. What the tests
recorded also shows grants nothing used (`unused_grants`), so they can be removed.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.utils import parseaddr
from functools import cache
from typing import Any, Literal

from infra import lambdas, template
from infra.events import ACCOUNT_ID, REGION

PARTITION = "aws"
Mode = Literal["raise", "deny"]


class MissingGrant(BaseException):
    """A function called AWS without a grant for it. A BaseException, so that no `except Exception`
    (the gateway's 502, a domain's fallback) can turn it into an answer a test would accept."""


class UnknownCall(BaseException):
    """An AWS operation this module cannot yet translate into IAM actions: teach `needs()` about it."""


@dataclass(frozen=True, order=True)
class Need:
    """One IAM action on one resource that a call is authorized by."""

    action: str
    resource: str


@dataclass(frozen=True)
class Grant:
    """One action pattern on one resource pattern of a function's statement (IAM's `*` and `?`)."""

    action: str
    resource: str

    def allows(self, need: Need) -> bool:
        return _matches(self.action, need.action, ignore_case=True) and _matches(self.resource, need.resource)

    def __str__(self) -> str:
        return f"{self.action} on {self.resource}"


def _matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


# ---------------------------------------------------------------- what a call needs


def table_arn(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/{name}"


def secret_arn(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:{PARTITION}:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{name}"


def ses_identity_arn(identity: str) -> str:
    return f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT_ID}:identity/{identity}"


_ONE_TABLE = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "DescribeTable", "DescribeTimeToLive"}
# What IAM checks for each kind of item of a transaction, on that item's table.
_TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _dynamodb(operation: str, params: dict[str, Any]) -> list[Need]:
    if operation in _ONE_TABLE:
        return [Need(f"dynamodb:{operation}", table_arn(params["TableName"]))]
    if operation in ("Query", "Scan"):
        resource = table_arn(params["TableName"])
        if params.get("IndexName"):
            resource += f"/index/{params['IndexName']}"
        return [Need(f"dynamodb:{operation}", resource)]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Need(f"dynamodb:{operation}", table_arn(table)) for table in params["RequestItems"]]
    if operation == "TransactWriteItems":
        needs = []
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            needs.append(Need(f"dynamodb:{_TRANSACT_WRITE[kind]}", table_arn(body["TableName"])))
        return needs
    if operation == "TransactGetItems":
        return [Need("dynamodb:GetItem", table_arn(item["Get"]["TableName"])) for item in params["TransactItems"]]
    raise UnknownCall(f"dynamodb:{operation}")


def _sender(params: dict[str, Any]) -> str:
    if params.get("FromEmailAddress"):
        return str(parseaddr(params["FromEmailAddress"])[1])
    raw = params["Content"]["Raw"]["Data"]
    headers = BytesHeaderParser().parsebytes(raw if isinstance(raw, bytes) else str(raw).encode())
    return str(parseaddr(headers.get("From", ""))[1])


def _sesv2(operation: str, params: dict[str, Any]) -> list[Need]:
    if operation != "SendEmail":
        raise UnknownCall(f"sesv2:{operation}")
    content = params["Content"]
    # The SESv2 SendEmail operation is authorized by the SES action of its content: raw MIME by
    # ses:SendRawEmail (AccessDenied names that action), simple content by ses:SendEmail.
    if "Raw" in content:
        action = "ses:SendRawEmail"
    elif "Simple" in content:
        action = "ses:SendEmail"
    else:
        raise UnknownCall("sesv2:SendEmail with template content")
    identity = params.get("FromEmailAddressIdentityArn") or ses_identity_arn(_sender(params))
    needs = [Need(action, identity)]
    if params.get("ConfigurationSetName"):
        name = params["ConfigurationSetName"]
        needs.append(Need(action, f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT_ID}:configuration-set/{name}"))
    return needs


def _secretsmanager(operation: str, params: dict[str, Any]) -> list[Need]:
    if operation not in ("GetSecretValue", "DescribeSecret"):
        raise UnknownCall(f"secretsmanager:{operation}")
    return [Need(f"secretsmanager:{operation}", secret_arn(params["SecretId"]))]


def queue_arn(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:{name}"


def _sqs(operation: str, params: dict[str, Any]) -> list[Need]:
    if operation not in (
        "SendMessage",
        "SendMessageBatch",
        "ReceiveMessage",
        "DeleteMessage",
        "DeleteMessageBatch",
        "GetQueueAttributes",
    ):
        raise UnknownCall(f"sqs:{operation}")
    # SendMessageBatch is authorized as SendMessage, DeleteMessageBatch as DeleteMessage (IAM has no batch actions).
    action = operation.removesuffix("Batch")
    return [Need(f"sqs:{action}", queue_arn(str(params["QueueUrl"]).rstrip("/").rsplit("/", 1)[-1]))]


def bucket_arn(name: str) -> str:
    return name if name.startswith("arn:") else f"arn:{PARTITION}:s3:::{name}"


# The S3 operations authorized by an action on one object; HeadObject is authorized by s3:GetObject.
_S3_OBJECT = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject",
}


def _s3(operation: str, params: dict[str, Any]) -> list[Need]:
    if operation in _S3_OBJECT:
        return [Need(_S3_OBJECT[operation], f"{bucket_arn(params['Bucket'])}/{params['Key']}")]
    if operation == "ListObjectsV2":
        return [Need("s3:ListBucket", bucket_arn(params["Bucket"]))]
    raise UnknownCall(f"s3:{operation}")


def kms_key_arn(key: str) -> str:
    """A key's ARN as IAM authorizes a call by: locally, keys are named by their logical id in ARNs."""
    return key if key.startswith("arn:") else f"arn:{PARTITION}:kms:{REGION}:{ACCOUNT_ID}:key/{key}"


def _kms(operation: str, params: dict[str, Any]) -> list[Need]:
    if operation not in ("Sign", "Verify", "GetPublicKey"):
        raise UnknownCall(f"kms:{operation}")
    key = str(params["KeyId"])
    if key.startswith("alias/") or ":alias/" in key:
        # A call through an alias is authorized on the key behind it (the alias is not an IAM resource here).
        target = template.kms_alias_target(key.rsplit(":", 1)[-1])
        if target is None:
            raise UnknownCall(f"kms:{operation} through {key}, which is not an alias of the template")
        key = target
    return [Need(f"kms:{operation}", kms_key_arn(key))]


_SERVICES = {
    "dynamodb": _dynamodb,
    "sesv2": _sesv2,
    "secretsmanager": _secretsmanager,
    "sqs": _sqs,
    "s3": _s3,
    "kms": _kms,
}


def needs(service: str, operation: str, params: dict[str, Any]) -> list[Need]:
    """The IAM actions and resources one call is authorized by (botocore's service and operation names)."""
    if service not in _SERVICES:
        raise UnknownCall(f"{service}:{operation}")
    return _SERVICES[service](operation, params)


# ---------------------------------------------------------------- what a function is granted


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _Resolver:
    """CloudFormation intrinsics in Policies, resolved to the names the local stack gives things."""

    def __init__(self, parameters: dict[str, str]) -> None:
        self.parameters = parameters
        self.resources = template.template()["Resources"]

    def ref(self, name: str) -> str:
        pseudo = {"AWS::Partition": PARTITION, "AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID}
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        kind = self.resources[name]["Type"]
        if kind == "AWS::DynamoDB::Table":
            return name  # tables are named by their logical id locally (infra/resources.py)
        if kind == "AWS::SecretsManager::Secret":
            return secret_arn(name)
        if kind == "AWS::S3::Bucket":
            return name  # named by its logical id locally (infra/resources.py)
        if kind == "AWS::SES::ConfigurationSet":
            return name  # named by its logical id locally (infra/resources.py), as the function's variable says
        raise ValueError(f"infra/iam.py cannot resolve !Ref {name} ({kind}) in a policy")

    def get_att(self, name: str, attribute: str) -> str:
        kind = self.resources[name]["Type"]
        if attribute == "Arn" and kind == "AWS::DynamoDB::Table":
            return table_arn(name)
        if attribute == "Arn" and kind == "AWS::S3::Bucket":
            return bucket_arn(name)  # buckets are named by their logical id locally (infra/resources.py)
        if attribute == "Arn" and kind == "AWS::KMS::Key":
            return kms_key_arn(name)  # reached through its alias locally, which needs() resolves to this name
        if attribute == "Arn" and kind == "AWS::SQS::Queue":
            return queue_arn(name)  # queues are named by their logical id locally (infra/resources.py)
        raise ValueError(f"infra/iam.py cannot resolve !GetAtt {name}.{attribute} ({kind}) in a policy")

    def sub(self, text: str, variables: dict[str, Any]) -> str:
        def one(found: re.Match[str]) -> str:
            name = found.group(1)
            if name in variables:
                return self.resolve(variables[name])
            if "." in name:
                resource, attribute = name.split(".", 1)
                return self.get_att(resource, attribute)
            return self.ref(name)

        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def resolve(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and len(value) == 1:
            ((kind, argument),) = value.items()
            if kind == "Ref":
                return self.ref(argument)
            if kind == "Fn::GetAtt":
                return self.get_att(*(argument.split(".", 1) if isinstance(argument, str) else argument))
            if kind == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else argument
                return self.sub(text, variables)
            if kind == "Fn::Join":
                separator, parts = argument
                return str(separator).join(self.resolve(part) for part in parts)
            if kind == "Fn::If":
                name, when_true, when_false = argument
                return self.resolve(when_true if template.condition(name, self.parameters) else when_false)
        raise ValueError(f"infra/iam.py cannot resolve {value!r} in a policy")


def grants_of(function: template.Function, parameters: dict[str, str]) -> list[Grant]:
    """Every (action, resource) pair the function's Policies allow. Only inline Allow statements
    without conditions are supported: anything else fails loudly rather than being checked loosely."""
    resolver = _Resolver(parameters)
    grants: list[Grant] = []
    for policy in function.policies:
        if not isinstance(policy, dict) or set(policy) != {"Statement"}:
            raise ValueError(f"{function.logical_id}: only inline Statement policies can be checked, not {policy!r}")
        for statement in _listed(policy["Statement"]):
            if statement.get("Effect") != "Allow" or set(statement) - {"Sid", "Effect", "Action", "Resource"}:
                raise ValueError(f"{function.logical_id}: only Allow statements of Action and Resource: {statement!r}")
            for action in _listed(statement["Action"]):
                for resource in _listed(statement["Resource"]):
                    grants.append(Grant(str(action), resolver.resolve(resource)))
    return grants


@cache
def _grants(function_name: str, parameters: tuple[tuple[str, str], ...]) -> tuple[Grant, ...]:
    return tuple(grants_of(template.functions()[function_name], dict(parameters)))


def function_grants(function_name: str, parameters: dict[str, str] | None = None) -> tuple[Grant, ...]:
    """Its grants as deployed with `parameters` (those of the process, as the harness and most containers are)."""
    return _grants(function_name, tuple(sorted((parameters or lambdas.process_parameters()).items())))


# ---------------------------------------------------------------- the recorder


class Recorder:
    """Every need each function's calls had, and the calls no grant allowed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.used: dict[str, set[Need]] = defaultdict(set)
        self.violations: list[str] = []

    def check(self, function_name: str, operation: str, wanted: list[Need]) -> str | None:
        """Record the needs; the message for the first one no grant allows, if any."""
        # A container loaded with other parameters (a test deploying another value) has the grants they give.
        grants = function_grants(function_name, lambdas.CURRENT_PARAMETERS.get())
        with self._lock:
            self.used[function_name].update(wanted)
            for need in wanted:
                if not any(grant.allows(need) for grant in grants):
                    message = (
                        f"{function_name} is not granted {need.action} on {need.resource} (its {operation} call): "
                        f"add the grant to its Policies in template.yaml, or do not make the call"
                    )
                    self.violations.append(message)
                    return message
        return None

    def take_violations(self) -> list[str]:
        with self._lock:
            taken, self.violations = self.violations, []
        return taken

    def unused_grants(self) -> dict[str, list[Grant]]:
        """Per function, the grants of its Policies that no recorded call needed."""
        unused = {}
        for name in template.functions():
            used = self.used.get(name, set())
            idle = [grant for grant in function_grants(name) if not any(grant.allows(need) for need in used)]
            if idle:
                unused[name] = idle
        return unused


RECORDER = Recorder()
_mode: Mode = "raise"
_installed = False


def install(mode: Mode = "raise") -> None:
    """Check every AWS call made during an invocation; `mode` says what a missing grant does:
    "raise" MissingGrant (the tests), "deny" an AccessDeniedException as AWS would (the local stack)."""
    global _mode, _installed
    _mode = mode
    if _installed:
        return
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def checked(client: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        function_name = lambdas.CURRENT_FUNCTION.get()
        if function_name is not None:
            service = client.meta.service_model.service_name
            message = RECORDER.check(function_name, operation_name, needs(service, operation_name, api_params))
            if message is not None:
                _refuse(message, operation_name)
        return original(client, operation_name, api_params)

    # A presigned URL makes no call: whoever follows it is authorized by the signer's permission, so signing
    # is checked as the call it stands for. Presigning and calling both pass their parameters through
    # `_emit_api_params`; only presigning marks its context `is_presign_request` (calls are checked above).
    original_emit = BaseClient._emit_api_params

    def presign_checked(client: BaseClient, api_params: Any, operation_model: Any, context: Any) -> Any:
        params = original_emit(client, api_params, operation_model, context)
        function_name = lambdas.CURRENT_FUNCTION.get()
        if function_name is not None and (context or {}).get("is_presign_request"):
            service = client.meta.service_model.service_name
            operation_name = operation_model.name
            message = RECORDER.check(function_name, operation_name, needs(service, operation_name, params))
            if message is not None:
                _refuse(message, operation_name)
        return params

    BaseClient._make_api_call = checked  # type: ignore[method-assign]
    BaseClient._emit_api_params = presign_checked  # type: ignore[method-assign]
    _installed = True


def _refuse(message: str, operation_name: str) -> None:
    if _mode == "raise":
        raise MissingGrant(message)
    from botocore.exceptions import ClientError

    error = {"Error": {"Code": "AccessDeniedException", "Message": message}}
    raise ClientError(error, operation_name)  # type: ignore[arg-type]
