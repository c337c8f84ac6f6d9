"""The one mapping from domain errors and bad requests to the JSON error shape."""

from __future__ import annotations

import json

import pytest

from certtracker.core import errors
from certtracker.core.api import MAX_BODY_BYTES, CertTrackerResolver, StrictModel
from infra.events import LambdaContext, rest_event


class Body(StrictModel):
    name: str
    count: int = 0


app = CertTrackerResolver()


@app.post("/things")
def create(body: Body) -> dict[str, str]:
    if body.name == "taken":
        raise errors.Conflict("That name is taken.", code="name_taken")
    if body.name == "slow":
        raise errors.TooManyRequests("Slow down.", retry_after=42)
    if body.name == "boom":
        raise RuntimeError("a bug")
    return {"name": body.name}


def call(body: str | None, method: str = "POST", path: str = "/things") -> tuple[int, dict, dict]:
    response = app.resolve(rest_event(method, path, body=body), LambdaContext("test"))
    headers = {
        k.lower(): (v[-1] if isinstance(v, list) else v)
        for k, v in {**(response.get("headers") or {}), **(response.get("multiValueHeaders") or {})}.items()
    }
    return response["statusCode"], json.loads(response["body"]), headers


def test_a_domain_error_keeps_its_status_code_and_message() -> None:
    status, body, _ = call('{"name": "taken"}')
    assert status == 409
    assert body == {"error": {"code": "name_taken", "message": "That name is taken."}}


def test_too_many_requests_carries_retry_after() -> None:
    status, body, headers = call('{"name": "slow"}')
    assert status == 429
    assert headers["retry-after"] == "42"
    assert body["error"]["code"] == "too_many_requests"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("{}", "name", "Your name is missing."),
        ('{"name": "a", "colour": "red"}', "colour", "This form does not take a field named 'colour'."),
        ('{"name": "a", "count": "many"}', "count", "must be a whole number."),
        ('{"name": ["a"]}', "name", "Your name must be text."),
    ],
)
def test_an_invalid_field_is_named_in_a_422(body: str, field: str, words: str) -> None:
    status, answer, _ = call(body)
    assert status == 422
    assert answer["error"]["code"] == "validation_error"
    assert answer["error"]["field"] == field
    assert words in answer["error"]["message"]


@pytest.mark.parametrize("body", ['{"name": ', "not json", "[1, 2", "\x00"])
def test_broken_json_is_a_400(body: str) -> None:
    status, answer, _ = call(body)
    assert status in (400, 422)
    assert answer["error"]["code"] in ("invalid_json", "validation_error")


def test_an_oversized_body_is_refused_before_parsing() -> None:
    status, answer, _ = call('{"name": "' + "x" * MAX_BODY_BYTES + '"}')
    assert status == 413
    assert answer["error"]["code"] == "payload_too_large"


def test_an_unknown_route_is_a_404_in_the_error_shape() -> None:
    status, answer, _ = call(None, "GET", "/nothing-here")
    assert status == 404
    assert answer["error"]["code"] == "not_found"


def test_a_bug_is_a_500_in_the_error_shape_without_details() -> None:
    status, answer, _ = call('{"name": "boom"}')
    assert status == 500
    assert answer["error"]["code"] == "internal_error"
    assert "a bug" not in json.dumps(answer)


def test_every_response_carries_the_security_headers() -> None:
    _, _, headers = call('{"name": "ok"}')
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert "max-age" in headers["strict-transport-security"]


def test_a_body_that_is_not_declared_json_is_a_415() -> None:
    response = app.resolve(
        rest_event("POST", "/things", body='{"name": "a"}', headers={"Content-Type": "text/plain"}),
        LambdaContext("test"),
    )
    assert response["statusCode"] == 415
    assert json.loads(response["body"])["error"]["code"] == "unsupported_media_type"


def resolve_raw(event: dict) -> tuple[int, dict]:
    response = app.resolve(event, LambdaContext("test"))
    return response["statusCode"], json.loads(response["body"])


def test_a_base64_body_is_decoded_and_read_as_utf8() -> None:
    event = rest_event(
        "POST", "/things", body='{"name": "Renée"}'.encode(), headers={"Content-Type": "application/json"}
    )
    assert event["isBase64Encoded"] is True

    assert resolve_raw(event) == (200, {"name": "Renée"})


@pytest.mark.parametrize(
    ("body", "base64_encoded"),
    [
        (b'{"name": "Ren\xe9e"}', True),  # Latin-1 bytes
        ("not base64 at all!", True),
        ('{"name": "\ud800"}', False),  # a lone surrogate in a text body
    ],
)
def test_a_body_that_is_not_utf8_text_is_a_400_invalid_encoding(body: bytes | str, base64_encoded: bool) -> None:
    event = rest_event("POST", "/things", body=body, headers={"Content-Type": "application/json"})
    event["isBase64Encoded"] = base64_encoded

    status, answer = resolve_raw(event)

    assert (status, answer["error"]["code"]) == (400, "invalid_encoding")


@pytest.mark.parametrize("body", ['{"name": "a", "count": ' + "9" * 5000 + "}", "-" + "9" * 4301])
def test_an_integer_too_long_to_convert_is_invalid_json_not_a_500(body: str) -> None:
    status, answer, _ = call(body)

    assert (status, answer["error"]["code"]) == (400, "invalid_json")


def test_an_oversized_base64_body_is_refused_by_its_decoded_size() -> None:
    fits = json.dumps({"name": "x" * (MAX_BODY_BYTES - 20)}).encode()
    assert len(fits) <= MAX_BODY_BYTES
    event = rest_event("POST", "/things", body=fits, headers={"Content-Type": "application/json"})
    assert resolve_raw(event)[0] == 200

    event = rest_event("POST", "/things", body=fits + b" " * 30, headers={"Content-Type": "application/json"})
    assert resolve_raw(event)[0] == 413


def test_every_route_documents_its_success_and_the_refusals_of_a_body() -> None:
    document = app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True, mode="json")

    responses = document["paths"]["/things"]["post"]["responses"]

    assert set(responses) == {"200", "400", "413", "415", "422"}
    assert responses["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
