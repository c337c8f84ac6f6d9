"""Create what template.yaml declares (tables, queues, secrets, buckets, signing keys, email identity, configuration
set) on moto."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import boto3

from infra import template


def create_tables(dynamodb: Any, names: dict[str, str] | None = None) -> list[str]:
    """Each AWS::DynamoDB::Table of the template, named by its logical id unless `names` says otherwise."""
    created = []
    for logical_id, props in template.tables().items():
        name = (names or {}).get(logical_id, logical_id)
        request: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if "GlobalSecondaryIndexes" in props:
            request["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        dynamodb.create_table(**request)
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created


def create_email_identities(sesv2: Any, ses: Any, parameters: dict[str, str]) -> list[str]:
    """The sender's identity, whatever its condition says: deployed, it exists either way (the stack creates
    it, or it was verified before), and the functions send from it."""
    identities = []
    for props in (body["Properties"] for body in template.resources("AWS::SES::EmailIdentity").values()):
        identity = props["EmailIdentity"]
        if isinstance(identity, dict):
            identity = parameters[identity["Ref"]]
        sesv2.create_email_identity(EmailIdentity=identity)
        # moto keeps verification in its SES v1 backend, which SESv2 sends through.
        ses.verify_email_identity(EmailAddress=identity)
        identities.append(identity)
    return identities


def create_configuration_sets(sesv2: Any) -> list[str]:
    """Each AWS::SES::ConfigurationSet, named by its logical id (the functions send with it)."""
    created = []
    for logical_id in template.resources("AWS::SES::ConfigurationSet"):
        sesv2.create_configuration_set(ConfigurationSetName=logical_id)
        created.append(logical_id)
    return created


def create_secrets(secretsmanager: Any) -> list[str]:
    """Each AWS::SecretsManager::Secret, named by its logical id, with a random value (as GenerateSecretString)."""
    import secrets

    created = []
    for logical_id in template.resources("AWS::SecretsManager::Secret"):
        secretsmanager.create_secret(Name=logical_id, SecretString=secrets.token_urlsafe(36))
        created.append(logical_id)
    return created


def create_queues(sqs: Any) -> list[str]:
    """Each AWS::SQS::Queue, named by its logical id, dead-letter queues first (a redrive policy names one)."""
    props = template.queues()
    ordered = sorted(props, key=lambda name: "RedrivePolicy" in props[name])
    for name in ordered:
        attributes = {
            key: str(props[name][key]) for key in ("VisibilityTimeout", "MessageRetentionPeriod") if key in props[name]
        }
        redrive = props[name].get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            arn = sqs.get_queue_attributes(QueueUrl=template.queue_url(target), AttributeNames=["QueueArn"])
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": arn["Attributes"]["QueueArn"],
                    "maxReceiveCount": str(redrive["maxReceiveCount"]),
                }
            )
        sqs.create_queue(QueueName=name, Attributes=attributes)
    return ordered


def create_buckets(s3: Any) -> list[str]:
    """Each AWS::S3::Bucket, named by its logical id (the functions' variables say so locally)."""
    created = []
    for logical_id in template.resources("AWS::S3::Bucket"):
        s3.create_bucket(Bucket=logical_id)
        created.append(logical_id)
    return created


def create_kms_keys(kms: Any) -> list[str]:
    """Each AWS::KMS::Key that signs (KeyUsage SIGN_VERIFY), of its KeySpec, and each alias of one, named
    `alias/<logical id>` as the functions' variables say locally. The emulator gives keys random ids, so the
    functions reach them through their aliases, as deployed; the alarm topic's key (encryption) is not needed."""
    created: dict[str, str] = {}
    for logical_id, body in template.resources("AWS::KMS::Key").items():
        props = body["Properties"]
        if props.get("KeyUsage") != "SIGN_VERIFY":
            continue
        key = kms.create_key(KeySpec=props["KeySpec"], KeyUsage="SIGN_VERIFY", Description=props.get("Description", ""))
        created[logical_id] = key["KeyMetadata"]["KeyId"]
    for logical_id in template.resources("AWS::KMS::Alias"):
        target = template.kms_alias_target(template.kms_alias_name(logical_id))
        if target in created:
            kms.create_alias(AliasName=template.kms_alias_name(logical_id), TargetKeyId=created[target])
    return list(created)


@cache
def _client(service: str, endpoint_url: str | None) -> Any:
    """Built once per process: the handler tests create every resource again for each test (moto intercepts
    whichever client calls), and building a boto3 client costs tens of milliseconds."""
    return boto3.session.Session().client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]


def create_all(parameters: dict[str, str] | None = None, endpoint_url: str | None = None) -> None:
    parameters = parameters or template.parameter_values()
    create_tables(_client("dynamodb", endpoint_url))
    create_queues(_client("sqs", endpoint_url))
    create_secrets(_client("secretsmanager", endpoint_url))
    create_buckets(_client("s3", endpoint_url))
    create_kms_keys(_client("kms", endpoint_url))
    create_configuration_sets(_client("sesv2", endpoint_url))
    create_email_identities(_client("sesv2", endpoint_url), _client("ses", endpoint_url), parameters)
