"""The client's address the per-address limits count by: the connection's locally, CloudFront's word when deployed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from certtracker.core.api import CertTrackerResolver, client_address
from infra.events import LambdaContext, rest_event

EDGE = "130.176.20.90"  # a CloudFront edge server: API Gateway's sourceIp behind the distribution
VIEWER = "203.0.113.7"


def through_cloudfront(*, sent_by_viewer: str | None = None, viewer: str = VIEWER, edge: str = EDGE) -> dict[str, Any]:
    """An event as API Gateway hands it over behind CloudFront: CloudFront appended the viewer to what the
    viewer sent in X-Forwarded-For, API Gateway appended the edge it was called from."""
    forwarded = ", ".join(part for part in (sent_by_viewer, viewer, edge) if part)
    return rest_event("POST", "/auth/login", headers={"X-Forwarded-For": forwarded}, source_ip=edge)


def test_a_direct_request_is_limited_by_the_connections_address() -> None:
    event = rest_event("POST", "/auth/login", source_ip=VIEWER)
    assert client_address(event, behind_cloudfront=False) == VIEWER


def test_directly_a_forwarded_for_header_is_not_believed() -> None:
    event = rest_event("POST", "/auth/login", headers={"X-Forwarded-For": "198.51.100.1"}, source_ip=VIEWER)
    assert client_address(event, behind_cloudfront=False) == VIEWER


def test_behind_cloudfront_two_viewers_of_one_edge_are_two_addresses() -> None:
    first = client_address(through_cloudfront(viewer="203.0.113.7"), behind_cloudfront=True)
    second = client_address(through_cloudfront(viewer="198.51.100.20"), behind_cloudfront=True)
    assert (first, second) == ("203.0.113.7", "198.51.100.20")


@pytest.mark.parametrize(
    "spoofed",
    [
        "198.51.100.1",
        "198.51.100.1, 198.51.100.2",
        f"{EDGE}, 198.51.100.1",  # pretending to be a hop that ends the way the real chain does
        "not-an-address",
        "unknown, , 10.0.0.1",
    ],
)
def test_behind_cloudfront_what_the_viewer_wrote_in_x_forwarded_for_is_never_the_address(spoofed: str) -> None:
    assert client_address(through_cloudfront(sent_by_viewer=spoofed), behind_cloudfront=True) == VIEWER


def test_a_forwarded_for_header_sent_twice_is_read_as_one_list() -> None:
    event = through_cloudfront()
    event["multiValueHeaders"]["x-forwarded-for"] = ["198.51.100.1", f"{VIEWER}, {EDGE}"]
    event["headers"]["x-forwarded-for"] = f"{VIEWER}, {EDGE}"
    assert client_address(event, behind_cloudfront=True) == VIEWER


def test_header_names_are_read_whatever_their_case() -> None:
    event = through_cloudfront()
    event["multiValueHeaders"] = {"X-FORWARDED-FOR": event["multiValueHeaders"].pop("x-forwarded-for")}
    assert client_address(event, behind_cloudfront=True) == VIEWER
    event.pop("multiValueHeaders")
    event["headers"] = {"X-Forwarded-For": f"{VIEWER}, {EDGE}"}
    assert client_address(event, behind_cloudfront=True) == VIEWER


def test_an_ipv6_viewer_is_one_address_however_it_is_spelled() -> None:
    long_form = "2001:0DB8:0000:0000:0000:0000:0000:0001"
    spelled_out = client_address(through_cloudfront(viewer=long_form), behind_cloudfront=True)
    compressed = client_address(through_cloudfront(viewer="2001:db8::1"), behind_cloudfront=True)
    assert spelled_out == compressed == "2001:db8::1"


def test_an_ipv6_edge_is_matched_to_api_gateways_source_ip() -> None:
    event = through_cloudfront(viewer="2001:db8::7", edge="2600:9000:2000::1")
    assert client_address(event, behind_cloudfront=True) == "2001:db8::7"


@pytest.mark.parametrize(
    ("forwarded", "source_ip"),
    [
        (None, EDGE),  # no header at all
        ("", EDGE),
        (VIEWER, EDGE),  # one entry: not the chain CloudFront and API Gateway write
        (f"{VIEWER}, 198.51.100.99", EDGE),  # does not end with the caller: another hop in between
        (f"{VIEWER}:443, {EDGE}", EDGE),  # an entry that is not an address
        (f"{VIEWER}, {EDGE}", "unknown"),
        (f"{VIEWER}, {EDGE}", ""),
    ],
)
def test_a_header_not_as_cloudfront_writes_it_falls_back_to_the_caller(forwarded: str | None, source_ip: str) -> None:
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    event = rest_event("POST", "/auth/login", headers=headers, source_ip=source_ip)
    assert client_address(event, behind_cloudfront=True) == (source_ip or "unknown")


def test_an_event_without_identity_or_headers_is_unknown_not_an_error() -> None:
    assert client_address({"requestContext": {}, "headers": None}, behind_cloudfront=True) == "unknown"
    assert client_address({}, behind_cloudfront=False) == "unknown"


# ---------------------------------------------------------------- through the resolver, as the functions call it

behind = CertTrackerResolver(client_address_from="cloudfront")
direct = CertTrackerResolver(client_address_from="direct")


@behind.post("/auth/login")
def _login_behind() -> dict[str, str]:
    return {"address": behind.source_ip()}


@direct.post("/auth/login")
def _login_direct() -> dict[str, str]:
    return {"address": direct.source_ip()}


def _answer(app: CertTrackerResolver, event: dict[str, Any]) -> tuple[int, Any]:
    response = app.resolve(event, LambdaContext("test"))
    return response["statusCode"], json.loads(response["body"])


def test_the_resolver_reads_the_address_as_its_setting_says() -> None:
    event = through_cloudfront(sent_by_viewer="198.51.100.1")
    assert _answer(behind, event) == (200, {"address": VIEWER})
    assert _answer(direct, event) == (200, {"address": EDGE})


def test_a_malformed_header_behind_cloudfront_is_never_a_server_error() -> None:
    event = rest_event("POST", "/auth/login", headers={"X-Forwarded-For": ",,,[::1]:80, \x00"}, source_ip=EDGE)
    assert _answer(behind, event) == (200, {"address": EDGE})
