"""Seed data for the local stack and tests: partner companies with their domains, the exam and credential
catalogs, a demo candidate."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from certtracker.accounts import passwords
from certtracker.core import clock
from certtracker.models.accounts import Account, AccountClaim
from certtracker.models.catalog import EXAMS_PARTITION, CatalogExam
from certtracker.models.partners import DOMAIN_PREFIX, PARTNER_PREFIX, PartnerCompany, PartnerDomain

# The partner companies PartnerNet holds (its stand-in serves these); the tables start with them too, so the
# registration guard knows them before the first sync.
PARTNERS = [
    {"partner_id": "P-1001", "name": "Example Partner Inc.", "tier": "gold", "domains": ["partner.example.com"]},
    {
        "partner_id": "P-1002",
        "name": "Northwind Security Ltd.",
        "tier": "silver",
        "domains": ["northwind.example", "northwind-security.example"],
    },
    {"partner_id": "P-1003", "name": "Contoso Integration GmbH", "tier": "registered", "domains": ["contoso.example"]},
]

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "Certified-Sunrise-4821"
DEMO_EMAIL = "demo.candidate@example.org"


def partner_companies() -> None:
    for partner in PARTNERS:
        partner_id, domains = str(partner["partner_id"]), list(partner["domains"])
        PartnerCompany(
            pk=PARTNER_PREFIX + partner_id,
            partner_id=partner_id,
            name=partner["name"],
            tier=partner["tier"],
            domains=set(domains),
        ).save()
        for domain in domains:
            PartnerDomain(pk=DOMAIN_PREFIX + domain, partner_id=partner_id).save()


def demo_candidate() -> None:
    """A verified candidate, written directly: the seed is not a registration and sends no email."""
    now = clock.now()
    account_id = "demo0000000000000000000000000000"
    Account(
        pk=Account.key(account_id),
        account_id=account_id,
        username=DEMO_USERNAME,
        email=DEMO_EMAIL,
        email_verified=True,
        password_hash=passwords.hash_password(DEMO_PASSWORD),
        password_changed_at=now,
        first_name="Dana",
        last_name="Demo",
        country="US",
        privacy_notice_version="2026-01",
        privacy_notice_accepted_at=now,
        marketing_opt_in=False,
        created_at=now,
    ).save()
    AccountClaim(pk=AccountClaim.for_username(DEMO_USERNAME), account_id=account_id).save()
    AccountClaim(pk=AccountClaim.for_email(DEMO_EMAIL), account_id=account_id).save()


def exam_catalog() -> None:
    """The seeded catalog (infra/seed_data/catalog.json): five tracks of assessments and exams, some retired."""
    data = json.loads((Path(__file__).parent / "seed_data" / "catalog.json").read_text("utf-8"))
    with CatalogExam.batch_write() as batch:
        for exam in data["exams"]:
            batch.save(CatalogExam(pk=EXAMS_PARTITION, sk=exam["exam_id"], **exam))


def credential_catalog() -> None:
    """The seeded credential catalog (infra/seed_data/credentials.json) and its logos, through the operators' loading
    command."""
    from infra import credentials

    # The logo bucket is named by its logical id locally (infra/resources.py).
    credentials.load(credentials.read_document(credentials.SEED_DOCUMENT), logos_bucket="LogosBucket")


@cache
def _seeded_credentials() -> Any:
    """The seed document, validated against the seeded exam catalog once per process (it never changes)."""
    from certtracker.credentials import catalog
    from infra import credentials

    exams = json.loads((Path(__file__).parent / "seed_data" / "catalog.json").read_text("utf-8"))["exams"]
    document = credentials.read_document(credentials.SEED_DOCUMENT)
    return catalog.validate(document, {e["exam_id"] for e in exams}, {e["track"] for e in exams})


def credential_items() -> None:
    """The seeded credentials written straight to the table, without the logos: what every handler test starts
    from (the loading command itself, and the logos, have tests of their own)."""
    from certtracker.credentials import catalog
    from certtracker.models.catalog import CatalogCredential

    validated = _seeded_credentials()
    with CatalogCredential.batch_write() as batch:
        for credential in validated.credentials:
            batch.save(catalog.to_item(credential, validated.version))


def seeded_logos() -> None:
    """The seeded credentials' logos into the local logo bucket."""
    import boto3

    from infra import logos

    logos.upload(boto3.client("s3"), "LogosBucket", list(_seeded_credentials().credentials))


def all_seed_data() -> None:
    partner_companies()
    exam_catalog()
    credential_catalog()
    demo_candidate()
