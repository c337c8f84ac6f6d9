"""The credential awards table: each candidate's credentials, one item per credential and cycle.

An award is written once: its key is the candidate, the credential and the cycle, and the put is
conditional, so however often (or however concurrently) an evaluation runs, a cycle is awarded once.
A credential earned again after it expired starts the next cycle; past cycles stay as history.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from certtracker.core.tables import Table, TableName, Timestamp

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
    # Which requirements met it: "requirements" (a first award, or again after a lapse) or "renewal" (the
    # recertification requirements, inside the window). None on awards made before it was recorded.
    rule = UnicodeAttribute(null=True)
    # Revocation is of the credential (certtracker.credentials.revocation): every cycle one revocation withdrew
    # carries its id, so reinstating restores exactly those. The reason is a category the candidate is told.
    revoked = BooleanAttribute(default=False)
    revoked_at = Timestamp(null=True)
    revoked_reason = UnicodeAttribute(null=True)
    revocation_id = UnicodeAttribute(null=True)
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


REVOCATION_PREFIX = "REVOCATION#"


def revocation_key(revocation_id: str) -> str:
    return f"{REVOCATION_PREFIX}{revocation_id}"


class Revocation(Table):
    """The record of one revocation of a credential, under its holder: who, why and when, which award cycles it
    withdrew (the credential's own and what was earned only through it), and its reinstatement, if any. Kept
    after reinstatement: the history of an award is part of what the program answers for."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # revocation_key(revocation_id)
    revocation_id = UnicodeAttribute()  # time-ordered, then random
    credential_id = UnicodeAttribute()  # the credential the team revoked
    category = UnicodeAttribute()  # what the candidate is told (certtracker.credentials.revocation.CATEGORIES)
    note = UnicodeAttribute()  # the team's own words, never shown to the candidate
    by = UnicodeAttribute()
    at = Timestamp()
    withdrawn = UnicodeAttribute()  # JSON: [[award key, credential, cycle], ...], the revoked credential's first
    reinstated_at = Timestamp(null=True)
    reinstated_by = UnicodeAttribute(null=True)
    reinstated_note = UnicodeAttribute(null=True)


ACTIVITY_PREFIX = "ACTIVITY#"


def activity_partition(day: str) -> str:
    """ACTIVITY#<YYYY-MM-DD>: the candidates with a result stored or a staff action that day."""
    return f"{ACTIVITY_PREFIX}{day}"


class RecentActivity(Table):
    """A candidate whose awards something may have changed on a day: written with every stored result and every
    staff action, read by the daily reconciliation (certtracker.credentials.reconciliation), which re-evaluates
    each candidate of the last days and deletes days it no longer needs."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # activity_partition(day)
    sk = UnicodeAttribute(range_key=True)  # the candidate's account id


def recent_activity(account_id: str, at: datetime) -> RecentActivity:
    """The mark that puts a candidate in the reconciliation of the day `at` falls on (UTC)."""
    return RecentActivity(account_id=activity_partition(f"{at.astimezone(UTC):%Y-%m-%d}"), sk=account_id)


STATUS_LIST_COUNTER_KEY = ("STATUS_LIST", "COUNTER")


class StatusListCounter(Table):
    """Where the status list indexes handed out in order stop: they were taken from this item by an atomic ADD,
    [0, next_index). No longer written (indexes are now drawn at random and claimed: StatusIndexClaim); read so
    that no draw lands on one of them, which were given without a claim."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # STATUS_LIST
    sk = UnicodeAttribute(range_key=True)  # COUNTER
    next_index = NumberAttribute(default=0)


STATUS_INDEX_CLAIM_PREFIX = "STATUS_INDEX#"


def status_index_claim_key(index: int) -> tuple[str, str]:
    """A partition per index: claims are written once each and never queried together."""
    return f"{STATUS_INDEX_CLAIM_PREFIX}{index}", "CLAIM"


class StatusIndexClaim(Table):
    """A status list index taken: put only where none is, in the same transaction that gives it to the award, so
    no two awards share an index and no index is claimed without its award."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # STATUS_INDEX#<index>
    sk = UnicodeAttribute(range_key=True)  # CLAIM
    award_id = UnicodeAttribute()  # whose (random; it stays on an erased account's anonymized award)


class ReminderSent(Table):
    """One per award cycle and threshold: its conditional put is what makes a reminder go once."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # REMINDER#<credential>#<cycle>#<days>
    sent_at = Timestamp()


SIGNING_KEYS_PARTITION = "BADGE_SIGNING_KEYS"


class SigningKeyRecord(Table):
    """A key that signed badges or status lists, and until when something it signed is valid: the JWKS publishes
    it until then (one query of this partition), so a badge still verifies after its key is rotated out, with no
    call to the old key. `valid_until` only ever grows (a conditional update)."""

    class Meta:
        table_name = TableName("CREDENTIAL_AWARDS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # BADGE_SIGNING_KEYS
    sk = UnicodeAttribute(range_key=True)  # the key's RFC 7638 thumbprint
    public_jwk = UnicodeAttribute()  # JSON: kty, crv, x, y
    kms_key_id = UnicodeAttribute()  # as KMS GetPublicKey names it (its ARN): for the operator, never published
    valid_until = Timestamp()
