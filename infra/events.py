"""API Gateway events, the one factory for the local gateway and the handler tests."""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
API_ID = "local"
STAGE = "api"


def rest_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    body: str | bytes | dict[str, Any] | None = None,
    authorizer: dict[str, Any] | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """A REST API (payload 1.0) proxy event, as API Gateway sends it to a function.

    A `bytes` body is a binary media type's (template.yaml declares every type binary): it arrives
    base64-encoded with isBase64Encoded true. A `str` body arrives as text, as API Gateway passes a
    body it has decoded itself.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if isinstance(body, dict):
        body = json.dumps(body)
        headers.setdefault("content-type", "application/json")
    base64_encoded = isinstance(body, bytes)
    if isinstance(body, bytes):
        body = base64.b64encode(body).decode("ascii")
    request_id = str(uuid.uuid4())
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} if query else None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "stage": STAGE,
            "resourcePath": resource or path,
            "httpMethod": method.upper(),
            "path": f"/{STAGE}{path}",
            "requestId": request_id,
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("user-agent", "")},
            "authorizer": authorizer,
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


def authorizer_event(
    method: str, path: str, *, resource: str | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """A REQUEST authorizer event for one call."""
    event = rest_event(method, path, resource=resource, headers=headers)
    event["type"] = "REQUEST"
    event["methodArn"] = f"arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{API_ID}/{STAGE}/{method.upper()}{path}"
    return event


class LambdaContext:
    """What the Lambda runtime hands a handler besides its event."""

    def __init__(self, function_name: str, memory_mb: int = 512, timeout_s: float = 10) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_s  # counts down like the runtime's, from the invocation

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
