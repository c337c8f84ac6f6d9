"""boto3 clients built once per container, through a seam that tests and the local stack can reset."""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from functools import cache
from typing import Any

from botocore.config import Config

from certtracker.core import deadline

# Upper bounds per attempt; inside an invocation `deadline.bind` shrinks each attempt to the time left
# and makes a retry only if it can finish in time. Connecting to an AWS endpoint in the same region
# (TLS included) takes milliseconds, so half a second is generous; every attempt sets it aside.
CONNECT_TIMEOUT_S = 0.5
READ_TIMEOUT_S = 5.0
TOTAL_ATTEMPTS = 3  # the first and two retries, when time allows
_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_S,
    read_timeout=READ_TIMEOUT_S,
    retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS},
)


@cache
def client(service: str) -> Any:
    """A boto3 client for `service` (endpoint and region come from the environment)."""
    import boto3

    built = boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]
    return deadline.bind(built, max_attempts=TOTAL_ATTEMPTS)


@cache
def presigner() -> Any:
    """An S3 client for presigned links: Signature V4 (what S3 expects, and needed for encrypted objects). Signing
    makes no call, so no time budget binds it."""
    import boto3

    return boto3.session.Session().client("s3", config=Config(signature_version="s3v4"))


# What the modules loaded so far must forget at a reset, by name: a module run again replaces its own.
_forgetting: dict[str, Callable[[], None]] = {}


def on_reset[F: Callable[[], None]](forget: F) -> F:
    """Have `reset_clients` call `forget` (a decorator): for a module that caches a client, a connection or a
    secret of its own. Each module registers itself when it loads, so `core` names none of them."""
    _forgetting[f"{forget.__module__}.{forget.__qualname__}"] = forget
    return forget


def reset_clients() -> None:
    """Forget cached clients, and whatever each loaded module registered with `on_reset` (tests, and the local
    stack at start)."""
    client.cache_clear()
    presigner.cache_clear()
    for forget in list(_forgetting.values()):
        forget()


# ---------------------------------------------------------------- SnapStart
# With SnapStart (the template's SnapStart parameter) Lambda snapshots an environment after its INIT and resumes
# many environments from that one snapshot, hours or days later. Nothing made before the snapshot may be shared
# by them: clients and their connections (and each module's caches, through on_reset) are made again, and
# Python's `random` is seeded again, so no two restored environments draw the same numbers. (Tokens, ids and
# keys never come from `random`: `secrets` and `uuid4` read the operating system's entropy on every call.)


def after_restore() -> None:
    """What a restored environment does before its first invocation."""
    reset_clients()
    random.seed()


def load_before_snapshot(*modules: str) -> None:
    """The modules a function's routes import where they are used (a cold start without SnapStart loads only its
    route's): with SnapStart they are loaded before the snapshot instead, so that no restored environment loads
    any of them on its first request. Without SnapStart, nothing happens."""
    if _SNAPSTART:
        register_before_snapshot(lambda: [importlib.import_module(module) for module in modules])


try:  # Lambda's python runtimes carry this package; elsewhere (the bench, scripts) there is no snapshot.
    from snapshot_restore_py import register_after_restore, register_before_snapshot
except ImportError:
    _SNAPSTART = False
else:
    _SNAPSTART = True
    register_after_restore(after_restore)
