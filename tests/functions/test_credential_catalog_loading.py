"""`python -m infra.credentials load`: validates against the exam catalog in the table, replaces the previous
version's items, prints what changed; a refused document writes nothing and exits 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from certtracker.models.catalog import CREDENTIALS_PARTITION, CatalogCredential, CatalogExam
from infra import credentials


def stored() -> dict[str, CatalogCredential]:
    return {item.credential_id: item for item in CatalogCredential.query(CREDENTIALS_PARTITION)}


def seed_document() -> dict[str, Any]:
    return json.loads(credentials.SEED_DOCUMENT.read_text("utf-8"))


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "credentials.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, "utf-8")
    return path


def test_the_seed_loads_every_credential_with_its_version(aws: None) -> None:
    items = stored()
    assert len(items) == len(seed_document()["credentials"])
    assert {item.catalog_version for item in items.values()} == {"2026-11"}
    assert json.loads(items["CERT-EP"].requirements) == {"exam": {"ids": ["250-580", "250-561"]}}


def test_a_new_version_replaces_the_previous_one_and_says_what_changed(aws: None, tmp_path: Path, capsys) -> None:
    document = seed_document()
    document["version"] = "2027-05"
    document["credentials"] = [c for c in document["credentials"] if c["credential_id"] != "ACC-CWP"]
    next(c for c in document["credentials"] if c["credential_id"] == "CERT-NP")["validity_months"] = 24
    added = dict(document["credentials"][0], credential_id="ACC-EP-ADV", title="Endpoint Protection Advanced")
    document["credentials"].append(added)

    assert credentials.main(["load", str(write(tmp_path, document))]) == 0

    printed = capsys.readouterr().out
    assert "credential catalog 2026-11 → 2027-05" in printed
    assert "added     ACC-EP-ADV" in printed
    assert "changed   CERT-NP" in printed
    assert "removed   ACC-CWP" in printed
    assert "unchanged 9" in printed
    items = stored()
    assert "ACC-CWP" not in items
    assert int(items["CERT-NP"].validity_months) == 24
    assert {item.catalog_version for item in items.values()} == {"2027-05"}


def test_a_dry_run_prints_the_changes_and_writes_nothing(aws: None, tmp_path: Path, capsys) -> None:
    document = seed_document()
    document["version"] = "2027-05"
    document["credentials"] = document["credentials"][1:]
    before = {key: item.attribute_values for key, item in stored().items()}

    assert credentials.main(["load", str(write(tmp_path, document)), "--dry-run"]) == 0

    printed = capsys.readouterr().out
    assert "(dry run: nothing written)" in printed
    assert "removed   ACC-EP" in printed
    assert {key: item.attribute_values for key, item in stored().items()} == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["credentials"][5].update(requirements={"exam": {"ids": ["250-999"]}}), "exam 250-999"),
        (lambda d: d["credentials"][5].update(requirements={"credential": "NOPE-1"}), "credential NOPE-1"),
        (lambda d: d["credentials"][1].update(requirements={"credential": "CERT-DLP"}), "prerequisite cycle"),
        (lambda d: d["credentials"][-1]["requirements"]["n_of"].update(count=6), "n_of.count"),
        (lambda d: d["credentials"].append(dict(d["credentials"][2])), "the id is used twice"),
        (lambda d: d["credentials"][3].update(validity_months=48), "validity_months is 48"),
    ],
    ids=["unknown exam", "unknown credential", "cycle", "n_of count", "duplicate", "validity"],
)
def test_a_bad_document_is_refused_with_its_message_and_exit_code_2_and_nothing_is_written(
    aws: None, tmp_path: Path, capsys, change, message: str
) -> None:
    document = seed_document()
    document["version"] = "2027-05"
    change(document)
    before = {key: item.attribute_values for key, item in stored().items()}

    assert credentials.main(["load", str(write(tmp_path, document))]) == credentials.REFUSED

    captured = capsys.readouterr()
    assert "the credential catalog is refused" in captured.err
    assert message in captured.err
    assert captured.out == ""
    assert {key: item.attribute_values for key, item in stored().items()} == before


def test_a_file_that_is_not_json_is_refused(aws: None, tmp_path: Path, capsys) -> None:
    assert credentials.main(["load", str(write(tmp_path, '{"version": "2027-05",'))]) == credentials.REFUSED
    assert "cannot be read as UTF-8 JSON" in capsys.readouterr().err


def test_exam_ids_are_checked_against_the_exam_catalog_in_the_table(aws: None, tmp_path: Path, capsys) -> None:
    CatalogExam.get("EXAMS", "250-590").delete()  # this stack's exam catalog has no Cloud Workload exam

    assert credentials.main(["load", str(credentials.SEED_DOCUMENT)]) == credentials.REFUSED
    assert "credential CERT-CWP: requirements name exam 250-590" in capsys.readouterr().err


def test_without_catalog_table_the_command_says_what_to_set(
    aws: None, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CATALOG_TABLE")
    assert credentials.main(["load", str(credentials.SEED_DOCUMENT)]) == credentials.REFUSED
    assert "Set CATALOG_TABLE" in capsys.readouterr().err


def test_without_a_logo_bucket_the_command_writes_nothing_and_says_what_to_set(
    aws: None, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOGOS_BUCKET")
    assert credentials.main(["load", str(credentials.SEED_DOCUMENT)]) == credentials.REFUSED
    assert "Set LOGOS_BUCKET" in capsys.readouterr().err
    assert credentials.main(["load", str(credentials.SEED_DOCUMENT), "--dry-run"]) == 0  # a dry run draws nothing


def test_loading_draws_every_credentials_logo_into_the_bucket(aws: None, capsys) -> None:
    import boto3

    boto3.client("s3").delete_object(Bucket="LogosBucket", Key="logos/CERT-EP.svg")
    assert credentials.main(["load", str(credentials.SEED_DOCUMENT)]) == 0
    assert "logos     22 files written" in capsys.readouterr().out
    assert boto3.client("s3").head_object(Bucket="LogosBucket", Key="logos/CERT-EP.svg")["ContentLength"] > 500
