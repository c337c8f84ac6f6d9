"""The public exam catalog: filters, retired exams with their replacement, caching."""

from __future__ import annotations

from tests.functions.conftest import error


def test_the_catalog_is_public_and_lists_exams_and_assessments_of_several_tracks(api) -> None:
    answer = api.call("GET", "/catalog/exams")
    assert answer.status == 200
    exams = answer.json()["exams"]
    assert {exam["kind"] for exam in exams} == {"exam", "assessment"}
    assert len({exam["track"] for exam in exams}) >= 4
    exam = next(e for e in exams if e["exam_id"] == "250-580")
    assert exam["delivery"] == "test_center_or_online_proctored"
    assert exam["pass_mark"] == 70
    assert "ja" in exam["languages"]


def test_a_retired_exam_names_its_replacement(api) -> None:
    exams = {e["exam_id"]: e for e in api.call("GET", "/catalog/exams").json()["exams"]}
    assert exams["250-561"]["retired"] is True
    assert exams["250-561"]["replaced_by"] == "250-580"
    assert exams["250-580"]["retired"] is False


def test_filters_by_kind_and_track(api) -> None:
    assessments = api.call("GET", "/catalog/exams?kind=assessment").json()["exams"]
    assert assessments
    assert all(e["kind"] == "assessment" and e["delivery"] == "online_unproctored" for e in assessments)
    dlp = api.call("GET", "/catalog/exams?track=data%20loss%20prevention&kind=exam").json()["exams"]
    assert {e["exam_id"] for e in dlp} == {"250-587", "250-550"}
    assert api.call("GET", "/catalog/exams?track=nothing-like-this").json()["exams"] == []


def test_the_catalog_is_cacheable_with_an_etag(api) -> None:
    first = api.call("GET", "/catalog/exams")
    etag = first.header("ETag")
    assert etag
    assert first.header("Cache-Control") == "public, max-age=300"
    again = api.call("GET", "/catalog/exams", headers={"If-None-Match": etag})
    assert again.status == 304
    assert again.body == b""
    other_filter = api.call("GET", "/catalog/exams?kind=exam", headers={"If-None-Match": etag})
    assert other_filter.status == 200


def test_a_bad_filter_is_a_422_naming_it(api) -> None:
    assert error(api.call("GET", "/catalog/exams?kind=quiz"), 422)["field"] == "kind"
    assert error(api.call("GET", "/catalog/exams?track=" + "x" * 65), 422)["field"] == "track"


# ---------------------------------------------------------------- credentials


def test_the_credential_catalog_is_public_and_covers_every_track_with_both_kinds(api) -> None:
    answer = api.call("GET", "/catalog/credentials")
    assert answer.status == 200
    credentials = answer.json()["credentials"]
    tracks = {e["track"] for e in api.call("GET", "/catalog/exams").json()["exams"]}
    for track in tracks:
        kinds = {c["kind"] for c in credentials if c["track"] == track}
        assert kinds == {"accreditation", "certification"}, track
    assert all(12 <= c["validity_months"] <= 36 for c in credentials)


def test_an_exam_requirement_names_each_version_with_its_title_and_whether_it_is_retired(api) -> None:
    credential = api.call("GET", "/catalog/credentials/CERT-EP").json()
    requirement = credential["requirements"]
    assert requirement["type"] == "exam"
    assert requirement["exams"] == [
        {"exam_id": "250-580", "title": "Administration of Endpoint Security Complete", "retired": False},
        {"exam_id": "250-561", "title": "Endpoint Security Complete Administration R1", "retired": True},
    ]
    assert credential["recertification"]["renewal_window_days"] == 180
    assert [e["exam_id"] for e in credential["recertification"]["requirements"]["exams"]] == ["250-580"]


def test_the_professional_credential_needs_two_of_the_five_track_certifications(api) -> None:
    requirement = api.call("GET", "/catalog/credentials/PRO-SEC").json()["requirements"]
    assert requirement["type"] == "n_of"
    assert requirement["count"] == 2
    assert [c["type"] for c in requirement["children"]] == ["credential"] * 5
    assert {c["credential_id"] for c in requirement["children"]} == {
        "CERT-EP",
        "CERT-DLP",
        "CERT-EM",
        "CERT-NP",
        "CERT-CWP",
    }


def test_credentials_filter_by_kind_and_track(api) -> None:
    accreditations = api.call("GET", "/catalog/credentials?kind=accreditation").json()["credentials"]
    assert len(accreditations) == 5
    assert all(c["kind"] == "accreditation" for c in accreditations)
    dlp = api.call("GET", "/catalog/credentials?track=data%20loss%20prevention").json()["credentials"]
    assert {c["credential_id"] for c in dlp} == {"ACC-DLP", "CERT-DLP"}
    assert api.call("GET", "/catalog/credentials?track=nothing-like-this").json()["credentials"] == []
    assert error(api.call("GET", "/catalog/credentials?kind=badge"), 422)["field"] == "kind"


def test_an_unknown_credential_is_a_404_in_the_error_shape(api) -> None:
    assert error(api.call("GET", "/catalog/credentials/CERT-NOPE"), 404)["code"] == "credential_not_found"
    assert error(api.call("GET", "/catalog/credentials/" + "X" * 41), 422)["field"] == "credential_id"


def test_what_is_not_a_credential_id_is_refused_before_any_lookup_and_never_echoed(api) -> None:
    for typed in ("cert-ep", "CERT-EP%E2%80%AE", "%3Cscript%3E", "CERT%E2%80%A8EP"):
        refused = error(api.call("GET", "/catalog/credentials/" + typed), 422)
        assert refused["field"] == "credential_id"
        assert "script" not in refused["message"]
        assert "\u202e" not in refused["message"]


def test_the_credential_catalog_is_cacheable_with_an_etag(api) -> None:
    for path in ("/catalog/credentials", "/catalog/credentials/CERT-DLP"):
        first = api.call("GET", path)
        etag = first.header("ETag")
        assert etag
        assert first.header("Cache-Control") == "public, max-age=300"
        again = api.call("GET", path, headers={"If-None-Match": etag})
        assert again.status == 304
        assert again.body == b""
    list_etag = api.call("GET", "/catalog/credentials").header("ETag")
    filtered = api.call("GET", "/catalog/credentials?kind=certification", headers={"If-None-Match": list_etag})
    assert filtered.status == 200
