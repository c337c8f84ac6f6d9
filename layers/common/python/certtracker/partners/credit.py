"""Partner program credit: which of a partner's employees hold which credentials, what the partner's tier requires,
and what lapses soon. Only a program manager of that partner sees it (PartnerNet's flag, kept on the account)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from certtracker.accounts.identity import session_account
from certtracker.core import cursors
from certtracker.core.errors import Forbidden
from certtracker.core.names import printed_name
from certtracker.credentials import awards, catalog
from certtracker.models.accounts import ACCOUNT_PREFIX, Account
from certtracker.models.partners import PARTNER_PREFIX, PartnerCompany

PAGE_SIZE = 50
LAPSING_WITHIN = timedelta(days=90)


@dataclass(frozen=True)
class Requirement:
    credential_id: str
    count: int  # valid ones among the partner's employees


# The partner program's requirements per tier (the program's rules, changed with a release).
TIER_REQUIREMENTS: dict[str, tuple[Requirement, ...]] = {
    "gold": (Requirement("CERT-EP", 2), Requirement("ACC-EP", 4), Requirement("ACC-DLP", 2)),
    "silver": (Requirement("CERT-EP", 1), Requirement("ACC-EP", 2)),
    "registered": (Requirement("ACC-EP", 1),),
}


@dataclass(frozen=True)
class EmployeeCredential:
    credential_id: str
    title: str
    status: awards.Status
    earned_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Employee:
    name: str
    username: str
    email: str
    credentials: list[EmployeeCredential]


@dataclass(frozen=True)
class RequirementStatus:
    credential_id: str
    title: str
    required: int
    held: int  # valid now
    lapsing: int  # of those, expiring within 90 days

    @property
    def met(self) -> bool:
        return self.held >= self.required


@dataclass(frozen=True)
class Lapsing:
    name: str
    credential_id: str
    title: str
    expires_at: datetime


@dataclass(frozen=True)
class Report:
    partner: PartnerCompany
    employees: list[Employee]
    next_cursor: str | None
    requirements: list[RequirementStatus] | None  # over every employee: on the first page
    lapsing: list[Lapsing] | None


def managed_partner(account_id: str, partner_id: str) -> PartnerCompany:
    """The partner, if the caller is one of its program managers; 403 otherwise, for anyone, whether or not the
    partner exists (the answer tells nothing about other partners)."""
    account = session_account(account_id)
    refused = Forbidden(
        "Only a program manager of this partner company sees its employees' credentials.", code="not_partner_manager"
    )
    if account.partner_id != partner_id or not account.partner_manager:
        raise refused
    try:
        return PartnerCompany.get(PARTNER_PREFIX + partner_id)
    except DoesNotExist:
        raise refused from None


def _employee(account: Account, titles: dict[str, str], now: datetime) -> Employee:
    held = awards.held(str(account.account_id), now)
    return Employee(
        name=printed_name(str(account.first_name), str(account.last_name)),
        username=str(account.username),
        email=str(account.email),
        credentials=[
            EmployeeCredential(
                credential_id=entry.current.credential_id,
                title=titles.get(entry.current.credential_id, entry.current.credential_id),
                status=entry.status,
                earned_at=entry.current.earned_at,
                expires_at=entry.current.expires_at,
            )
            for entry in held
        ],
    )


def _page(partner_id: str, cursor: str | None) -> tuple[list[Account], str | None]:
    start = (
        cursors.decode(cursor, hash_key="partner_id", owner=partner_id, range_key="pk", range_prefix=ACCOUNT_PREFIX)
        if cursor
        else None
    )
    query = Account.by_partner.query(partner_id, last_evaluated_key=start, page_size=PAGE_SIZE, limit=PAGE_SIZE)
    return cursors.one_page(Account, query)


def _everyone(partner_id: str, titles: dict[str, str], now: datetime) -> Iterator[Employee]:
    for account in Account.by_partner.query(partner_id):
        yield _employee(account, titles, now)


def report(account_id: str, partner_id: str, cursor: str | None, now: datetime) -> Report:
    partner = managed_partner(account_id, partner_id)
    titles = catalog.titles()
    accounts, next_cursor = _page(partner_id, cursor)
    employees = [_employee(account, titles, now) for account in accounts]
    requirements = lapsing = None
    if cursor is None:
        everyone = employees if next_cursor is None else list(_everyone(partner_id, titles, now))
        requirements, lapsing = _requirements(str(partner.tier or ""), everyone, titles, now)
    return Report(partner, employees, next_cursor, requirements, lapsing)


def _requirements(
    tier: str, everyone: list[Employee], titles: dict[str, str], now: datetime
) -> tuple[list[RequirementStatus], list[Lapsing]]:
    soon = now + LAPSING_WITHIN
    valid = [
        (employee, credential)
        for employee in everyone
        for credential in employee.credentials
        if credential.status in ("earned", "expiring")
    ]
    statuses = [
        RequirementStatus(
            credential_id=rule.credential_id,
            title=titles.get(rule.credential_id, rule.credential_id),
            required=rule.count,
            held=sum(1 for _, credential in valid if credential.credential_id == rule.credential_id),
            lapsing=sum(1 for _, c in valid if c.credential_id == rule.credential_id and c.expires_at <= soon),
        )
        for rule in TIER_REQUIREMENTS.get(tier, ())
    ]
    lapsing = sorted(
        (
            Lapsing(employee.name, credential.credential_id, credential.title, credential.expires_at)
            for employee, credential in valid
            if credential.expires_at <= soon
        ),
        key=lambda entry: entry.expires_at,
    )
    return statuses, lapsing


# ---------------------------------------------------------------- CSV

CSV_COLUMNS = ("name", "username", "email", "credential_id", "credential", "status", "earned_on", "expires_on")


def _cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula (CSV injection): one that starts like one is quoted."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def report_csv(account_id: str, partner_id: str, now: datetime) -> str:
    """Every employee (all pages), one row per credential held (one row with no credential for someone who holds
    none)."""
    managed_partner(account_id, partner_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for employee in _everyone(partner_id, catalog.titles(), now):
        person = [employee.name, employee.username, employee.email]
        if not employee.credentials:
            writer.writerow([_cell(value) for value in [*person, "", "", "", "", ""]])
        for credential in employee.credentials:
            row = [
                *person,
                credential.credential_id,
                credential.title,
                credential.status,
                credential.earned_at.date().isoformat(),
                credential.expires_at.date().isoformat(),
            ]
            writer.writerow([_cell(value) for value in row])
    return out.getvalue()
