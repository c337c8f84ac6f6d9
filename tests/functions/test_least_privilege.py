"""Least privilege, proven: each function runs with only its template environment, and only its grants.

The grants no test used are listed (and fail the run) when the whole ring has run: see conftest.py.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from certtracker.accounts import verification
from certtracker.exams import catalog
from infra import iam, lambdas, template
from infra.events import authorizer_event, rest_event

from .conftest import PASSWORD, PEARSON_VUE, make_candidate


def _own_variables(name: str) -> dict[str, str]:
    """What template.yaml gives the function (Globals and its own), resolved as the ring does."""
    return template.resolve_environment(template.functions()[name], lambdas.process_parameters())


def _declared_in(environment: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in environment.items() if key in lambdas.declared_variables()}


def _spy(function: lambdas.LocalFunction, seen: list[dict[str, str]], between: Any = None) -> Any:
    """Wrap a loaded function's handler: note its environment at the start and at the end of each invocation."""
    function.load_module()
    original = function._handler
    assert original is not None

    def handler(event: dict[str, Any], context: Any) -> Any:
        seen.append(dict(os.environ))
        if between is not None:
            between()
        try:
            return original(event, context)
        finally:
            seen.append(dict(os.environ))

    function._handler = handler
    return original


@pytest.mark.parametrize("name", sorted(template.functions()))
def test_each_function_runs_with_only_the_variables_its_template_entry_gives_it(gateway, name):
    with gateway.functions[name].running():
        seen = dict(os.environ)
    assert _declared_in(seen) == _own_variables(name)
    assert seen["AWS_REGION"] == os.environ["AWS_REGION"]  # what the Lambda runtime gives is still there


def test_a_function_does_not_see_the_variables_of_the_authorizer_called_just_before(api, candidate, gateway):
    me, seen = gateway.functions["MeFunction"], []
    original = _spy(me, seen)
    try:
        assert api.call("GET", "/me", token=candidate["token"]).status == 200
    finally:
        me._handler = original
    assert seen, "MeFunction was not invoked"
    for environment in seen:
        assert _declared_in(environment) == _own_variables("MeFunction")
        assert "SESSIONS_TABLE" not in environment
    assert "SESSIONS_TABLE" in os.environ  # the tests themselves still see every table


def test_concurrent_invocations_of_one_function_keep_its_environment_while_another_function_runs(api, gateway):
    """Four MeFunction invocations and one authorizer invocation, all inside their handlers at once."""
    me, authorizer = gateway.functions["MeFunction"], gateway.functions["AuthorizerFunction"]
    all_inside = threading.Barrier(5, timeout=30)
    seen_by_me: list[dict[str, str]] = []
    seen_by_authorizer: list[dict[str, str]] = []
    originals = _spy(me, seen_by_me, all_inside.wait), _spy(authorizer, seen_by_authorizer, all_inside.wait)
    errors: list[BaseException] = []

    def call(function: lambdas.LocalFunction) -> None:
        event = authorizer_event("GET", "/me", resource="/me") if function is authorizer else rest_event("GET", "/me")
        try:
            function.invoke(event, serialized=False)
        except BaseException as error:  # the handlers answer errors for this bare event, or raise
            errors.append(error)

    threads = [threading.Thread(target=call, args=(me,)) for _ in range(4)]
    threads.append(threading.Thread(target=call, args=(authorizer,)))
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        me._handler, authorizer._handler = originals
    assert not all_inside.broken, "the invocations did not run at the same time"
    assert len(seen_by_me) == 8
    assert len(seen_by_authorizer) == 2
    assert all(_declared_in(seen) == _own_variables("MeFunction") for seen in seen_by_me)
    assert all(_declared_in(seen) == _own_variables("AuthorizerFunction") for seen in seen_by_authorizer)
    assert not [error for error in errors if isinstance(error, iam.MissingGrant)]


def test_a_call_outside_the_grants_fails_where_it_is_made_naming_function_action_and_resource(api, gateway):
    with gateway.functions["MeFunction"].running(), pytest.raises(iam.MissingGrant) as refused:
        boto3.client("dynamodb").get_item(TableName="LoginThrottleTable", Key={"key": {"S": "user#x"}})
    assert str(refused.value).startswith(
        "MeFunction is not granted dynamodb:GetItem on arn:aws:dynamodb:us-east-1:123456789012:table/LoginThrottleTable"
    )
    assert iam.RECORDER.take_violations()  # seen: the autouse check would fail this test otherwise


def test_on_the_local_stack_a_call_outside_the_grants_is_denied_as_aws_would(api, gateway):
    iam.install("deny")
    try:
        with gateway.functions["CatalogFunction"].running(), pytest.raises(ClientError) as denied:
            boto3.client("dynamodb").put_item(TableName="CatalogTable", Item={"pk": {"S": "x"}, "sk": {"S": "y"}})
    finally:
        iam.install("raise")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "CatalogFunction is not granted dynamodb:PutItem" in str(denied.value)
    iam.RECORDER.take_violations()


def test_the_profile_function_may_tell_an_addresss_owner_of_an_email_change_to_it(api, mail, gateway):
    """PATCH /me/profile to an email that has an account counts the notices to its owner (a throttle)."""
    make_candidate(api, mail, "bob", "bob@example.org")
    before = len(mail.to("bob@example.org"))
    with gateway.functions["ProfileFunction"].running():
        assert verification.tell_owner_of_existing_email("bob@example.org")
    assert len(mail.to("bob@example.org")) == before + 1


# Paths that use a grant and that no other handler test took.


def test_erasure_deletes_the_support_requests_filed_from_the_account(api, mail, candidate):
    filed = api.call(
        "POST",
        "/me/support-requests",
        {"category": "exams", "subject": "Voucher not accepted", "message": "My voucher code is refused at checkout."},
        token=candidate["token"],
    )
    assert filed.status == 201, filed.body

    erased = api.call("DELETE", "/me", {"password": PASSWORD}, token=candidate["token"])

    assert erased.status == 204, erased.body
    stored = boto3.client("dynamodb").scan(TableName="SupportRequestsTable")["Items"]
    assert [item for item in stored if "voucher code" in str(item)] == []


def test_a_cold_webhook_container_reads_the_catalog_itself(api, candidate):
    """The catalog is cached per container; here one process holds every function, so drop the exams function's copy."""
    registered = api.call("POST", "/me/exam-registrations", {"exam_id": "250-580"}, token=candidate["token"])
    assert registered.status == 201, registered.body
    catalog.forget_cache()
    payload = {
        "result_id": "cold-1",
        "registration_id": registered.json()["registration_id"],
        "score": 82,
        "passed": True,
        "taken_at": datetime.now(UTC).isoformat(),
        "delivery": "test_center",
    }
    body, headers = PEARSON_VUE.signed_delivery(payload)

    stored = api.call("POST", "/integrations/pearson-vue/results", raw=body, headers=headers)

    assert stored.json() == {"status": "stored"}
    assert api.call("GET", "/me/exams", token=candidate["token"]).json()["results"][0]["pass_mark"] == 70
