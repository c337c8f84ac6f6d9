"""Bad input on every accounts route: each is refused with a 4xx in the error shape, never a 5xx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from certtracker.core.input_messages import BROKEN_LINK, OWN
from tests.functions.conftest import NEW_PASSWORD, PASSWORD, error

A_TOKEN = "A" * 43

# Every route that reads a body, with a body that passes validation.
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/auth/register"): {
        "username": "grace",
        "email": "grace@example.org",
        "password": PASSWORD,
        "first_name": "Grace",
        "last_name": "Hopper",
        "country": "US",
        "accept_privacy_notice": True,
    },
    ("POST", "/auth/verify-email"): {"token": A_TOKEN},
    ("POST", "/auth/login"): {"username": "grace", "password": PASSWORD},
    ("POST", "/auth/recovery/username"): {"email": "grace@example.org"},
    ("POST", "/auth/recovery/password"): {"username_or_email": "grace"},
    ("POST", "/auth/password-reset"): {"token": A_TOKEN, "new_password": NEW_PASSWORD},
    ("PUT", "/me/password"): {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
}
SESSION_ROUTES = {("PUT", "/me/password"), ("POST", "/auth/logout"), ("GET", "/me")}


OWN_SENTENCES = {BROKEN_LINK, *OWN.values()}


def send(api: Any, candidate: dict[str, str], route: tuple[str, str], body: Any = None, **kwargs: Any) -> Any:
    """Call a route as its caller would: with the candidate's session where the route needs one."""
    method, path = route
    token = candidate["token"] if route in SESSION_ROUTES else None
    return api.call(method, path, body, token=token, **kwargs)


def route_name(route: tuple[str, str]) -> str:
    return " ".join(route)


# ---------------------------------------------------------------- fields


def test_missing_unknown_mistyped_and_malformed_fields_are_refused_by_name(api, candidate, subtests):
    for route, body in VALID_BODIES.items():
        with subtests.test(route=route_name(route), unknown="is_admin"):
            detail = error(send(api, candidate, route, {**body, "is_admin": True}), 422)

            assert detail["code"] == "validation_error"
            assert detail["field"] == "is_admin"
        for field, value in body.items():
            with subtests.test(route=route_name(route), missing=field):
                without = {key: other for key, other in body.items() if key != field}

                detail = error(send(api, candidate, route, without), 422)

                assert detail["code"] == "validation_error"
                assert detail["field"] == field
                # Said in words (certtracker.core.input_messages), not by the field's name.
                assert detail["message"].endswith("is missing.") or detail["message"] in OWN_SENTENCES
            wrong_types = ["yes", None, 0] if isinstance(value, bool) else [12345, ["x"], {"x": 1}, None, True]
            for wrong in wrong_types:
                with subtests.test(route=route_name(route), field=field, value=wrong):
                    detail = error(send(api, candidate, route, {**body, field: wrong}), 422)

                    assert detail["code"] == "validation_error"
                    assert detail["field"] == field
    register = ("POST", "/auth/register")
    malformed = [
        (register, "username", ["ab", "a b", "x" * 33, "-leading-dash", "ünïcode"]),
        (register, "email", ["not-an-email", "a@b@example.org", "", '"quoted"@example.org']),
        (register, "country", ["ZZ", "GBR", ""]),
        (register, "first_name", ["", "   ", "Ada\x00", "x" * 101]),
        (register, "last_name", ["Love\nlace", "x" * 101]),
        (register, "password", ["", "x" * 1025]),
        (register, "accept_privacy_notice", [False]),
        (register, "marketing_opt_in", [{"x": 1}]),
        (("POST", "/auth/verify-email"), "token", ["short", "has spaces and symbols!!", "../../etc/passwd", "x" * 129]),
        (("POST", "/auth/login"), "username", ["", "x" * 255]),
        (("POST", "/auth/login"), "password", ["", "x" * 1025]),
        (("POST", "/auth/recovery/username"), "email", ["nobody", "@example.org"]),
        (("POST", "/auth/recovery/password"), "username_or_email", ["", "x" * 255]),
        (("POST", "/auth/password-reset"), "token", ["short", "bad token value here"]),
        (("POST", "/auth/password-reset"), "new_password", ["", "x" * 1025]),
        (("PUT", "/me/password"), "current_password", ["", "x" * 1025]),
        (("PUT", "/me/password"), "new_password", ["", "x" * 1025]),
    ]
    for route, field, values in malformed:
        for value in values:
            with subtests.test(route=route_name(route), field=field, value=str(value)[:20]):
                detail = error(send(api, candidate, route, {**VALID_BODIES[route], field: value}), 422)

                assert detail["code"] == "validation_error"
                assert detail["field"] == field


# ---------------------------------------------------------------- whole bodies


def test_broken_absent_or_non_object_bodies_are_refused(api, candidate, subtests):
    for route in VALID_BODIES:
        with subtests.test(route=route_name(route), body="absent"):
            assert error(send(api, candidate, route), 422)["code"] == "validation_error"
        for raw in (b"", b"{}", b"[]", b'"grace"', b"42", b"null", b"true"):
            with subtests.test(route=route_name(route), body=raw.decode()):
                assert error(send(api, candidate, route, raw=raw), 422)["code"] == "validation_error"
        for raw in (b'{"username": ', b"{'username': 'grace'}", b'{"a": 1}}', b"{,}", b'{"a": 1' + b"0" * 5000 + b"}"):
            with subtests.test(route=route_name(route), body=raw):
                assert error(send(api, candidate, route, raw=raw), 400)["code"] == "invalid_json"


def routes_with_a_body() -> list[tuple[str, str]]:
    """Every operation of the OpenAPI document that declares a body (the webhook reads its own, once signed)."""
    document = json.loads((Path(__file__).parents[2] / "functions/docs/openapi.json").read_text())
    return [
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]


HUGE_INTEGER = b"9" * 5000  # Python refuses to convert integers of more than 4,300 digits


def test_an_integer_too_long_to_convert_is_invalid_json_on_every_route_with_a_body(api, candidate, subtests):
    for method, path in routes_with_a_body():
        for raw in (b'{"score": ' + HUGE_INTEGER + b"}", b"[" + HUGE_INTEGER + b"]", b"-" + HUGE_INTEGER):
            with subtests.test(route=f"{method} {path}", body=raw[:12]):
                response = api.call(method, path, raw=raw, token=candidate["token"])

                assert error(response, 400)["code"] == "invalid_json"
    with subtests.test("a long integer that can be converted is only out of range"):
        raw = json.dumps({"username": "grace", "password": PASSWORD}).encode()[:-1] + b', "n": ' + b"9" * 4000 + b"}"

        assert error(api.call("POST", "/auth/login", raw=raw), 422)["field"] == "n"


NOT_UTF8 = [
    b"\xff\xfe\x00",  # UTF-16's byte order mark
    b'{"username": "gr\xe2ce", "password": "x"}',  # Latin-1
    b'{"username": "\xed\xa0\x80"}',  # an encoded surrogate
    b'{"username": "grace\xc3"}',  # a truncated sequence
]


def test_bodies_that_are_not_utf8_are_refused_with_400_on_every_route_with_a_body(api, candidate, subtests):
    for method, path in [*routes_with_a_body(), ("POST", "/integrations/pearson-vue/results")]:
        for raw in NOT_UTF8:
            with subtests.test(route=f"{method} {path}", body=raw):
                response = api.call(method, path, raw=raw, token=candidate["token"])

                assert error(response, 400)["code"] == "invalid_encoding"


def test_a_registration_in_latin_1_is_refused_not_stored_with_replacement_characters(api, mail):
    body = json.dumps({**VALID_BODIES[("POST", "/auth/register")], "first_name": "Ren\u00e9e"}, ensure_ascii=False)

    response = api.call("POST", "/auth/register", raw=body.encode("latin-1"))

    assert error(response, 400)["code"] == "invalid_encoding"
    assert mail.all() == []
    assert api.call("POST", "/auth/register", VALID_BODIES[("POST", "/auth/register")]).status == 201


def test_a_body_in_utf8_with_a_charset_parameter_is_read_exactly(api, candidate):
    body = {"first_name": "Renée", "last_name": "Ñúñez"}
    headers = {"Content-Type": "application/json; charset=utf-8"}
    raw = json.dumps(body, ensure_ascii=False).encode()

    answer = api.call("PATCH", "/me/profile", raw=raw, token=candidate["token"], headers=headers)

    assert answer.status == 200, answer.body
    assert {key: answer.json()[key] for key in body} == body


def test_deeply_nested_json_is_refused_with_a_4xx(api):
    response = api.call("POST", "/auth/login", raw=b"[" * 5000 + b"]" * 5000)

    assert 400 <= response.status < 500, response.body
    assert set(response.json()) == {"error"}


def test_bodies_over_16_kib_are_refused_with_413(api, candidate, subtests):
    routes = {**VALID_BODIES, ("POST", "/auth/logout"): {}}
    for route, body in routes.items():
        with subtests.test(route=route_name(route)):
            oversized = json.dumps({**body, "padding": "x" * (16 * 1024)}).encode()

            assert error(send(api, candidate, route, raw=oversized), 413)["code"] == "payload_too_large"
    with subtests.test("exactly 16 KiB is not too large"):
        prefix = json.dumps({**VALID_BODIES[("POST", "/auth/login")], "padding": ""}).encode()
        exact = prefix[:-2] + b"x" * (16 * 1024 - len(prefix)) + prefix[-2:]
        assert len(exact) == 16 * 1024

        assert error(api.call("POST", "/auth/login", raw=exact), 422)["field"] == "padding"
    assert api.call("GET", "/me", token=candidate["token"]).status == 200  # the refused logout ended nothing


def test_a_body_over_16_kib_of_multibyte_text_is_refused_with_413(api):
    raw = json.dumps({"username": "grace", "password": "é" * 9000}, ensure_ascii=False).encode()
    assert len(raw) > 16 * 1024

    assert error(api.call("POST", "/auth/login", raw=raw), 413)["code"] == "payload_too_large"


# ---------------------------------------------------------------- content types


def test_bodies_declared_as_something_other_than_json_are_refused_with_415(api, candidate, subtests):
    declared = [("text/plain", route) for route in VALID_BODIES] + [
        (content_type, ("POST", "/auth/login"))
        for content_type in (
            "application/xml",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "multipart/form-data; boundary=xyz",
        )
    ]
    for content_type, route in declared:
        with subtests.test(content_type=content_type, route=route_name(route)):
            raw = json.dumps(VALID_BODIES[route]).encode()

            response = send(api, candidate, route, raw=raw, headers={"Content-Type": content_type})

            assert error(response, 415)["code"] == "unsupported_media_type"
    with subtests.test(content_type="application/json; charset=utf-8"):
        raw = json.dumps({"username": "grace", "password": PASSWORD}).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}

        assert error(api.call("POST", "/auth/login", raw=raw, headers=headers), 401)["code"] == "invalid_credentials"


def test_json_content_type_is_recognised_in_any_letter_case(api):
    body = json.dumps({"username": "grace", "password": PASSWORD}).encode()

    response = api.call("POST", "/auth/login", raw=body, headers={"Content-Type": "Application/JSON"})

    assert error(response, 401)["code"] == "invalid_credentials"


# ---------------------------------------------------------------- routes and methods


def test_wrong_methods_and_unknown_routes_get_404_in_the_error_shape(api, subtests):
    wrong_methods = [
        ("GET", "/auth/login"),
        ("GET", "/auth/register"),
        ("PUT", "/auth/verify-email"),
        ("GET", "/auth/logout"),
        ("GET", "/auth/recovery/username"),
        ("DELETE", "/auth/recovery/password"),
        ("PATCH", "/auth/password-reset"),
        ("GET", "/me/password"),
        ("POST", "/me"),
        ("PATCH", "/me"),
    ]
    unknown_routes = [
        ("GET", "/"),
        ("GET", "/auth"),
        ("POST", "/auth/unknown"),
        ("POST", "/auth/login/extra"),
        ("POST", "/AUTH/LOGIN"),
        ("POST", "/api/auth/login"),
        ("GET", "/me/unknown"),
        ("GET", "//me"),
        ("GET", "/nope?x=1"),
    ]
    for method, path in wrong_methods + unknown_routes:
        for token in (None, A_TOKEN):  # a route that does not exist is not one that needs a session
            with subtests.test(route=f"{method} {path}", with_token=token is not None):
                response = api.call(method, path, VALID_BODIES[("POST", "/auth/login")], token=token)

                assert error(response, 404)["code"] == "not_found"


def test_session_routes_refuse_a_caller_without_a_session_before_reading_the_body(api, subtests):
    for method, path in sorted(SESSION_ROUTES):
        for case, raw in (("broken JSON", b'{"current_password": '), ("oversized", b"x" * (17 * 1024))):
            with subtests.test(route=f"{method} {path}", body=case):
                assert error(api.call(method, path, raw=raw), 401)["code"] == "unauthorized"
