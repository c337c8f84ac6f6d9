"""What a deployment needs, what must survive a mistaken delete, and what the one origin serves and refuses."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from typing import Any

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


# ---------------------------------------------------------------- parameters a deployment must give

PRODUCTION_VALUES = (
    "SenderEmail",
    "SenderIdentity",
    "PearsonVueBaseUrl",
    "SupportExamsEmail",
    "SupportPartnerEmail",
    "AlarmEmail",
)


def test_no_parameter_defaults_to_an_example_domain() -> None:
    for name, parameter in template.template()["Parameters"].items():
        assert "example." not in str(parameter.get("Default", "")), name


@pytest.mark.parametrize("name", PRODUCTION_VALUES)
def test_production_values_have_no_default_so_a_deployment_must_give_them(name: str) -> None:
    assert "Default" not in template.template()["Parameters"][name]


def _samconfig() -> dict[str, Any]:
    return tomllib.loads((template.ROOT / "samconfig.toml").read_text())


def _overrides(environment: str) -> dict[str, str]:
    text = _samconfig()[environment]["deploy"]["parameters"]["parameter_overrides"]
    pairs = text if isinstance(text, list) else shlex.split(text)
    return dict(pair.split("=", 1) for pair in pairs)


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_samconfig_gives_each_environment_every_parameter_without_a_default(environment: str) -> None:
    required = {name for name, p in template.template()["Parameters"].items() if "Default" not in p}
    deploy = _samconfig()[environment]["deploy"]["parameters"]
    assert required <= set(_overrides(environment)), required - set(_overrides(environment))
    assert {"CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"} <= set(str(deploy["capabilities"]).split())
    assert deploy["stack_name"]
    assert deploy["region"]


def test_a_production_deploy_shows_its_changeset_before_applying_it() -> None:
    assert _samconfig()["prod"]["deploy"]["parameters"]["confirm_changeset"] is True


# ---------------------------------------------------------------- what deploy time needs


def test_the_api_stage_waits_for_the_regions_api_gateway_logging_role() -> None:
    resources = template.template()["Resources"]
    assert resources["CertTrackerApi"]["DependsOn"] == "ApiGatewayAccountReady"
    handle = resources["ApiGatewayAccountReady"]["Metadata"]["ApiGatewayAccount"]
    assert handle == {"Fn::If": ["ManagesApiGatewayAccount", {"Ref": "ApiGatewayAccount"}, ""]}
    account = resources["ApiGatewayAccount"]
    assert account["Properties"]["CloudWatchRoleArn"] == {"Fn::GetAtt": ["ApiGatewayCloudWatchRole", "Arn"]}
    # Account-wide: deleting this stack must not take the role every other API of the region logs with.
    assert account["DeletionPolicy"] == resources["ApiGatewayCloudWatchRole"]["DeletionPolicy"] == "Retain"


def test_the_sender_identity_is_created_only_on_request_and_then_with_dkim() -> None:
    identity = template.template()["Resources"]["SenderDomainIdentity"]
    assert identity["Condition"] == "CreatesSenderIdentity"
    assert identity["Properties"]["EmailIdentity"] == {"Ref": "SenderIdentity"}
    assert identity["Properties"]["DkimSigningAttributes"]["NextSigningKeyLength"] == "RSA_2048_BIT"


def test_the_authorizer_keeps_its_own_concurrency_unless_the_parameter_says_none() -> None:
    authorizer = template.template()["Resources"][template.authorizer_function()]["Properties"]
    assert authorizer["ReservedConcurrentExecutions"] == {
        "Fn::If": ["ReservesAuthorizerConcurrency", {"Ref": "AuthorizerReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
    }


# ---------------------------------------------------------------- one origin for the pages and /api


def _resource(name: str) -> dict[str, Any]:
    return dict(template.template()["Resources"][name]["Properties"])


def _distribution() -> dict[str, Any]:
    return dict(_resource("WebDistribution")["DistributionConfig"])


def test_the_web_bucket_is_private_encrypted_and_read_only_by_the_distribution_over_tls() -> None:
    bucket = _resource("WebBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    statements = _resource("WebBucketPolicy")["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert allows == [next(s for s in statements if s.get("Sid") == "OnlyTheDistributionReads")]
    (read,) = allows
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert "${WebDistribution}" in read["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    (tls,) = [s for s in statements if s["Effect"] == "Deny"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert tls["Action"] == "s3:*"
    (pages,) = [
        o for o in _distribution()["Origins"] if o["Id"] == _distribution()["DefaultCacheBehavior"]["TargetOriginId"]
    ]
    assert pages["OriginAccessControlId"] == {"Fn::GetAtt": ["WebOriginAccessControl", "Id"]}


def test_api_paths_go_uncached_to_the_regional_api_with_everything_the_viewer_sent_but_host() -> None:
    (api,) = [b for b in _distribution()["CacheBehaviors"] if b["PathPattern"] == "/api/*"]
    assert api["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    # Managed-AllViewerExceptHostHeader: Authorization, X-CSRF-Token, Idempotency-Key, cookies, the query.
    assert api["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    (origin,) = [o for o in _distribution()["Origins"] if o["Id"] == api["TargetOriginId"]]
    assert origin["DomainName"]["Fn::Sub"].startswith("${CertTrackerApi}.execute-api.")
    assert "OriginPath" not in origin  # the stage is api: /api/x is the stage's /x as it is
    (rest_api,) = template.resources("AWS::Serverless::Api").values()
    assert rest_api["Properties"]["StageName"] == "api"
    assert rest_api["Properties"]["EndpointConfiguration"] == {"Type": "REGIONAL"}


def _csp_directives() -> dict[str, str]:
    headers = _resource("WebHeadersPolicy")["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    policy = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (part.strip() for part in policy.split(";")) if d}


def test_the_pages_content_security_policy_allows_no_inline_code_and_no_other_origin() -> None:
    directives = _csp_directives()
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    for name, sources in directives.items():
        assert "'unsafe-inline'" not in sources, name
        assert "'unsafe-eval'" not in sources, name
        assert not re.search(r"https?:|\*", sources), f"{name} allows another origin: {sources}"


def test_the_pages_carry_hsts_nosniff_and_no_referrer() -> None:
    headers = _resource("WebHeadersPolicy")["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert _distribution()["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": "WebHeadersPolicy"}


def test_web_pages_have_no_inline_script_or_style_the_policy_would_block() -> None:
    for page in (template.ROOT / "web").rglob("*.html"):
        text = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page.name
        assert "<style" not in text, page.name
        assert " style=" not in text, page.name
        assert not re.search(r"\son[a-z]+=", text), page.name  # inline event handlers are inline script


def _rate_rules() -> dict[str, dict[str, Any]]:
    rules = _resource("WebAcl")["Rules"]
    return {
        rule["Name"]: rule["Statement"]["RateBasedStatement"]
        for rule in rules
        if "RateBasedStatement" in rule["Statement"]
    }


def _prefixes(statement: dict[str, Any]) -> list[str]:
    scope = statement["ScopeDownStatement"]
    matches = scope["OrStatement"]["Statements"] if "OrStatement" in scope else [scope]
    return [m["ByteMatchStatement"]["SearchString"] for m in matches]


@pytest.mark.parametrize(
    ("group", "path"),
    [
        ("login", "/auth/login"),
        ("registration", "/auth/register"),
        ("recovery", "/auth/recovery/username"),
        ("recovery", "/auth/recovery/password"),
        ("recovery", "/auth/password-reset"),
        ("support", "/support/requests"),
        ("support", "/me/support-requests"),
    ],
)
def test_the_waf_rate_limits_each_route_of_login_registration_recovery_and_support(group: str, path: str) -> None:
    assert (path, "POST") in {(route.path, route.method) for route in template.routes()}, "no such route any more"
    limited = [
        name for name, rule in _rate_rules().items() if any(("/api" + path).startswith(p) for p in _prefixes(rule))
    ]
    assert limited == [f"{group}-rate"]
    rule = _rate_rules()[limited[0]]
    assert rule["AggregateKeyType"] == "IP"
    assert rule["Limit"] <= 100


def test_the_waf_also_runs_the_aws_common_rules_and_guards_the_distribution() -> None:
    rules = _resource("WebAcl")["Rules"]
    managed = {
        r["Statement"]["ManagedRuleGroupStatement"]["Name"]
        for r in rules
        if "ManagedRuleGroupStatement" in r["Statement"]
    }
    assert "AWSManagedRulesCommonRuleSet" in managed
    assert _resource("WebAcl")["Scope"] == "CLOUDFRONT"
    # CLOUDFRONT-scope web ACLs exist only in us-east-1: created there, or given as WebAclArn (a rule enforces it).
    assert template.template()["Resources"]["WebAcl"]["Condition"] == "CreatesWebAcl"
    rule = template.template()["Rules"]["CloudFrontWebAclOutsideUsEast1"]
    assert rule["Assertions"][0]["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "WebAclArn"}, ""]}]}
    web_acl = _distribution()["WebACLId"]["Fn::If"]
    assert web_acl[0] == "HasWebAclArn"
    assert web_acl[2]["Fn::If"][1] == {"Fn::GetAtt": ["WebAcl", "Arn"]}


def test_links_in_emails_point_at_one_origin_in_every_function_that_sends() -> None:
    values = [f.environment["WEB_BASE_URL"] for f in template.functions().values() if "WEB_BASE_URL" in f.environment]
    assert len(values) >= 4
    assert all(value == values[0] for value in values)
    parameters = template.parameter_values({"WebBaseUrl": "", "DomainName": "portal.certtracker.org"})
    (function,) = [f for f in template.functions().values() if f.logical_id == "SupportFunction"]
    assert template.resolve_environment(function, parameters)["WEB_BASE_URL"] == "https://portal.certtracker.org"


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_a_placeholder_left_in_samconfig_is_refused_by_its_parameter(environment: str) -> None:
    parameters = template.template()["Parameters"]
    for name, value in _overrides(environment).items():
        if value == "CHANGE-ME":
            assert not re.fullmatch(parameters[name]["AllowedPattern"], value), f"{name} would deploy CHANGE-ME"


# ---------------------------------------------------------------- only CloudFront reaches the API

SECRET_REFERENCE = {"Fn::Sub": "{{resolve:secretsmanager:${ApiOriginSecret}:SecretString}}"}


def _origin_header_checks(statement: dict[str, Any]) -> list[dict[str, Any]]:
    """The header matches of the web ACL's allow rule, in either branch of its rotation condition."""
    if "Fn::If" in statement:
        return [m for branch in statement["Fn::If"][1:] for m in _origin_header_checks(branch)]
    if "OrStatement" in statement:
        return [m for part in statement["OrStatement"]["Statements"] for m in _origin_header_checks(part)]
    return [statement["ByteMatchStatement"]]


def test_cloudfront_sends_the_api_a_secret_header_generated_by_the_stack() -> None:
    (api,) = [o for o in _distribution()["Origins"] if o["Id"] == "api"]
    (header,) = api["OriginCustomHeaders"]
    assert header["HeaderName"].lower() == "x-origin-verify"
    assert header["HeaderValue"] == SECRET_REFERENCE
    secret = _resource("ApiOriginSecret")["GenerateSecretString"]
    assert secret["PasswordLength"] >= 32
    assert secret["ExcludePunctuation"] is True  # a header value, compared byte for byte by WAF


def test_the_apis_web_acl_refuses_every_request_without_cloudfronts_header() -> None:
    acl = _resource("ApiWebAcl")
    assert acl["Scope"] == "REGIONAL"
    assert "Block" in acl["DefaultAction"]
    assert acl["DefaultAction"]["Block"]["CustomResponse"]["ResponseCode"] == 403
    body = acl["CustomResponseBodies"][acl["DefaultAction"]["Block"]["CustomResponse"]["CustomResponseBodyKey"]]
    assert set(json.loads(body["Content"])["error"]) == {"code", "message"}  # the API's error shape
    (allow,) = acl["Rules"]
    assert allow["Action"] == {"Allow": {}}
    checks = _origin_header_checks(allow["Statement"])
    assert {c["FieldToMatch"]["SingleHeader"]["Name"] for c in checks} == {"x-origin-verify"}
    assert all(c["PositionalConstraint"] == "EXACTLY" for c in checks)
    assert all(c["TextTransformations"] == [{"Priority": 0, "Type": "NONE"}] for c in checks)
    # Outside a rotation, the current value alone; during one, the version being replaced as well.
    condition, rotating, usual = allow["Statement"]["Fn::If"]
    assert condition == "RotatesApiOriginSecret"
    assert usual["ByteMatchStatement"]["SearchString"] == SECRET_REFERENCE
    values = [s["ByteMatchStatement"]["SearchString"] for s in rotating["OrStatement"]["Statements"]]
    assert values[0] == SECRET_REFERENCE
    assert values[1]["Fn::Sub"].endswith(":SecretString:::${PreviousApiOriginSecretVersion}}}")
    assert template.template()["Parameters"]["PreviousApiOriginSecretVersion"]["Default"] == ""


def test_the_apis_web_acl_guards_the_stage_the_distribution_calls() -> None:
    association = _resource("ApiWebAclAssociation")
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    # ${CertTrackerApi.Stage} is SAM's stage resource (CertTrackerApiapiStage): the association waits for it.
    assert association["ResourceArn"]["Fn::Sub"] == (
        "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${CertTrackerApi}/stages/${CertTrackerApi.Stage}"
    )
    (rest_api,) = template.resources("AWS::Serverless::Api").values()
    assert rest_api["Properties"]["StageName"] == "api"


def test_a_rotation_updates_the_web_acl_before_the_distribution_and_makes_it_read_the_secret_again() -> None:
    resources = template.template()["Resources"]
    assert resources["WebDistribution"]["DependsOn"] == "ApiWebAcl"
    comment = _distribution()["Comment"]["Fn::If"]
    assert comment[0] == "RotatesApiOriginSecret"
    assert "${PreviousApiOriginSecretVersion}" in comment[1]["Fn::Sub"]
    assert "${PreviousApiOriginSecretVersion}" not in comment[2]["Fn::Sub"]


def test_no_function_is_given_the_origin_secret() -> None:
    for function in template.functions().values():
        assert "ApiOriginSecret" not in json.dumps(function.environment), function.logical_id
        assert "ApiOriginSecret" not in json.dumps(function.policies), function.logical_id


def test_the_functions_that_limit_per_address_read_it_from_cloudfront_when_deployed() -> None:
    readers = {name for name, f in template.functions().items() if "CLIENT_ADDRESS_FROM" in f.environment}
    # login's, anonymous support's, certificate verification's and share views' per-address limits
    assert readers == {"AccountsFunction", "SupportFunction", "VerificationFunction", "SharesFunction"}
    for name in readers:
        assert template.functions()[name].environment["CLIENT_ADDRESS_FROM"] == {"Ref": "ClientAddressFrom"}
    parameter = template.template()["Parameters"]["ClientAddressFrom"]
    assert parameter["Default"] == "cloudfront"
    assert set(parameter["AllowedValues"]) == {"cloudfront", "direct"}
    for environment in ("dev", "prod"):
        assert _overrides(environment).get("ClientAddressFrom", "cloudfront") == "cloudfront", environment
    # The local stack has no CloudFront: there the connection's address is the client's.
    assert template.parameter_values()["ClientAddressFrom"] == "direct"


def test_the_logo_bucket_is_private_encrypted_owner_enforced_tls_only_and_outlives_the_stack() -> None:
    body = template.template()["Resources"]["LogosBucket"]
    assert (body["DeletionPolicy"], body["UpdateReplacePolicy"]) == ("Retain", "Retain")
    bucket = body["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (statement,) = _resource("LogosBucketPolicy")["PolicyDocument"]["Statement"]
    assert (statement["Effect"], statement["Action"]) == ("Deny", "s3:*")
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_credentials_function_may_read_only_the_logos_and_nothing_else_of_s3() -> None:
    function = template.functions()["CredentialsFunction"]
    s3 = [
        statement
        for policy in function.policies
        for statement in policy["Statement"]
        if any(
            str(action).startswith("s3:")
            for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        )
    ]
    assert s3 == [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${LogosBucket.Arn}/logos/*"}}]
    assert function.environment["LOGOS_BUCKET"] == {"Ref": "LogosBucket"}
