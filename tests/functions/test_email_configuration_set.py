"""Every email goes out with the stack's SES configuration set, so its bounces and complaints reach CloudWatch."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.client import BaseClient

from infra import iam, template


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The parameters of every SESv2 SendEmail call, as the function made it."""
    calls: list[dict[str, Any]] = []
    original = BaseClient._make_api_call

    def spy(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name == "sesv2" and operation == "SendEmail":
            calls.append(params)
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    return calls


def test_a_registration_email_is_sent_with_the_configuration_set_the_template_declares(api, mail, sent):
    (configuration_set,) = template.resources("AWS::SES::ConfigurationSet")
    assert api.register("ada", "ada@example.org").status == 201
    assert mail.to("ada@example.org"), "no email was sent"
    assert sent
    assert [call.get("ConfigurationSetName") for call in sent] == [configuration_set] * len(sent)
    # The set exists where the function sends (the local stack creates it from the template, as deployed).
    boto3.client("sesv2").get_configuration_set(ConfigurationSetName=configuration_set)


def test_sending_with_the_configuration_set_is_granted_to_every_function_that_sends(api, mail, sent):
    """IAM authorizes a send with a configuration set on the set too: the recorder saw that need, and granted it."""
    assert api.register("ada", "ada@example.org").status == 201
    needs = iam.RECORDER.used["AccountsFunction"]
    assert any(need.resource.endswith(":configuration-set/EmailConfigurationSet") for need in needs)
