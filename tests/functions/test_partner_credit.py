"""GET /partners/{partner_id}/credentials: a partner's employees and their credentials, the tier's requirements and
what lapses soon, for that partner's program managers only; JSON paged, or CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from certtracker.core import clock
from certtracker.credentials import awards
from certtracker.models.accounts import Account
from certtracker.partners import credit
from tests.functions.conftest import error, make_candidate
from tests.functions.test_certificates import owner_of

REPORT = "/partners/P-1001/credentials"


def join(owner: str, partner_id: str = "P-1001", *, manager: bool = False) -> None:
    """What PartnerNet provisioning does to an account (tests/functions/test_partnernet_provisioning.py)."""
    Account(pk=Account.key(owner)).update(
        actions=[Account.partner_id.set(partner_id), Account.partner_manager.set(manager)]
    )


def award(owner: str, credential_id: str, *, days: int = 365) -> None:
    now = clock.now()
    assert awards.grant(owner, credential_id, cycle=1, earned_at=now, expires_at=now + timedelta(days=days))


@pytest.fixture
def company(api, mail) -> dict[str, dict[str, str]]:
    """P-1001 (gold: two CERT-EP, four ACC-EP, two ACC-DLP): a manager and two employees; P-1002's manager."""
    people = {
        name: make_candidate(api, mail, name, f"{name}@example.org") for name in ("pat", "ivy", "leo", "una", "sam")
    }
    ids = {name: owner_of(api, who) for name, who in people.items()}
    join(ids["pat"], manager=True)
    join(ids["ivy"])
    join(ids["leo"])
    join(ids["una"], "P-1002", manager=True)  # another partner's manager
    award(ids["ivy"], "CERT-EP")
    award(ids["ivy"], "ACC-EP", days=30)  # lapses within 90 days
    award(ids["leo"], "CERT-EP")
    award(ids["sam"], "CERT-EP")  # sam is no employee: never counted
    return people


def test_a_program_manager_sees_employees_requirements_and_what_lapses(api, company) -> None:
    answer = api.call("GET", REPORT, token=company["pat"]["token"])
    assert answer.status == 200, answer.body
    body = answer.json()
    assert (body["name"], body["tier"]) == ("Example Partner Inc.", "gold")
    employees = {employee["username"]: employee for employee in body["employees"]}
    assert set(employees) == {"pat", "ivy", "leo"}
    assert {c["credential_id"]: c["status"] for c in employees["ivy"]["credentials"]} == {
        "CERT-EP": "earned",
        "ACC-EP": "expiring",
    }
    rules = {rule["credential_id"]: rule for rule in body["requirements"]}
    assert rules["CERT-EP"] == {**rules["CERT-EP"], "required": 2, "held": 2, "met": True, "lapsing": 0}
    assert rules["ACC-EP"] == {**rules["ACC-EP"], "required": 4, "held": 1, "met": False, "lapsing": 1}
    assert rules["ACC-DLP"]["held"] == 0
    assert [(entry["name"], entry["credential_id"]) for entry in body["lapsing"]] == [("Ada Lovelace", "ACC-EP")]


@pytest.mark.parametrize("who", ["ivy", "una", "sam"])
def test_everyone_else_is_refused_alike(api, company, who) -> None:
    refused = error(api.call("GET", REPORT, token=company[who]["token"]), 403)
    assert refused["code"] == "not_partner_manager"
    assert error(api.call("GET", REPORT, headers={"Accept": "text/csv"}, token=company[who]["token"]), 403)
    # A partner that does not exist answers the same: nothing is learnt about other partners.
    assert error(api.call("GET", "/partners/P-9999/credentials", token=company[who]["token"]), 403)
    assert api.call("GET", REPORT).status == 401


def test_the_report_pages_and_a_cursor_is_for_its_partner_only(api, company, monkeypatch) -> None:
    monkeypatch.setattr(credit, "PAGE_SIZE", 2)
    token = company["pat"]["token"]
    first = api.call("GET", REPORT, token=token).json()
    assert len(first["employees"]) == 2
    assert first["requirements"] is not None
    rest = api.call("GET", f"{REPORT}?cursor={first['next_cursor']}", token=token).json()
    assert rest["requirements"] is None  # counted over everyone, on the first page
    names = [e["username"] for e in first["employees"] + rest["employees"]]
    assert sorted(names) == ["ivy", "leo", "pat"]
    assert rest["next_cursor"] is None
    una = company["una"]["token"]
    foreign = api.call("GET", f"/partners/P-1002/credentials?cursor={first['next_cursor']}", token=una)
    assert error(foreign, 422)["code"] == "invalid_cursor"


def test_the_csv_has_a_row_per_credential_and_no_cell_a_spreadsheet_would_run(api, company) -> None:
    ivy = Account.get(Account.key(owner_of(api, company["ivy"])))
    ivy.update(actions=[Account.first_name.set('=HYPERLINK("http://x")')])
    answer = api.call("GET", REPORT, headers={"Accept": "text/csv"}, token=company["pat"]["token"])
    assert answer.status == 200, answer.body
    assert answer.header("Content-Type").startswith("text/csv")
    assert "attachment" in answer.header("Content-Disposition")
    rows = list(csv.reader(io.StringIO(answer.body.decode())))
    assert rows[0] == list(credit.CSV_COLUMNS)
    by_user = {}
    for row in rows[1:]:
        by_user.setdefault(row[1], []).append(row)
    assert len(by_user["ivy"]) == 2
    assert len(by_user["pat"]) == 1  # no credential: one row, its credential cells empty
    assert by_user["pat"][0][3:] == ["", "", "", "", ""]
    assert all(row[0].startswith("'=") for row in by_user["ivy"])
