"""The Pearson VUE client: candidate demographics, exam authorizations and signed scheduling links.

Every call is a PUT keyed by CertTracker's own ids, so a retry (ours or urllib3's) cannot make a
second candidate or authorization. Timeouts and retries are explicit; an outage is a 503 for the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode

from certtracker.errors import ServiceUnavailable
from certtracker.observability import count, logger
from certtracker.settings import PearsonVueSettings, load

CONNECT_TIMEOUT_S = 2.0
READ_TIMEOUT_S = 5.0
SCHEDULING_LINK_SECONDS = 600


@cache
def _pool() -> Any:
    import urllib3  # comes with botocore

    retry = urllib3.Retry(
        total=2,
        backoff_factor=0.3,
        status_forcelist=(502, 503, 504),
        allowed_methods=frozenset({"GET", "PUT"}),
        raise_on_status=False,
    )
    return urllib3.PoolManager(retries=retry, timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S))


def shared_secret() -> str:
    """The secret Pearson VUE and CertTracker share (Secrets Manager, cached five minutes)."""
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_secret(load(PearsonVueSettings).pearson_vue_secret_name, max_age=300))


def forget_secret() -> None:
    """Drop the cached secret (tests; a rotation is picked up after five minutes anyway)."""
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()


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
    import urllib3

    base = load(PearsonVueSettings).pearson_vue_base_url.rstrip("/")
    try:
        response = _pool().request(
            "PUT",
            f"{base}/api{path}",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {shared_secret()}"},
        )
    except urllib3.exceptions.HTTPError as error:
        logger.warning("pearson vue call failed", extra={"path": path, "error": type(error).__name__})
        raise _unavailable() from None
    if response.status >= 500 or response.status in (401, 403, 429):
        logger.warning("pearson vue refused", extra={"path": path, "status": response.status})
        raise _unavailable()
    if response.status >= 400:
        raise RuntimeError(f"Pearson VUE rejected {path}: {response.status}")  # our bug, not the candidate's
    return dict(json.loads(response.data or b"{}"))


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
