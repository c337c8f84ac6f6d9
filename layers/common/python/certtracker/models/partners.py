"""The partners table: partner companies and the email domains that belong to them (both from PartnerNet), each
PartnerNet contact as CertTracker last applied it, and the PartnerNet sync's lease and watermark."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from certtracker.core.tables import Table, TableName, Timestamp

PARTNER_PREFIX = "PARTNER#"
DOMAIN_PREFIX = "DOMAIN#"
CONTACT_PREFIX = "CONTACT#"
SYNC_KEY = "SYNC#partnernet"
PENDING = "PENDING"  # the one partition of the by_pending_until index


class RequestsByLapse(GlobalSecondaryIndex["PartnerContact"]):  # type: ignore[no-untyped-call]
    """The contacts with an open association request, by when it lapses (sparse: only while one is open)."""

    class Meta:
        index_name = "by_pending_until"
        projection = KeysOnlyProjection()

    pending_queue = UnicodeAttribute(hash_key=True)
    pending_until = Timestamp(range_key=True)


class PartnerCompany(Table):
    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # PARTNER#<partner_id>
    partner_id = UnicodeAttribute()
    name = UnicodeAttribute()
    domains = UnicodeSetAttribute()
    tier = UnicodeAttribute(null=True)


class PartnerDomain(Table):
    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # DOMAIN#<domain>
    partner_id = UnicodeAttribute()


class PartnerContact(Table):
    """A PartnerNet contact as last applied: its version makes each change apply once, and an older version
    arriving after a newer one change nothing."""

    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # CONTACT#<contact_id>
    contact_id = UnicodeAttribute()
    version = NumberAttribute()
    partner_id = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)  # the account linked through this contact (created or confirmed)
    active = BooleanAttribute()
    is_program_manager = BooleanAttribute(default=False)
    changed_at = Timestamp()  # PartnerNet's time of this version
    applied_at = Timestamp()
    # The email this version owes its person (welcome with a set-password link, or linked), until it is sent.
    notice = UnicodeAttribute(null=True)
    notice_claimed_until = Timestamp(null=True)  # a delivery is sending it until then
    # An existing account asked to confirm its association through this contact: nothing changes on the account
    # until its owner confirms by the emailed link (certtracker.partners.association).
    pending_account_id = UnicodeAttribute(null=True)
    pending_request = UnicodeAttribute(null=True)  # a random id: the link answers this request, no later one
    pending_until = Timestamp(null=True)
    pending_queue = UnicodeAttribute(null=True)  # PENDING while a request is open: puts it in by_pending_until
    by_pending_until = RequestsByLapse()


class SyncState(Table):
    """The PartnerNet sync's one item: the watermark (the last change sequence enqueued) and the lease that
    keeps two syncs from running at once."""

    class Meta:
        table_name = TableName("PARTNERS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # SYNC#partnernet
    watermark = NumberAttribute(default=0)
    lease_holder = UnicodeAttribute(null=True)
    lease_until = Timestamp(null=True)
