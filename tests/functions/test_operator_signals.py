"""What an operator is told: refusals and failures counted apart, so alarms fire on real trouble only."""

from __future__ import annotations

import pytest

from certtracker.accounts import sessions
from tests.functions.conftest import error


@pytest.fixture
def counted(gateway, monkeypatch) -> list[str]:
    names: list[str] = []
    module = gateway.functions["AuthorizerFunction"].load_module()
    monkeypatch.setattr(module, "count", lambda name, value=1: names.append(name))
    return names


def test_a_logged_out_call_is_a_refusal_not_an_authorizer_error(api, counted):
    assert error(api.call("GET", "/me"), 401)
    assert error(api.call("GET", "/me", token="x" * 43), 401)

    assert counted == ["AuthorizerRefused", "AuthorizerRefused"]


def test_an_authorizer_that_fails_is_counted_as_an_error_and_answers_500(api, candidate, counted, monkeypatch):
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("the sessions table is unreachable")

    monkeypatch.setattr(sessions, "authenticate", broken)

    answer = api.call("GET", "/me", token=candidate["token"])

    assert answer.status == 500
    assert counted == ["AuthorizerError"]
