"""template.yaml as SAM deploys it: SAM's own translator, offline, and what the transformed template must hold.

The other template tests read template.yaml as written; what reaches CloudFormation is SAM's expansion of it
(the stages of an API, the roles and their managed policies, event source mappings, rules, invoke configs).
The translator runs here without AWS: code folders become S3 locations as `sam package` leaves them, and
the template names no managed policy that would need IAM's list of them.
"""

from __future__ import annotations

import copy
import json
import operator
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from certtracker.core.api import MAX_BODY_BYTES, CertTrackerResolver, StrictModel
from infra import queues, scheduler, template
from infra.events import LambdaContext, rest_event

# The managed policies SAM attaches (logs for every function, X-Ray for active tracing) and the one the stack
# names itself (API Gateway's logging role): none grants anything on SQS. Another one is read before it is added.
MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
}
# WAF's body inspection limits (AssociationConfig), in bytes; CloudFront's default is 16 KB.
INSPECTION_LIMITS = {"KB_16": 16 * 1024, "KB_32": 32 * 1024, "KB_48": 48 * 1024, "KB_64": 64 * 1024}
# What the managed rule SizeRestrictions_BODY of AWSManagedRulesCommonRuleSet blocks (AWS's documentation).
MANAGED_BODY_LIMIT = 8 * 1024


def _packaged(document: dict[str, Any]) -> dict[str, Any]:
    """The template as `sam package` hands it on: local code and layer folders become S3 locations."""
    packaged = copy.deepcopy(document)
    for body in packaged["Resources"].values():
        properties = body.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str) and not properties[key].startswith("s3://"):
                properties[key] = "s3://certtracker-artifacts/" + properties[key].strip("/")
    return packaged


@pytest.fixture(scope="module")
def transformed() -> dict[str, Any]:
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=template.LOCAL_REGION))
    translated = translator.translate(_packaged(template.template()), parameter_values={}, get_managed_policy_map=dict)
    return json.loads(json.dumps(translated))  # plain dicts and lists, as CloudFormation would read them


def _of_type(transformed: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for name, body in transformed["Resources"].items() if body["Type"] == kind}


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _refers_to(value: Any, logical_id: str) -> bool:
    """Whether an intrinsic (Ref, GetAtt, or a ${...} in a Sub) names this resource."""
    text = json.dumps(value)
    return (
        f'{{"Ref": "{logical_id}"}}' in text
        or f'"Fn::GetAtt": ["{logical_id}", ' in text
        or f"${{{logical_id}}}" in text
        or f"${{{logical_id}." in text
    )


# ---------------------------------------------------------------- one stage, behind the web ACL


def test_the_api_has_one_stage_and_it_is_the_one_the_web_acl_guards(transformed: dict[str, Any]) -> None:
    (stage_id, stage), *others = _of_type(transformed, "AWS::ApiGateway::Stage").items()
    assert not others, "API Gateway would serve each stage at its own path, around the web ACL"
    # A deployment given a StageName makes a stage of its own (SAM's "Stage"), one no resource above shows.
    for name, deployment in _of_type(transformed, "AWS::ApiGateway::Deployment").items():
        assert "StageName" not in deployment["Properties"], name
    assert stage["Properties"]["StageName"] == "api"
    (association,) = _of_type(transformed, "AWS::WAFv2::WebACLAssociation").values()
    arn = association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn.endswith(f"/stages/${{{stage_id}}}")
    assert _refers_to(stage["Properties"]["RestApiId"], "CertTrackerApi")
    assert "/restapis/${CertTrackerApi}/" in arn
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    # And that stage has what the extra one lacked: access logs, tracing, throttling.
    assert stage["Properties"]["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    assert stage["Properties"]["TracingEnabled"] is True
    assert all("ThrottlingRateLimit" in setting for setting in stage["Properties"]["MethodSettings"])


def test_every_lambda_permission_of_the_api_is_for_the_api_itself(transformed: dict[str, Any]) -> None:
    for name, permission in _of_type(transformed, "AWS::Lambda::Permission").items():
        if permission["Properties"]["Principal"] == "apigateway.amazonaws.com":
            assert _refers_to(permission["Properties"]["SourceArn"], "CertTrackerApi"), name


# ---------------------------------------------------------------- the edge accepts what the API accepts


def _distribution_acl(transformed: dict[str, Any]) -> dict[str, Any]:
    return dict(transformed["Resources"]["WebAcl"]["Properties"])


def _inspection_limit(acl: dict[str, Any]) -> int:
    scope = "CLOUDFRONT" if acl["Scope"] == "CLOUDFRONT" else "API_GATEWAY"
    limit = acl.get("AssociationConfig", {}).get("RequestBody", {}).get(scope, {}).get("DefaultSizeInspectionLimit")
    return INSPECTION_LIMITS[limit or "KB_16"]


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "GT": operator.gt,
    "GE": operator.ge,
    "LT": operator.lt,
    "LE": operator.le,
    "EQ": operator.eq,
    "NE": operator.ne,
}


def _size_rule_matches(statement: dict[str, Any], size: int, inspection_limit: int) -> bool:
    """WAF's size constraint on the body: a body past the inspection limit is handled by OversizeHandling
    (MATCH, NO_MATCH, or CONTINUE with what was inspected)."""
    handling = statement["FieldToMatch"]["Body"].get("OversizeHandling", "CONTINUE")
    if size > inspection_limit:
        if handling != "CONTINUE":
            return bool(handling == "MATCH")
        size = inspection_limit
    return _COMPARE[statement["ComparisonOperator"]](size, int(statement["Size"]))


def _body_size_rules(acl: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for rule in acl["Rules"]:
        constraint = rule["Statement"].get("SizeConstraintStatement")
        if constraint is not None and "Body" in constraint["FieldToMatch"]:
            yield rule


def _waf_blocks_a_body_of(acl: dict[str, Any], size: int) -> bool:
    """Whether the web ACL blocks a request for its body's size alone: its own size rules, and the managed
    SizeRestrictions_BODY unless its action is overridden."""
    limit = _inspection_limit(acl)
    for rule in acl["Rules"]:
        group = rule["Statement"].get("ManagedRuleGroupStatement")
        if group and group["Name"] == "AWSManagedRulesCommonRuleSet" and "None" in rule["OverrideAction"]:
            overrides = {o["Name"]: o["ActionToUse"] for o in group.get("RuleActionOverrides", [])}
            if "Block" in overrides.get("SizeRestrictions_BODY", {"Block": {}}) and size > MANAGED_BODY_LIMIT:
                return True
    return any(
        "Block" in rule["Action"] and _size_rule_matches(rule["Statement"]["SizeConstraintStatement"], size, limit)
        for rule in _body_size_rules(acl)
    )


class _Message(StrictModel):
    text: str


_app = CertTrackerResolver()


@_app.post("/messages")
def _post_message(body: _Message) -> dict[str, int]:
    return {"length": len(body.text)}


def _json_body_of(size: int, letter: str = "x") -> bytes:
    """A JSON body of exactly `size` bytes (a one-byte or two-byte letter repeated)."""
    frame = len(b'{"text": ""}')
    count, rest = divmod(size - frame, len(letter.encode()))
    body = json.dumps({"text": letter * count + "x" * rest}, ensure_ascii=False).encode()
    assert len(body) == size
    return body


def _api_accepts(body: bytes) -> bool:
    event = rest_event("POST", "/messages", body=body, headers={"Content-Type": "application/json"})
    status = _app.resolve(event, LambdaContext("test"))["statusCode"]
    assert status in (200, 413), status
    return bool(status == 200)


@pytest.mark.parametrize("size", [20, 9_000, MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, 64 * 1024])
def test_the_edge_blocks_a_body_exactly_when_the_api_would_refuse_it(transformed: dict[str, Any], size: int) -> None:
    body = _json_body_of(size)
    assert _waf_blocks_a_body_of(_distribution_acl(transformed), len(body)) is not _api_accepts(body)


def test_a_five_thousand_character_cyrillic_support_message_passes_the_edge(transformed: dict[str, Any]) -> None:
    body = json.dumps({"text": "ж" * 5000}, ensure_ascii=False).encode()  # two bytes a letter: about 10 KB
    assert MANAGED_BODY_LIMIT < len(body) <= MAX_BODY_BYTES
    assert not _waf_blocks_a_body_of(_distribution_acl(transformed), len(body))
    assert _api_accepts(body)


def test_the_waf_reads_every_body_the_api_accepts_and_refuses_the_rest_as_the_api_does(
    transformed: dict[str, Any],
) -> None:
    acl = _distribution_acl(transformed)
    assert _inspection_limit(acl) >= MAX_BODY_BYTES
    (rule,) = _body_size_rules(acl)
    assert rule["Statement"]["SizeConstraintStatement"]["Size"] == MAX_BODY_BYTES
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 413
    content = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
    assert content["error"]["code"] == "payload_too_large"  # the API's own 413 (certtracker/core/api.py)
    assert f"larger than {MAX_BODY_BYTES} bytes" in content["error"]["message"]


# ---------------------------------------------------------------- no silent failure


def _alarms(transformed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: body["Properties"] for name, body in _of_type(transformed, "AWS::CloudWatch::Alarm").items()}


def _watched_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm reads: its own, or each of its metric math's."""
    if "MetricName" in alarm:
        return [{key: alarm.get(key) for key in ("Namespace", "MetricName", "Dimensions")}]
    return [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]


def _depth_alarms_of(transformed: dict[str, Any], queue: str) -> list[dict[str, Any]]:
    return [
        alarm
        for alarm in _alarms(transformed).values()
        for metric in _watched_metrics(alarm)
        if metric["Namespace"] == "AWS/SQS"
        and metric["MetricName"] == "ApproximateNumberOfMessagesVisible"
        and _refers_to(metric["Dimensions"], queue)
    ]


def _queue_of(arn: Any) -> str:
    assert set(arn) == {"Fn::GetAtt"}, arn
    assert arn["Fn::GetAtt"][1] == "Arn", arn
    return str(arn["Fn::GetAtt"][0])


def _function_invoked(transformed: dict[str, Any], arn: Any) -> str | None:
    """The function an invoker's ARN names: the function itself, or an alias of it (AutoPublishAlias)."""
    if "Fn::GetAtt" in arn:
        named = arn["Fn::GetAtt"][0]
    elif "Ref" in arn:
        named = arn["Ref"]
    else:
        return None
    resource = transformed["Resources"].get(named, {})
    if resource.get("Type") == "AWS::Lambda::Alias":
        return str(resource["Properties"]["FunctionName"]["Ref"])
    return str(named) if resource.get("Type") == "AWS::Lambda::Function" else None


def _scheduled_targets(transformed: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(rule, function, target) for every schedule or event rule that invokes a function (asynchronously)."""
    return [
        (rule_name, function, target)
        for rule_name, rule in _of_type(transformed, "AWS::Events::Rule").items()
        for target in rule["Properties"]["Targets"]
        if (function := _function_invoked(transformed, target["Arn"])) is not None
    ]


def _statements_of_role(transformed: dict[str, Any], function: str) -> list[dict[str, Any]]:
    role = transformed["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = transformed["Resources"][role]["Properties"].get("Policies", [])
    return [statement for policy in policies for statement in _listed(policy["PolicyDocument"]["Statement"])]


def _granted(transformed: dict[str, Any], function: str, action: str, queue: str) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and action in _listed(statement["Action"])
        and any(resource == {"Fn::GetAtt": [queue, "Arn"]} for resource in _listed(statement["Resource"]))
        for statement in _statements_of_role(transformed, function)
    )


def test_every_scheduled_run_that_fails_is_retried_and_then_set_aside_in_an_alarmed_queue(
    transformed: dict[str, Any],
) -> None:
    targets = _scheduled_targets(transformed)
    assert targets
    configs = {
        config["Properties"]["FunctionName"]["Ref"]: config["Properties"]
        for config in _of_type(transformed, "AWS::Lambda::EventInvokeConfig").values()
    }
    for rule, function, target in targets:
        # A run that fails: Lambda's own retries, then its record (event and error) on a queue.
        config = configs[function]
        assert 0 < config["MaximumRetryAttempts"] <= 2, function
        queue = _queue_of(config["DestinationConfig"]["OnFailure"]["Destination"])
        assert _granted(transformed, function, "sqs:SendMessage", queue), f"{function} cannot write to {queue}"
        assert _depth_alarms_of(transformed, queue), f"nothing watches {queue}"
        # An event the rule could not hand to Lambda: retried within a bound, then the same queue.
        assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] <= config["MaximumEventAgeInSeconds"], rule
        assert _queue_of(target["DeadLetterConfig"]["Arn"]) == queue, rule
        (policy,) = [
            p["Properties"]
            for p in _of_type(transformed, "AWS::SQS::QueuePolicy").values()
            if _refers_to(p["Properties"]["Queues"], queue)
        ]
        (allowed,) = policy["PolicyDocument"]["Statement"]
        assert allowed["Principal"] == {"Service": "events.amazonaws.com"}
        assert allowed["Action"] == "sqs:SendMessage"
        assert {"Fn::GetAtt": [rule, "Arn"]} in allowed["Condition"]["ArnEquals"]["aws:SourceArn"], rule


def test_every_queue_consumer_sets_aside_what_keeps_failing_in_an_alarmed_dead_letter_queue(
    transformed: dict[str, Any],
) -> None:
    mappings = _of_type(transformed, "AWS::Lambda::EventSourceMapping").values()
    assert mappings
    for mapping in mappings:
        queue = _queue_of(mapping["Properties"]["EventSourceArn"])
        # One bad message fails alone (partial batch responses) and reaches the dead letters after its retries.
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        redrive = transformed["Resources"][queue]["Properties"]["RedrivePolicy"]
        assert 1 < redrive["maxReceiveCount"] <= 10
        dead_letters = _queue_of(redrive["deadLetterTargetArn"])
        assert _depth_alarms_of(transformed, dead_letters), f"nothing watches {dead_letters}"


def _errors_alarms_of(transformed: dict[str, Any], function: str) -> list[dict[str, Any]]:
    return [
        alarm
        for alarm in _alarms(transformed).values()
        for metric in _watched_metrics(alarm)
        if (metric["Namespace"], metric["MetricName"]) == ("AWS/Lambda", "Errors")
        and {"Name": "FunctionName", "Value": {"Ref": function}} in metric["Dimensions"]
    ]


@pytest.mark.parametrize("function", sorted(template.functions()))
def test_every_function_has_an_alarm_on_its_lambda_errors(transformed: dict[str, Any], function: str) -> None:
    assert transformed["Resources"][function]["Type"] == "AWS::Lambda::Function"
    (alarm,) = _errors_alarms_of(transformed, function)
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    # No invocation is no error: a quiet night is not an alarm.
    assert alarm["TreatMissingData"] == "notBreaching"


def test_the_authorizers_errors_alarm_does_not_count_its_refusals_of_logged_out_calls(
    transformed: dict[str, Any],
) -> None:
    (alarm,) = _errors_alarms_of(transformed, template.authorizer_function())
    (shown,) = [query for query in alarm["Metrics"] if query.get("ReturnData")]
    (refused,) = [
        query["Id"]
        for query in alarm["Metrics"]
        if query.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "AuthorizerRefused"
    ]
    assert f"- FILL({refused}, 0)" in shown["Expression"]


def test_every_function_in_the_transformed_template_is_one_of_the_templates(transformed: dict[str, Any]) -> None:
    assert set(_of_type(transformed, "AWS::Lambda::Function")) == set(template.functions())


# ---------------------------------------------------------------- least privilege on SQS


def _managed_arn(value: Any) -> str:
    """A managed policy's ARN, written out or as a Sub of the partition."""
    text = value["Fn::Sub"] if isinstance(value, dict) and set(value) == {"Fn::Sub"} else value
    assert isinstance(text, str), value
    return text.replace("${AWS::Partition}", "aws")


def test_no_role_holds_a_managed_policy_beyond_the_known_ones_and_none_grants_sqs(transformed: dict[str, Any]) -> None:
    for name, role in _of_type(transformed, "AWS::IAM::Role").items():
        managed = {_managed_arn(arn) for arn in role["Properties"].get("ManagedPolicyArns", [])}
        assert not [arn for arn in managed if "SQS" in arn.upper()], name
        assert managed <= MANAGED_POLICIES, f"{name}: {managed - MANAGED_POLICIES}"


def test_no_statement_grants_an_sqs_action_on_every_resource(transformed: dict[str, Any]) -> None:
    for name, role in _of_type(transformed, "AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []):
            for statement in _listed(policy["PolicyDocument"]["Statement"]):
                actions = [str(action).lower() for action in _listed(statement["Action"])]
                if any(action in ("*", "sqs:*") or action.startswith("sqs:") for action in actions):
                    for resource in _listed(statement["Resource"]):
                        assert "*" not in json.dumps(resource), f"{name}: {statement}"


def test_each_consumer_may_receive_and_delete_on_its_own_queue_and_no_other(transformed: dict[str, Any]) -> None:
    for mapping in _of_type(transformed, "AWS::Lambda::EventSourceMapping").values():
        function = _function_invoked(transformed, mapping["Properties"]["FunctionName"])
        assert function is not None, mapping
        queue = _queue_of(mapping["Properties"]["EventSourceArn"])
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"):
            assert _granted(transformed, function, action, queue), f"{function} lacks {action} on {queue}"
        for statement in _statements_of_role(transformed, function):
            if "sqs:ReceiveMessage" in _listed(statement["Action"]):
                assert _listed(statement["Resource"]) == [{"Fn::GetAtt": [queue, "Arn"]}], function


# ---------------------------------------------------------------- a backlog cannot starve the API


def test_every_event_source_mapping_has_a_maximum_concurrency(transformed: dict[str, Any]) -> None:
    mappings = _of_type(transformed, "AWS::Lambda::EventSourceMapping")
    assert mappings
    for name, mapping in mappings.items():
        # Lambda's minimum is 2; more than a few would let a backlog take what a new account has (10 in all).
        assert 2 <= mapping["Properties"]["ScalingConfig"]["MaximumConcurrency"] <= 5, name


def test_the_local_stack_feeds_the_queues_and_runs_the_schedules_the_deployed_stack_has(
    transformed: dict[str, Any],
) -> None:
    deployed_mappings = {
        (
            _function_invoked(transformed, m["Properties"]["FunctionName"]),
            _queue_of(m["Properties"]["EventSourceArn"]),
            m["Properties"]["BatchSize"],
        )
        for m in _of_type(transformed, "AWS::Lambda::EventSourceMapping").values()
    }
    assert {(c.function, c.queue, c.batch_size) for c in queues.consumers()} == deployed_mappings
    deployed_schedules = {
        (function, transformed["Resources"][rule]["Properties"]["ScheduleExpression"])
        for rule, function, _ in _scheduled_targets(transformed)
    }
    assert {(s.function, s.expression) for s in scheduler.schedules()} == deployed_schedules


# ---------------------------------------------------------------- the staff actions' record


def test_the_staff_functions_log_group_outlives_the_stack(transformed: dict[str, Any]) -> None:
    (group,) = [
        body
        for body in _of_type(transformed, "AWS::Logs::LogGroup").values()
        if _refers_to(body["Properties"].get("LogGroupName"), "ProgramStaffFunction")
    ]
    assert group["DeletionPolicy"] == group["UpdateReplacePolicy"] == "Retain"
    assert group["Properties"]["RetentionInDays"] >= 731


def test_who_invoked_the_staff_function_is_recorded_by_cloudtrail_in_a_bucket_that_outlives_the_stack(
    transformed: dict[str, Any],
) -> None:
    """`by` is typed by the caller; the identity IAM authenticated is in CloudTrail's data event of the invocation
    (joined to the staff function's log lines by the invocation's request id)."""
    (trail,) = _of_type(transformed, "AWS::CloudTrail::Trail").values()
    (selector,) = trail["Properties"]["AdvancedEventSelectors"]
    fields = {field["Field"]: field for field in selector["FieldSelectors"]}
    assert fields["eventCategory"]["Equals"] == ["Data"]
    assert fields["resources.type"]["Equals"] == ["AWS::Lambda::Function"]
    assert _refers_to(fields["resources.ARN"]["StartsWith"], "ProgramStaffFunction")
    assert trail["Properties"]["IsLogging"] is True
    assert trail["Properties"]["EnableLogFileValidation"] is True
    bucket_id = trail["Properties"]["S3BucketName"]["Ref"]
    bucket = transformed["Resources"][bucket_id]
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")


# ---------------------------------------------------------------- SnapStart, a deploy parameter


def test_snapstart_follows_its_parameter_where_a_person_waits_and_is_off_elsewhere(transformed: dict[str, Any]) -> None:
    functions = _of_type(transformed, "AWS::Lambda::Function")
    waited = {route.function for route in template.routes()} | {template.authorizer_function()}
    assert waited < set(functions)
    for name, function in functions.items():
        applied = function["Properties"]["SnapStart"]["ApplyOn"]
        if name in waited:
            assert applied == {"Fn::If": ["SnapStartOn", "PublishedVersions", "None"]}, name
        else:  # queue consumers, schedules, the staff function: a snapshot cached for nobody to wait less
            assert applied == "None", name
    assert transformed["Parameters"]["SnapStart"]["Default"] == "off"
    assert transformed["Conditions"]["SnapStartOn"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "on"]}


def test_every_invoker_calls_the_published_alias_where_snapstart_applies(transformed: dict[str, Any]) -> None:
    """SnapStart applies to published versions only: an invoker of $LATEST would cold-start in full."""
    aliases = _of_type(transformed, "AWS::Lambda::Alias")
    for name, permission in _of_type(transformed, "AWS::Lambda::Permission").items():
        assert permission["Properties"]["FunctionName"]["Ref"] in aliases, name
    for name, mapping in _of_type(transformed, "AWS::Lambda::EventSourceMapping").items():
        assert mapping["Properties"]["FunctionName"]["Ref"] in aliases, name
    for rule, _, target in _scheduled_targets(transformed):
        assert target["Arn"]["Ref"] in aliases, rule
    uris = [
        json.dumps(method["Properties"]["Integration"]["Uri"])
        for method in _of_type(transformed, "AWS::ApiGateway::Method").values()
        if "Integration" in method["Properties"]
    ]
    body = json.dumps(_of_type(transformed, "AWS::ApiGateway::RestApi"))
    assert "Aliaslive" in body or all("Aliaslive" in uri for uri in uris)
    assert ".Arn}/invocations" not in body  # no integration of an unqualified function
