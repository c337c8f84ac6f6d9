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
