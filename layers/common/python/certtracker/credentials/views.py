"""The credentials routes' answers, shaped in the API's contract from the domain (the handler stays thin)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from certtracker.contract.credentials import (
    Cycle,
    HeldCredential,
    HeldCredentials,
    Logo,
    LogoDownloads,
    Logos,
)
from certtracker.core import aws
from certtracker.core.errors import NotFound
from certtracker.credentials import awards, standing
from certtracker.credentials.catalog import titles as credential_titles

LOGO_LINK_SECONDS = 300
LOGO_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def held(account_id: str, now: datetime) -> HeldCredentials:
    titles = credential_titles()
    return HeldCredentials(
        credentials=[
            HeldCredential(
                credential_id=entry.current.credential_id,
                title=titles.get(entry.current.credential_id, entry.current.credential_id),
                award_id=entry.current.award_id,
                status=entry.status,
                cycle=int(entry.current.cycle),
                earned_at=entry.current.earned_at,
                expires_at=entry.current.expires_at,
                revoked_at=entry.current.revoked_at if entry.current.revoked else None,
                revocation_reason=standing.revocation_reason(entry.current),
                past_cycles=[
                    Cycle(cycle=past.cycle, earned_at=past.earned_at, expires_at=past.expires_at, revoked=past.revoked)
                    for past in entry.past
                ],
            )
            for entry in awards.held(account_id, now)
        ]
    )


def _valid(account_id: str, now: datetime) -> list[awards.Held]:
    """Credentials held and still valid: the only ones whose logo may be used."""
    return [entry for entry in awards.held(account_id, now) if entry.valid]


def logos(account_id: str, now: datetime) -> Logos:
    titles = credential_titles()
    found = []
    for entry in _valid(account_id, now):
        credential_id = entry.current.credential_id
        base = f"/me/logos/{credential_id}/download?format="
        found.append(
            Logo(
                credential_id=credential_id,
                title=titles.get(credential_id, credential_id),
                status=entry.status,  # type: ignore[arg-type]  # one of the two, just checked
                expires_at=entry.current.expires_at,
                downloads=LogoDownloads(svg=base + "svg", png=base + "png"),
            )
        )
    return Logos(logos=found)


def logo_link(account_id: str, credential_id: str, kind: Literal["svg", "png"], bucket: str, now: datetime) -> str:
    """A presigned link to the logo, valid five minutes, that downloads as an attachment; NotFound unless the
    caller holds the credential and it is valid."""
    entry = awards.holding(account_id, credential_id, now)
    if entry is None or not entry.valid:
        # One answer for never held, lapsed and unknown: the caller learns nothing about other people's credentials.
        raise NotFound("You hold no valid credential with this id, so its logo cannot be downloaded.", code="no_logo")
    return str(
        aws.presigner().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": bucket,
                "Key": f"logos/{credential_id}.{kind}",
                "ResponseContentDisposition": f'attachment; filename="{credential_id}-logo.{kind}"',
                "ResponseContentType": LOGO_TYPES[kind],
            },
            ExpiresIn=LOGO_LINK_SECONDS,
        )
    )
