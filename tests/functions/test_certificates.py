"""POST, GET /me/certificates and GET /me/certificates/{id}/download: one certificate per award, in the name the award
carries (never the profile's as it is now), rendered once into the private bucket, downloaded through five-minute
links, never reachable by anyone else."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import boto3

from certtracker.core import clock, names
from certtracker.credentials import awards
from certtracker.models.accounts import Account
from certtracker.models.certificates import Certificate
from certtracker.models.credential_awards import CredentialAward
from tests.functions.conftest import PASSWORD, error, make_candidate

JSON = {"Accept": "application/json"}
BUCKET = "CertificatesBucket"


def owner_of(api, who) -> str:
    return api.call("GET", "/me", token=who["token"]).json()["account_id"]


def grant(owner: str, credential_id: str = "CERT-EP", *, days: int = 365, legacy: bool = False) -> None:
    """Award a cycle as the evaluation does, in the profile's name now; `legacy`: as awards were before they kept
    a name."""
    now = clock.now()
    account = Account.get(Account.key(owner))
    name = None if legacy else names.printed_name(account.first_name, account.last_name)
    assert awards.grant(
        owner, credential_id, cycle=1, earned_at=now, expires_at=now + timedelta(days=days), holder_name=name
    )


def request(api, who, credential_id: str = "CERT-EP"):
    return api.call("POST", "/me/certificates", {"credential_id": credential_id}, token=who["token"])


def stored_pdfs() -> list[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=BUCKET)
    return [entry["Key"] for entry in listed.get("Contents", [])]


def rename(owner: str, first: str, last: str) -> None:
    account = Account.get(Account.key(owner))
    account.update(actions=[Account.first_name.set(first), Account.last_name.set(last)])


def test_a_held_credential_gets_a_rendered_certificate_in_the_profiles_name(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    answer = request(api, candidate)
    assert answer.status == 201, answer.body
    body = answer.json()
    assert body["status"] == "ready"
    assert body["holder_name"] == "Ada Lovelace"
    assert body["credential_id"] == "CERT-EP"
    assert body["credential_status"] == "earned"
    assert body["certificate_id"].startswith("C-")
    assert len(body["verification_code"]) == 19  # four groups of four
    assert body["verification_path"] == "/verify/" + body["verification_code"]
    assert body["download_path"] == f"/me/certificates/{body['certificate_id']}/download"
    [key] = stored_pdfs()
    assert key == f"certificates/{owner}/{body['certificate_id']}.pdf"
    pdf = boto3.client("s3").get_object(Bucket=BUCKET, Key=key)
    assert pdf["Body"].read().startswith(b"%PDF-")
    assert pdf["ContentType"] == "application/pdf"

    listed = api.call("GET", "/me/certificates", token=candidate["token"]).json()["certificates"]
    assert [entry["certificate_id"] for entry in listed] == [body["certificate_id"]]


def test_asking_again_returns_the_stored_certificate_and_a_profile_name_change_mints_none(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    first = request(api, candidate).json()
    again = request(api, candidate)
    assert again.status == 200
    assert again.json()["certificate_id"] == first["certificate_id"]
    assert len(stored_pdfs()) == 1

    rename(owner, "Augusta Ada", "King")
    renamed = request(api, candidate)
    assert renamed.status == 200
    assert renamed.json()["certificate_id"] == first["certificate_id"]
    assert renamed.json()["holder_name"] == "Ada Lovelace"  # the award's name, not the profile's now
    listed = api.call("GET", "/me/certificates", token=candidate["token"]).json()["certificates"]
    assert [entry["holder_name"] for entry in listed] == ["Ada Lovelace"]
    assert len(stored_pdfs()) == 1


def test_three_profile_names_one_after_another_make_one_certificate_that_verifies_valid(api, candidate) -> None:
    # Issue 21: John Smith, Maria Garcia, Elon Musk for one award, all valid side by side. Now: one.
    owner = owner_of(api, candidate)
    rename(owner, "John", "Smith")
    grant(owner)
    made = []
    for first, last in (("John", "Smith"), ("Maria", "Garcia"), ("Elon", "Musk")):
        rename(owner, first, last)
        answer = request(api, candidate)
        assert answer.status in (200, 201), answer.body
        made.append(answer.json())
    assert {entry["certificate_id"] for entry in made} == {made[0]["certificate_id"]}
    assert {entry["holder_name"] for entry in made} == {"John Smith"}
    listed = api.call("GET", "/me/certificates", token=candidate["token"]).json()["certificates"]
    assert len(listed) == 1
    verified = api.call("GET", f"/verify/{made[0]['verification_code']}").json()
    assert (verified["status"], verified["holder_name"]) == ("valid", "John Smith")
    assert len(stored_pdfs()) == 1


def test_an_award_from_before_names_were_kept_takes_its_earliest_certificates_name_or_the_profiles_once(
    api, candidate
) -> None:
    owner = owner_of(api, candidate)
    grant(owner, legacy=True)
    rename(owner, "Ada", "King")
    first = request(api, candidate).json()
    assert first["holder_name"] == "Ada King"  # no certificate yet: the profile's name at the first request...
    [award] = CredentialAward.query(owner)
    assert award.holder_name == "Ada King"  # ...recorded on the award
    rename(owner, "Ada", "Byron")
    assert request(api, candidate).json()["certificate_id"] == first["certificate_id"]


def test_a_download_answers_302_to_a_five_minute_attachment_link_or_json_for_scripts(api, candidate) -> None:
    grant(owner_of(api, candidate))
    certificate_id = request(api, candidate).json()["certificate_id"]
    answer = api.call("GET", f"/me/certificates/{certificate_id}/download", token=candidate["token"])
    assert answer.status == 302, answer.body
    link = urlsplit(answer.header("Location") or "")
    query = parse_qs(link.query)
    assert link.path.endswith(f"/{certificate_id}.pdf")
    assert "/certificates/" in link.path
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == [f'attachment; filename="CERT-EP-certificate-{certificate_id}.pdf"']
    assert query["response-content-type"] == ["application/pdf"]
    assert answer.header("Cache-Control") == "no-store"

    scripted = api.call("GET", f"/me/certificates/{certificate_id}/download", token=candidate["token"], headers=JSON)
    assert scripted.status == 200
    assert scripted.json()["expires_in"] == 300
    assert scripted.json()["url"].startswith("https://")


def test_another_candidate_can_neither_list_download_nor_request_my_certificate(api, mail, candidate) -> None:
    grant(owner_of(api, candidate))
    mine = request(api, candidate).json()
    other = make_candidate(api, mail, "grace", "grace@example.org")
    assert api.call("GET", "/me/certificates", token=other["token"]).json() == {"certificates": []}
    stolen = api.call("GET", f"/me/certificates/{mine['certificate_id']}/download", token=other["token"])
    assert error(stolen, 404)["code"] == "certificate_not_found"
    assert error(request(api, other), 404)["code"] == "credential_not_held"
    assert len(stored_pdfs()) == 1


def test_no_certificate_without_a_session_for_unknown_expired_or_revoked_credentials(api, candidate) -> None:
    owner = owner_of(api, candidate)
    assert api.call("POST", "/me/certificates", {"credential_id": "CERT-EP"}).status == 401
    assert error(request(api, candidate, "CERT-NOPE"), 404)["code"] == "credential_not_held"
    now = clock.now()
    assert awards.grant(
        owner, "ACC-DLP", cycle=1, earned_at=now - timedelta(days=400), expires_at=now - timedelta(days=1)
    )
    assert error(request(api, candidate, "ACC-DLP"), 409)["code"] == "credential_expired"
    grant(owner, "CERT-EP")
    award = next(iter(CredentialAward.query(owner, CredentialAward.sk.startswith("AWARD#CERT-EP"))))
    award.update(actions=[CredentialAward.revoked.set(True)])
    assert error(request(api, candidate, "CERT-EP"), 409)["code"] == "credential_revoked"
    assert stored_pdfs() == []


def test_bad_input_gets_a_4xx_in_the_error_shape(api, candidate) -> None:
    grant(owner_of(api, candidate))
    for body in (
        {},
        {"credential_id": ""},
        {"credential_id": "cert-ep\u202e"},
        {"credential_id": "9" * 5000},
        {"credential_id": "CERT-EP", "extra": 1},
    ):
        assert error(api.call("POST", "/me/certificates", body, token=candidate["token"]), 422)
    bad = api.call("POST", "/me/certificates", raw=b"\xff\xfe{", token=candidate["token"])
    assert bad.status in (400, 422)
    for certificate_id in ("C-AAAA", "../../etc", "C-AAAA-AAAA-AAA\u2028"):
        answer = api.call("GET", f"/me/certificates/{certificate_id}/download", token=candidate["token"])
        assert answer.status in (404, 422)


def test_a_name_no_font_can_print_is_refused_before_rendering(api, candidate) -> None:
    owner = owner_of(api, candidate)
    rename(owner, "Ada", "\U00010000\U0001f600")  # Linear B and an emoji
    grant(owner)
    refused = error(request(api, candidate), 422)
    assert refused["code"] == "name_not_printable"
    assert "U+10000" in refused["message"]
    assert "U+1F600" in refused["message"]
    assert stored_pdfs() == []


def test_a_name_kept_from_before_the_name_policy_that_would_print_blank_is_refused_before_rendering(
    api, candidate
) -> None:
    owner = owner_of(api, candidate)
    grant(owner, legacy=True)  # an award from before awards kept a name: its first request takes the profile's
    rename(owner, "\u3164", "\u3164")  # the Hangul filler: a font draws it, as nothing
    refused = error(request(api, candidate), 422)
    assert refused["code"] == "name_not_printable"
    assert refused["field"] == "name"
    assert "must not contain invisible characters: it contains U+3164 (HANGUL FILLER)" in refused["message"]
    assert stored_pdfs() == []


def test_names_in_any_script_are_printed_as_the_award_holds_them(api, candidate) -> None:
    owner = owner_of(api, candidate)
    rename(owner, "محمد", "عبد الله")
    grant(owner)
    body = request(api, candidate).json()
    assert body["status"] == "ready"
    assert body["holder_name"] == "محمد عبد الله"


def test_the_same_request_at_once_makes_one_certificate(api, candidate) -> None:
    grant(owner_of(api, candidate))
    answers = api.burst(6, "POST", "/me/certificates", {"credential_id": "CERT-EP"}, token=candidate["token"])
    assert all(answer.status in (200, 201) for answer in answers), [answer.body for answer in answers]
    assert [answer.status for answer in answers].count(201) == 1
    assert len({answer.json()["certificate_id"] for answer in answers}) == 1
    assert len(stored_pdfs()) == 1


def test_a_render_that_died_part_way_is_finished_by_the_next_request(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner)
    first = request(api, candidate).json()
    [item] = Certificate.query(owner)
    boto3.client("s3").delete_object(Bucket=BUCKET, Key=item.object_key)
    item.update(actions=[Certificate.status.set("rendering"), Certificate.rendering_since.set(clock.now())])
    waiting = api.call("GET", f"/me/certificates/{first['certificate_id']}/download", token=candidate["token"])
    assert error(waiting, 409)["code"] == "certificate_rendering"
    assert request(api, candidate).json()["status"] == "rendering"  # still within its time: left alone
    clock.advance(180)
    assert request(api, candidate).json()["status"] == "ready"
    assert len(stored_pdfs()) == 1


def test_erasure_deletes_the_pdfs_and_the_export_lists_the_certificates(api, candidate) -> None:
    grant(owner_of(api, candidate))
    made = request(api, candidate).json()
    exported = api.call("GET", "/me/export", token=candidate["token"])
    assert exported.status == 200, exported.body
    [listed] = exported.json()["certificates"]
    assert listed["certificate_id"] == made["certificate_id"]
    assert listed["verification_code"] == made["verification_code"]
    erased = api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"])
    assert erased.status == 204, erased.body
    assert stored_pdfs() == []
