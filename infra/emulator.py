"""Where the embedded AWS emulator (moto) must be made to behave as AWS does.

DynamoDB applies each request atomically: a conditional put, update or transaction is checked and written
as one step. moto checks, then writes, with no lock between, so two threads (the handler ring's bursts,
the local gateway's functions) could both pass a condition that only one may pass. Each DynamoDB request
is made one step here, as DynamoDB makes it.
"""

from __future__ import annotations

import threading
from typing import Any

_ONE_AT_A_TIME = threading.RLock()


def make_dynamodb_atomic() -> None:
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, "_made_atomic", False):
        return
    original = DynamoHandler.call_action

    def atomic(self: Any) -> Any:
        with _ONE_AT_A_TIME:
            return original(self)

    DynamoHandler.call_action = atomic  # type: ignore[method-assign]
    DynamoHandler._made_atomic = True  # type: ignore[attr-defined]
