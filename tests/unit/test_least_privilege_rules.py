"""Which IAM actions authorize an AWS call, how template policies resolve, and settings per function."""

from __future__ import annotations

import re

import pytest

from certtracker.core.settings import MailSettings, SettingsError, load
from infra import iam, template
from infra.iam import Grant, Need

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/"
SENDER_IDENTITY = "arn:aws:ses:us-east-1:123456789012:identity/no-reply@certtracker.example.com"


def test_a_transaction_needs_each_items_own_action_on_each_items_table():
    needs = iam.needs(
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "AccountsTable", "Item": {}}},
                {"Update": {"TableName": "SessionsTable", "Key": {}}},
                {"Delete": {"TableName": "AccountsTable", "Key": {}}},
                {"ConditionCheck": {"TableName": "PartnersTable", "Key": {}}},
            ]
        },
    )
    assert needs == [
        Need("dynamodb:PutItem", TABLE + "AccountsTable"),
        Need("dynamodb:UpdateItem", TABLE + "SessionsTable"),
        Need("dynamodb:DeleteItem", TABLE + "AccountsTable"),
        Need("dynamodb:ConditionCheckItem", TABLE + "PartnersTable"),
    ]


def test_a_query_of_an_index_needs_the_index_and_a_batch_needs_each_table():
    query = iam.needs("dynamodb", "Query", {"TableName": "SessionsTable", "IndexName": "by_account"})
    assert query == [Need("dynamodb:Query", TABLE + "SessionsTable/index/by_account")]
    batch = iam.needs("dynamodb", "BatchGetItem", {"RequestItems": {"OneTimeTokensTable": {}, "SessionsTable": {}}})
    assert {need.resource for need in batch} == {TABLE + "OneTimeTokensTable", TABLE + "SessionsTable"}


def test_sesv2_send_email_with_raw_content_is_authorized_as_send_raw_email_on_the_sender_identity():
    raw = b"From: CertTracker <no-reply@certtracker.example.com>\r\nTo: ada@example.org\r\n\r\nHello"
    needs = iam.needs("sesv2", "SendEmail", {"Content": {"Raw": {"Data": raw}}})
    assert needs == [Need("ses:SendRawEmail", SENDER_IDENTITY)]
    simple = iam.needs(
        "sesv2", "SendEmail", {"FromEmailAddress": "no-reply@certtracker.example.com", "Content": {"Simple": {}}}
    )
    assert simple == [Need("ses:SendEmail", SENDER_IDENTITY)]


def test_a_call_the_recorder_cannot_translate_is_refused_rather_than_allowed():
    with pytest.raises(iam.UnknownCall, match="s3:DeleteBucket"):
        iam.needs("s3", "DeleteBucket", {"Bucket": "x"})
    with pytest.raises(iam.UnknownCall, match="kms:Decrypt"):
        iam.needs("kms", "Decrypt", {})


def test_an_s3_object_call_needs_its_action_on_the_objects_arn():
    assert iam.needs("s3", "GetObject", {"Bucket": "LogosBucket", "Key": "logos/CERT-EP.png"}) == [
        Need("s3:GetObject", "arn:aws:s3:::LogosBucket/logos/CERT-EP.png")
    ]
    grants = iam.grants_of(template.functions()["CredentialsFunction"], template.parameter_values())
    assert Grant("s3:GetObject", "arn:aws:s3:::LogosBucket/logos/*") in grants


def test_presigning_inside_an_invocation_is_checked_as_the_call_the_link_stands_for():
    import boto3
    from botocore.config import Config

    from infra import lambdas

    iam.install()
    s3 = boto3.session.Session().client(
        "s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y",
        config=Config(signature_version="s3v4"),
    )  # fmt: skip
    token = lambdas.CURRENT_FUNCTION.set("CredentialsFunction")
    try:
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "LogosBucket", "Key": "logos/A.png"})
        assert "X-Amz-Signature" in url
        with pytest.raises(iam.MissingGrant, match=re.escape("s3:GetObject on arn:aws:s3:::LogosBucket/secrets/A.png")):
            s3.generate_presigned_url("get_object", Params={"Bucket": "LogosBucket", "Key": "secrets/A.png"})
    finally:
        lambdas.CURRENT_FUNCTION.reset(token)
        iam.RECORDER.take_violations()


def test_template_policies_resolve_to_the_names_of_the_local_stack():
    grants = iam.grants_of(template.functions()["AccountsFunction"], template.parameter_values())
    assert Grant("dynamodb:Query", TABLE + "SessionsTable/index/by_account") in grants
    assert Grant("ses:SendRawEmail", SENDER_IDENTITY) in grants
    secret = iam.grants_of(template.functions()["ExamsFunction"], template.parameter_values())
    assert (
        Grant("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:123456789012:secret:PearsonVueSecret")
        in secret
    )


def test_wildcards_in_grants_match_as_iam_matches_them():
    assert Grant("dynamodb:Get*", TABLE + "*").allows(Need("dynamodb:GetItem", TABLE + "AccountsTable"))
    assert Grant("DynamoDB:getitem", TABLE + "Accounts?able").allows(Need("dynamodb:GetItem", TABLE + "AccountsTable"))
    assert not Grant("dynamodb:GetItem", TABLE + "AccountsTable").allows(
        Need("dynamodb:GetItem", TABLE + "AccountsTable/index/x")
    )


def test_settings_read_in_one_functions_environment_never_hide_a_variable_another_lacks(monkeypatch):
    monkeypatch.setenv("MAIL_FROM", "no-reply@certtracker.example.com")
    monkeypatch.setenv("WEB_BASE_URL", "https://one.example.com")
    assert load(MailSettings).web_base_url == "https://one.example.com"
    monkeypatch.setenv("WEB_BASE_URL", "https://two.example.com")
    assert load(MailSettings).web_base_url == "https://two.example.com"
    monkeypatch.delenv("MAIL_FROM")
    with pytest.raises(SettingsError, match="MAIL_FROM"):
        load(MailSettings)
