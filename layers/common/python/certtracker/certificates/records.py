"""Certificates as they stand, read only: a holder's certificates, an award's current one and the name it prints,
and what a verification code says now. Apart from `issuing` (which writes), so that the functions that only read
certificates (verification, shares) load none of the writing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pynamodb.exceptions import DoesNotExist

from certtracker.certificates import codes
from certtracker.core import names
from certtracker.core.errors import InvalidInput, NotFound
from certtracker.core.observability import count
from certtracker.credentials import awards, standing
from certtracker.models.certificates import (
    CERTIFICATE_PREFIX,
    CODE_SK,
    Certificate,
    VerificationCode,
    award_certificates_prefix,
    certificate_key,
)
from certtracker.models.credential_awards import CredentialAward

VerificationStatus = Literal["valid", "expired", "revoked", "withdrawn", "superseded", "unavailable"]


def name_digest(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:24]


def verification_path(code: str) -> str:
    return f"/verify/{codes.grouped(code)}"


def current_key(award: CredentialAward) -> str:
    """Where the award's current certificate is, or goes: its name and how often it was renamed."""
    if award.holder_name is None:
        raise ValueError("the award has no name yet: see award_name")
    return certificate_key(award.award_id, name_digest(award.holder_name), int(award.name_changes or 0))


def current_certificate(award: CredentialAward, certificates: list[Certificate]) -> Certificate | None:
    """The award's current certificate among the holder's (one query's worth): the one in the name the award
    carries, never a withdrawn or superseded one. An award from before names were kept: its earliest certificate."""
    mine = [c for c in certificates if c.award_sk == award.sk and standing.certificate_ended(c.status) is None]
    if award.holder_name is None:
        return min(mine, key=lambda certificate: certificate.created_at, default=None)
    key = current_key(award)
    return next((certificate for certificate in mine if certificate.sk == key), None)


def _earliest_name(account_id: str, award: CredentialAward) -> str | None:
    found = Certificate.query(
        account_id, Certificate.sk.startswith(award_certificates_prefix(award.award_id)), consistent_read=True
    )
    kept = [certificate for certificate in found if standing.certificate_ended(certificate.status) != "withdrawn"]
    return min(kept, key=lambda certificate: certificate.created_at).holder_name if kept else None


def name_of(account_id: str, award: CredentialAward) -> str:
    """The name the award's certificates print, read only: the award's, or for an award granted before awards kept
    a name, its earliest certificate's, or else the profile's now (which `award_name` would record)."""
    if award.holder_name is not None:
        return award.holder_name
    name = _earliest_name(account_id, award)
    if name is None:
        from certtracker.accounts.identity import session_account  # the last resort, rarely reached: loaded then

        account = session_account(account_id)
        name = names.printed_name(account.first_name, account.last_name)
    return name


def certificates_of(account_id: str) -> list[Certificate]:
    """Every certificate of the holder, newest first: one query."""
    found = Certificate.query(account_id, Certificate.sk.startswith(CERTIFICATE_PREFIX))
    return sorted(found, key=lambda certificate: certificate.created_at, reverse=True)


def certificate_at(account_id: str, sk: str) -> Certificate | None:
    try:
        return Certificate.get(account_id, sk, consistent_read=True)
    except DoesNotExist:
        return None


def award_of(account_id: str, award_sk: str) -> CredentialAward | None:
    try:
        return CredentialAward.get(account_id, award_sk)
    except DoesNotExist:
        return None


def award_status(account_id: str, award_sk: str, now: datetime) -> awards.Status | None:
    award = award_of(account_id, award_sk)
    return None if award is None else awards.status_of(award, now)


# ------------------------------------------------------------------------------------------ verifying
@dataclass(frozen=True)
class Verification:
    status: VerificationStatus
    certificate_id: str
    credential_id: str
    holder_name: str | None = None
    earned_at: datetime | None = None
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    replaced_by: str | None = None
    superseded_at: datetime | None = None


def verify(typed_code: str, now: datetime) -> Verification:
    """What a certificate's code says now: its holder and credential, and whether it is valid, expired, revoked,
    withdrawn (replaced by a corrected one), superseded (re-issued in a name the program approved: when, and
    nothing that would tell the new name), or no longer available (its holder was erased)."""
    try:
        code = codes.parse(typed_code)
    except codes.MistypedCode:
        raise InvalidInput(
            "This code has a typing mistake: check each character against the certificate.",
            field="code",
            code="mistyped_code",
        ) from None
    except codes.MalformedCode:
        if codes.is_certificate_id(typed_code):
            raise InvalidInput(
                "This is the certificate's id, not its verification code. The verification code is printed just "
                "below it: 16 letters and digits in groups of four.",
                field="code",
                code="certificate_id_not_code",
            ) from None
        raise InvalidInput(
            "This is not a verification code: it has 16 letters and digits, in groups of four.",
            field="code",
            code="malformed_code",
        ) from None
    count("CertificateVerification")
    try:
        pointer = VerificationCode.get(VerificationCode.key(code), CODE_SK)
    except DoesNotExist:
        raise NotFound("No certificate has this verification code.", code="unknown_code") from None
    certificate = None
    if pointer.account_id is not None and pointer.certificate_sk is not None:
        certificate = certificate_at(pointer.account_id, pointer.certificate_sk)
    if certificate is None or pointer.account_id is None:
        return Verification("unavailable", pointer.certificate_id, pointer.credential_id)
    award = award_of(pointer.account_id, certificate.award_sk)
    found = standing.of_certificate(certificate.status, award, now)
    if found == "withdrawn":
        return Verification(
            "withdrawn", certificate.certificate_id, certificate.credential_id, replaced_by=certificate.replaced_by
        )
    if found == "superseded":
        return Verification(
            "superseded", certificate.certificate_id, certificate.credential_id, superseded_at=certificate.superseded_at
        )
    if award is None or found == "unavailable":
        return Verification("unavailable", certificate.certificate_id, certificate.credential_id)
    status: VerificationStatus = "valid" if standing.counts(found) else found  # type: ignore[assignment]
    return Verification(
        status,
        certificate.certificate_id,
        certificate.credential_id,
        holder_name=certificate.holder_name,
        earned_at=award.earned_at,
        expires_at=award.expires_at,
        revoked_at=award.revoked_at if award.revoked else None,
    )
