"""The partners table: partner companies and the email domains that belong to them."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute
from pynamodb.models import Model

from certtracker.models.base import TableName

PARTNER_PREFIX = "PARTNER#"
DOMAIN_PREFIX = "DOMAIN#"


class PartnerCompany(Model):
    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # PARTNER#<partner_id>
    partner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    domains = UnicodeSetAttribute()


class PartnerDomain(Model):
    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # DOMAIN#<domain>
    partner_id = UnicodeAttribute()
