"""API Gateway as template.yaml declares it: routes, the REQUEST authorizer, gateway responses.

The HTTP side is chalice.local's server (infra/local.py); this module is the part that decides,
so the handler tests can go through exactly the same path in-process.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from chalice.local import RouteMatcher

from infra import template
from infra.events import authorizer_event, rest_event
from infra.lambdas import LocalFunction, load_functions

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's own limit


@dataclass
class GatewayResponse:
    status: int
    headers: dict[str, list[str]] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        for key, values in self.headers.items():
            if key.lower() == name.lower():
                return values[-1]
        return None

    def cookie(self, name: str) -> str | None:
        """The Set-Cookie header that sets `name`, whole (value and attributes)."""
        for key, values in self.headers.items():
            if key.lower() == "set-cookie":
                return next((value for value in values if value.split("=", 1)[0] == name), None)
        return None

    def json(self) -> Any:
        return json.loads(self.body)


class Gateway:
    def __init__(self, functions: dict[str, LocalFunction] | None = None) -> None:
        self.functions = functions or load_functions()
        self.routes = {(route.path, route.method): route for route in template.routes()}
        self.matcher = RouteMatcher(sorted({route.path for route in self.routes.values()}))
        self.authorizer = self.functions[template.authorizer_function()]
        self.responses = template.gateway_responses()
        self.binary_media_types = template.binary_media_types()

    def gateway_response(self, kind: str, default_status: int) -> GatewayResponse:
        config = self.responses.get(kind) or self.responses.get(
            "DEFAULT_5XX" if default_status >= 500 else "DEFAULT_4XX", {}
        )
        body = config.get("ResponseTemplates", {}).get("application/json", f'{{"message": "{kind}"}}')
        status = int(config.get("StatusCode", default_status))
        headers = {"Content-Type": ["application/json"]}
        for name, value in config.get("ResponseParameters", {}).get("Headers", {}).items():
            headers[name] = [str(value).strip("'")]  # API Gateway's static values are quoted
        return GatewayResponse(status, headers, body.encode())

    def handle(
        self,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes | None,
        source_ip: str = "127.0.0.1",
        *,
        containers: dict[str, LocalFunction] | None = None,
    ) -> GatewayResponse:
        """One request to the API, `target` being the path below the stage (/api) with its query.

        `containers`: functions of its own to run the request in, unlocked, as Lambda scales out to one
        container per concurrent request (burst tests; otherwise each function runs one request at a time).
        """
        method = method.upper()
        try:
            match = self.matcher.match_route(target)
        except ValueError:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN", 403)
        route = self.routes.get((match.route, method))
        if route is None:
            return self.gateway_response("MISSING_AUTHENTICATION_TOKEN", 403)
        if body is not None and len(body) > MAX_PAYLOAD_BYTES:
            return self.gateway_response("REQUEST_TOO_LARGE", 413)
        path = urlsplit(target).path.rstrip("/") or "/"
        context = None
        if route.authorized:
            outcome = self._authorize(method, path, match.route, headers)
            if isinstance(outcome, GatewayResponse):
                return outcome
            context = outcome
        event = rest_event(
            method,
            path,
            resource=match.route,
            path_parameters=match.captured or None,
            query=match.query_params or None,
            headers=headers,
            body=self._as_api_gateway_passes(body, headers),
            authorizer=context,
            source_ip=source_ip,
        )
        try:
            if containers is None:
                result = self.functions[route.function].invoke(event)
            else:
                result = containers[route.function].invoke(event, serialized=False)
        except Exception:  # the function crashed: API Gateway answers 502
            return self.gateway_response("DEFAULT_5XX", 502)
        return _from_proxy_result(result)

    def _as_api_gateway_passes(self, body: bytes | None, headers: dict[str, str]) -> bytes | str | None:
        """Bytes (sent base64-encoded) for a binary media type; otherwise text, decoded as API Gateway does."""
        if body is None:
            return None
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        # Without a Content-Type, API Gateway takes the body as application/json.
        media_type = content_type.split(";", 1)[0].strip().lower() or "application/json"
        if any(fnmatch.fnmatchcase(media_type, kind) for kind in self.binary_media_types):
            return body
        return body.decode("utf-8", errors="replace")

    def _authorize(
        self, method: str, path: str, resource: str, headers: dict[str, str]
    ) -> dict[str, Any] | GatewayResponse:
        event = authorizer_event(method, path, resource=resource, headers=headers)
        try:
            policy = self.authorizer.invoke(event)
        except Exception as error:
            if str(error) == "Unauthorized":
                return self.gateway_response("UNAUTHORIZED", 401)
            return self.gateway_response("AUTHORIZER_FAILURE", 500)
        # As API Gateway evaluates the policy: a statement counts for this call when one of its resources matches
        # the call's method ARN (`*` matching any run of characters); an explicit Deny wins over any Allow.
        applying = [
            statement
            for statement in policy.get("policyDocument", {}).get("Statement", [])
            if statement.get("Action") == "execute-api:Invoke"
            and any(_arn_matches(pattern, event["methodArn"]) for pattern in statement.get("Resource", []))
        ]
        if not any(statement.get("Effect") == "Allow" for statement in applying) or any(
            statement.get("Effect") == "Deny" for statement in applying
        ):
            return self.gateway_response("ACCESS_DENIED", 403)
        context = dict(policy.get("context") or {})
        context["principalId"] = policy.get("principalId")
        return context


def _arn_matches(pattern: str, arn: str) -> bool:
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), arn, re.DOTALL) is not None


def _from_proxy_result(result: dict[str, Any]) -> GatewayResponse:
    headers: dict[str, list[str]] = {}
    for name, value in (result.get("headers") or {}).items():
        headers[name] = [str(value)]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = [str(value) for value in values]
    raw = result.get("body") or ""
    body = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
    return GatewayResponse(int(result.get("statusCode", 200)), headers, body)
