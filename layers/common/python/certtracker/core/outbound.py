"""Calls to partner systems over HTTP (Pearson VUE, PartnerNet): retries inside the time budget, and their secrets.

An attempt's timeouts shrink to what is left of the invocation's budget (certtracker.core.deadline), no
attempt starts that could not finish, and a retry (on a failed connection or 502/503/504) waits a short
backoff first. Each system's secret is read from Secrets Manager through Powertools and cached five minutes.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from certtracker.core import deadline
from certtracker.core.aws import client, on_reset
from certtracker.core.observability import logger

CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 5.0
ATTEMPTS = 3  # the first and two retries, on a failed connection or 502/503/504, when time allows
RETRY_STATUSES = frozenset({502, 503, 504})
# Besides 5xx, what says "not now" rather than "your request is wrong": refused credentials (a secret
# rotated on one side only) and throttling.
UNAVAILABLE_STATUSES = frozenset({401, 403, 429})
BACKOFF_S = 0.3  # before the second attempt; doubled before the third
MIN_ATTEMPT_S = 0.5  # an attempt with less time than this would only time out
SECRET_MAX_AGE_S = 300  # a rotated secret is picked up within five minutes


@cache
def _pool() -> Any:
    import urllib3  # comes with botocore

    # No urllib3 retries: ours (in send) know the invocation's deadline.
    return urllib3.PoolManager(retries=False)


@cache
def _secrets() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    # Our client, not Powertools' default one: its calls fit the time budget.
    return SecretsProvider(boto3_client=client("secretsmanager"))


def secret(name: str) -> str:
    """The secret `name` from Secrets Manager, cached five minutes. Raises Powertools' GetParameterError
    when it cannot be read (Secrets Manager failing, or no time left to ask)."""
    return str(_secrets().get(name, max_age=SECRET_MAX_AGE_S))


@on_reset
def forget_secrets() -> None:
    """Drop the cached secrets (tests; a rotation is picked up after five minutes anyway) and the connections
    (a SnapStart restore must not reuse sockets opened before the snapshot)."""
    _secrets.cache_clear()
    _pool.cache_clear()


def send(method: str, url: str, *, body: bytes | None, headers: dict[str, str], what: str) -> Any | None:
    """One request with retries inside the time budget: the first answer worth keeping (a urllib3
    response, whatever its status), or None if none came in time. `what` names the system in the logs.

    Each attempt's timeouts shrink to what is left, and no attempt starts without MIN_ATTEMPT_S.
    """
    import urllib3

    path = urlsplit(url).path  # logged without the query
    for attempt in range(1, ATTEMPTS + 1):
        if attempt > 1:
            pause = BACKOFF_S * 2 ** (attempt - 2)
            if deadline.remaining() - pause < MIN_ATTEMPT_S:
                break
            time.sleep(pause)
        left = deadline.remaining()
        if left < MIN_ATTEMPT_S:
            logger.warning(f"{what} call not attempted: out of time", extra={"path": path, "attempt": attempt})
            break
        timeout = urllib3.Timeout(total=left, connect=min(CONNECT_TIMEOUT_S, left), read=min(READ_TIMEOUT_S, left))
        try:
            response = _pool().request(method, url, body=body, headers=headers, timeout=timeout, retries=False)
        except urllib3.exceptions.HTTPError as error:
            logger.warning(
                f"{what} call failed", extra={"path": path, "attempt": attempt, "error": type(error).__name__}
            )
            continue
        if response.status not in RETRY_STATUSES or attempt == ATTEMPTS:
            return response
        logger.warning(f"{what} unavailable", extra={"path": path, "attempt": attempt, "status": response.status})
    return None


def refused_credentials(response: Any | None) -> bool:
    """Whether the system refused our credentials (401/403): a secret rotated on one side only, or wrong from
    the start. No retry mends it, so the clients count it apart from an outage: an operator must act."""
    return response is not None and response.status in (401, 403)


def unavailable(status: int) -> bool:
    """Whether an answer's status means the system cannot serve us now (5xx, 401/403/429), as no answer
    does: the caller's 503, to be tried again later. Any other 4xx is a bug of ours."""
    return status >= 500 or status in UNAVAILABLE_STATUSES
