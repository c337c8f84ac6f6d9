"""The authorizer's hand-written event reading and policies answer as Powertools' data classes do, and as API
Gateway evaluates them (the local gateway's matching)."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)
from hypothesis import given
from hypothesis import strategies as st

from certtracker.accounts import gateway_policy
from infra.gateway import _arn_matches

_name = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
_path = st.lists(st.text(alphabet=st.characters(exclude_characters="/"), min_size=1, max_size=8), max_size=4)


@st.composite
def method_arns(draw: st.DrawFn) -> str:
    partition = draw(st.sampled_from(["aws", "aws-cn", "aws-us-gov"]))
    region = draw(st.sampled_from(["eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1"]))
    account = draw(st.from_regex(r"\d{12}", fullmatch=True))
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]))
    path = "/".join(draw(_path))
    return f"arn:{partition}:execute-api:{region}:{account}:{draw(_name)}/{draw(_name)}/{method}/{path}"


def _powertools(method_arn: str) -> APIGatewayAuthorizerResponse:
    arn = APIGatewayAuthorizerRequestEvent({"methodArn": method_arn}).parsed_arn
    return APIGatewayAuthorizerResponse(
        principal_id="anonymous",
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        partition=arn.partition,
    )


@given(method_arns(), _name)
def test_allowing_is_the_policy_powertools_builds(method_arn: str, account_id: str) -> None:
    expected = _powertools(method_arn)
    expected.principal_id = account_id
    expected.context = {"account_id": account_id, "session_id": "digest"}
    expected.allow_all_routes()

    routes = gateway_policy.stage_routes(method_arn)
    assert gateway_policy.allow(routes, account_id, {"account_id": account_id, "session_id": "digest"}) == (
        expected.asdict()
    )
    assert _arn_matches(routes, method_arn)


@given(method_arns())
def test_denying_is_the_policy_powertools_builds(method_arn: str) -> None:
    expected = _powertools(method_arn)
    expected.deny_all_routes()
    assert gateway_policy.deny(gateway_policy.stage_routes(method_arn)) == expected.asdict()


@given(st.dictionaries(st.sampled_from(["Cookie", "cookie", "COOKIE", "Authorization", "X-CSRF-Token"]), st.text()))
def test_headers_are_read_whatever_their_case_as_powertools_reads_them(sent: dict[str, str]) -> None:
    read = gateway_policy.headers({"headers": sent})
    powertools = APIGatewayAuthorizerRequestEvent({"headers": sent}).headers
    for name in ("cookie", "authorization", "x-csrf-token"):
        assert read.get(name) == powertools.get(name)


def test_an_event_without_headers_has_none() -> None:
    assert gateway_policy.headers({"headers": None}) == {} == gateway_policy.headers({})


@pytest.mark.parametrize(
    "method_arn",
    [
        "",
        "arn:aws:lambda:eu-west-1:123456789012:function:x",
        "arn:aws:execute-api:eu-west-1:123456789012",
        "arn:aws:execute-api:eu-west-1:123456789012:api",
        "arn:aws:execute-api:eu-west-1::api/live/GET/me",
        "arn:aws:execute-api:eu-west-1:123456789012:*/live/GET/me",
        "arn:aws:execute-api:eu-west-1:123456789012:api/*/GET/me",
    ],
)
def test_anything_but_a_method_arn_is_a_fault_never_a_policy(method_arn: str) -> None:
    with pytest.raises(ValueError, match="not an execute-api method ARN"):
        gateway_policy.stage_routes(method_arn)


def test_a_policy_allows_only_the_stage_it_was_made_for() -> None:
    """What the local gateway enforces, as API Gateway does: the policy for one stage opens no other stage or API."""
    routes = gateway_policy.stage_routes("arn:aws:execute-api:eu-west-1:123456789012:api/live/GET/me")
    assert _arn_matches(routes, "arn:aws:execute-api:eu-west-1:123456789012:api/live/POST/me/shares/x*y")
    assert not _arn_matches(routes, "arn:aws:execute-api:eu-west-1:123456789012:api/Stage/GET/me")
    assert not _arn_matches(routes, "arn:aws:execute-api:eu-west-1:123456789012:other/live/GET/me")
    assert not _arn_matches(routes, "arn:aws:execute-api:eu-west-1:210987654321:api/live/GET/me")
