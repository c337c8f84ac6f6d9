"""The Pearson VUE client: candidate demographics, exam authorizations and signed scheduling links.

Every call is a PUT keyed by CertTracker's own ids, so a retry cannot make a second candidate or
authorization. Timeouts and retries fit the invocation's time budget (certtracker.core.deadline); an outage,
or no answer in time, is a 503 for the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode

from certtracker.core import deadline
from certtracker.core.aws import client
from certtracker.core.errors import ServiceUnavailable
from certtracker.core.observability import count, logger
from certtracker.core.settings import PearsonVueSettings, load

CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 5.0
ATTEMPTS = 3  # the first and two retries, on a failed connection or 502/503/504, when time allows
RETRY_STATUSES = frozenset({502, 503, 504})
BACKOFF_S = 0.3  # before the second attempt; doubled before the third
MIN_ATTEMPT_S = 0.5  # an attempt with less time than this would only time out
SCHEDULING_LINK_SECONDS = 600


@cache
def _pool() -> Any:
    import urllib3  # comes with botocore

    # No urllib3 retries: ours (in _send) know the invocation's deadline.
    return urllib3.PoolManager(retries=False)


@cache
def _secrets() -> Any:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    # Our client, not Powertools' default one: its calls fit the time budget.
    return SecretsProvider(boto3_client=client("secretsmanager"))


def shared_secret() -> str:
    """The secret Pearson VUE and CertTracker share (Secrets Manager, cached five minutes)."""
    return str(_secrets().get(load(PearsonVueSettings).pearson_vue_secret_name, max_age=300))


def forget_secret() -> None:
    """Drop the cached secret (tests; a rotation is picked up after five minutes anyway)."""
    _secrets.cache_clear()


def sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _unavailable() -> ServiceUnavailable:
    count("PearsonVueUnavailable")
    return ServiceUnavailable(
        "Pearson VUE is not answering just now, so nothing was registered. Try again in a minute.",
        retry_after=60,
        code="pearson_vue_unavailable",
    )


def _put(path: str, body: dict[str, Any]) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    base = load(PearsonVueSettings).pearson_vue_base_url.rstrip("/")
    try:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {shared_secret()}"}
    except GetParameterError:
        logger.warning("pearson vue secret unavailable", extra={"path": path})
        raise _unavailable() from None
    response = _send(f"{base}/api{path}", json.dumps(body).encode(), headers, path)
    if response is None or response.status >= 500 or response.status in (401, 403, 429):
        logger.warning("pearson vue refused", extra={"path": path, "status": getattr(response, "status", None)})
        raise _unavailable()
    if response.status >= 400:
        raise RuntimeError(f"Pearson VUE rejected {path}: {response.status}")  # our bug, not the candidate's
    return dict(json.loads(response.data or b"{}"))


def _send(url: str, data: bytes, headers: dict[str, str], path: str) -> Any | None:
    """PUT with retries inside the time budget: the first answer worth keeping, or None if none came in time.

    Each attempt's timeouts shrink to what is left, and no attempt starts without MIN_ATTEMPT_S.
    """
    import urllib3

    for attempt in range(1, ATTEMPTS + 1):
        if attempt > 1:
            pause = BACKOFF_S * 2 ** (attempt - 2)
            if deadline.remaining() - pause < MIN_ATTEMPT_S:
                break
            time.sleep(pause)
        left = deadline.remaining()
        if left < MIN_ATTEMPT_S:
            logger.warning("pearson vue call not attempted: out of time", extra={"path": path, "attempt": attempt})
            break
        timeout = urllib3.Timeout(total=left, connect=min(CONNECT_TIMEOUT_S, left), read=min(READ_TIMEOUT_S, left))
        try:
            response = _pool().request("PUT", url, body=data, headers=headers, timeout=timeout, retries=False)
        except urllib3.exceptions.HTTPError as error:
            logger.warning(
                "pearson vue call failed", extra={"path": path, "attempt": attempt, "error": type(error).__name__}
            )
            continue
        if response.status not in RETRY_STATUSES or attempt == ATTEMPTS:
            return response
        logger.warning("pearson vue unavailable", extra={"path": path, "attempt": attempt, "status": response.status})
    return None


def upsert_candidate(candidate_id: str, demographics: dict[str, Any]) -> None:
    _put(f"/candidates/{candidate_id}", demographics)


def authorize(authorization_id: str, candidate_id: str, exam_code: str, valid_until: str) -> None:
    _put(
        f"/authorizations/{authorization_id}",
        {"candidate_id": candidate_id, "exam_code": exam_code, "valid_until": valid_until},
    )


def signed_link(path: str, **fields: str) -> str:
    """A single sign-on link to Pearson VUE, signed with the shared secret, valid ten minutes."""
    query = dict(sorted({**fields, "expires": str(int(time.time()) + SCHEDULING_LINK_SECONDS)}.items()))
    query["signature"] = sign(shared_secret(), urlencode(query))
    base = load(PearsonVueSettings).pearson_vue_base_url.rstrip("/")
    return f"{base}{path}?{urlencode(query)}"
