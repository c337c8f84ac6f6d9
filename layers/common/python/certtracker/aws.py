"""boto3 clients built once per container, through a seam that tests and the local stack can reset."""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.config import Config

# Short timeouts and standard retries: a slow dependency must fail fast enough for the
# caller to get a clear answer inside API Gateway's 29 s limit.
_CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 4})


@cache
def client(service: str) -> Any:
    """A boto3 client for `service` (endpoint and region come from the environment)."""
    import boto3

    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset_clients() -> None:
    """Forget cached clients and PynamoDB connections (tests, and the local stack at start)."""
    client.cache_clear()
    from certtracker.models import ALL_MODELS
    from certtracker.models.base import reset_connection

    reset_connection()
    from certtracker import pearson_vue

    pearson_vue.forget_secret()

    for model in ALL_MODELS:
        model._connection = None
