"""What API Gateway's REQUEST authorizer reads from its event and answers: the caller's headers, and an IAM policy
that allows or denies every route of the stage that was called.

Written out here rather than taken from Powertools' `utilities.data_classes`, whose package imports the classes of
every AWS event source when any one of them is imported (~10 ms of CPU): the authorizer runs in front of every
signed-in call, so its cold start is paid often. tests/unit/test_gateway_policy.py holds these answers to the ones
Powertools' `APIGatewayAuthorizerRequestEvent` and `APIGatewayAuthorizerResponse` give for the same events.
"""

from __future__ import annotations

from typing import Any

# arn:<partition>:execute-api:<region>:<account>:<api id>/<stage>/<method>/<resource path>
_ARN_FIELDS = 6


def headers(event: dict[str, Any]) -> dict[str, str]:
    """The call's headers with lower-case names (HTTP header names are case-insensitive; API Gateway passes them
    as the client wrote them). A name sent twice in different cases keeps the last, as API Gateway's map does."""
    return {str(name).lower(): value for name, value in (event.get("headers") or {}).items() if isinstance(value, str)}


def stage_routes(method_arn: str) -> str:
    """Every method and resource of the stage the call came to, as a policy resource: `…/<stage>/*/*`.

    Raises ValueError for anything that is not an execute-api method ARN (API Gateway always sends one: a
    malformed one is a fault, answered 500, never a policy for an unknown resource)."""
    fields = method_arn.split(":", _ARN_FIELDS - 1)
    if len(fields) != _ARN_FIELDS or fields[0] != "arn" or fields[2] != "execute-api":
        raise ValueError("not an execute-api method ARN")
    api_id, _, rest = fields[5].partition("/")
    stage, _, _ = rest.partition("/")
    if not (fields[1] and fields[3] and fields[4] and api_id and stage) or "*" in api_id + stage:
        raise ValueError("not an execute-api method ARN")
    return f"arn:{fields[1]}:execute-api:{fields[3]}:{fields[4]}:{api_id}/{stage}/*/*"


def allow(routes: str, principal_id: str, context: dict[str, str]) -> dict[str, Any]:
    """The caller may call `routes` (`stage_routes`); the routes read `context` as the request's authorizer."""
    return {**_policy("Allow", routes, principal_id), "context": context}


def deny(routes: str) -> dict[str, Any]:
    """The caller may call none of `routes` (API Gateway answers 403)."""
    return _policy("Deny", routes, "anonymous")


def _policy(effect: str, routes: str, principal_id: str) -> dict[str, Any]:
    statement = {"Action": "execute-api:Invoke", "Effect": effect, "Resource": [routes]}
    return {"principalId": principal_id, "policyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
