"""Open Badges 3.0: an award as a signed OpenBadgeCredential, the issuer's profile and public key, and the
revocation status lists (W3C Bitstring Status List v1.0) every badge points to.

Signing is a VC-JWT (compact JWS, ES256) made by AWS KMS: the private key never leaves it. KMS signs the JWS
signing input (`MessageType=RAW`, ECDSA_SHA_256) and answers a DER `ECDSA-Sig-Value`, which JOSE wants as the
64 bytes r||s; the public key (`GetPublicKey`, DER SubjectPublicKeyInfo) is read once per container and
published as a JWK whose `kid` is its RFC 7638 thumbprint under the keys URL. No JOSE library is needed for that.

Each badge gets an index in the status lists once (an atomic counter, then a conditional update of the
award), and carries it in `credentialStatus`. A list is built from the awards' live state: the revoked awards
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
from datetime import datetime
from functools import cache
from typing import Any

from pynamodb.exceptions import UpdateError

from certtracker.accounts.identity import find_account
from certtracker.certificates import issuing
from certtracker.core import aws
from certtracker.core.errors import NotFound
from certtracker.credentials import awards
from certtracker.credentials.catalog import Credential, get_credential
from certtracker.models.base import condition_failed
from certtracker.models.credential_awards import (
    STATUS_LIST_COUNTER_KEY,
    STATUS_LIST_SIZE,
    CredentialAward,
    StatusListCounter,
)

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_LIST_TTL_SECONDS = 300  # what verifiers may cache a list for (and the route's Cache-Control)
# A list whose bits have not changed is signed again only after this long (each signature is a KMS call, and
# the route is public): its validFrom then says how fresh it is.
STATUS_LIST_RESIGN_SECONDS = 300
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


@cache
def _public_jwk(key_id: str) -> dict[str, str]:
    """Read once per container: the key behind the id does not change while the container lives."""
    answer = aws.client("kms").get_public_key(KeyId=key_id)
    spec = answer.get("KeySpec") or answer.get("CustomerMasterKeySpec")  # the older name; the emulator's only one
    if spec != "ECC_NIST_P256" or answer.get("KeyUsage") != "SIGN_VERIFY":
        raise RuntimeError("the badge signing key must be an ECC_NIST_P256 SIGN_VERIFY key")
    return jwk_from_spki(answer["PublicKey"])


def public_jwk(issuer: Issuer) -> dict[str, str]:
    """The published JWK: the public key, its `kid` (a URI that names it within the JWKS), how it is used."""
    jwk = _public_jwk(issuer.key_id)
    return {**jwk, "kid": f"{issuer.urls.keys}#{thumbprint(jwk)}", "use": "sig", "alg": "ES256"}


def jwks(issuer: Issuer) -> dict[str, list[dict[str, str]]]:
    return {"keys": [public_jwk(issuer)]}


def sign(issuer: Issuer, payload: dict[str, Any]) -> str:
    """A compact JWS of `payload` (ES256), signed by KMS. The header is what OB 3.0 allows: alg, kid, typ."""
    header = {"alg": "ES256", "kid": public_jwk(issuer)["kid"], "typ": "JWT"}
    signing_input = ".".join(b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload))
    answer = aws.client("kms").sign(
        KeyId=issuer.key_id,
        Message=signing_input.encode("ascii"),
        MessageType="RAW",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    return f"{signing_input}.{b64url(der_to_jose(answer['Signature']))}"


def forget_keys() -> None:
    """Tests and the local stack: the emulator's key changes with each fresh emulator."""
    _public_jwk.cache_clear()
    _signed_lists.clear()


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


# list id -> (its encodedList, when signed, the signed list), per container.
_signed_lists: dict[int, tuple[str, float, Signed]] = {}


def status_list(issuer: Issuer, list_id: int, now: datetime) -> Signed:
    """The signed BitstringStatusListCredential of one list, from the awards' state now. Signed again when a
    bit changed or the last signature is older than STATUS_LIST_RESIGN_SECONDS; otherwise the container's copy."""
    if list_id > _last_list():
        # Only lists that hold an index are published: each answer may cost a signature, and the route is public.
        raise NotFound("There is no such status list.", code="no_status_list")
    encoded = encode_bitstring(revoked_indexes(list_id))
    cached = _signed_lists.get(list_id)
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
    signed = Signed(jwt=sign(issuer, {**credential, **claims}), credential={**credential, **claims})
    _signed_lists[list_id] = (encoded, time.monotonic(), signed)
    return signed


def status_index_of(award: CredentialAward) -> CredentialAward:
    """The award with its status list index and badge salt, given now if it had none: exactly once, however
    many requests ask at the same moment. A counter's atomic ADD hands out a fresh index; the award takes it
    only if it still has none and its revocation is as read (so `status_list` is set right: see
    `awards.set_revoked`, whose write is conditioned the other way). An index lost to a concurrent request is
    left unused: its bit stays 0."""
    for _ in range(5):
        if award.status_index is not None:
            return award
        index = _next_index()
        actions = [CredentialAward.status_index.set(index), CredentialAward.badge_salt.set(secrets.token_hex(16))]
        if award.revoked:
            actions.append(CredentialAward.status_list.set(status_position(index)[0]))
        condition = (
            CredentialAward.sk.exists()
            & CredentialAward.status_index.does_not_exist()
            & (CredentialAward.revoked == bool(award.revoked))
        )
        try:
            award.update(actions=actions, condition=condition)
        except UpdateError as error:
            if not condition_failed(error):
                raise
            award.refresh(consistent_read=True)
    if award.status_index is None:
        raise RuntimeError("the award's status list index could not be given")
    return award


def _last_list() -> int:
    """The list of the last index handed out (0 before any: the first list is always published)."""
    try:
        handed_out = int(StatusListCounter.get(*STATUS_LIST_COUNTER_KEY).next_index)
    except StatusListCounter.DoesNotExist:
        return 0
    return status_position(max(handed_out - 1, 0))[0]


def _next_index() -> int:
    counter = StatusListCounter(*STATUS_LIST_COUNTER_KEY)
    counter.update(actions=[StatusListCounter.next_index.add(1)])
    return int(counter.next_index) - 1


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
    return Signed(jwt=sign(issuer, payload), credential=payload)
