"""The PartnerNet client: partner companies (id, name, tier, email domains) and contact changes since a watermark.

Both reads are GETs, so a retry repeats nothing. Timeouts and retries fit the invocation's time budget
(certtracker.core.outbound); an outage, no answer in time, refused credentials or throttling is a
ServiceUnavailable (`partnernet_unavailable`), counted as PartnerNetUnavailable. The changes are handed
over as received: the consumer validates each one, so that one malformed record fails alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from certtracker.core import outbound
from certtracker.core.errors import ServiceUnavailable
from certtracker.core.observability import count, logger
from certtracker.core.settings import PartnerNetSettings, load

MAX_CHANGES = 500  # PartnerNet's largest page of changes


@dataclass(frozen=True)
class Partner:
    partner_id: str
    name: str
    tier: str
    domains: tuple[str, ...]  # lower case, as email domains are compared


@dataclass
class ChangesPage:
    changes: list[dict[str, Any]]  # in sequence order, NOT validated: each may be malformed
    has_more: bool  # more changes after these: ask again from the last one's sequence


def partners() -> list[Partner]:
    """Every partner company, all pages read."""
    found: list[Partner] = []
    cursor: str | None = None
    while True:
        page = _get("/partners", {"cursor": cursor} if cursor else {})
        try:
            found.extend(_partner(item) for item in page["partners"])
            cursor = page.get("next_cursor")
            if cursor is not None and not isinstance(cursor, str):
                raise TypeError("next_cursor")
        except (KeyError, TypeError, ValueError) as problem:
            raise _malformed("/partners", problem) from None
        if not cursor:
            return found


def changes(since: int, limit: int = MAX_CHANGES) -> ChangesPage:
    """Up to `limit` contact changes with a sequence after `since`, in sequence order."""
    if not 1 <= limit <= MAX_CHANGES:
        raise ValueError(f"limit must be 1 to {MAX_CHANGES}, not {limit}")
    page = _get("/contacts/changes", {"since": since, "limit": limit})
    received, has_more = page.get("changes"), page.get("has_more")
    if not isinstance(received, list) or not isinstance(has_more, bool):
        raise _malformed("/contacts/changes", TypeError("changes or has_more"))
    return ChangesPage(changes=received, has_more=has_more)


def _partner(item: dict[str, Any]) -> Partner:
    fields = {name: item[name] for name in ("partner_id", "name", "tier")}
    domains = item["domains"]
    if not all(isinstance(value, str) and value for value in fields.values()) or not isinstance(domains, list):
        raise TypeError("partner")
    if not all(isinstance(domain, str) and domain for domain in domains):
        raise TypeError("domains")
    return Partner(**fields, domains=tuple(domain.lower() for domain in domains))


def configured() -> bool:
    """Whether this deployment is connected to PartnerNet (PartnerNetBaseUrl given)."""
    return bool(load(PartnerNetSettings).partnernet_base_url)


def _unavailable(*, credentials_refused: bool = False) -> ServiceUnavailable:
    # Refused credentials are counted apart (PartnerNetAuthFailed, alarmed at once): no wait mends them.
    if credentials_refused:
        count("PartnerNetAuthFailed")
    else:
        count("PartnerNetUnavailable")
    return ServiceUnavailable(
        "PartnerNet is not answering just now. Try again in a minute.",
        retry_after=60,
        code="partnernet_unavailable",
    )


def _malformed(path: str, problem: Exception) -> ServiceUnavailable:
    # PartnerNet's own answer is not what it documents: nothing of it can be trusted, so nothing is used.
    logger.warning("partnernet answer malformed", extra={"path": path, "problem": repr(problem)})
    return _unavailable()


def _get(path: str, query: dict[str, Any]) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    settings = load(PartnerNetSettings)
    try:
        bearer = outbound.secret(settings.partnernet_secret_name)
    except GetParameterError:
        logger.warning("partnernet secret unavailable", extra={"path": path})
        raise _unavailable() from None
    url = f"{settings.partnernet_base_url.rstrip('/')}/api{path}" + (f"?{urlencode(query)}" if query else "")
    headers = {"Accept": "application/json", "Authorization": f"Bearer {bearer}"}
    response = outbound.send("GET", url, body=None, headers=headers, what="partnernet")
    if response is None or outbound.unavailable(response.status):
        logger.warning("partnernet refused", extra={"path": path, "status": getattr(response, "status", None)})
        raise _unavailable(credentials_refused=outbound.refused_credentials(response))
    if response.status >= 400:
        raise RuntimeError(f"PartnerNet rejected GET {path}: {response.status}")  # our bug
    try:
        answer = json.loads(response.data)
    except ValueError as problem:
        raise _malformed(path, problem) from None
    if not isinstance(answer, dict):
        raise _malformed(path, TypeError("not a JSON object"))
    return answer
