"""The support requests table: each candidate's requests in the account's partition, requests filed without
logging in in a partition per email address, and one claim per reference that makes references unique."""

from __future__ import annotations

import hashlib

from pynamodb.attributes import UnicodeAttribute

from certtracker.core.addresses import canonical
from certtracker.core.tables import Table, TableName, Timestamp

REQUEST_PREFIX = "REQUEST#"
ANONYMOUS_PREFIX = "ANONYMOUS#"


def anonymous_partition(email: str) -> str:
    """Where requests filed without logging in under this address live: ANONYMOUS#<SHA-256 of the address as
    claims key it>, so the address's owner's export and erasure find them with one query, not a scan.
    (The hash keeps the address out of the key; the item itself still holds it, for replies.)"""
    return ANONYMOUS_PREFIX + hashlib.sha256(canonical(email).encode()).hexdigest()


class SupportRequest(Table):
    class Meta:
        table_name = TableName("SUPPORT_REQUESTS_TABLE")

    owner = UnicodeAttribute(hash_key=True)  # the account id, or anonymous_partition(email)
    sk = UnicodeAttribute(range_key=True)  # REQUEST#<created_at>#<reference>: newest first in a query
    reference = UnicodeAttribute()
    category = UnicodeAttribute()
    subject = UnicodeAttribute()
    message = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | answered | closed
    created_at = Timestamp()


class SubmissionClaim(Table):
    """One per submitted form in its window, beside the request it made: a resubmission gets that request."""

    class Meta:
        table_name = TableName("SUPPORT_REQUESTS_TABLE")

    owner = UnicodeAttribute(hash_key=True)  # the partition of the requests it guards
    sk = UnicodeAttribute(range_key=True)  # SUBMISSION#KEY#<digest> or SUBMISSION#CONTENT#<digest> (core.submissions)
    reference = UnicodeAttribute()
    payload_hash = UnicodeAttribute()
    created_at = Timestamp()


class ReferenceClaim(Table):
    class Meta:
        table_name = TableName("SUPPORT_REQUESTS_TABLE")

    owner = UnicodeAttribute(hash_key=True)  # REF#<reference>
    sk = UnicodeAttribute(range_key=True)  # REF
