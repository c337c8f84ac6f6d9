"""The shares routes' answers, shaped from the domain's records."""

from __future__ import annotations

from datetime import datetime

from certtracker.contract.shares import (
    SharedCredentialOut,
    SharedCredentialRef,
    SharedView,
    ShareList,
    ShareOut,
    ShareViews,
)
from certtracker.credentials import catalog
from certtracker.shares import sharing


def shares(account_id: str, now: datetime) -> ShareList:
    titles = catalog.titles()
    return ShareList(
        shares=[
            ShareOut(
                share_id=item.share_id,
                recipient_email=item.recipient_email,
                credentials=[
                    SharedCredentialRef(credential_id=credential_id, title=titles.get(credential_id, credential_id))
                    for credential_id in map(str, item.credential_ids)
                ],
                message=item.message,
                created_at=item.created_at,
                expires_at=item.expires_at,
                revoked_at=item.revoked_at,
                status=sharing.status_of(item, now),  # type: ignore[arg-type]
                views=ShareViews(
                    count=int(item.views or 0), first_viewed_at=item.first_viewed_at, last_viewed_at=item.last_viewed_at
                ),
            )
            for item in sharing.shares_of(account_id)
        ]
    )


def shared(token: str, now: datetime) -> SharedView:
    view = sharing.view(token, now)
    return SharedView(
        holder_name=view.holder_name,
        credentials=[
            SharedCredentialOut(
                credential_id=credential.credential_id,
                title=credential.title,
                kind=credential.kind,
                status=credential.status,  # type: ignore[arg-type]
                earned_at=credential.earned_at,
                expires_at=credential.expires_at,
                revoked_at=credential.revoked_at,
                verification_path=credential.verification_path,
            )
            for credential in view.credentials
        ],
        message=view.message,
        shared_at=view.shared_at,
        expires_at=view.expires_at,
        checked_at=now,
    )
