"""GET /me/logos and /me/logos/{credential_id}/download: the logos of credentials held and still valid, as
five-minute presigned links that download as attachments; nothing for a credential not held, lapsed or revoked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from certtracker.core import clock
from certtracker.credentials import awards
from certtracker.models.credential_awards import CredentialAward
from infra import seed
from tests.functions.conftest import error, make_candidate

JSON = {"Accept": "application/json"}


@pytest.fixture(autouse=True)
def seeded_logos(aws: None) -> None:
    """The handler ring seeds credentials without their logos (drawing them costs every test); these need them."""
    seed.seeded_logos()


def owner_of(api, who) -> str:
    return api.call("GET", "/me", token=who["token"]).json()["account_id"]


def grant(owner: str, credential_id: str, *, days: int = 365) -> None:
    now = clock.now()
    assert awards.grant(owner, credential_id, cycle=1, earned_at=now, expires_at=now + timedelta(days=days))


def download(api, who, credential_id: str, kind: str = "png", headers: dict[str, str] | None = None):
    return api.call("GET", f"/me/logos/{credential_id}/download?format={kind}", token=who["token"], headers=headers)


def test_the_list_has_only_the_credentials_held_and_still_valid(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner, "CERT-EP")
    grant(owner, "ACC-EM", days=30)  # expiring: still valid
    grant(owner, "ACC-DLP", days=5)
    clock.advance(10 * 86400)  # ACC-DLP has lapsed
    token = api.login(candidate["username"]).json()["token"]
    answer = api.call("GET", "/me/logos", token=token)
    assert answer.status == 200, answer.body
    logos = {logo["credential_id"]: logo for logo in answer.json()["logos"]}
    assert sorted(logos) == ["ACC-EM", "CERT-EP"]
    assert logos["ACC-EM"]["status"] == "expiring"
    assert logos["CERT-EP"]["downloads"] == {
        "svg": "/me/logos/CERT-EP/download?format=svg",
        "png": "/me/logos/CERT-EP/download?format=png",
    }
    assert api.call("GET", "/me/logos").status == 401


def test_a_download_answers_302_to_a_five_minute_link_to_the_logo_as_an_attachment(api, candidate) -> None:
    grant(owner_of(api, candidate), "CERT-EP")
    answer = download(api, candidate, "CERT-EP", "png")
    assert answer.status == 302, answer.body
    link = urlsplit(answer.header("Location") or "")
    query = parse_qs(link.query)
    assert link.scheme == "https"
    assert link.path.endswith("/logos/CERT-EP.png")
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == ['attachment; filename="CERT-EP-logo.png"']
    assert query["response-content-type"] == ["image/png"]
    assert answer.header("Cache-Control") == "no-store"


def test_a_script_asking_for_json_gets_the_link_in_the_body(api, candidate) -> None:
    grant(owner_of(api, candidate), "CERT-EP")
    answer = download(api, candidate, "CERT-EP", "svg", headers=JSON)
    assert answer.status == 200, answer.body
    body = answer.json()
    assert body["expires_in"] == 300
    link = urlsplit(body["url"])
    assert link.path.endswith("/logos/CERT-EP.svg")
    assert parse_qs(link.query)["response-content-disposition"] == ['attachment; filename="CERT-EP-logo.svg"']


def test_another_candidates_credential_an_unknown_one_and_a_bad_format_get_nothing(api, mail, candidate) -> None:
    other = make_candidate(api, mail, "grace", "grace@example.org")
    grant(owner_of(api, other), "CERT-EP")
    assert error(download(api, candidate, "CERT-EP"), 404)["code"] == "no_logo"  # held by someone else: BOLA
    assert error(download(api, candidate, "NO-SUCH"), 404)["code"] == "no_logo"
    assert api.call("GET", "/me/logos", token=candidate["token"]).json()["logos"] == []
    assert download(api, other, "CERT-EP", "gif").status == 422
    assert download(api, other, "CERT-EP").status == 302


def test_a_logo_is_refused_once_its_credential_expired(api, candidate) -> None:
    grant(owner_of(api, candidate), "CERT-EP", days=20)
    assert download(api, candidate, "CERT-EP").status == 302
    clock.advance(21 * 86400)
    token = api.login(candidate["username"]).json()["token"]
    assert error(download(api, {"token": token}, "CERT-EP"), 404)["code"] == "no_logo"
    assert api.call("GET", "/me/logos", token=token).json()["logos"] == []


def test_a_logo_is_refused_once_its_credential_is_revoked(api, candidate) -> None:
    owner = owner_of(api, candidate)
    grant(owner, "CERT-EP")
    (award,) = list(CredentialAward.query(owner))
    award.update(actions=[CredentialAward.revoked.set(True)])
    assert error(download(api, candidate, "CERT-EP", "svg"), 404)["code"] == "no_logo"
    assert api.call("GET", "/me/logos", token=candidate["token"]).json()["logos"] == []


def test_seeding_writes_each_credentials_logo_as_svg_and_png_with_their_types(api) -> None:
    s3 = boto3.client("s3")
    svg = s3.get_object(Bucket="LogosBucket", Key="logos/CERT-EP.svg")
    png = s3.get_object(Bucket="LogosBucket", Key="logos/CERT-EP.png")
    assert (svg["ContentType"], png["ContentType"]) == ("image/svg+xml", "image/png")
    root = ET.fromstring(svg["Body"].read())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Certified Specialist: Endpoint Security Complete" in "".join(root.itertext())
    assert png["Body"].read().startswith(b"\x89PNG\r\n\x1a\n")
    listed = s3.list_objects_v2(Bucket="LogosBucket", Prefix="logos/")["Contents"]
    assert len(listed) == 2 * 11  # both files of each of the seeded catalog's eleven credentials
