"""GET /verify/{code}: anyone sees the holder, the credential and its live status; a typo is told apart from an
unknown code; nothing is cached or indexed; and it is limited per client."""

from __future__ import annotations

from certtracker.core import clock
from certtracker.credentials import catalog as credential_catalog
from certtracker.models.credential_awards import CredentialAward
from tests.functions.conftest import PASSWORD, Api, error
from tests.functions.test_certificates import grant, owner_of, request


def verify(api, code: str):
    return api.call("GET", f"/verify/{code}")


def issued(api, candidate, credential_id: str = "CERT-EP", days: int = 365) -> dict:
    grant(owner_of(api, candidate), credential_id, days=days)
    answer = request(api, candidate, credential_id)
    assert answer.status == 201, answer.body
    return answer.json()


def test_a_valid_certificate_shows_its_holder_credential_and_dates_to_anyone(api, candidate) -> None:
    made = issued(api, candidate)
    credential_catalog.forget_cache()  # the functions share this process: a cold container reads the catalog
    answer = verify(api, made["verification_code"])
    assert answer.status == 200, answer.body
    body = answer.json()
    assert body["status"] == "valid"
    assert body["holder_name"] == "Ada Lovelace"
    assert body["certificate_id"] == made["certificate_id"]
    assert body["credential"]["credential_id"] == "CERT-EP"
    assert body["credential"]["title"]
    assert body["earned_at"]
    assert body["expires_at"]
    assert body["checked_at"]
    assert answer.header("Cache-Control") == "no-store"
    assert answer.header("Referrer-Policy") == "no-referrer"
    assert "noindex" in (answer.header("X-Robots-Tag") or "")


def test_the_code_reads_back_however_it_was_typed(api, candidate) -> None:
    code = issued(api, candidate)["verification_code"]
    for typed in (code.lower(), code.replace("-", ""), code.replace("-", " ").replace(" ", "%20")):
        answer = verify(api, typed)
        assert answer.status == 200, (typed, answer.body)
        assert answer.json()["status"] == "valid"


def test_a_typo_is_told_apart_from_an_unknown_code_and_from_garbage(api, candidate) -> None:
    code = issued(api, candidate)["verification_code"].replace("-", "")
    typo = code[:3] + ("Z" if code[3] != "Z" else "Y") + code[4:]
    assert error(verify(api, typo), 422)["code"] == "mistyped_code"
    unknown = "0" * 15 + "0"  # a well-formed code (its check character matches) that nobody holds
    assert error(verify(api, unknown), 404)["code"] == "unknown_code"
    for garbage in ("x", "%E2%80%AE" + code, "9" * 64, "%FF%FE"):
        assert error(verify(api, garbage), 422)["code"] in ("malformed_code", "validation_error")


def test_a_certificate_id_typed_for_the_code_is_recognised_and_told_where_the_code_is(api, candidate) -> None:
    certificate_id = issued(api, candidate)["certificate_id"]
    for typed in (certificate_id, certificate_id.lower().replace("-", ""), certificate_id.replace("-", "%20")):
        refused = error(verify(api, typed), 422)
        assert refused["code"] == "certificate_id_not_code", typed
        assert refused["field"] == "code"
        assert "verification code is printed just below it" in refused["message"]
    assert error(verify(api, "C-" + "1" * 11), 422)["code"] == "malformed_code"  # one character short: not an id


def test_the_status_is_live_revoked_expired_and_reinstated(api, candidate) -> None:
    made = issued(api, candidate, days=40)
    award = next(iter(CredentialAward.query(owner_of(api, candidate), CredentialAward.sk.startswith("AWARD#CERT-EP"))))
    award.update(actions=[CredentialAward.revoked.set(True), CredentialAward.revoked_at.set(clock.now())])
    revoked = verify(api, made["verification_code"]).json()
    assert revoked["status"] == "revoked"
    assert revoked["revoked_at"]
    award.update(actions=[CredentialAward.revoked.set(False), CredentialAward.revoked_at.remove()])
    assert verify(api, made["verification_code"]).json()["status"] == "valid"
    clock.advance(41 * 86400)
    assert verify(api, made["verification_code"]).json()["status"] == "expired"


def test_after_the_holder_is_erased_the_code_answers_no_longer_available_with_no_name(api, candidate) -> None:
    made = issued(api, candidate)
    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"]).status == 204
    body = verify(api, made["verification_code"]).json()
    assert body["status"] == "unavailable"
    assert body["holder_name"] is None
    assert body["credential"] is None
    assert body["earned_at"] is None
    assert "Ada" not in str(body)


def test_verifications_are_limited_per_client_address(gateway, api, candidate) -> None:
    code = issued(api, candidate)["verification_code"]
    for _ in range(60):
        assert verify(api, code).status == 200
    refused = verify(api, code)
    assert error(refused, 429)["code"] == "too_many_verifications"
    assert int(refused.header("Retry-After") or 0) > 0
    neighbour = Api(gateway, source_ip="198.51.100.9")
    assert verify(neighbour, code).status == 200
