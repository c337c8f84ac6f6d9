"""The shares table: the credentials a candidate forwarded to someone, and the links that open them.

Three kinds of item, each read by its key (strongly consistent, no index):
- a share, under its candidate (`SHARE#<share_id>`; ids start with the time, so a query lists them in order),
  with its views counted on it;
- a link, under the digest of its token (`LINK#<digest>`): what the public page reads first. The token itself
  is only in the recipient's email. Revoking a share or erasing its candidate deletes the link, so the page
  answers 404 at once;
- a submission claim, under the candidate (core.submissions): a share form sent twice makes one share.

Every item leaves by TTL (`purge_at`) some time after its share expired.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute

from certtracker.core.tables import Table, TableName, Timestamp

SHARE_PREFIX = "SHARE#"
LINK_PREFIX = "LINK#"
LINK_SK = "LINK"


class Share(Table):
    class Meta:
        table_name = TableName("SHARES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # the candidate's account id
    sk = UnicodeAttribute(range_key=True)  # SHARE#<share_id>
    share_id = UnicodeAttribute()
    link_hash = UnicodeAttribute()  # the digest of the link's token: its item's key
    recipient_email = UnicodeAttribute()
    credential_ids = ListAttribute(of=UnicodeAttribute)  # type: ignore[var-annotated]
    message = UnicodeAttribute(null=True)
    created_at = Timestamp()
    expires_at = Timestamp()
    revoked_at = Timestamp(null=True)
    # The view log: when, and nothing about who. Counted by one atomic ADD, so the first view is seen once.
    views = NumberAttribute(default=0)
    first_viewed_at = Timestamp(null=True)
    last_viewed_at = Timestamp(null=True)
    view_times = ListAttribute(of=UnicodeAttribute, null=True)  # type: ignore[var-annotated]  # ISO times, the first VIEW_LOG_SIZE
    purge_at = TTLAttribute()


class ShareLink(Table):
    class Meta:
        table_name = TableName("SHARES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # LINK#<digest of the token>
    sk = UnicodeAttribute(range_key=True)  # LINK
    account_id = UnicodeAttribute()
    share_id = UnicodeAttribute()
    expires_at = Timestamp()
    purge_at = TTLAttribute()


class ShareSubmission(Table):
    """A submitted share form (core.submissions): a resubmission finds the share the first one made."""

    class Meta:
        table_name = TableName("SHARES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # the candidate's account id
    sk = UnicodeAttribute(range_key=True)  # SUBMISSION#KEY#<digest> or SUBMISSION#CONTENT#<digest>
    share_id = UnicodeAttribute()
    expires_at = Timestamp()
    payload_hash = UnicodeAttribute()
    created_at = Timestamp()
    purge_at = TTLAttribute()
