"""The credential awards table: each candidate's credentials, one item per credential and cycle.

An award is written once: its key is the candidate, the credential and the cycle, and the put is
conditional, so however often (or however concurrently) an evaluation runs, a cycle is awarded once.
A credential earned again after it expired starts the next cycle; past cycles stay as history.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from certtracker.models.base import Table, TableName, Timestamp

AWARD_PREFIX = "AWARD#"
ANONYMIZED_PARTITION = "ANONYMIZED"  # awards of erased accounts: kept, with no link to a person


REMINDER_PREFIX = "REMINDER#"
# Entries per revocation status list: the spec's minimum (16 KB of bits), so a list hides which few entries are
# set among many. An award's list is status_index // STATUS_LIST_SIZE.
STATUS_LIST_SIZE = 131_072


def expiry_month(expires_at: datetime) -> str:
    """The by_expiry index's partition: awards expiring in one calendar month."""
    return f"{expires_at:%Y-%m}"


def award_key(credential_id: str, cycle: int) -> str:
    """AWARD#<credential>#<cycle, zero-padded>: one query reads a candidate's awards, cycles in order."""
    return f"{AWARD_PREFIX}{credential_id}#{cycle:04d}"


class AwardsByExpiry(GlobalSecondaryIndex["CredentialAward"]):  # type: ignore[no-untyped-call]
    """Awards by expiry, month by month: the reminders read the coming months, never scan the table. Sparse:
    only a candidate's own awards carry `expiry_month` (not reminder markers, not anonymized awards)."""

    class Meta:
        index_name = "by_expiry"
        projection = AllProjection()

    expiry_month = UnicodeAttribute(hash_key=True)
    expires_at = UnicodeAttribute(range_key=True)


class RevokedInStatusList(GlobalSecondaryIndex["CredentialAward"]):  # type: ignore[no-untyped-call]
    """The revoked awards of one Bitstring Status List, by their index in it: the published list is built from
    one query. Sparse: only an award that is revoked *and* has a status list index carries `status_list`."""

    class Meta:
        index_name = "revoked_in_status_list"
        projection = KeysOnlyProjection()

    status_list = NumberAttribute(hash_key=True)
    status_index = NumberAttribute(range_key=True)


class CredentialAward(Table):
    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # or ANONYMIZED
    sk = UnicodeAttribute(range_key=True)  # award_key(credential_id, cycle)
    award_id = UnicodeAttribute()  # random; what a certificate's verification code will point to
    credential_id = UnicodeAttribute()
    cycle = NumberAttribute()
    earned_at = Timestamp()
    expires_at = Timestamp()
    met_by = UnicodeAttribute(null=True)  # JSON: the results and credentials that met the requirements
    # The name this award's certificates and badge print: the profile's when it was granted, changed only by a
    # name change the program staff approve (certtracker.certificates.name_changes). None on awards granted
    # before names were kept: their first certificate request records it (certificates.issuing.award_name).
    holder_name = UnicodeAttribute(null=True)
    name_changes = NumberAttribute(null=True)  # approved name changes so far (None: none); see certificate_key
    revoked = BooleanAttribute(default=False)
    revoked_at = Timestamp(null=True)
    revoked_reason = UnicodeAttribute(null=True)
    expiry_month = UnicodeAttribute(null=True)  # see AwardsByExpiry
    by_expiry = AwardsByExpiry()
    # Given once, the first time the award is asked for as a badge (certtracker.certificates.badges): its place
    # in the revocation status lists (list = index // list size), and the salt of the badge's hashed email.
    status_index = NumberAttribute(null=True)
    badge_salt = UnicodeAttribute(null=True)
    status_list = NumberAttribute(null=True)  # set only while revoked with an index: see RevokedInStatusList
    revoked_in_status_list = RevokedInStatusList()


class SupersededBadge(Table):
    """The status list place of a badge handed out before its award was renamed (an approved name change): set in
    the list like a revoked award's, so a wallet holding the badge in the old name sees it no longer stands. Its
    keys say nothing of the person; its `status_list` and `status_index` put it in RevokedInStatusList."""

    PARTITION = "SUPERSEDED_BADGES"

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # SUPERSEDED_BADGES
    sk = UnicodeAttribute(range_key=True)  # the status index, zero-padded
    status_list = NumberAttribute()
    status_index = NumberAttribute()
    superseded_at = Timestamp()


STATUS_LIST_COUNTER_KEY = ("STATUS_LIST", "COUNTER")


class StatusListCounter(Table):
    """The next free status list index: one item, taken from by an atomic ADD, so no two awards share an index."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # STATUS_LIST
    sk = UnicodeAttribute(range_key=True)  # COUNTER
    next_index = NumberAttribute(default=0)


class ReminderSent(Table):
    """One per award cycle and threshold: its conditional put is what makes a reminder go once."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # REMINDER#<credential>#<cycle>#<days>
    sent_at = Timestamp()
