"""The certificates routes' answers, shaped from the domain's records."""

from __future__ import annotations

from datetime import datetime

from certtracker.certificates import codes, records
from certtracker.contract.certificates import (
    CertificateList,
    CertificateOut,
    NameChangeOut,
    NameChanges,
    VerificationOut,
    VerifiedCredential,
)
from certtracker.core.errors import NotFound
from certtracker.credentials import awards, catalog, standing
from certtracker.credentials.awards import Status
from certtracker.models.certificates import Certificate, NameChangeRequest


def _credential(credential_id: str) -> VerifiedCredential:
    try:
        entry = catalog.get_credential(credential_id)
    except NotFound:  # withdrawn from the catalog since: the id still says what it was
        return VerifiedCredential(credential_id=credential_id, title=credential_id, kind="")
    return VerifiedCredential(credential_id=entry.credential_id, title=entry.title, kind=entry.kind)


def certificate(item: Certificate, credential_status: Status | None) -> CertificateOut:
    return CertificateOut(
        certificate_id=item.certificate_id,
        verification_code=codes.grouped(item.verification_code),
        verification_path=records.verification_path(item.verification_code),
        status=item.status,  # type: ignore[arg-type]
        credential_id=item.credential_id,
        credential_title=_credential(item.credential_id).title,
        holder_name=item.holder_name,
        cycle=item.cycle,
        created_at=item.created_at,
        credential_status=credential_status,
        # A certificate being prepared is downloaded all the same: a queued one is rendered on the way.
        download_path=None
        if standing.certificate_ended(item.status)
        else f"/me/certificates/{item.certificate_id}/download",
        replaced_by=item.replaced_by,
        superseded_at=item.superseded_at,
    )


def certificates(account_id: str, now: datetime) -> CertificateList:
    statuses = {award.sk: awards.status_of(award, now) for award in awards.awards_of(account_id)}  # one query
    return CertificateList(
        certificates=[certificate(item, statuses.get(item.award_sk)) for item in records.certificates_of(account_id)]
    )


def verification(typed_code: str, now: datetime) -> VerificationOut:
    found = records.verify(typed_code, now)
    return VerificationOut(
        status=found.status,
        certificate_id=found.certificate_id,
        credential=None if found.status == "unavailable" else _credential(found.credential_id),
        holder_name=found.holder_name,
        earned_at=found.earned_at,
        expires_at=found.expires_at,
        revoked_at=found.revoked_at,
        replaced_by=found.replaced_by,
        superseded_at=found.superseded_at,
        checked_at=now,
    )


def name_change(item: NameChangeRequest) -> NameChangeOut:
    return NameChangeOut(
        request_id=item.request_id,
        new_name=item.new_name,
        reason=item.reason,
        status=item.status,  # type: ignore[arg-type]
        created_at=item.created_at,
        decided_at=item.decided_at,
        decision_reason=item.decision_reason,
    )


def name_change_requests(account_id: str, now: datetime) -> NameChanges:
    from certtracker.certificates import name_changes  # only this route's: not on the verification page's path

    return NameChanges(
        current_names=name_changes.current_names(account_id, now),
        requests=[name_change(item) for item in name_changes.requests_of(account_id)],
    )
