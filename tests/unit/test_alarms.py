"""The alarms in template.yaml reach a person, and each watches something that is really emitted."""

from __future__ import annotations

import re

import pytest

from infra import template

ROOT = template.ROOT
ALARMS = template.resources("AWS::CloudWatch::Alarm")


def _emitted_metrics() -> set[str]:
    sources = [*ROOT.glob("layers/common/python/certtracker/**/*.py"), *ROOT.glob("functions/*/app.py")]
    return {name for path in sources for name in re.findall(r'count\("([A-Za-z]+)"', path.read_text())}


@pytest.mark.parametrize("name", sorted(ALARMS))
def test_every_alarm_notifies_the_alarm_topic(name: str) -> None:
    assert {"Ref": "AlarmTopic"} in ALARMS[name]["Properties"]["AlarmActions"]


def test_the_alarm_topic_is_encrypted_with_a_key_cloudwatch_may_use() -> None:
    topic = template.resources("AWS::SNS::Topic")["AlarmTopic"]["Properties"]
    # With the AWS-managed key (alias/aws/sns), CloudWatch cannot publish: alarms would notify no one.
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmTopicKey"}
    key = template.resources("AWS::KMS::Key")["AlarmTopicKey"]["Properties"]
    cloudwatch = [
        statement
        for statement in key["KeyPolicy"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert cloudwatch
    assert {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cloudwatch[0]["Action"])
    assert topic["Subscription"][0]["Protocol"] == "email"


@pytest.mark.parametrize(
    "name", sorted(name for name, alarm in ALARMS.items() if alarm["Properties"].get("Namespace") == "CertTracker")
)
def test_every_custom_metric_alarm_watches_a_metric_the_code_emits(name: str) -> None:
    assert ALARMS[name]["Properties"]["MetricName"] in _emitted_metrics()


def test_the_authorizer_alarm_watches_real_failures_not_refusals() -> None:
    # Every logged-out call raises in the authorizer, which Lambda counts among its Errors.
    alarm = ALARMS["AuthorizerErrorsAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("CertTracker", "AuthorizerError")
