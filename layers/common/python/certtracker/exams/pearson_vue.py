"""The Pearson VUE client: candidate demographics, exam authorizations and signed scheduling links.

Every call is a PUT keyed by CertTracker's own ids, so a retry cannot make a second candidate or
authorization. Timeouts and retries fit the invocation's time budget (certtracker.core.outbound); an outage,
or no answer in time, is a 503 for the caller.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

from certtracker.core import outbound
from certtracker.core.errors import ServiceUnavailable
from certtracker.core.observability import count, logger
from certtracker.core.settings import PearsonVueSettings, load

SCHEDULING_LINK_SECONDS = 600


def shared_secret() -> str:
    """The secret Pearson VUE and CertTracker share (Secrets Manager, cached five minutes)."""
    return outbound.secret(load(PearsonVueSettings).pearson_vue_secret_name)


def sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _unavailable(*, credentials_refused: bool = False) -> ServiceUnavailable:
    # Refused credentials are counted apart (PearsonVueAuthFailed, alarmed at once): no wait mends them.
    if credentials_refused:
        count("PearsonVueAuthFailed")
    else:
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
    data = json.dumps(body).encode()
    response = outbound.send("PUT", f"{base}/api{path}", body=data, headers=headers, what="pearson vue")
    if response is None or outbound.unavailable(response.status):
        logger.warning("pearson vue refused", extra={"path": path, "status": getattr(response, "status", None)})
        raise _unavailable(credentials_refused=outbound.refused_credentials(response))
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
