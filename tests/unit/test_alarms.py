"""The alarms in template.yaml reach a person, and each watches something that is really emitted."""

from __future__ import annotations

import re

import pytest

from infra import template

ROOT = template.ROOT
ALARMS = template.resources("AWS::CloudWatch::Alarm")


def _emitted_metrics() -> set[str]:
    sources = [*ROOT.glob("layers/common/python/certtracker/**/*.py"), *ROOT.glob("functions/*/app.py")]
    return {
        name for path in sources for name in re.findall(r'(?:count|measure_seconds)\("([A-Za-z]+)"', path.read_text())
    }


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


@pytest.mark.parametrize("function", sorted(template.functions()))
def test_every_function_has_a_duration_alarm_below_its_timeout(function: str) -> None:
    timeout_ms = template.functions()[function].timeout_s * 1000
    watching = [
        alarm["Properties"]
        for alarm in ALARMS.values()
        if alarm["Properties"].get("MetricName") == "Duration"
        and {"Name": "FunctionName", "Value": {"Ref": function}} in alarm["Properties"].get("Dimensions", [])
    ]
    assert len(watching) == 1, f"{function} needs one alarm on its Duration"
    # Near the timeout, not at it: a request cut off at the timeout is already lost.
    assert 0.5 * timeout_ms <= watching[0]["Threshold"] <= 0.9 * timeout_ms


@pytest.mark.parametrize("metric", ["ThrottledRequests", "SystemErrors"])
def test_dynamodb_throttles_and_system_errors_are_watched_across_every_table(metric: str) -> None:
    queries = [
        query["Expression"]
        for alarm in ALARMS.values()
        for query in alarm["Properties"].get("Metrics", [])
        if "Expression" in query
    ]
    # No WHERE on a table name: a table added later is watched without anyone remembering to add it.
    assert f'SELECT SUM({metric}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName)' in queries


def test_ses_events_reach_cloudwatch_through_the_configuration_set() -> None:
    (destination,) = template.resources("AWS::SES::ConfigurationSetEventDestination").values()
    events = destination["Properties"]["EventDestination"]
    assert destination["Properties"]["ConfigurationSetName"] == {"Ref": "EmailConfigurationSet"}
    assert {"bounce", "complaint", "reject", "deliveryDelay"} <= set(events["MatchingEventTypes"])
    assert "CloudWatchDestination" in events
    alarmed = {alarm["Properties"].get("MetricName") for alarm in ALARMS.values()}
    assert {"Reputation.BounceRate", "Reputation.ComplaintRate", "Reject", "DeliveryDelay"} <= alarmed


def test_every_function_that_sends_email_names_the_configuration_set_and_may_send_with_it() -> None:
    senders = {name: f for name, f in template.functions().items() if "MAIL_FROM" in f.environment}
    assert senders
    for name, function in senders.items():
        assert function.environment["SES_CONFIGURATION_SET"] == {"Ref": "EmailConfigurationSet"}, name
        ses = [
            statement
            for policy in function.policies
            for statement in policy["Statement"]
            if statement["Action"] == "ses:SendRawEmail"
        ]
        resources = [part["Fn::Sub"] for part in ses[0]["Resource"]]
        assert any(text.endswith(":configuration-set/${EmailConfigurationSet}") for text in resources), name
        assert any(text.endswith(":identity/${SenderIdentity}") for text in resources), name
    others = set(template.functions()) - set(senders)
    assert not [name for name in others if "SES_CONFIGURATION_SET" in template.functions()[name].environment]
