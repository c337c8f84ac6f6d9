"""PartnerNetProvisionFunction: each PartnerNet contact change on the provisioning queue is applied exactly once;
a malformed one fails alone and ends in the dead-letter queue."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from itertools import count
from typing import Any

import boto3
import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError
from botocore.exceptions import ClientError

from certtracker.core import clock
from certtracker.core.aws import client
from certtracker.models.accounts import Account, AccountClaim
from certtracker.models.partners import PartnerContact
from infra import template
from infra.lambdas import load_functions
from infra.queues import sqs_event
from tests.functions.conftest import PASSWORD, error, make_candidate

QUEUE = "ProvisioningQueue"
_sequence = count(1)


def change(contact_id: str = "C-1", *, version: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "sequence": next(_sequence),
        "contact_id": contact_id,
        "partner_id": "P-1001",
        "email": "jane.doe@partner.example.com",
        "first_name": "Jane",
        "last_name": "Doe",
        "country": "DE",
        "is_program_manager": False,
        "active": True,
        "version": version,
        "changed_at": (clock.now() - timedelta(minutes=20)).isoformat(),
        **fields,
    }


def enqueue(*changes: dict[str, Any] | str) -> None:
    sqs = boto3.client("sqs")
    for one in changes:
        body = one if isinstance(one, str) else json.dumps(one)
        sqs.send_message(QueueUrl=template.queue_url(QUEUE), MessageBody=body)


def provision(api, *changes: dict[str, Any] | str) -> None:
    enqueue(*changes)
    api.queues.deliver_pending()


def accounts() -> list[Account]:
    return [item for item in Account.scan() if item.pk.startswith("ACCOUNT#")]


def set_password_token(mail, address: str) -> str:
    for message in mail.to(address):
        found = re.search(r"/set-password#token=([A-Za-z0-9_-]+)", message["text"])
        if found:
            return found.group(1)
    raise AssertionError(f"no set-password link was sent to {address}")


def dead_letters() -> list[str]:
    sqs = boto3.client("sqs")
    got = sqs.receive_message(QueueUrl=template.queue_url("ProvisioningDeadLetterQueue"), MaxNumberOfMessages=10)
    return [message["Body"] for message in got.get("Messages", [])]


def test_a_new_contact_gets_an_account_with_its_partner_and_a_set_password_link_that_signs_in(api, mail) -> None:
    provision(api, change(is_program_manager=True))
    [account] = accounts()
    assert account.username == "jane.doe"
    assert account.partner_id == "P-1001"
    assert account.partner_manager is True
    assert account.company == "Example Partner Inc."
    [welcome] = mail.to("jane.doe@partner.example.com")
    assert welcome["subject"] == "Your CertTracker account for Example Partner Inc."
    assert "Your username: jane.doe" in welcome["text"]
    assert api.login("jane.doe").status == 401  # no password until its person sets one

    token = set_password_token(mail, "jane.doe@partner.example.com")
    assert api.call("POST", "/auth/password-reset", {"token": token, "new_password": PASSWORD}).status == 204
    login = api.login("jane.doe")
    assert login.status == 200, login.body
    me = api.call("GET", "/me", token=login.json()["token"]).json()
    assert me["partner_id"] == "P-1001"
    assert me["privacy_notice_version"]  # accepted by setting the password
    again = api.call("POST", "/auth/password-reset", {"token": token, "new_password": "Another-Pass-word-99"})
    assert error(again, 410)["code"] == "link_expired"


def test_the_set_password_link_works_72_hours(api, mail) -> None:
    provision(api, change())
    token = set_password_token(mail, "jane.doe@partner.example.com")
    clock.advance(timedelta(hours=72, minutes=1).total_seconds())
    late = api.call("POST", "/auth/password-reset", {"token": token, "new_password": PASSWORD})
    assert error(late, 410)["code"] == "link_expired"


def test_a_change_delivered_twice_is_applied_once_and_emailed_once(api, mail) -> None:
    first = change()
    provision(api, first, first)
    provision(api, first)
    assert len(accounts()) == 1
    assert len(mail.to("jane.doe@partner.example.com")) == 1


def test_an_older_version_after_a_newer_one_changes_nothing(api, mail) -> None:
    newer = change(version=2, is_program_manager=True)
    provision(api, change(version=1))
    provision(api, newer)
    provision(api, change(version=1, is_program_manager=False))
    [account] = accounts()
    assert account.partner_manager is True
    assert PartnerContact.get("CONTACT#C-1").version == 2


def test_an_existing_account_with_the_email_is_linked_not_duplicated_and_told(api, mail) -> None:
    make_candidate(api, mail, "ada", "ada@example.org")
    clock.advance(timedelta(hours=2).total_seconds())  # she joined the partner later
    provision(api, change(email="ada@example.org", contact_id="C-7"))
    assert len(accounts()) == 1
    me = api.call("GET", "/me", token=api.login("ada").json()["token"]).json()
    assert me["partner_id"] == "P-1001"
    linked = [m for m in mail.to("ada@example.org") if "linked" in m["subject"]]
    assert len(linked) == 1
    assert "ada" in linked[0]["text"]


def test_an_inactive_contact_loses_the_association_and_keeps_account_and_login(api, mail) -> None:
    provision(api, change(is_program_manager=True))
    token = set_password_token(mail, "jane.doe@partner.example.com")
    assert api.call("POST", "/auth/password-reset", {"token": token, "new_password": PASSWORD}).status == 204
    provision(api, change(version=2, active=False, is_program_manager=True))
    [account] = accounts()
    assert account.partner_id is None
    assert not account.partner_manager
    assert api.login("jane.doe").status == 200
    # Active again: associated again, and no second welcome.
    provision(api, change(version=3))
    assert Account.get(account.pk).partner_id == "P-1001"
    assert len([m for m in mail.to("jane.doe@partner.example.com") if "set-password" in m["text"]]) == 1


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        json.dumps({"contact_id": "C-9"}),
        json.dumps(change("C-9", email="not an address")),
        json.dumps(change("C-9", first_name="Evil\u202eName")),
        json.dumps(change("C-9", version=0)),
        json.dumps(change("C-9", is_program_manager="yes")),
        json.dumps(change("C-9", partner_id="P-9999")),  # no such partner
    ],
)
def test_a_poison_message_fails_alone_and_lands_in_the_dead_letter_queue(api, mail, bad) -> None:
    provision(api, change("C-1"), bad, change("C-2", email="max.roe@partner.example.com"))
    assert sorted(account.username for account in accounts()) == ["jane.doe", "max.roe"]
    for _ in range(5):  # its visibility timeout passes each time: delivered again, and failing again
        api.queues.retry_failed()
    assert dead_letters() == [bad]
    assert not AccountClaim.count("EMAIL#not an address")


def test_the_same_change_in_two_containers_at_once_makes_one_account(api, mail, dynamodb_writes_atomically) -> None:
    one = json.dumps(change())
    containers = [load_functions() for _ in range(4)]
    start = threading.Barrier(len(containers))
    event = {"Records": [{**record, "body": one} for record in sqs_event(QUEUE, [_message(one)])["Records"]]}

    def deliver(functions: dict[str, Any]) -> Any:
        function = functions["PartnerNetProvisionFunction"]
        function.load()
        start.wait()
        try:
            return function.invoke(event)
        except BatchProcessingError:  # the batch's one record failed: Lambda hands the message back later
            return "comes back"

    with ThreadPoolExecutor(max_workers=len(containers)) as pool:
        answers = list(pool.map(deliver, containers))
    # One applies it and sends the email; one that finds the email being sent comes back later, and then is done.
    assert {"batchItemFailures": []} in answers, answers
    assert len(accounts()) == 1
    assert len(mail.to("jane.doe@partner.example.com")) == 1
    assert containers[0]["PartnerNetProvisionFunction"].invoke(event) == {"batchItemFailures": []}
    assert len(mail.to("jane.doe@partner.example.com")) == 1


def _message(body: str) -> dict[str, Any]:
    return {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body}


def test_a_welcome_email_that_fails_is_sent_when_the_message_comes_back(api, mail, monkeypatch) -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "down"}}, "SendEmail")

    monkeypatch.setattr(client("sesv2"), "send_email", refuse)
    provision(api, change())
    assert len(accounts()) == 1  # applied; the email is owed
    assert PartnerContact.get("CONTACT#C-1").notice == "welcome"
    monkeypatch.undo()
    api.queues.retry_failed()
    assert len(mail.to("jane.doe@partner.example.com")) == 1
    assert PartnerContact.get("CONTACT#C-1").notice is None
    assert len(accounts()) == 1


def test_erasing_a_partner_employee_unlinks_the_contact_and_tells_the_partner_program_team(api, mail) -> None:
    provision(api, change(is_program_manager=True))
    token = set_password_token(mail, "jane.doe@partner.example.com")
    assert api.call("POST", "/auth/password-reset", {"token": token, "new_password": PASSWORD}).status == 204
    session = api.login("jane.doe").json()["token"]
    exported = api.call("GET", "/me/export", token=session).json()
    assert exported["partner"] == {"partner_id": "P-1001", "program_manager": True, "partnernet_contact_id": "C-1"}

    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=session).status == 204
    [told] = [m for m in mail.all() if "was erased" in m["subject"]]
    assert "C-1" in told["text"]
    assert "jane" not in told["text"].lower()  # the team looks the contact up in PartnerNet
    assert PartnerContact.get("CONTACT#C-1").account_id is None
    assert accounts() == []

    # PartnerNet's next change for the contact provisions a new, empty account.
    provision(api, change(version=2))
    [fresh] = accounts()
    assert fresh.username == "jane.doe"
    assert len([m for m in mail.to("jane.doe@partner.example.com") if "set-password" in m["text"]]) == 2
