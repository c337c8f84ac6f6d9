"""Unit ring: domain rules only, with the network switched off."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _no_network(socket_disabled: None) -> None:
    """pytest-socket: any connection attempt fails the test."""
