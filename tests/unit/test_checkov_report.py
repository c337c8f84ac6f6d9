"""`make checkov` holds checkov's failures against the README's table: a row explains a failure by naming its
resource or by covering "every" resource; checkov itself runs only there (its own virtualenv), not here."""

from __future__ import annotations

from pathlib import Path

from infra.checkov_report import Failure, explanations, table, unexplained

README = """
| checkov finding | resources | why it stays |
| --- | --- | --- |
| CKV_AWS_117 function not in a VPC | every function | They reach only AWS APIs. |
| CKV_AWS_18 no S3 access logging | WebBucket | Static files. |
| CKV_AWS_18 no S3 access logging | LogosBucket, CertificatesBucket | Presigned reads only. |
"""


def failure(check_id: str, resource: str) -> Failure:
    return Failure(check_id, "a check", resource)


def test_a_failure_is_explained_by_a_row_naming_its_resource_or_covering_every_one(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(README)
    (tmp_path / "docs").mkdir()
    rows = explanations(tmp_path)
    explained = [failure("CKV_AWS_117", "AccountsFunction"), failure("CKV_AWS_18", "CertificatesBucket")]
    assert unexplained(explained, rows) == []


def test_a_failure_on_a_resource_no_row_names_or_of_a_check_no_row_has_is_unexplained(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(README)
    (tmp_path / "docs").mkdir()
    rows = explanations(tmp_path)
    missing = [failure("CKV_AWS_18", "AuditBucket"), failure("CKV_AWS_21", "CertificatesBucket")]
    assert unexplained(missing, rows) == missing


def test_the_table_groups_failures_by_check_with_the_largest_group_first() -> None:
    lines = table([failure("CKV_AWS_21", "B"), failure("CKV_AWS_18", "Z"), failure("CKV_AWS_18", "A")])
    assert lines == ["CKV_AWS_18  (2)  a check", "    A, Z", "CKV_AWS_21  (1)  a check", "    B"]


def test_the_readme_explains_the_checks_its_table_was_written_for() -> None:
    """The rows the last run needed are still there (a README move must take the table along)."""
    rows = explanations()
    for check_id, resource in [
        ("CKV_AWS_18", "CertificatesBucket"),
        ("CKV_AWS_21", "CertificatesBucket"),
        ("CKV_AWS_27", "ProvisioningQueue"),
        ("CKV_AWS_27", "ProvisioningDeadLetterQueue"),
        ("CKV_AWS_116", "PartnerNetSyncFunction"),
    ]:
        assert unexplained([failure(check_id, resource)], rows) == [], (check_id, resource)
