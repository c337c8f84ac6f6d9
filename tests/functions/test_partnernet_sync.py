"""PartnerNetSyncFunction: partner companies from PartnerNet, and each contact change since the watermark onto the
provisioning queue, once; one sync at a time; nothing lost when PartnerNet or the queue fails part-way."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta
from typing import Any

import boto3

from certtracker.core import clock
from certtracker.core.aws import client
from certtracker.models.partners import SYNC_KEY, PartnerCompany, PartnerDomain, SyncState
from certtracker.partners import sync
from infra import lambdas, template
from infra.gateway import Gateway
from infra.lambdas import load_functions
from tests.functions.conftest import PARTNERNET, PARTNERNET_URL, PASSWORD, error


def contact(contact_id: str, email: str, **fields: Any) -> dict[str, Any]:
    body = {
        "contact_id": contact_id,
        "partner_id": "P-1001",
        "email": email,
        "first_name": "Jane",
        "last_name": "Doe",
        "country": "DE",
        "is_program_manager": False,
        **fields,
    }
    request = urllib.request.Request(
        f"{PARTNERNET_URL}/contacts",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.loads(answer.read())


def run_sync(gateway) -> dict[str, Any]:
    answer = gateway.functions["PartnerNetSyncFunction"].invoke(
        {"source": "aws.events", "detail-type": "Scheduled Event"}
    )
    assert isinstance(answer, dict)
    return answer


def queued() -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    url = template.queue_url("ProvisioningQueue")
    bodies = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        bodies += [json.loads(message["Body"]) for message in got]


def test_two_syncs_put_each_change_on_the_queue_once_and_each_contact_gets_one_welcome(api, gateway, mail) -> None:
    contact("C-1", "jane.doe@partner.example.com", is_program_manager=True)
    contact("C-2", "max.roe@partner.example.com")
    first = run_sync(gateway)
    assert first["enqueued"] == 2
    assert first["complete"] is True
    second = run_sync(gateway)
    assert second["enqueued"] == 0
    assert second["watermark"] == first["watermark"]

    api.queues.deliver_pending()
    for address in ("jane.doe@partner.example.com", "max.roe@partner.example.com"):
        welcomes = [m for m in mail.to(address) if "set-password" in m["text"]]
        assert len(welcomes) == 1
    token = re.search(r"/set-password#token=([A-Za-z0-9_-]+)", mail.to("jane.doe@partner.example.com")[0]["text"])
    assert token
    assert api.call("POST", "/auth/password-reset", {"token": token.group(1), "new_password": PASSWORD}).status == 204
    login = api.login("jane.doe")
    assert login.status == 200, login.body

    # A later change: the next sync takes only it.
    contact("C-1", "jane.doe@partner.example.com", active=False)
    third = run_sync(gateway)
    assert third["enqueued"] == 1
    api.queues.deliver_pending()
    assert api.call("GET", "/me", token=login.json()["token"]).json()["partner_id"] is None


def test_partner_companies_and_their_domains_come_from_partnernet(api, gateway) -> None:
    PARTNERNET.partners["P-4004"] = {
        "partner_id": "P-4004",
        "name": "Fabrikam",
        "tier": "gold",
        "domains": ["fabrikam.example"],
    }
    PARTNERNET.partners["P-1001"] = {**PARTNERNET.partners["P-1001"], "domains": ["partner.example.org"]}
    assert run_sync(gateway)["partners_changed"] == 2
    assert PartnerCompany.get("PARTNER#P-4004").name == "Fabrikam"
    assert PartnerDomain.get("DOMAIN#fabrikam.example").partner_id == "P-4004"
    assert PartnerDomain.count("DOMAIN#partner.example.com") == 0  # its old domain is no longer a partner's
    refused = api.register("eve", "eve@fabrikam.example")
    assert error(refused, 422)["code"] == "partner_email_domain"
    assert run_sync(gateway)["partners_changed"] == 0  # nothing changed: nothing written


def test_a_sync_pages_through_a_backlog(api, gateway, monkeypatch) -> None:
    monkeypatch.setattr(sync, "PAGE", 2)
    for number in range(5):
        contact(f"C-{number}", f"person{number}@partner.example.com")
    report = run_sync(gateway)
    assert report["enqueued"] == 5
    assert report["complete"] is True
    assert sorted(change["contact_id"] for change in queued()) == [f"C-{n}" for n in range(5)]


def test_a_sync_while_another_holds_the_lease_does_nothing_and_a_lapsed_lease_is_taken(api, gateway) -> None:
    contact("C-1", "jane.doe@partner.example.com")
    SyncState(
        pk=SYNC_KEY, watermark=0, lease_holder="another-run", lease_until=clock.now() + timedelta(minutes=5)
    ).save()
    skipped = run_sync(gateway)
    assert skipped["skipped"] == "another sync holds the lease"
    assert queued() == []
    clock.advance(timedelta(minutes=6).total_seconds())  # that run died: its lease lapses
    assert run_sync(gateway)["enqueued"] == 1
    assert SyncState.get(SYNC_KEY).lease_holder is None  # given back at the end


def test_when_partnernet_is_down_the_watermark_stays_and_the_next_sync_catches_up(api, gateway) -> None:
    contact("C-1", "jane.doe@partner.example.com")
    PARTNERNET.outage_until = 10**12
    down = run_sync(gateway)
    assert down["enqueued"] == 0
    assert down["problems"]
    assert SyncState.get(SYNC_KEY).watermark == 0
    PARTNERNET.outage_until = 0
    assert run_sync(gateway)["enqueued"] == 1


def test_when_the_queue_refuses_part_of_a_page_the_watermark_moves_only_past_what_it_took(
    api, gateway, monkeypatch
) -> None:
    for number in range(15):
        contact(f"C-{number}", f"person{number}@partner.example.com")
    sqs = client("sqs")
    real = sqs.send_message_batch
    calls: list[int] = []

    def second_batch_fails(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            entries = kwargs["Entries"]
            return {
                "Successful": [],
                "Failed": [{"Id": e["Id"], "SenderFault": False, "Code": "InternalError"} for e in entries],
            }
        return real(**kwargs)

    monkeypatch.setattr(sqs, "send_message_batch", second_batch_fails)
    partial = run_sync(gateway)
    assert partial["enqueued"] == 10
    assert partial["complete"] is False
    monkeypatch.undo()
    rest = run_sync(gateway)
    assert rest["enqueued"] == 5
    assert sorted(change["contact_id"] for change in queued()) == sorted(f"C-{n}" for n in range(15))


def test_a_deployment_not_connected_to_partnernet_has_the_sync_off_said_not_alarmed(api, gateway, monkeypatch) -> None:
    """PartnerNetBaseUrl is empty until the deployment is connected: the sync says so in its log and a metric no
    alarm watches (before, it pointed at an address that never answers and PartnerNetUnavailable fired hourly)."""
    contact("C-1", "jane.doe@partner.example.com")
    unconnected = load_functions({**lambdas.process_parameters(), "PartnerNetBaseUrl": ""})
    counted: list[str] = []
    monkeypatch.setattr(sync, "count", lambda name, value=1: counted.append(name))

    report = run_sync(Gateway(unconnected))

    assert report["skipped"].startswith("PartnerNet is not connected")
    assert (report["enqueued"], queued()) == (0, [])
    assert counted == ["PartnerNetSyncOff"]
    assert report["association_requests_lapsed"] == 0  # the rest of the run still happens
    assert run_sync(gateway)["enqueued"] == 1  # connected, the same change is taken from the start
