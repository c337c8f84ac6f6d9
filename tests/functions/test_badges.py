"""Open Badges 3.0: GET /me/credentials/{id}/badge (an OpenBadgeCredential signed as a VC-JWT by the KMS key),
verified with nothing but the published JWKS; the public issuer profile and keys; the revocation status list
that follows `set_revoked`; one status list index per award however many requests ask at once."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from certtracker.certificates import badges
from certtracker.core import clock
from certtracker.credentials import awards
from certtracker.models.credential_awards import (
    ANONYMIZED_PARTITION,
    STATUS_LIST_COUNTER_KEY,
    CredentialAward,
    StatusListCounter,
)
from infra.gateway import GatewayResponse
from infra.lambdas import load_functions
from tests.functions.conftest import PASSWORD, error, make_candidate

SCHEMA = json.loads(
    (Path(__file__).parent.parent / "fixtures" / "ob_v3p0_achievementcredential_schema.json").read_text()
)
VC_JWT = {"Accept": "application/vc+jwt"}
JSON = {"Accept": "application/json"}
BASE = "https://certtracker.example.com/api"  # the handler ring's WebBaseUrl, under /api


def owner_of(api, who) -> str:
    return api.call("GET", "/me", token=who["token"]).json()["account_id"]


def grant(owner: str, credential_id: str = "CERT-EP", *, days: int = 365) -> None:
    now = clock.now()
    assert awards.grant(owner, credential_id, cycle=1, earned_at=now, expires_at=now + timedelta(days=days))


def award_of(owner: str, credential_id: str = "CERT-EP") -> CredentialAward:
    (award,) = [a for a in awards.awards_of(owner) if a.credential_id == credential_id]
    return award


def fetch_badge(api, who, credential_id: str = "CERT-EP", headers: dict[str, str] | None = None):
    return api.call("GET", f"/me/credentials/{credential_id}/badge", token=who["token"], headers=headers)


def published_keys(api) -> KeySet:
    answer = api.call("GET", "/badges/keys")  # no session: anyone may verify
    assert answer.status == 200, answer.body
    return KeySet.import_key_set(answer.json())


def verified(api, token: str) -> dict[str, Any]:
    """The payload of a compact JWS, verified with only the published JWKS (the key named by its `kid`)."""
    keys = published_keys(api)
    header = json.loads(badges.b64url_decode(token.split(".")[0]))
    assert header == {"alg": "ES256", "kid": header["kid"], "typ": "JWT"}  # OB 3.0 allows no other header
    assert header["kid"].startswith(f"{BASE}/badges/keys#")
    found = jws.deserialize_compact(token, keys.get_by_kid(header["kid"]), algorithms=["ES256"])
    return json.loads(found.payload)


def status_bits(api, list_url: str) -> bytes:
    assert list_url.startswith(BASE)
    answer = api.call("GET", list_url.removeprefix(BASE))
    assert answer.status == 200, answer.body
    assert answer.header("Content-Type") == "application/vc+jwt"
    assert answer.header("Cache-Control") == "public, max-age=300"
    credential = verified(api, answer.body.decode() if isinstance(answer.body, bytes) else answer.body)
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["id"] == list_url
    subject = credential["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    bits = badges.decode_bitstring(subject["encodedList"])
    assert len(bits) * 8 >= 131_072  # the spec's minimum, 16 KB
    return bits


def revoked_in_list(api, status: dict[str, str]) -> bool:
    return badges.bit_is_set(status_bits(api, status["statusListCredential"]), int(status["statusListIndex"]))


def test_the_badge_is_an_open_badge_credential_valid_against_1edtechs_schema(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    answer = fetch_badge(api, candidate)
    assert answer.status == 200, answer.body
    assert answer.header("Cache-Control") == "no-store"
    credential = answer.json()["credential"]
    jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(credential)
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    award = award_of(owner)
    assert credential["validFrom"] == award.earned_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    assert credential["validUntil"] == award.expires_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    assert credential["issuer"]["id"] == f"{BASE}/badges/issuer"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["id"] == f"{BASE}/catalog/credentials/CERT-EP"
    assert achievement["achievementType"] == "Certification"
    assert api.call("GET", "/catalog/credentials/CERT-EP").json()["title"] == achievement["name"]
    # The holder: a salted hash of the email (never the address), and the name as in the profile.
    email_identity, name_identity = credential["credentialSubject"]["identifier"]
    assert email_identity["identityType"] == "emailAddress"
    assert email_identity["hashed"] is True
    assert email_identity["identityHash"] == badges.identity_hash(candidate["email"], email_identity["salt"])
    assert candidate["email"] not in json.dumps(credential)
    assert name_identity == {
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": False,
        "identityHash": "Ada Lovelace",
    }
    # The VC-JWT claims OB 3.0 asks for mirror the credential.
    assert credential["iss"] == credential["issuer"]["id"]
    assert credential["jti"] == credential["id"]
    assert credential["sub"] == credential["credentialSubject"]["id"]
    assert credential["nbf"] == int(award.earned_at.timestamp())
    assert credential["exp"] == int(award.expires_at.timestamp())


def test_the_badge_signature_verifies_with_only_the_published_jwks(api, candidate) -> None:
    grant(owner_of(api, candidate))
    body = fetch_badge(api, candidate).json()
    assert verified(api, body["jwt"]) == body["credential"]
    keys = api.call("GET", "/badges/keys").json()["keys"]
    assert all("d" not in key for key in keys)  # never a private key
    # A wallet asking for the VC-JWT itself gets the same signed credential, bare.
    bare = fetch_badge(api, candidate, headers=VC_JWT)
    assert bare.status == 200
    assert bare.header("Content-Type") == "application/vc+jwt"
    token = bare.body.decode() if isinstance(bare.body, bytes) else bare.body
    assert verified(api, token)["id"] == body["credential"]["id"]


def test_a_tampered_badge_does_not_verify(api, candidate) -> None:
    grant(owner_of(api, candidate))
    header, payload, signature = fetch_badge(api, candidate).json()["jwt"].split(".")
    claims = json.loads(badges.b64url_decode(payload))
    claims["validUntil"] = "2099-01-01T00:00:00Z"
    forged = ".".join([header, badges.b64url(json.dumps(claims).encode()), signature])
    with pytest.raises(Exception, match=r"(?i)signature"):
        verified(api, forged)


def test_the_issuer_profile_is_public_and_names_the_issuer_badges_name(api, candidate) -> None:
    grant(owner_of(api, candidate))
    profile = api.call("GET", "/badges/issuer")
    assert profile.status == 200, profile.body
    document = profile.json()
    assert document["id"] == f"{BASE}/badges/issuer"
    assert document["type"] == ["Profile"]
    assert document["name"] == fetch_badge(api, candidate).json()["credential"]["issuer"]["name"]
    jsonschema.Draft201909Validator(SCHEMA["$defs"]["Profile"]).validate(document)


def test_another_candidate_cannot_fetch_the_first_ones_badge(api, mail, candidate) -> None:
    grant(owner_of(api, candidate))
    other = make_candidate(api, mail, "grace", "grace@example.org")
    error(fetch_badge(api, other), 404)
    assert fetch_badge(api, candidate).status == 200
    assert api.call("GET", "/me/credentials/CERT-EP/badge").status == 401


def test_a_candidate_without_the_credential_or_with_it_lapsed_gets_404(api, candidate) -> None:
    assert error(fetch_badge(api, candidate), 404)["code"] == "no_badge"
    assert error(fetch_badge(api, candidate, "NOPE"), 404)["code"] == "no_badge"
    grant(owner_of(api, candidate), "ACC-DLP", days=5)
    clock.advance(10 * 86400)
    token = api.login(candidate["username"]).json()["token"]
    assert error(fetch_badge(api, {"token": token}, "ACC-DLP"), 404)["code"] == "no_badge"
    assert fetch_badge(api, {"token": token}, "cert-ep").status == 422  # the id's shape, as for logos


def test_revoking_sets_the_badges_bit_in_the_published_status_list_and_reinstating_clears_it(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    grant(owner, "ACC-EM")
    status = fetch_badge(api, candidate).json()["credential"]["credentialStatus"]
    other = fetch_badge(api, candidate, "ACC-EM").json()["credential"]["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] != other["statusListIndex"]
    assert not revoked_in_list(api, status)

    awards.set_revoked(award_of(owner), revoked=True, reason="Exam misconduct", at=clock.now())
    assert revoked_in_list(api, status)
    assert not revoked_in_list(api, other)
    award = award_of(owner)
    assert award.revoked
    assert award.revoked_reason == "Exam misconduct"
    assert award.revoked_at is not None
    assert error(fetch_badge(api, candidate), 404)["code"] == "no_badge"  # a revoked credential has no new badge

    awards.set_revoked(award_of(owner), revoked=False, reason=None, at=clock.now())
    assert not revoked_in_list(api, status)
    award = award_of(owner)
    assert not award.revoked
    assert award.revoked_reason is None
    assert award.status_list is None
    assert fetch_badge(api, candidate).json()["credential"]["credentialStatus"] == status  # the same index


def test_an_award_revoked_before_its_first_badge_is_in_the_list_once_it_has_one(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    awards.set_revoked(award_of(owner), revoked=True, reason=None, at=clock.now())
    assert award_of(owner).status_list is None  # no index yet: nothing to publish
    index = badges.status_index_of(award_of(owner)).status_index
    status = {"statusListCredential": f"{BASE}/badges/status/0", "statusListIndex": str(index)}
    assert revoked_in_list(api, status)


def test_revoking_through_a_copy_read_before_the_badge_took_its_index_still_sets_its_bit(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    read_before = award_of(owner)  # as staff operations might hold it while the candidate fetches the badge
    status = fetch_badge(api, candidate).json()["credential"]["credentialStatus"]
    awards.set_revoked(read_before, revoked=True, reason="Fraud", at=clock.now())
    assert revoked_in_list(api, status)
    assert read_before.status_index == int(status["statusListIndex"])  # read again, then written


def test_the_status_list_as_json_carries_the_same_signed_credential(api) -> None:
    answer = api.call("GET", "/badges/status/0", headers=JSON)
    assert answer.status == 200, answer.body
    body = answer.json()
    assert verified(api, body["jwt"]) == body["credential"]
    assert body["credential"]["issuer"] == f"{BASE}/badges/issuer"
    assert api.call("GET", "/badges/status/x").status == 422
    # A list no badge points to is not published (each answer may cost a signature, and anyone may ask).
    assert error(api.call("GET", "/badges/status/1"), 404)["code"] == "no_status_list"


def in_containers_at_once(api, count: int, path: str, *, token: str) -> list[GatewayResponse]:
    """`count` GETs of a path with a parameter (Api.burst takes static paths), each in a container of its own."""
    containers = [load_functions() for _ in range(count)]
    for functions in containers:
        functions["BadgesFunction"].load()  # each container's cold start, before the burst
    start = threading.Barrier(count)
    headers = {"Authorization": f"Bearer {token}"}

    def one(functions: dict[str, Any]) -> GatewayResponse:
        start.wait()
        return api.gateway.handle("GET", path, headers, None, source_ip=api.source_ip, containers=functions)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, containers))


def test_concurrent_badge_requests_for_one_award_allocate_one_index(api, candidate, dynamodb_writes_atomically) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    answers = in_containers_at_once(api, 6, "/me/credentials/CERT-EP/badge", token=candidate["token"])
    assert [answer.status for answer in answers] == [200] * 6, [answer.body for answer in answers]
    statuses = {json.dumps(answer.json()["credential"]["credentialStatus"]) for answer in answers}
    assert len(statuses) == 1
    assert json.loads(statuses.pop())["statusListIndex"] == str(award_of(owner).status_index)
    # Every request took a number from the counter before racing for the award: the losers' numbers stay unused.
    assert StatusListCounter.get(*STATUS_LIST_COUNTER_KEY).next_index > 1


def test_after_erasure_the_badge_is_gone_and_a_revoked_badge_stays_revoked_in_the_list(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    status = fetch_badge(api, candidate).json()["credential"]["credentialStatus"]
    awards.set_revoked(award_of(owner), revoked=True, reason="Fraud", at=clock.now())
    erased = api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"])
    assert erased.status in (200, 202, 204), erased.body
    assert fetch_badge(api, candidate).status == 401  # the session ended with the account
    (kept,) = CredentialAward.query(ANONYMIZED_PARTITION)
    assert kept.badge_salt is None  # the email's salt went with the person
    assert revoked_in_list(api, status)
