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
from certtracker.models.one_time_tokens import OneTimeToken
from certtracker.models.partners import DOMAIN_PREFIX, PartnerContact, PartnerDomain
from certtracker.partners.provisioning import REQUEST_TTL
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


def test_the_set_password_page_learns_the_username_and_company_and_the_profile_names_the_company(api, mail) -> None:
    provision(api, change())
    token = set_password_token(mail, "jane.doe@partner.example.com")
    described = api.call("POST", "/auth/password-link", {"token": token})
    assert described.status == 200, described.body
    assert described.json() == {"purpose": "set_password", "username": "jane.doe", "company": "Example Partner Inc."}

    assert api.call("POST", "/auth/password-reset", {"token": token, "new_password": PASSWORD}).status == 204
    assert error(api.call("POST", "/auth/password-link", {"token": token}), 410)["code"] == "link_expired"
    me = api.call("GET", "/me", token=api.login("jane.doe").json()["token"]).json()
    assert (me["partner_id"], me["partner_name"]) == ("P-1001", "Example Partner Inc.")


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


def joins_partner(domain: str, partner_id: str) -> None:
    """A partner acquires a domain (the sync writes what PartnerNet says): addresses registered there before now
    belong to the partner."""
    PartnerDomain(pk=DOMAIN_PREFIX + domain, partner_id=partner_id).save()


def account_of(username: str) -> Account:
    [found] = [account for account in accounts() if account.username == username]
    return found


def report_status(api, candidate: dict[str, str], partner_id: str = "P-1001") -> int:
    return api.call("GET", f"/partners/{partner_id}/credentials", token=candidate["token"]).status


def requests_to(mail, address: str) -> list[dict[str, Any]]:
    return [m for m in mail.to(address) if "/confirm-partner#token=" in m["text"]]


def test_a_contact_outside_the_partners_domains_links_nothing_even_with_the_address_in_another_case(api, mail) -> None:
    bob = make_candidate(api, mail, "bob", "bob@example.org")
    before = len(mail.to("bob@example.org"))
    provision(api, change(contact_id="C-7", email="Bob@Example.org", is_program_manager=True))
    account = account_of("bob")
    assert account.partner_id is None
    assert not account.partner_manager
    assert account.partner_contact_id is None
    assert len(mail.to("bob@example.org")) == before  # not even asked: the address is not the partner's
    assert report_status(api, bob) == 403
    assert PartnerContact.get("CONTACT#C-7").account_id is None
    assert len(accounts()) == 1


def test_an_existing_account_is_linked_and_made_manager_only_when_its_owner_confirms(api, mail) -> None:
    ada = make_candidate(api, mail, "ada", "ada@fabrikam.example")
    joins_partner("fabrikam.example", "P-1001")
    manager = change(contact_id="C-7", email="Ada@Fabrikam.example", is_program_manager=True)
    provision(api, manager, manager)
    provision(api, manager)
    account = account_of("ada")
    assert (account.partner_id, account.partner_manager, account.partner_contact_id) == (None, None, None)
    assert report_status(api, ada) == 403
    [asked] = requests_to(mail, "ada@fabrikam.example")
    assert "Example Partner Inc." in asked["subject"]
    assert "Nothing changes unless you confirm" in asked["text"]

    token = mail.latest_link("ada@fabrikam.example", "/confirm-partner")
    shown = api.call("POST", "/partner-association/preview", {"token": token})
    assert shown.status == 200, shown.body
    assert shown.json()["partner_name"] == "Example Partner Inc."
    assert shown.json()["username"] == "ada"
    assert account_of("ada").partner_id is None  # looking changes nothing

    confirmed = api.call("POST", "/partner-association/confirm", {"token": token})
    assert confirmed.status == 200, confirmed.body
    assert "Example Partner Inc." in confirmed.json()["message"]
    account = account_of("ada")
    assert (account.partner_id, account.partner_manager, account.partner_contact_id) == ("P-1001", True, "C-7")
    assert report_status(api, ada) == 200
    assert error(api.call("POST", "/partner-association/confirm", {"token": token}), 410)["code"] == "link_expired"
    # A later version of the linked contact keeps the flag in step, with no new request.
    provision(api, change(contact_id="C-7", version=2, email="ada@fabrikam.example", is_program_manager=False))
    assert account_of("ada").partner_manager is False
    assert len(requests_to(mail, "ada@fabrikam.example")) == 1


def test_refusing_leaves_the_account_as_it_was_and_tells_the_partner_program_team(api, mail) -> None:
    make_candidate(api, mail, "ada", "ada@fabrikam.example")
    joins_partner("fabrikam.example", "P-1001")
    provision(api, change(contact_id="C-7", email="ada@fabrikam.example", is_program_manager=True))
    token = mail.latest_link("ada@fabrikam.example", "/confirm-partner")
    assert api.call("POST", "/partner-association/refuse", {"token": token}).status == 200
    account = account_of("ada")
    assert (account.partner_id, account.partner_manager) == (None, None)
    [told] = [m for m in mail.all() if "refused a partner association" in m["subject"]]
    assert "C-7" in told["text"]
    assert "P-1001" in told["text"]
    assert "ada" not in told["text"].lower()
    assert error(api.call("POST", "/partner-association/confirm", {"token": token}), 410)["code"] == "link_expired"
    assert PartnerContact.get("CONTACT#C-7").pending_account_id is None


def test_an_unanswered_request_lapses_the_account_stays_as_it_was_and_the_team_is_told_once(api, mail, gateway) -> None:
    make_candidate(api, mail, "ada", "ada@fabrikam.example")
    joins_partner("fabrikam.example", "P-1001")
    provision(api, change(contact_id="C-7", email="ada@fabrikam.example"))
    token = mail.latest_link("ada@fabrikam.example", "/confirm-partner")
    sync = gateway.functions["PartnerNetSyncFunction"]
    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event"}
    assert sync.invoke(scheduled)["association_requests_lapsed"] == 0  # not yet
    clock.advance((REQUEST_TTL + timedelta(minutes=1)).total_seconds())
    assert error(api.call("POST", "/partner-association/preview", {"token": token}), 410)["code"] == "link_expired"
    assert error(api.call("POST", "/partner-association/confirm", {"token": token}), 410)["code"] == "link_expired"
    assert account_of("ada").partner_id is None

    assert sync.invoke(scheduled)["association_requests_lapsed"] == 1
    assert sync.invoke(scheduled)["association_requests_lapsed"] == 0
    [told] = [m for m in mail.all() if "lapsed unanswered" in m["subject"]]
    assert "C-7" in told["text"]
    assert "ada" not in told["text"].lower()
    assert PartnerContact.get("CONTACT#C-7").pending_account_id is None
    # PartnerNet's next change of the contact asks again.
    provision(api, change(contact_id="C-7", version=2, email="ada@fabrikam.example"))
    assert len(requests_to(mail, "ada@fabrikam.example")) == 2


def test_a_contact_whose_address_changes_withdraws_its_request(api, mail) -> None:
    make_candidate(api, mail, "ada", "ada@fabrikam.example")
    joins_partner("fabrikam.example", "P-1001")
    provision(api, change(contact_id="C-7", email="ada@fabrikam.example"))
    token = mail.latest_link("ada@fabrikam.example", "/confirm-partner")
    provision(api, change(contact_id="C-7", version=2, email="ada.new@fabrikam.example"))
    assert error(api.call("POST", "/partner-association/confirm", {"token": token}), 410)["code"] == "link_expired"
    assert account_of("ada").partner_id is None
    assert PartnerContact.get("CONTACT#C-7").account_id is not None  # the new address got its own account


def test_another_partners_contact_with_an_employees_address_does_not_poach_the_employee(api, mail) -> None:
    provision(api, change("C-1", is_program_manager=True))
    provision(api, change("C-20", partner_id="P-1002", is_program_manager=True))
    [account] = accounts()
    assert (account.partner_id, account.partner_manager, account.partner_contact_id) == ("P-1001", True, "C-1")
    assert requests_to(mail, "jane.doe@partner.example.com") == []
    assert PartnerContact.get("CONTACT#C-20").account_id is None
    # The partner that holds the employee deactivating another, stale contact leaves the employee alone.
    provision(api, change("C-3", email="jane.doe@partner.example.com"))  # a second contact, same address
    provision(api, change("C-3", version=2, active=False))
    assert Account.get(account.pk).partner_id == "P-1001"


def test_an_employee_moves_to_another_partner_only_by_confirming_and_the_old_contact_lets_go(api, mail) -> None:
    ada = make_candidate(api, mail, "ada", "ada@fabrikam.example")
    joins_partner("fabrikam.example", "P-1001")
    provision(api, change("C-1", email="ada@fabrikam.example", is_program_manager=True))
    first = mail.latest_link("ada@fabrikam.example", "/confirm-partner")
    assert api.call("POST", "/partner-association/confirm", {"token": first}).status == 200
    assert account_of("ada").partner_id == "P-1001"

    joins_partner("fabrikam.example", "P-1002")  # Northwind bought Fabrikam
    provision(api, change("C-20", partner_id="P-1002", email="ada@fabrikam.example", is_program_manager=True))
    account = account_of("ada")
    assert (account.partner_id, account.partner_contact_id) == ("P-1001", "C-1")  # until she confirms
    second = mail.latest_link("ada@fabrikam.example", "/confirm-partner")
    assert second != first
    assert "Northwind Security Ltd." in requests_to(mail, "ada@fabrikam.example")[0]["subject"]
    assert api.call("POST", "/partner-association/confirm", {"token": second}).status == 200
    account = account_of("ada")
    assert (account.partner_id, account.partner_manager, account.partner_contact_id) == ("P-1002", True, "C-20")
    assert report_status(api, ada, "P-1001") == 403
    assert report_status(api, ada, "P-1002") == 200

    # P-1001 deactivates its stale contact, then changes it again: the employee stays with P-1002.
    provision(api, change("C-1", version=2, email="ada@fabrikam.example", active=False, is_program_manager=True))
    provision(api, change("C-1", version=3, email="ada@fabrikam.example", is_program_manager=True))
    account = account_of("ada")
    assert (account.partner_id, account.partner_manager, account.partner_contact_id) == ("P-1002", True, "C-20")


def confirm_what_is_asked(api, mail, address: str) -> None:
    """The owner confirms the newest association request, if one was sent."""
    if requests_to(mail, address):
        token = mail.latest_link(address, "/confirm-partner")
        assert api.call("POST", "/partner-association/confirm", {"token": token}).status == 200


def test_deactivating_a_contact_the_account_is_no_longer_linked_through_leaves_the_account_alone(api, mail) -> None:
    provision(api, change("C-1"))
    joins_partner("partner.example.com", "P-1002")  # the domain changed hands
    provision(api, change("C-20", partner_id="P-1002"))
    confirm_what_is_asked(api, mail, "jane.doe@partner.example.com")
    [account] = accounts()
    assert (account.partner_id, account.partner_contact_id) == ("P-1002", "C-20")
    provision(api, change("C-1", version=2, active=False))
    assert (Account.get(account.pk).partner_id, Account.get(account.pk).partner_contact_id) == ("P-1002", "C-20")


def test_export_and_erasure_cover_a_pending_association_request(api, mail) -> None:
    ada = make_candidate(api, mail, "ada", "ada@fabrikam.example")
    joins_partner("fabrikam.example", "P-1001")
    provision(api, change("C-7", email="ada@fabrikam.example"))
    token = mail.latest_link("ada@fabrikam.example", "/confirm-partner")
    exported = api.call("GET", "/me/export", token=ada["token"]).json()
    [pending] = exported["partner_association_requests"]
    assert (pending["partner_id"], pending["partnernet_contact_id"]) == ("P-1001", "C-7")
    assert exported["partner"] is None

    assert api.call("DELETE", "/me", {"password": PASSWORD}, token=ada["token"]).status == 204
    contact = PartnerContact.get("CONTACT#C-7")
    assert (contact.pending_account_id, contact.pending_request, contact.pending_until) == (None, None, None)
    assert error(api.call("POST", "/partner-association/preview", {"token": token}), 410)["code"] == "link_expired"


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


def _deliver_in_containers(one: str, containers: int = 4) -> list[Any]:
    loaded = [load_functions() for _ in range(containers)]
    start = threading.Barrier(len(loaded))
    event = {"Records": [{**record, "body": one} for record in sqs_event(QUEUE, [_message(one)])["Records"]]}

    def deliver(functions: dict[str, Any]) -> Any:
        function = functions["PartnerNetProvisionFunction"]
        function.load()
        start.wait()
        try:
            return function.invoke(event)
        except BatchProcessingError:  # the batch's one record failed: Lambda hands the message back later
            return "comes back"

    with ThreadPoolExecutor(max_workers=len(loaded)) as pool:
        answers = list(pool.map(deliver, loaded))
    # One applies it and sends the email; one that finds the email being sent comes back later, and then is done.
    assert {"batchItemFailures": []} in answers, answers
    assert loaded[0]["PartnerNetProvisionFunction"].invoke(event) == {"batchItemFailures": []}
    return answers


def test_the_same_change_in_two_containers_at_once_makes_one_account(api, mail, dynamodb_writes_atomically) -> None:
    _deliver_in_containers(json.dumps(change()))
    assert len(accounts()) == 1
    assert len(mail.to("jane.doe@partner.example.com")) == 1


def test_the_same_change_in_two_containers_at_once_asks_an_existing_account_once(
    api, mail, dynamodb_writes_atomically
) -> None:
    make_candidate(api, mail, "ada", "ada@fabrikam.example")
    joins_partner("fabrikam.example", "P-1001")
    _deliver_in_containers(json.dumps(change("C-7", email="ada@fabrikam.example")))
    assert len(requests_to(mail, "ada@fabrikam.example")) == 1
    assert account_of("ada").partner_id is None
    assert len([item for item in OneTimeToken.scan() if item.purpose == "confirm_partner"]) == 1


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
