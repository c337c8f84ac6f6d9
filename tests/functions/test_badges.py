"""Open Badges 3.0: GET /me/credentials/{id}/badge (an OpenBadgeCredential signed as a VC-JWT by the KMS key),
verified with nothing but the published JWKS; the public issuer profile and keys; the revocation status list
that follows `set_revoked`; status list indexes drawn at random, unique, one per award however many requests ask
at once, and those handed out in order before still valid; a rotated signing key, whose badges still verify from
the JWKS until they expire."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from joserfc import jws
from joserfc.jwk import KeySet

from certtracker.certificates import badges
from certtracker.core import clock
from certtracker.credentials import awards
from certtracker.models.credential_awards import (
    ANONYMIZED_PARTITION,
    SIGNING_KEYS_PARTITION,
    STATUS_INDEX_CLAIM_PREFIX,
    STATUS_LIST_COUNTER_KEY,
    STATUS_LIST_SIZE,
    CredentialAward,
    SigningKeyRecord,
    StatusIndexClaim,
    StatusListCounter,
)
from infra import lambdas, template
from infra.gateway import GatewayResponse
from infra.lambdas import LocalFunction, load_functions
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


Containers = dict[str, LocalFunction]


def call(api, method: str, path: str, containers: Containers | None, *, token: str | None = None) -> GatewayResponse:
    """A request served by the process's functions, or by `containers` (a deployment of other parameters)."""
    if containers is None:
        return api.call(method, path, token=token)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return api.gateway.handle(method, path, headers, None, source_ip=api.source_ip, containers=containers)


def published_keys(api, containers: Containers | None = None) -> KeySet:
    answer = call(api, "GET", "/badges/keys", containers)  # no session: anyone may verify
    assert answer.status == 200, answer.body
    return KeySet.import_key_set(answer.json())


def kid_of(token: str) -> str:
    return str(json.loads(badges.b64url_decode(token.split(".")[0]))["kid"])


def verified(api, token: str, containers: Containers | None = None) -> dict[str, Any]:
    """The payload of a compact JWS, verified with only the published JWKS (the key named by its `kid`)."""
    keys = published_keys(api, containers)
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


def claims() -> list[StatusIndexClaim]:
    """Every index claimed (a test's own small table: a scan is fine here, never on a request path)."""
    return list(StatusIndexClaim.scan(StatusIndexClaim.account_id.startswith(STATUS_INDEX_CLAIM_PREFIX)))


def global_index(status: dict[str, str]) -> int:
    list_id = int(status["statusListCredential"].rsplit("/", 1)[1])
    return list_id * STATUS_LIST_SIZE + int(status["statusListIndex"])


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


def test_an_award_revoked_before_its_first_badge_is_in_the_list_once_it_has_one(api, candidate, gateway) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    awards.set_revoked(award_of(owner), revoked=True, reason=None, at=clock.now())
    assert award_of(owner).status_list is None  # no index yet: nothing to publish
    with gateway.functions["BadgesFunction"].running():  # its grants, as when the candidate asks for the badge
        index = badges.status_index_of(award_of(owner)).status_index
    assert index is not None
    list_id, position = badges.status_position(int(index))
    status = {"statusListCredential": f"{BASE}/badges/status/{list_id}", "statusListIndex": str(position)}
    assert revoked_in_list(api, status)


def test_revoking_through_a_copy_read_before_the_badge_took_its_index_still_sets_its_bit(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    read_before = award_of(owner)  # as staff operations might hold it while the candidate fetches the badge
    status = fetch_badge(api, candidate).json()["credential"]["credentialStatus"]
    awards.set_revoked(read_before, revoked=True, reason="Fraud", at=clock.now())
    assert revoked_in_list(api, status)
    assert read_before.status_index == global_index(status)  # read again, then written


def test_the_status_list_as_json_carries_the_same_signed_credential(api) -> None:
    answer = api.call("GET", "/badges/status/0", headers=JSON)
    assert answer.status == 200, answer.body
    body = answer.json()
    assert verified(api, body["jwt"]) == body["credential"]
    assert body["credential"]["issuer"] == f"{BASE}/badges/issuer"
    assert api.call("GET", "/badges/status/x").status == 422
    # Every list an index may be drawn in is published, none beyond (each answer may cost a signature, and anyone
    # may ask).
    assert api.call("GET", f"/badges/status/{badges.STATUS_LISTS - 1}").status == 200
    assert error(api.call("GET", f"/badges/status/{badges.STATUS_LISTS}"), 404)["code"] == "no_status_list"


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
    assert global_index(json.loads(statuses.pop())) == award_of(owner).status_index
    # The losers' claims were cancelled with their award updates: the one claim left is the award's index.
    (claim,) = claims()
    assert claim.account_id == f"{STATUS_INDEX_CLAIM_PREFIX}{award_of(owner).status_index}"
    assert claim.award_id == award_of(owner).award_id


def test_status_list_indexes_are_drawn_at_random_not_handed_out_in_issue_order(api, candidate) -> None:
    owner = owner_of(api, candidate)
    held = ["ACC-EP", "ACC-DLP", "ACC-EM", "ACC-NP", "ACC-CWP", "CERT-EP", "CERT-DLP", "CERT-EM", "CERT-NP"]
    for credential_id in held:
        grant(owner, credential_id)
    issued = [
        global_index(fetch_badge(api, candidate, credential_id).json()["credential"]["credentialStatus"])
        for credential_id in held
    ]
    assert len(set(issued)) == len(issued)
    # Issue order would show as rising indexes in one list; random draws are in order once in 9! (362,880).
    assert issued != sorted(issued)
    assert len({index // STATUS_LIST_SIZE for index in issued}) > 1  # all in one of the 8 lists: once in 8^8
    assert all(index < badges.STATUS_LISTS * STATUS_LIST_SIZE for index in issued)
    assert sorted(int(claim.account_id.removeprefix(STATUS_INDEX_CLAIM_PREFIX)) for claim in claims()) == sorted(issued)


def test_a_burst_of_first_badges_whose_draws_collide_ends_with_unique_indexes(
    api, gateway, monkeypatch, dynamodb_writes_atomically
) -> None:
    """Eight awards take their index at the same moment, every first draw the same number: one claim wins it, the
    others are cancelled with their award updates and draw again."""
    count = 8
    for n in range(count):
        grant(f"burst-{n}")
    first_draws_collide = iter([7] * count + list(range(100, 100 + 10 * count)))
    lock = threading.Lock()

    def randbelow(limit: int) -> int:
        with lock:
            return next(first_draws_collide)

    monkeypatch.setattr(badges.secrets, "randbelow", randbelow)
    start = threading.Barrier(count)

    def first_badge(owner: str) -> int:
        award = award_of(owner)
        start.wait()
        with gateway.functions["BadgesFunction"].running():  # its grants, in a thread of its own
            return int(badges.status_index_of(award).status_index or -1)

    with ThreadPoolExecutor(max_workers=count) as pool:
        given = list(pool.map(first_badge, [f"burst-{n}" for n in range(count)]))
    assert len(set(given)) == count
    low = badges.LEGACY_MARGIN  # no index was handed out in order here: draws start above the margin
    assert low + 7 in given  # one award won the colliding draw
    assert sorted(given) == sorted(int(award_of(f"burst-{n}").status_index) for n in range(count))
    assert {claim.award_id for claim in claims()} == {award_of(f"burst-{n}").award_id for n in range(count)}
    assert len(claims()) == count


def test_indexes_handed_out_in_order_before_stay_valid_and_are_never_drawn(api, candidate) -> None:
    """A deployment whose counter handed out more indexes than the drawn lists hold: its lists stay published
    with their bits, and draws land above them."""
    handed_out = badges.STATUS_LISTS * STATUS_LIST_SIZE + 10
    StatusListCounter(*STATUS_LIST_COUNTER_KEY, next_index=handed_out).save()
    grant("earlier-holder")
    earlier = award_of("earlier-holder")
    earlier.update(actions=[CredentialAward.status_index.set(handed_out - 7), CredentialAward.badge_salt.set("0" * 32)])
    awards.set_revoked(award_of("earlier-holder"), revoked=True, reason="Fraud", at=clock.now())
    list_id, position = badges.status_position(handed_out - 7)
    assert list_id == badges.STATUS_LISTS  # beyond the lists drawn over
    earlier_status = {"statusListCredential": f"{BASE}/badges/status/{list_id}", "statusListIndex": str(position)}
    assert revoked_in_list(api, earlier_status)

    grant(owner_of(api, candidate))
    status = fetch_badge(api, candidate).json()["credential"]["credentialStatus"]
    assert global_index(status) >= handed_out + badges.LEGACY_MARGIN
    assert not revoked_in_list(api, status)


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


# ------------------------------------------------------------------------------------------ key rotation


def deployed_with_signing_key(key_arn: str) -> Containers:
    """The functions as a deployment with BadgeSigningKeyArn set runs them: new containers, with the environment
    and the grants that parameter gives."""
    return load_functions({**lambdas.process_parameters(), "BadgeSigningKeyArn": key_arn})


def new_signing_key() -> str:
    """What the rotation procedure creates (docs/deploying.md, "Badge signing key rotation"): a new ECC_NIST_P256
    signing key, outside the stack."""
    return str(boto3.client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"])


def the_stacks_key() -> str:
    alias = template.kms_alias_name("BadgeSigningKeyAlias")
    return str(boto3.client("kms").describe_key(KeyId=alias)["KeyMetadata"]["KeyId"])


def test_a_badge_signed_by_the_previous_key_verifies_from_the_jwks_alone_after_the_key_is_rotated(
    api, candidate
) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    grant(owner, "ACC-EM")
    before = fetch_badge(api, candidate).json()["jwt"]  # signed by the stack's key
    rotated = deployed_with_signing_key(new_signing_key())
    # The old key is needed for nothing any more: disabled, its recorded public half is still published.
    boto3.client("kms").disable_key(KeyId=the_stacks_key())

    answer = call(api, "GET", "/me/credentials/ACC-EM/badge", rotated, token=candidate["token"])
    assert answer.status == 200, answer.body
    after = answer.json()["jwt"]
    assert kid_of(after) != kid_of(before)
    assert {key["kid"] for key in published_keys(api, rotated).as_dict()["keys"]} == {kid_of(before), kid_of(after)}
    assert verified(api, before, rotated)["credentialSubject"]["achievement"]["humanCode"] == "CERT-EP"
    assert verified(api, after, rotated)["credentialSubject"]["achievement"]["humanCode"] == "ACC-EM"
    # The status lists are signed by the new key, and verify from the same JWKS.
    status = call(api, "GET", "/badges/status/0", rotated)
    assert status.status == 200, status.body
    token = status.body.decode() if isinstance(status.body, bytes) else status.body
    assert kid_of(token) == kid_of(after)
    assert verified(api, token, rotated)["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]


def test_the_jwks_drops_a_previous_key_once_nothing_it_signed_is_still_valid(api, candidate) -> None:
    grant(owner_of(api, candidate), days=30)
    old = kid_of(fetch_badge(api, candidate).json()["jwt"])
    rotated = deployed_with_signing_key(new_signing_key())

    def kids() -> set[str]:
        answer = call(api, "GET", "/badges/keys", rotated)
        assert answer.status == 200, answer.body
        return {key["kid"] for key in answer.json()["keys"]}

    (new,) = kids() - {old}
    assert kids() == {old, new}
    clock.advance(29 * 86400)
    assert kids() == {old, new}  # its badge is valid one more day
    clock.advance(2 * 86400 + 1)  # past the badge's validUntil, rounded up to the end of its day
    assert kids() == {new}


def test_a_key_is_recorded_before_it_signs_once_per_container_and_its_time_only_ever_grows(
    api, candidate, monkeypatch
) -> None:
    owner = owner_of(api, candidate)
    for credential_id, days in (("CERT-EP", 365), ("ACC-EM", 365), ("ACC-DLP", 700)):
        grant(owner, credential_id, days=days)
    writes: list[datetime] = []
    update = SigningKeyRecord.update

    def counted(record: SigningKeyRecord, *args: Any, **kwargs: Any) -> Any:
        writes.append(clock.now())
        return update(record, *args, **kwargs)

    monkeypatch.setattr(SigningKeyRecord, "update", counted)

    def recorded_until() -> datetime:
        (record,) = SigningKeyRecord.query(SIGNING_KEYS_PARTITION)
        assert record.sk == kid_of(badge).rsplit("#", 1)[1]
        assert "d" not in json.loads(record.public_jwk)  # never a private key
        return record.valid_until

    def end_of_day(moment: datetime) -> datetime:
        return moment.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)

    badge = fetch_badge(api, candidate).json()["jwt"]
    assert len(writes) == 1
    assert recorded_until() == end_of_day(award_of(owner).expires_at)
    fetch_badge(api, candidate, "ACC-EM")  # valid until the same day: this container knows it is recorded
    assert len(writes) == 1
    fetch_badge(api, candidate, "ACC-DLP")
    assert len(writes) == 2
    assert recorded_until() == end_of_day(award_of(owner, "ACC-DLP").expires_at)

    # A new container signing something valid less long does not lower the record.
    badges.forget_keys()
    fetch_badge(api, candidate)
    assert len(writes) == 3
    assert recorded_until() == end_of_day(award_of(owner, "ACC-DLP").expires_at)
    assert recorded_until() > datetime.now(UTC)
