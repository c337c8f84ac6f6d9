"""The partners table: partner companies and the email domains that belong to them."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UnicodeSetAttribute

from certtracker.models.base import Table, TableName

PARTNER_PREFIX = "PARTNER#"
DOMAIN_PREFIX = "DOMAIN#"


class PartnerCompany(Table):
    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # PARTNER#<partner_id>
    partner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    domains = UnicodeSetAttribute()


class PartnerDomain(Table):
    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # DOMAIN#<domain>
    partner_id = UnicodeAttribute()
