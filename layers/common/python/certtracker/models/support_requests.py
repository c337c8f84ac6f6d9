"""The support requests table: each candidate's requests (or, for anonymous ones, the ANONYMOUS partition),
and one claim per reference that makes references unique."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute

from certtracker.models.base import Table, TableName, Timestamp

REQUEST_PREFIX = "REQUEST#"
ANONYMOUS_PARTITION = "ANONYMOUS"


class SupportRequest(Table):
    class Meta:
        table_name = TableName("SUPPORT_REQUESTS_TABLE")

    owner = UnicodeAttribute(hash_key=True)  # the account id, or ANONYMOUS
    sk = UnicodeAttribute(range_key=True)  # REQUEST#<created_at>#<reference>: newest first in a query
    reference = UnicodeAttribute()
    category = UnicodeAttribute()
    subject = UnicodeAttribute()
    message = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | answered | closed
    created_at = Timestamp()


class ReferenceClaim(Table):
    class Meta:
        table_name = TableName("SUPPORT_REQUESTS_TABLE")

    owner = UnicodeAttribute(hash_key=True)  # REF#<reference>
    sk = UnicodeAttribute(range_key=True)  # REF
