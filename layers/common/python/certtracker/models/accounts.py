"""The accounts table: one item per account, plus one claim item per unique username and email."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, MapAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection

from certtracker.core.addresses import canonical
from certtracker.core.tables import Table, TableName, Timestamp

ACCOUNT_PREFIX = "ACCOUNT#"
USERNAME_PREFIX = "USERNAME#"
EMAIL_PREFIX = "EMAIL#"
ERASED_PREFIX = "ERASED#"


class Address(MapAttribute[str, str]):
    line1 = UnicodeAttribute(null=True)
    line2 = UnicodeAttribute(null=True)
    city = UnicodeAttribute(null=True)
    region = UnicodeAttribute(null=True)
    postal_code = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)


class Notifications(MapAttribute[str, bool]):
    """Which kinds of notification email the candidate wants; all on until turned off."""

    exam_results = BooleanAttribute(default=True)
    expiry_reminders = BooleanAttribute(default=True)
    share_views = BooleanAttribute(default=True)
    support_replies = BooleanAttribute(default=True)


class AccountsByPartner(GlobalSecondaryIndex["Account"]):  # type: ignore[no-untyped-call]
    """A partner's employees (sparse: only accounts with a partner_id), with what its credit report shows."""

    class Meta:
        index_name = "by_partner"
        projection = IncludeProjection(["account_id", "username", "email", "first_name", "last_name"])

    partner_id = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class Account(Table):
    class Meta:
        table_name = TableName("ACCOUNTS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # ACCOUNT#<account_id>
    account_id = UnicodeAttribute()
    username = UnicodeAttribute()
    email = UnicodeAttribute()
    email_verified = BooleanAttribute(default=False)
    password_hash = UnicodeAttribute()
    password_changed_at = Timestamp()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    country = UnicodeAttribute()
    privacy_notice_version = UnicodeAttribute()  # "" for an account PartnerNet made, until its person sets a password
    privacy_notice_accepted_at = Timestamp(null=True)
    marketing_opt_in = BooleanAttribute(default=False)
    partner_id = UnicodeAttribute(null=True)  # kept in step with PartnerNet (certtracker.partners.provisioning)
    partner_manager = BooleanAttribute(null=True)  # a program manager of that partner (PartnerNet's flag)
    partner_contact_id = UnicodeAttribute(null=True)  # the PartnerNet contact this account was made or linked for
    created_at = Timestamp()
    # Profile (issue 4): contact and demographic data, all optional.
    phone = UnicodeAttribute(null=True)  # E.164
    address = Address(null=True)
    company = UnicodeAttribute(null=True)
    job_role = UnicodeAttribute(null=True)
    preferred_language = UnicodeAttribute(null=True)
    pending_email = UnicodeAttribute(null=True)  # asked for, not yet verified
    notifications = Notifications(null=True)
    # Set while the address is unverified: an account nobody confirms is deleted by TTL (squatting ends).
    expires_at = TTLAttribute(null=True)
    by_partner = AccountsByPartner()

    @staticmethod
    def key(account_id: str) -> str:
        return ACCOUNT_PREFIX + account_id

    def expired(self, now: datetime) -> bool:
        """TTL deletion can lag by days: an expired item is treated as gone at once."""
        return self.expires_at is not None and self.expires_at <= now


class ErasedAccount(Table):
    """What is left of an erased account: the id and when, so that what refers to it can say so."""

    class Meta:
        table_name = TableName("ACCOUNTS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # ERASED#<account_id>
    account_id = UnicodeAttribute()
    erased_at = Timestamp()
    expires_at = TTLAttribute(null=True)  # never set: the table's TTL attribute, declared on each of its models

    @staticmethod
    def key(account_id: str) -> str:
        return ERASED_PREFIX + account_id


class AccountClaim(Table):
    """Holds a username or an email for one account; a conditional put makes it unique."""

    class Meta:
        table_name = TableName("ACCOUNTS_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # USERNAME#<lower username> or EMAIL#<canonical email>
    account_id = UnicodeAttribute()
    # Only an unverified account's username claim expires (with the account); an email is claimed only
    # once it is verified, so an unverified registration can never hold an address against its owner.
    expires_at = TTLAttribute(null=True)

    @staticmethod
    def for_username(username: str) -> str:
        return USERNAME_PREFIX + username.lower()

    @staticmethod
    def for_email(email: str) -> str:
        return EMAIL_PREFIX + canonical(email)
