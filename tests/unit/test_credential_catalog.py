"""The credential catalog document: the seeded program is valid, and every kind of bad definition is refused."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from certtracker.credentials import catalog
from certtracker.credentials.catalog import InvalidCatalog
from certtracker.credentials.evaluator import Facts, HeldCredential, PassedResult, evaluate
from infra.template import ROOT

SEED_DOCUMENT = ROOT / "infra" / "seed_data" / "credentials.json"
EXAM_CATALOG = json.loads((ROOT / "infra" / "seed_data" / "catalog.json").read_text("utf-8"))["exams"]
EXAM_IDS = {exam["exam_id"] for exam in EXAM_CATALOG}
TRACKS = {exam["track"] for exam in EXAM_CATALOG}
NOW = datetime(2026, 11, 15, tzinfo=UTC)


def seed_document() -> dict[str, Any]:
    return json.loads(SEED_DOCUMENT.read_text("utf-8"))


def refused(document: Any) -> list[str]:
    with pytest.raises(InvalidCatalog) as error:
        catalog.validate(document, EXAM_IDS, TRACKS)
    return error.value.problems


def credential(document: dict[str, Any], credential_id: str) -> dict[str, Any]:
    return next(c for c in document["credentials"] if c["credential_id"] == credential_id)


# ---------------------------------------------------------------- the seeded program


def test_the_seeded_program_is_valid_and_covers_each_track_with_an_accreditation_and_a_certification() -> None:
    seeded = catalog.validate(seed_document(), EXAM_IDS, TRACKS)
    assert seeded.version == "2026-11"
    for track in TRACKS:
        assert {c.kind for c in seeded.credentials if c.track == track} == {"accreditation", "certification"}
    assert {c.validity_months for c in seeded.credentials} <= set(range(12, 37))


def test_the_seeded_program_has_a_retired_version_counting_a_prerequisite_and_a_two_of_five() -> None:
    seeded = {c.credential_id: c for c in catalog.validate(seed_document(), EXAM_IDS, TRACKS).credentials}
    retired = {e["exam_id"] for e in EXAM_CATALOG if e["retired"]}
    held = [HeldCredential("ACC-DLP", NOW - timedelta(days=30), NOW + timedelta(days=300))]

    def meets(credential_id: str, *exam_ids: str, credentials: list[HeldCredential] | None = None) -> bool:
        facts = Facts.of([PassedResult(e, "r-" + e, NOW - timedelta(days=10)) for e in exam_ids], credentials or [])
        return evaluate(seeded[credential_id].requirements, facts, NOW).met

    assert "250-561" in retired
    assert meets("CERT-EP", "250-561")
    assert meets("CERT-EP", "250-580")
    assert not meets("CERT-DLP", "250-587")  # the accreditation is its prerequisite
    assert meets("CERT-DLP", "250-587", credentials=held)
    assert not meets("CERT-DLP", "250-550", credentials=held)  # the retired 15.5 exam is not listed
    certifications = [
        HeldCredential(c, NOW - timedelta(days=5), NOW + timedelta(days=700)) for c in ("CERT-EM", "CERT-NP")
    ]
    assert seeded["PRO-SEC"].level == "professional"
    assert not meets("PRO-SEC", credentials=certifications[:1])
    assert meets("PRO-SEC", credentials=certifications)


# ---------------------------------------------------------------- refusals


def test_an_unknown_exam_id_is_refused_naming_the_credential_and_the_exam() -> None:
    document = seed_document()
    credential(document, "CERT-EM")["requirements"] = {"exam": {"ids": ["250-999"]}}
    assert refused(document) == ["credential CERT-EM: requirements name exam 250-999, which is not in the exam catalog"]


def test_an_unknown_credential_reference_is_refused() -> None:
    document = seed_document()
    credential(document, "CERT-NP")["recertification"]["requirements"] = {"credential": "ACC-XYZ"}
    assert refused(document) == [
        "credential CERT-NP: recertification requirements name credential ACC-XYZ, which is not in this document"
    ]


def test_a_prerequisite_cycle_is_refused_with_its_path() -> None:
    document = seed_document()
    credential(document, "ACC-DLP")["requirements"] = {"credential": "CERT-DLP"}
    (problem,) = refused(document)
    assert "prerequisite cycle" in problem
    assert "ACC-DLP → CERT-DLP → ACC-DLP" in problem or "CERT-DLP → ACC-DLP → CERT-DLP" in problem


def test_a_cycle_through_a_recertification_tree_or_onto_itself_is_refused() -> None:
    document = seed_document()
    credential(document, "CERT-EP")["recertification"]["requirements"] = {"credential": "PRO-SEC"}
    credential(document, "CERT-CWP")["requirements"] = {
        "all_of": [{"exam": {"ids": ["250-590"]}}, {"credential": "CERT-CWP"}]
    }
    problems = refused(document)
    assert "credential CERT-CWP: prerequisite cycle CERT-CWP → CERT-CWP" in problems
    assert any("CERT-EP → PRO-SEC → CERT-EP" in p or "PRO-SEC → CERT-EP → PRO-SEC" in p for p in problems)
    assert len(problems) == 2


def test_an_n_of_count_larger_than_its_list_or_below_one_is_refused() -> None:
    document = seed_document()
    credential(document, "PRO-SEC")["requirements"]["n_of"]["count"] = 6
    credential(document, "PRO-SEC")["recertification"]["requirements"] = {
        "n_of": {"count": 0, "of": [{"credential": "CERT-EP"}]}
    }
    problems = refused(document)
    assert problems == [
        "credential PRO-SEC: requirements.n_of.count: must be a whole number from 1 to the 5 requirement(s) "
        "listed, not 6",
        "credential PRO-SEC: recertification.requirements.n_of.count: must be a whole number from 1 to the 1 "
        "requirement(s) listed, not 0",
    ]


def test_a_duplicate_credential_id_is_refused() -> None:
    document = seed_document()
    document["credentials"].append(copy.deepcopy(credential(document, "ACC-EM")))
    assert refused(document) == ["credential ACC-EM: the id is used twice"]


@pytest.mark.parametrize("months", [6, 11, 37, 120, 0, "24", 24.0, True])
def test_a_validity_outside_one_to_three_years_is_refused(months: Any) -> None:
    document = seed_document()
    credential(document, "CERT-CWP")["validity_months"] = months
    (problem,) = refused(document)
    assert problem.startswith("credential CERT-CWP: validity_months")


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("kind", "badge", "kind must be one of accreditation, certification"),
        ("level", "expert", "level must be one of foundation, specialist, professional"),
        ("track", "Quantum Security", "track 'Quantum Security' is not a track of the exam catalog"),
        ("title", "", "title must be text of 1 to 120 characters"),
        (
            "recertification",
            {"renewal_window_days": 0, "requirements": {"credential": "ACC-EP"}},
            "renewal_window_days",
        ),
        ("recertification", {"requirements": {"credential": "ACC-EP"}}, "exactly renewal_window_days and requirements"),
    ],
)
def test_a_bad_field_is_refused_naming_the_credential(field: str, value: Any, problem: str) -> None:
    document = seed_document()
    credential(document, "CERT-NP")[field] = value
    (found,) = refused(document)
    assert found.startswith("credential CERT-NP: ")
    assert problem in found


def test_missing_and_unknown_fields_are_refused() -> None:
    document = seed_document()
    del credential(document, "ACC-NP")["description"]
    credential(document, "ACC-CWP")["logo_colour"] = "teal"
    assert refused(document) == [
        "credential ACC-NP: missing description",
        "credential ACC-CWP: unknown field(s) logo_colour",
    ]


@pytest.mark.parametrize(
    "document",
    [[], {"credentials": []}, {"version": "2026-11", "credentials": []}, {"version": "", "credentials": [{}]}],
)
def test_a_document_of_the_wrong_shape_is_refused(document: Any) -> None:
    assert len(refused(document)) == 1


def test_every_problem_is_reported_at_once() -> None:
    document = seed_document()
    credential(document, "CERT-EM")["requirements"] = {"exam": {"ids": ["250-999"]}}
    credential(document, "CERT-EP")["validity_months"] = 60
    credential(document, "ACC-EP")["requirements"] = {"credential": "NOPE"}
    assert len(refused(document)) == 3
