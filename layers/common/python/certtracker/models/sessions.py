"""The sessions table: one item per login, keyed by the SHA-256 of its token, expiring by TTL."""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from certtracker.core.tables import Table, TableName, Timestamp


class SessionsByAccount(GlobalSecondaryIndex["Session"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_account"
        projection = KeysOnlyProjection()

    account_id = UnicodeAttribute(hash_key=True)


class Session(Table):
    class Meta:
        table_name = TableName("SESSIONS_TABLE")

    token_hash = UnicodeAttribute(hash_key=True)
    account_id = UnicodeAttribute()
    csrf_hash = UnicodeAttribute()
    created_at = Timestamp()
    last_seen_at = Timestamp()
    expires_at = TTLAttribute()  # the absolute timeout; DynamoDB removes the item after it
    by_account = SessionsByAccount()
