"""The PartnerNet client against its stand-in over HTTP: pages read whole, changes after a watermark as received,
and every way PartnerNet can fail (outage, slowness past the budget, a secret rotated on one side) a 503 in time."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest

from certtracker.core import deadline, outbound
from certtracker.core.errors import ServiceUnavailable
from certtracker.partners import partnernet
from certtracker.partners.partnernet import Partner
from infra.events import LambdaContext
from tests.functions.conftest import PARTNERNET, PARTNERNET_URL

ADA = {
    "contact_id": "C-1",
    "partner_id": "P-1001",
    "email": "ada@partner.example.com",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "country": "GB",
    "is_program_manager": False,
}


def post(path: str, body: Any) -> tuple[int, Any]:
    """A control route of the stand-in, over HTTP as `make run` serves it."""
    request = urllib.request.Request(PARTNERNET_URL + path, data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


@pytest.fixture
def counted(aws: None, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The client configured as a function's would be (no function uses it yet); yields the metrics it counts."""
    monkeypatch.setenv("PARTNERNET_BASE_URL", PARTNERNET_URL)
    monkeypatch.setenv("PARTNERNET_SECRET_NAME", "PartnerNetSecret")
    monkeypatch.setattr(outbound, "BACKOFF_S", 0.01)  # the retries of a 503, without the wait
    counted: list[str] = []
    monkeypatch.setattr(partnernet, "count", lambda name, value=1: counted.append(name))
    return counted


def test_partners_are_read_across_every_page_with_their_domains(counted) -> None:
    for number in range(3000, 3198):  # 201 partners with the seed's three: three pages of 100
        assert post("/partners", {"partner_id": f"P-{number}", "name": "N", "tier": "bronze", "domains": []})[0] == 200
    status, changed = post("/partners", {"partner_id": "P-1002", "domains": ["Northwind.Example.NET", "nw.example"]})
    assert status == 200
    assert changed["tier"] == "silver"  # what a change leaves out stays

    found = partnernet.partners()

    assert len(found) == 201
    assert len({partner.partner_id for partner in found}) == 201
    assert found[0] == Partner("P-1001", "Example Partner Inc.", "gold", ("partner.example.com",))
    assert found[1] == Partner("P-1002", "Northwind Security Ltd.", "silver", ("northwind.example.net", "nw.example"))


def test_changes_come_in_sequence_after_the_watermark_each_contact_versioned(counted) -> None:
    first = post("/contacts", ADA)[1]
    post("/contacts", {**ADA, "contact_id": "C-2", "email": "grace@partner.example.com", "is_program_manager": True})
    post("/contacts", {"contact_id": "C-1", "active": False})  # Ada leaves: the rest of her record stays

    page = partnernet.changes(0, limit=2)
    rest = partnernet.changes(page.changes[-1]["sequence"], limit=2)

    assert page.has_more is True
    assert rest.has_more is False
    changes = page.changes + rest.changes
    assert [c["sequence"] for c in changes] == [1, 2, 3]
    assert [(c["contact_id"], c["version"], c["active"]) for c in changes] == [
        ("C-1", 1, True),
        ("C-2", 1, True),
        ("C-1", 2, False),
    ]
    assert {name: changes[2][name] for name in ADA} == ADA
    assert first == {"contact_id": "C-1", "version": 1, "sequence": 1, "changed_at": changes[0]["changed_at"]}
    assert changes[0]["changed_at"].endswith("Z")
    assert partnernet.changes(3) == partnernet.ChangesPage(changes=[], has_more=False)


def test_a_malformed_change_is_handed_over_as_received(counted) -> None:
    post("/contacts", ADA)
    raw = {"contact_id": 42, "email": None, "version": "two", "unexpected": ["x"]}
    assert post("/changes", raw) == (200, {"sequence": 2})

    changes = partnernet.changes(1).changes

    assert changes == [{**raw, "sequence": 2}]  # the consumer validates each change: this one fails alone


def test_a_page_of_changes_is_at_most_500(counted) -> None:
    for _ in range(501):
        PARTNERNET.handle("POST", "/changes", "", {}, b"{}")

    page = partnernet.changes(0)

    assert len(page.changes) == 500
    assert page.has_more is True
    with pytest.raises(ValueError, match="limit"):
        partnernet.changes(0, limit=501)


def test_an_outage_is_partnernet_unavailable_and_counted(counted) -> None:
    post("/outage", {"seconds": 60})

    for read in (partnernet.partners, lambda: partnernet.changes(0)):
        with pytest.raises(ServiceUnavailable) as refused:
            read()
        assert (refused.value.status, refused.value.code, refused.value.retry_after) == (
            503,
            "partnernet_unavailable",
            60,
        )
    assert counted == ["PartnerNetUnavailable", "PartnerNetUnavailable"]

    post("/outage", {"seconds": 0})  # over
    assert partnernet.changes(0).changes == []


def test_partnernet_slower_than_the_budget_is_unavailable_before_the_function_must_answer(counted) -> None:
    post("/outage", {"seconds": 0, "delay_seconds": 3})
    context = LambdaContext("PartnerNetSyncFunction", timeout_s=1.5)  # a budget of 1 s once the answer's is kept

    started = time.monotonic()
    with deadline.started(context), pytest.raises(ServiceUnavailable) as refused:
        partnernet.changes(0)

    assert refused.value.code == "partnernet_unavailable"
    assert context.get_remaining_time_in_millis() > 0
    assert time.monotonic() - started < 1.3


def test_a_secret_rotated_on_one_side_only_is_unavailable_until_both_agree(counted) -> None:
    assert partnernet.changes(0).changes == []  # the secret is read, and cached
    boto3.client("secretsmanager").put_secret_value(SecretId="PartnerNetSecret", SecretString="rotated-by-partnernet")

    with pytest.raises(ServiceUnavailable):
        partnernet.changes(0)  # PartnerNet answers 401 to the cached one
    assert counted == ["PartnerNetAuthFailed"]  # not an outage: alarmed at once, since no wait mends it

    outbound.forget_secrets()  # as five minutes later
    assert partnernet.changes(0).changes == []


def test_a_request_partnernet_refuses_as_wrong_is_our_bug_not_an_outage(counted) -> None:
    with pytest.raises(RuntimeError, match="400"):
        partnernet.changes(-1)
    assert counted == []


def test_the_stand_in_refuses_a_contact_without_an_id_and_escapes_its_page(aws) -> None:
    assert post("/contacts", ["not", "an", "object"])[0] == 400
    assert post("/contacts", {"email": "x@partner.example.com"})[0] == 400
    assert post("/contacts", {**ADA, "first_name": "<script>alert(1)</script>"})[0] == 200

    with urllib.request.urlopen(PARTNERNET_URL + "/", timeout=5) as answer:
        page = answer.read().decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    assert "Example Partner Inc." in page
