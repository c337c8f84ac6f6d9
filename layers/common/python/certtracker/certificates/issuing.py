"""Certificates: requested by the holder of a valid credential, rendered once per award in the name the award
carries, kept in a private bucket, downloaded through short-lived links, and verified by anyone who has the code.

The name is a fact of the award, not of the profile (`award_name`): changing the profile's name changes no
certificate. Only a name change the program staff approve (`certificates.name_changes`) renames an award, and
`rename_award` then supersedes its certificates and queues one in the new name, in one transaction.

A request writes the certificate and its verification code in one transaction before rendering (the
`rendering` state), so two requests at once make one certificate: the second finds the first's. The PDF
goes to its own key, and only then is the certificate `ready`; a render that died part-way is taken over
by the next request after RENDER_TAKEOVER.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from certtracker.certificates import codes
from certtracker.certificates.records import (
    award_of,
    certificate_at,
    certificates_of,
    current_certificate,
    current_key,
    name_digest,
    name_of,
    verification_path,
)
from certtracker.core import aws, names
from certtracker.core.errors import Conflict, Gone, InvalidInput, NotFound
from certtracker.core.observability import count, logger
from certtracker.core.tables import condition_failed, transaction
from certtracker.credentials import awards, catalog, standing
from certtracker.models.certificates import (
    CODE_SK,
    Certificate,
    VerificationCode,
    award_certificates_prefix,
    certificate_key,
)
from certtracker.models.credential_awards import STATUS_LIST_SIZE, CredentialAward, SupersededBadge

DOWNLOAD_LINK_SECONDS = 300
RENDER_TAKEOVER = timedelta(minutes=2)  # well past the function's timeout: a render still going has died


def object_key(account_id: str, certificate_id: str) -> str:
    return f"certificates/{account_id}/{certificate_id}.pdf"


def award_name(account_id: str, award: CredentialAward) -> str:
    """The name the award's certificates and badge print. An award granted before awards kept a name takes the
    name on its earliest certificate, or else the profile's now, and keeps it from then on (written once: a
    concurrent first request that wrote first is read back)."""
    if award.holder_name is not None:
        return award.holder_name
    name = name_of(account_id, award)
    try:
        award.update(
            actions=[CredentialAward.holder_name.set(name)],
            condition=CredentialAward.sk.exists() & CredentialAward.holder_name.does_not_exist(),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        award.refresh(consistent_read=True)
    assert award.holder_name is not None
    return award.holder_name


def unprintable(name: str, field: str, *, yours: bool) -> InvalidInput | None:
    """The refusal of a name the certificate fonts cannot draw, or None."""
    from certtracker.certificates import document

    whose = "The name your certificates print" if yours else "This name"
    advice = " Ask for a name change on your certificates, or ask the Program Support Team for help." if yours else ""
    try:
        names.refuse_unprintable(name)  # a name kept from before the name policy refused it
    except names.UnprintableName as problem:
        return InvalidInput(f"{whose} {problem}.{advice}", field=field, code="name_not_printable")
    missing = document.undrawable(name)
    if not missing:
        return None
    listed = ", ".join(f"U+{ord(character):04X}" for character in dict.fromkeys(missing))
    return InvalidInput(
        f"{whose} contains characters a certificate cannot print: {listed}.{advice}",
        field=field,
        code="name_not_printable",
    )


# ------------------------------------------------------------------------------------------ requesting
@dataclass(frozen=True)
class Press:
    """Where certificates are kept and what every one of them prints: the function's settings."""

    bucket: str
    web_base_url: str  # the verification page's origin, which the QR code opens
    program: str


@dataclass(frozen=True)
class Requested:
    certificate: Certificate
    created: bool  # False: this award had one already, and that one is returned


def _current_award(account_id: str, credential_id: str, now: datetime) -> CredentialAward:
    entry = awards.holding(account_id, credential_id, now)
    if entry is None:
        # One answer for unknown credentials and credentials held by someone else.
        raise NotFound(
            "You do not hold this credential, so there is no certificate to issue.", code="credential_not_held"
        )
    if entry.status == "revoked":
        raise Conflict(
            "This credential was revoked, so no certificate can be issued for it.", code="credential_revoked"
        )
    if entry.status == "expired":
        raise Conflict(
            "This credential has expired. Renew it to get a certificate for the new cycle.", code="credential_expired"
        )
    return entry.current


def request(account_id: str, credential_id: str, *, now: datetime, press: Press) -> Requested:
    """The certificate of the caller's current award of `credential_id`, in the name the award carries (never the
    profile's as it is now): the stored one if there is one, else a new one, rendered now."""
    award = _current_award(account_id, credential_id, now)
    name = award_name(account_id, award)
    if refusal := unprintable(name, "name", yours=True):
        raise refusal
    return issue(account_id, award, now=now, press=press)


def issue(account_id: str, award: CredentialAward, *, now: datetime, press: Press) -> Requested:
    """The award's current certificate (`award_name` has given the award its name): the stored one, or a new one
    rendered now; a queued or stalled one is rendered on the way."""
    assert award.holder_name is not None
    sk = current_key(award)
    existing = certificate_at(account_id, sk)
    if existing is None:
        fresh = _reserve(account_id, sk, award, award.holder_name, now)
        if fresh is not None:
            _render(fresh, award, now=now, press=press)
            count("CertificateIssued")
            return Requested(fresh, created=True)
        existing = certificate_at(account_id, sk)  # a concurrent request reserved it first
        assert existing is not None
    if existing.status == "rendering" and _stalled(existing, now) and _take_over(existing, now):
        _render(existing, award, now=now, press=press)
    return Requested(existing, created=False)


def _new(
    account_id: str, sk: str, award: CredentialAward, name: str, now: datetime
) -> tuple[Certificate, VerificationCode]:
    """A certificate (rendering) and its verification code, not yet written."""
    code = codes.new_code()
    certificate = Certificate(
        pk=account_id,
        sk=sk,
        certificate_id=codes.new_certificate_id(),
        verification_code=code,
        credential_id=award.credential_id,
        award_sk=award.sk,
        award_id=award.award_id,
        cycle=award.cycle,
        holder_name=name,
        status="rendering",
        created_at=now,
        rendering_since=now,
    )
    pointer = VerificationCode(
        pk=VerificationCode.key(code),
        sk=CODE_SK,
        account_id=account_id,
        certificate_sk=sk,
        certificate_id=certificate.certificate_id,
        credential_id=award.credential_id,
    )
    return certificate, pointer


def _reserve(account_id: str, sk: str, award: CredentialAward, name: str, now: datetime) -> Certificate | None:
    """Write the certificate (rendering) and its code together; None if this award and name already have one."""
    certificate, pointer = _new(account_id, sk, award, name, now)
    try:
        with transaction() as writes:
            writes.save(certificate, condition=Certificate.sk.does_not_exist())
            writes.save(pointer, condition=VerificationCode.pk.does_not_exist())
    except TransactWriteError as error:
        if condition_failed(error):
            return None
        raise
    return certificate


def rename_award(account_id: str, award: CredentialAward, name: str, *, now: datetime) -> Certificate | None:
    """Print `name` on the award from now on: in one transaction the award takes the name, each of its certificates
    still in force is superseded, a certificate in the new name is queued (rendered by the certificates function on
    its first request or download) when there was one to replace, and a badge already handed out is put in the
    revocation status list (the next badge gets a new place, in the new name). Idempotent and safe against a
    concurrent rename: the write is conditioned on the award's name as read, and an award that already carries
    `name` changes nothing. Returns the new certificate, if one was queued."""
    for _ in range(5):
        current = award_name(account_id, award)
        if current == name:
            return None
        changes = int(award.name_changes or 0)
        in_force = [
            certificate
            for certificate in Certificate.query(
                account_id,
                Certificate.sk.startswith(award_certificates_prefix(award.award_id)),
                consistent_read=True,
            )
            if standing.certificate_ended(certificate.status) is None
        ]
        sk = certificate_key(award.award_id, name_digest(name), changes + 1)
        if any(certificate.sk == sk for certificate in in_force):
            award.refresh(consistent_read=True)  # renamed by a concurrent approval after the award was read
            continue
        new = pointer = None
        if in_force:
            new, pointer = _new(account_id, sk, award, name, now)
            new.rendering_since = None  # queued: no render has begun
            # Its render deletes the PDF it replaces (this function never writes the bucket); a superseded one
            # kept beside it (certificates from before names were kept) stays private, and goes with erasure.
            replaced = current_certificate(award, in_force)
            new.replaces = replaced.object_key if replaced is not None else None
        index = award.status_index
        award_actions: list[Any] = [
            CredentialAward.holder_name.set(name),
            CredentialAward.name_changes.set(changes + 1),
        ]
        if index is not None:
            award_actions += [
                CredentialAward.status_index.remove(),
                CredentialAward.badge_salt.remove(),
                CredentialAward.status_list.remove(),
            ]
        same_index = (
            CredentialAward.status_index.does_not_exist() if index is None else CredentialAward.status_index == index
        )
        same_name = (CredentialAward.holder_name == current) & (
            CredentialAward.name_changes.does_not_exist() if not changes else CredentialAward.name_changes == changes
        )
        try:
            with transaction() as writes:
                writes.update(award, actions=award_actions, condition=same_name & same_index)
                if index is not None:
                    writes.save(
                        SupersededBadge(
                            account_id=SupersededBadge.PARTITION,
                            sk=f"{int(index):012d}",
                            status_list=int(index) // STATUS_LIST_SIZE,
                            status_index=int(index),
                            superseded_at=now,
                        ),
                        condition=SupersededBadge.sk.does_not_exist(),
                    )
                for certificate in in_force:
                    _supersede(writes, certificate, by=new, now=now)
                if new is not None and pointer is not None:
                    writes.save(new, condition=Certificate.sk.does_not_exist())
                    writes.save(pointer, condition=VerificationCode.pk.does_not_exist())
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            award.refresh(consistent_read=True)  # renamed, revoked, badged or requested meanwhile: look again
            continue
        award.refresh(consistent_read=True)
        count("CertificateNameChanged")
        return new
    raise Conflict("This award changed under every attempt to rename it. Try again.", code="award_changed")


def _supersede(writes: TransactWrite, certificate: Certificate, *, by: Certificate | None, now: datetime) -> None:
    """In `writes`: the certificate superseded (by the one that is current now, if any), unless it stopped being in
    force meanwhile."""
    writes.update(
        certificate,
        actions=[
            Certificate.status.set("superseded"),
            Certificate.superseded_at.set(now),
            *([Certificate.replaced_by.set(by.certificate_id)] if by is not None else []),
        ],
        condition=Certificate.status.is_in("ready", "rendering"),
    )


def keep_one_current(
    award: CredentialAward, certificates: list[Certificate], *, keep: str | None, now: datetime
) -> list[Certificate]:
    """Before awards kept a name, each profile name made its own certificate: settle an award's `certificates` (all
    of its own) to one current one, the earliest in force or the one whose id is `keep` (the staff's choice). The
    award takes the kept certificate's name; the others in force become superseded by it; one transaction,
    conditioned on what was read. Returns the certificates superseded (none: nothing to do, as on a second run).
    ValueError when the kept one cannot be the award's current one (not in force, or the award was renamed since)."""
    in_force = sorted(
        (c for c in certificates if c.award_sk == award.sk and standing.certificate_ended(c.status) is None),
        key=lambda certificate: certificate.created_at,
    )
    if not in_force:
        return []
    kept = next((c for c in in_force if c.certificate_id == keep), None) if keep else in_force[0]
    if kept is None:
        raise ValueError(f"{keep} is not a certificate in force of this award")
    changes = int(award.name_changes or 0)
    if certificate_key(award.award_id, name_digest(kept.holder_name), changes) != kept.sk:
        raise ValueError(f"{kept.certificate_id} cannot be current: the award was renamed since it was issued")
    others = [certificate for certificate in in_force if certificate is not kept]
    if award.holder_name == kept.holder_name and not others:
        return []
    same_name = (
        CredentialAward.holder_name.does_not_exist()
        if award.holder_name is None
        else CredentialAward.holder_name == award.holder_name
    )
    with transaction() as writes:
        writes.update(
            award,
            actions=[CredentialAward.holder_name.set(kept.holder_name)],
            condition=same_name & CredentialAward.sk.exists(),
        )
        for certificate in others:
            _supersede(writes, certificate, by=kept, now=now)
    award.holder_name = kept.holder_name
    return others


def _award_of(certificate: Certificate) -> CredentialAward:
    award = award_of(certificate.pk, certificate.award_sk)
    if award is None:
        raise NotFound("The award of this certificate is gone.", code="award_not_found")
    return award


def _stalled(certificate: Certificate, now: datetime) -> bool:
    return certificate.rendering_since is None or now - certificate.rendering_since > RENDER_TAKEOVER


def _take_over(certificate: Certificate, now: datetime) -> bool:
    """Claim a stalled render; False if another request claimed it or it finished meanwhile."""
    try:
        certificate.update(
            actions=[Certificate.rendering_since.set(now)],
            condition=(Certificate.status == "rendering")
            & (
                Certificate.rendering_since.does_not_exist()  # queued: no render began
                if certificate.rendering_since is None
                else Certificate.rendering_since == certificate.rendering_since
            ),
        )
    except UpdateError as error:
        if condition_failed(error):
            return False
        raise
    return True


def _render(certificate: Certificate, award: CredentialAward, *, now: datetime, press: Press) -> None:
    from certtracker.certificates import document

    credential = catalog.get_credential(certificate.credential_id)
    pdf = document.render(
        document.CertificateContent(
            holder_name=certificate.holder_name,
            credential_title=credential.title,
            credential_kind=credential.kind,
            program=press.program,
            earned_on=award.earned_at.date(),
            expires_on=award.expires_at.date(),
            certificate_id=certificate.certificate_id,
            verification_code=codes.grouped(certificate.verification_code),
            verification_url=press.web_base_url.rstrip("/") + verification_path(certificate.verification_code),
        )
    )
    key = object_key(certificate.pk, certificate.certificate_id)
    aws.client("s3").put_object(Bucket=press.bucket, Key=key, Body=pdf, ContentType="application/pdf")
    try:
        certificate.update(
            actions=[
                Certificate.status.set("ready"),
                Certificate.rendered_at.set(now),
                Certificate.object_key.set(key),
                Certificate.size_bytes.set(len(pdf)),
                Certificate.rendering_since.remove(),
            ],
            condition=(Certificate.status == "rendering") & (Certificate.certificate_id == certificate.certificate_id),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        # Another render of this certificate finished first (one that had been taken over, and was not dead
        # after all): its PDF stands, and this one's is the same document.
        logger.info("certificate rendered twice", extra={"certificate_id": certificate.certificate_id})
        return
    if certificate.replaces:
        aws.client("s3").delete_object(Bucket=press.bucket, Key=certificate.replaces)
    logger.info("certificate rendered", extra={"certificate_id": certificate.certificate_id, "bytes": len(pdf)})


# ------------------------------------------------------------------------------------------ reading
def _mine(account_id: str, certificate_id: str) -> Certificate:
    for certificate in certificates_of(account_id):
        if certificate.certificate_id == certificate_id:
            return certificate
    # The same answer for someone else's certificate and for none at all.
    raise NotFound("You have no certificate with this id.", code="certificate_not_found")


def download_link(account_id: str, certificate_id: str, *, now: datetime, press: Press) -> str:
    """A presigned link to the holder's PDF, valid DOWNLOAD_LINK_SECONDS, that downloads as an attachment. A
    certificate queued by the program staff (or whose render died) is rendered first."""
    certificate = _mine(account_id, certificate_id)
    if certificate.status == "rendering" and _stalled(certificate, now) and _take_over(certificate, now):
        _render(certificate, _award_of(certificate), now=now, press=press)
    found = standing.of_certificate(certificate.status, award_of(account_id, certificate.award_sk), now)
    if found in ("withdrawn", "superseded"):
        raise Gone(
            f"This certificate was {found}"
            + (f" and replaced by {certificate.replaced_by}." if certificate.replaced_by else "."),
            code=f"certificate_{found}",
        )
    if certificate.status != "ready" or certificate.object_key is None:
        raise Conflict("This certificate is still being prepared. Try again in a moment.", code="certificate_rendering")
    if found == "revoked":
        raise Conflict(
            "This credential was revoked: its certificate can no longer be downloaded.", code="credential_revoked"
        )
    filename = f"{certificate.credential_id}-certificate-{certificate.certificate_id}.pdf"
    return str(
        aws.presigner().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": press.bucket,
                "Key": certificate.object_key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": "application/pdf",
            },
            ExpiresIn=DOWNLOAD_LINK_SECONDS,
        )
    )


# ------------------------------------------------------------------------------------------ personal data
def export(account_id: str) -> list[dict[str, Any]]:
    return [
        {
            "certificate_id": certificate.certificate_id,
            "verification_code": codes.grouped(certificate.verification_code),
            "credential_id": certificate.credential_id,
            "cycle": certificate.cycle,
            "holder_name": certificate.holder_name,
            "status": certificate.status,
            "created_at": certificate.created_at.isoformat(),
            "withdrawn_reason": certificate.withdrawn_reason,
            "superseded_at": certificate.superseded_at.isoformat() if certificate.superseded_at else None,
        }
        for certificate in certificates_of(account_id)
    ]


def erase(account_id: str, bucket: str, now: datetime) -> None:
    """Delete the holder's PDFs and certificates; each code stays as a tombstone with no link to the person, so
    a certificate someone still holds on paper verifies as no longer available. Idempotent: the PDF goes first,
    then the certificate and its tombstone in one transaction."""
    for certificate in certificates_of(account_id):
        if certificate.object_key:
            aws.client("s3").delete_object(Bucket=bucket, Key=certificate.object_key)
        with transaction() as writes:
            writes.save(
                VerificationCode(
                    pk=VerificationCode.key(certificate.verification_code),
                    sk=CODE_SK,
                    certificate_id=certificate.certificate_id,
                    credential_id=certificate.credential_id,
                    erased_at=now,
                )
            )
            writes.delete(certificate)
