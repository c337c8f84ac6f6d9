"""The recovery queue's message: what the routes write, the consumer reads back; anything else is refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certtracker.accounts.recovery import Malformed, read_message


@given(kind=st.sampled_from(["username", "password"]), identifier=st.text(min_size=1, max_size=254))
def test_every_request_the_routes_queue_reads_back_unchanged(kind: str, identifier: str) -> None:
    assert read_message(json.dumps({"kind": kind, "identifier": identifier})) == (kind, identifier)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        "[]",
        '{"kind": "username"}',
        '{"kind": "email", "identifier": "a@b.c"}',
        '{"kind": "password", "identifier": ""}',
        '{"kind": "password", "identifier": 7}',
        '{"kind": "password", "identifier": "x", "extra": 1}',
        json.dumps({"kind": "username", "identifier": "x" * 255}),
    ],
)
def test_a_message_the_routes_never_write_is_refused(body: str) -> None:
    with pytest.raises(Malformed):
        read_message(body)
