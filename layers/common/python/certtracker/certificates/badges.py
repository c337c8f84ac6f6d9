"""Open Badges 3.0: an award as a signed OpenBadgeCredential, the issuer's profile and public key, and the
revocation status lists (W3C Bitstring Status List v1.0) every badge points to.

Signing is a VC-JWT (compact JWS, ES256) made by AWS KMS: the private key never leaves it. KMS signs the JWS
signing input (`MessageType=RAW`, ECDSA_SHA_256) and answers a DER `ECDSA-Sig-Value`, which JOSE wants as the
64 bytes r||s; the public key (`GetPublicKey`, DER SubjectPublicKeyInfo) is read once per container and
published as a JWK whose `kid` is its RFC 7638 thumbprint under the keys URL. No JOSE library is needed for that.
Before a key signs, it is recorded with the latest `validUntil` of what it signed (`SigningKeyRecord`): the JWKS
publishes the current key and every recorded one still needed, so rotating the key breaks no badge.

Each badge gets an index in the status lists once, drawn at random over the lists (so an index says nothing of
when its badge was issued) and claimed in the same transaction that gives it to the award, and carries it in
`credentialStatus`. A list is built from the awards' live state: the revoked awards
that have an index, one query of a sparse index; revoking or reinstating (`credentials.awards.set_revoked`)
changes the bit the next time the list is read.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from certtracker.accounts.identity import find_account
from certtracker.certificates import issuing
from certtracker.core import aws
from certtracker.core.errors import NotFound
from certtracker.core.observability import count
from certtracker.core.tables import condition_failed, transaction
from certtracker.credentials import awards
from certtracker.credentials.catalog import Credential, get_credential
from certtracker.models.credential_awards import (
    SIGNING_KEYS_PARTITION,
    STATUS_LIST_COUNTER_KEY,
    STATUS_LIST_SIZE,
    CredentialAward,
    SigningKeyRecord,
    StatusIndexClaim,
    StatusListCounter,
    status_index_claim_key,
)

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_LIST_TTL_SECONDS = 300  # what verifiers may cache a list for (and the route's Cache-Control)
# A list whose bits have not changed is signed again only after this long (each signature is a KMS call, and
# the route is public): its validFrom then says how fresh it is.
STATUS_LIST_RESIGN_SECONDS = 300
# The lists indexes are drawn over: 8 x 131,072 = 1,048,576 indexes. Few lists, so each is shared by many badges
# (a verifier fetching one tells the issuer little about which badge it checks), and enough room that a draw
# rarely lands on a taken index while fewer than a few hundred thousand awards have a badge (at 200,000, one
# draw in five is drawn again; StatusIndexDrawnAgain counts them). Raising it adds lists; no index changes.
STATUS_LISTS = 8
# Indexes handed out in order before (StatusListCounter) have no claim, so draws stay above them; this many more
# are left out for requests still running the old code while a deployment switches over.
LEGACY_MARGIN = 1_000
CLAIM_ATTEMPTS = 10
SIGNING_ALGORITHM = "ECDSA_SHA_256"
# DER SubjectPublicKeyInfo of a P-256 public key, up to the uncompressed point 04||X||Y: the one shape
# ECC_NIST_P256 keys have, so anything else is refused rather than published as a wrong key.
_P256_SPKI_PREFIX = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
# Names the credential and subject ids of a badge: derived from the award id, so every copy of an award's
# badge has the same id, and the id does not reveal the award id.
_BADGE_NAMESPACE = uuid.UUID("6f1d9f3e-3c1b-4f55-9a59-0e7c2d6b1a42")
ACHIEVEMENT_TYPES = {"certification": "Certification", "accreditation": "Certificate"}


# ------------------------------------------------------------------------------------------ JOSE by hand


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def der_to_jose(der: bytes, size: int = 32) -> bytes:
    """An ECDSA signature as DER `SEQUENCE { INTEGER r, INTEGER s }` (what KMS answers) as JOSE's r||s, each
    big-endian and left-padded to `size` bytes (RFC 7518 3.4). ValueError for anything else."""

    def length(at: int) -> tuple[int, int]:
        first = der[at]
        if first < 0x80:
            return first, at + 1
        count = first & 0x7F
        if count != 1:  # a P-256 (or P-384) signature is never longer than 255 bytes
            raise ValueError("unexpected DER length")
        return der[at + 1], at + 2

    def integer(at: int) -> tuple[int, int]:
        if der[at] != 0x02:
            raise ValueError("expected a DER INTEGER")
        size_, start = length(at + 1)
        return int.from_bytes(der[start : start + size_], "big"), start + size_

    try:
        if der[0] != 0x30:
            raise ValueError("expected a DER SEQUENCE")
        total, at = length(1)
        if at + total != len(der):
            raise ValueError("the DER SEQUENCE's length does not match")
        r, at = integer(at)
        s, at = integer(at)
    except IndexError:
        raise ValueError("truncated DER signature") from None
    if at != len(der) or r.bit_length() > size * 8 or s.bit_length() > size * 8:
        raise ValueError("not an ECDSA signature of this size")
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def jwk_from_spki(der: bytes) -> dict[str, str]:
    """The public JWK of a P-256 key given as DER SubjectPublicKeyInfo (what KMS GetPublicKey answers)."""
    if len(der) != len(_P256_SPKI_PREFIX) + 65 or not der.startswith(_P256_SPKI_PREFIX):
        raise ValueError("not an uncompressed P-256 public key")
    point = der[len(_P256_SPKI_PREFIX) + 1 :]
    return {"kty": "EC", "crv": "P-256", "x": b64url(point[:32]), "y": b64url(point[32:])}


def thumbprint(jwk: dict[str, str]) -> str:
    """RFC 7638: SHA-256 over the required members in lexicographic order, without whitespace."""
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    return b64url(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())


# ------------------------------------------------------------------------------------------ the key


@dataclass(frozen=True)
class Urls:
    """The public URLs a badge names, under the portal's origin (the API is at /api)."""

    web_base_url: str

    @property
    def api(self) -> str:
        return self.web_base_url.rstrip("/") + "/api"

    @property
    def issuer(self) -> str:
        return f"{self.api}/badges/issuer"

    @property
    def keys(self) -> str:
        return f"{self.api}/badges/keys"

    def status_list(self, list_id: int) -> str:
        return f"{self.api}/badges/status/{list_id}"

    def achievement(self, credential_id: str) -> str:
        # The public catalog's page of the credential: dereferencing the achievement id describes it.
        return f"{self.api}/catalog/credentials/{credential_id}"


@dataclass(frozen=True)
class Issuer:
    """Who signs: the program's name, its public URLs and its KMS key (an id, ARN or alias)."""

    name: str
    urls: Urls
    key_id: str


@dataclass(frozen=True)
class PublicKey:
    jwk: dict[str, str]  # kty, crv, x, y
    kms_key_id: str  # as KMS names it (its ARN)

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.jwk)


@cache
def _public_key(key_id: str) -> PublicKey:
    """Read once per container: the key behind the id does not change while the container lives (a new key is a
    new deployment, and so new containers)."""
    answer = aws.client("kms").get_public_key(KeyId=key_id)
    spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")  # the older name; the emulator's only one
    if spec != "ECC_NIST_P256" or answer.get("KeyUsage") != "SIGN_VERIFY":
        raise RuntimeError("the badge signing key must be an ECC_NIST_P256 SIGN_VERIFY key")
    return PublicKey(jwk_from_spki(answer["PublicKey"]), str(answer["KeyId"]))


def _published(issuer: Issuer, jwk: dict[str, str]) -> dict[str, str]:
    """A JWK as the JWKS publishes it: its `kid` (a URI that names it within the JWKS), how it is used."""
    return {**jwk, "kid": f"{issuer.urls.keys}#{thumbprint(jwk)}", "use": "sig", "alg": "ES256"}


def public_jwk(issuer: Issuer) -> dict[str, str]:
    """The published JWK of the key that signs now."""
    return _published(issuer, _public_key(issuer.key_id).jwk)


def jwks(issuer: Issuer, now: datetime) -> dict[str, list[dict[str, str]]]:
    """The key that signs now, and every earlier one while something it signed is still valid (one query)."""
    current = _public_key(issuer.key_id)
    keys = [_published(issuer, current.jwk)]
    for record in SigningKeyRecord.query(SIGNING_KEYS_PARTITION, filter_condition=SigningKeyRecord.valid_until > now):
        if record.sk != current.thumbprint:
            keys.append(_published(issuer, json.loads(record.public_jwk)))
    return {"keys": keys}


# Per container: thumbprint -> a time the key's record is known to reach (it is never lowered).
_recorded_until: dict[str, datetime] = {}


def _record_signer(issuer: Issuer, valid_until: datetime) -> None:
    """Record, before it signs, that the key signs something valid until `valid_until`: its record's time is
    raised to that, rounded up to the end of its UTC day, unless it is already as late. A container writes once
    per key and day of validity it has not seen yet; a container that signed something valid longer wins the
    conditional update, and losing it means the record is late enough already."""
    key = _public_key(issuer.key_id)
    until = _end_of_day(valid_until)
    if key.thumbprint in _recorded_until and _recorded_until[key.thumbprint] >= until:
        return
    record = SigningKeyRecord(SIGNING_KEYS_PARTITION, key.thumbprint)
    actions: list[Any] = [
        SigningKeyRecord.public_jwk.set(json.dumps(key.jwk, separators=(",", ":"), sort_keys=True)),
        SigningKeyRecord.kms_key_id.set(key.kms_key_id),
        SigningKeyRecord.valid_until.set(until),
    ]
    try:
        record.update(
            actions=actions,
            condition=SigningKeyRecord.valid_until.does_not_exist() | (SigningKeyRecord.valid_until < until),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
    _recorded_until[key.thumbprint] = until


def _end_of_day(moment: datetime) -> datetime:
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight if midnight == moment else midnight + timedelta(days=1)


def sign(issuer: Issuer, payload: dict[str, Any], *, valid_until: datetime) -> str:
    """A compact JWS of `payload` (ES256), signed by KMS. The header is what OB 3.0 allows: alg, kid, typ. The
    key is recorded first (`valid_until`: until when a verifier may check the signature), so nothing it signs is
    ever out without its key published."""
    _record_signer(issuer, valid_until)
    header = {"alg": "ES256", "kid": public_jwk(issuer)["kid"], "typ": "JWT"}
    signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload))
    answer = aws.client("kms").sign(
        KeyId=issuer.key_id,
        Message=signing_input.encode("ascii"),
        MessageType="RAW",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    return f"{signing_input}.{b64url(der_to_jose(answer['Signature']))}"


@aws.on_reset
def forget_keys() -> None:
    """Tests and the local stack: the emulator's key changes with each fresh emulator."""
    _public_key.cache_clear()
    _recorded_until.clear()
    _signed_lists.clear()
    _legacy_end.cache_clear()


# ------------------------------------------------------------------------------------------ the issuer


def issuer_profile(issuer: Issuer) -> dict[str, Any]:
    """The issuer's OB 3.0 Profile, as published at its id."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer.urls.issuer,
        "type": ["Profile"],
        "name": issuer.name,
        "url": issuer.urls.web_base_url.rstrip("/") + "/",
    }


def _issuer_ref(issuer: Issuer) -> dict[str, Any]:
    return {"id": issuer.urls.issuer, "type": ["Profile"], "name": issuer.name}


# ------------------------------------------------------------------------------------------ status lists


def status_position(index: int) -> tuple[int, int]:
    """Which list an index is in, and where in it."""
    return divmod(index, STATUS_LIST_SIZE)


def encode_bitstring(indexes: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """The spec's `encodedList`: the bitstring (index 0 the left-most bit of the first byte), GZIP-compressed,
    as multibase base64url without padding ("u" prefix)."""
    bits = bytearray(size // 8)
    for index in indexes:
        if not 0 <= index < size:
            raise ValueError(f"status list index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always give the same text (so an unchanged list is recognised as such).
    return "u" + b64url(gzip.compress(bytes(bits), mtime=0))


def decode_bitstring(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is multibase base64url: it starts with 'u'")
    return gzip.decompress(b64url_decode(encoded[1:]))


def bit_is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def revoked_indexes(list_id: int) -> list[int]:
    """The positions in one list of the awards revoked now: one query of the sparse index (paginated)."""
    return [
        int(award.status_index) - list_id * STATUS_LIST_SIZE
        for award in CredentialAward.revoked_in_status_list.query(list_id)
    ]


@dataclass(frozen=True)
class Signed:
    jwt: str
    credential: dict[str, Any]


# (signing key id, list id) -> (its encodedList, when signed, the signed list), per container.
_signed_lists: dict[tuple[str, int], tuple[str, float, Signed]] = {}


def status_list(issuer: Issuer, list_id: int, now: datetime) -> Signed:
    """The signed BitstringStatusListCredential of one list, from the awards' state now. Signed again when a
    bit changed or the last signature is older than STATUS_LIST_RESIGN_SECONDS; otherwise the container's copy."""
    if list_id >= _published_lists():
        # Only lists that may hold an index are published: each answer may cost a signature, and anyone may ask.
        raise NotFound("There is no such status list.", code="no_status_list")
    encoded = encode_bitstring(revoked_indexes(list_id))
    cached = _signed_lists.get((issuer.key_id, list_id))
    if cached and cached[0] == encoded and time.monotonic() - cached[1] < STATUS_LIST_RESIGN_SECONDS:
        return cached[2]
    url = issuer.urls.status_list(list_id)
    valid_from = _iso(now)
    credential = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.urls.issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
            "ttl": STATUS_LIST_TTL_SECONDS * 1000,
        },
    }
    claims = {"iss": issuer.urls.issuer, "jti": url, "nbf": int(now.timestamp()), "iat": int(now.timestamp())}
    # A verifier may hold the list for its ttl: the key that signed it stays published at least that long.
    jwt = sign(issuer, {**credential, **claims}, valid_until=now + timedelta(seconds=STATUS_LIST_TTL_SECONDS))
    signed = Signed(jwt=jwt, credential={**credential, **claims})
    _signed_lists[(issuer.key_id, list_id)] = (encoded, time.monotonic(), signed)
    return signed


def status_index_of(award: CredentialAward) -> CredentialAward:
    """The award with its status list index and badge salt, given now if it had none: exactly once, however
    many requests ask at the same moment, and never an index another award has.

    The index is drawn at random (`_draw_range`) and, in one transaction, claimed (a put only where no claim is)
    and set on the award only if it still has none and its revocation is as read (so `status_list` is set right:
    see `awards.set_revoked`, whose write is conditioned the other way). Either condition failing cancels both
    writes, so no claim is ever left without its award: the award is read again, and returned if a concurrent
    request gave it its index, or a new index is drawn."""
    for _ in range(CLAIM_ATTEMPTS):
        if award.status_index is not None:
            return award
        drawn = _draw_range()
        index = drawn.start + secrets.randbelow(len(drawn))
        salt = secrets.token_hex(16)
        actions = [CredentialAward.status_index.set(index), CredentialAward.badge_salt.set(salt)]
        if award.revoked:
            actions.append(CredentialAward.status_list.set(status_position(index)[0]))
        condition = (
            CredentialAward.sk.exists()
            & CredentialAward.status_index.does_not_exist()
            & (CredentialAward.revoked == bool(award.revoked))
        )
        claim = StatusIndexClaim(*status_index_claim_key(index), award_id=award.award_id)
        try:
            with transaction() as writes:
                writes.save(claim, condition=StatusIndexClaim.account_id.does_not_exist())
                writes.update(award, actions=actions, condition=condition)
        except TransactWriteError as error:
            if not condition_failed(error):
                raise
            award.refresh(consistent_read=True)
            if award.status_index is None:
                count("StatusIndexDrawnAgain")  # the index was taken (or the award revoked meanwhile)
            continue
        award.status_index, award.badge_salt = index, salt
        if award.revoked:
            award.status_list = status_position(index)[0]
        return award
    if award.status_index is not None:  # given by a concurrent request, seen on the last read
        return award
    raise RuntimeError(
        f"no free status list index in {CLAIM_ATTEMPTS} draws: the lists are filling, raise STATUS_LISTS"
    )


@cache
def _legacy_end() -> int:
    """Where the indexes handed out in order end, with the margin: read once per container (nothing writes the
    counter any more)."""
    try:
        handed_out = int(StatusListCounter.get(*STATUS_LIST_COUNTER_KEY, consistent_read=True).next_index)
    except StatusListCounter.DoesNotExist:
        handed_out = 0
    return handed_out + LEGACY_MARGIN


def _draw_range() -> range:
    """The indexes a new badge's is drawn from: the STATUS_LISTS lists, above those handed out in order (at
    least a list's worth, however many those were)."""
    low = _legacy_end()
    return range(low, max(STATUS_LISTS * STATUS_LIST_SIZE, low + STATUS_LIST_SIZE))


def _published_lists() -> int:
    """How many lists are published (0 to this, less one): every list an index, drawn or handed out, may be in."""
    return status_position(_draw_range().stop - 1)[0] + 1


# ------------------------------------------------------------------------------------------ the badge


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0's IdentityHash: sha256 over the identifier with the salt appended, in hex."""
    return "sha256$" + hashlib.sha256((email + salt).encode("utf-8")).hexdigest()


def achievement(issuer: Issuer, credential: Credential) -> dict[str, Any]:
    return {
        "id": issuer.urls.achievement(credential.credential_id),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[credential.kind],
        "name": credential.title,
        "description": credential.description,
        "criteria": {
            "id": issuer.urls.achievement(credential.credential_id),
            "narrative": f"Earned by meeting the requirements of {credential.title}, as the program's catalog "
            "lists them (its exams passed, and its prerequisite credentials held).",
        },
        "humanCode": credential.credential_id,
        "tag": [credential.track, credential.level],
        "creator": _issuer_ref(issuer),
    }


def open_badge(
    issuer: Issuer, award: CredentialAward, credential: Credential, *, holder_name: str, email: str
) -> dict[str, Any]:
    """The award as an OpenBadgeCredential (VC Data Model 2.0), with the JWT claims OB 3.0 asks of a VC-JWT."""
    if award.status_index is None or award.badge_salt is None:
        raise ValueError("the award has no status list index yet: see status_index_of")
    # A renamed award's badge is another credential (the one in the old name is superseded: see
    # issuing.rename_award), so the name changes count in its id.
    renamed = f"#{int(award.name_changes)}" if award.name_changes else ""
    credential_id = f"urn:uuid:{uuid.uuid5(_BADGE_NAMESPACE, 'credential:' + award.award_id + renamed)}"
    subject_id = f"urn:uuid:{uuid.uuid5(_BADGE_NAMESPACE, 'subject:' + award.award_id)}"
    list_id, position = status_position(int(award.status_index))
    list_url = issuer.urls.status_list(list_id)
    badge = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": credential.title,
        "issuer": _issuer_ref(issuer),
        "validFrom": _iso(award.earned_at),
        "validUntil": _iso(award.expires_at),
        "credentialSubject": {
            "id": subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "identityHash": identity_hash(email, award.badge_salt),
                    "salt": award.badge_salt,
                },
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": holder_name},
            ],
            "achievement": achievement(issuer, credential),
        },
        "credentialStatus": {
            "id": f"{list_url}#{position}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(position),
            "statusListCredential": list_url,
        },
    }
    claims = {
        "iss": issuer.urls.issuer,
        "jti": credential_id,
        "sub": subject_id,
        "nbf": int(award.earned_at.timestamp()),
        "exp": int(award.expires_at.timestamp()),
    }
    return {**badge, **claims}


def badge(issuer: Issuer, account_id: str, credential_id: str, now: datetime) -> Signed:
    """The signed badge of the caller's current award of a credential they hold (earned or expiring); NotFound
    for one never held, lapsed, revoked or unknown (one answer: nothing is learnt about other people)."""
    held = awards.holding(account_id, credential_id, now)
    account = find_account(account_id) if held and held.valid else None
    if held is None or account is None:
        raise NotFound("You hold no valid credential with this id, so it has no badge.", code="no_badge")
    holder_name = issuing.award_name(account_id, held.current)  # the award's name, never the profile's now
    award = status_index_of(held.current)
    payload = open_badge(issuer, award, get_credential(credential_id), holder_name=holder_name, email=account.email)
    return Signed(jwt=sign(issuer, payload, valid_until=award.expires_at), credential=payload)
