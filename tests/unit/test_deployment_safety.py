"""What must survive a mistaken delete, and what an operator reads when a request fails."""

from __future__ import annotations

import json

import pytest

from infra import template


@pytest.mark.parametrize("name", sorted(template.tables()))
def test_every_table_is_protected_from_deletion_and_recoverable(name: str) -> None:
    table = template.resources("AWS::DynamoDB::Table")[name]
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_the_secret_shared_with_pearson_vue_outlives_the_stack() -> None:
    secret = template.resources("AWS::SecretsManager::Secret")["PearsonVueSecret"]
    assert secret["DeletionPolicy"] == secret["UpdateReplacePolicy"] == "Retain"


def test_access_logs_carry_the_integration_error_status_and_trace_id() -> None:
    (api,) = template.resources("AWS::Serverless::Api").values()
    fields = json.loads(api["Properties"]["AccessLogSetting"]["Format"])
    assert {"integrationStatus", "integrationError", "xrayTraceId", "authorizerError", "status"} <= set(fields)
