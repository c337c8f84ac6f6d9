"""The account history table: changes of name, email and consent, each with its time."""

from __future__ import annotations

import uuid
from datetime import datetime

from pynamodb.attributes import MapAttribute, UnicodeAttribute

from certtracker.core.tables import Table, TableName, Timestamp


class AccountEvent(Table):
    class Meta:
        table_name = TableName("ACCOUNT_HISTORY_TABLE")

    account_id = UnicodeAttribute(hash_key=True)
    event_key = UnicodeAttribute(range_key=True)  # <ISO time>#<random>, so events sort by time
    kind = UnicodeAttribute()  # name_changed | email_change_requested | email_changed | consent_changed
    at = Timestamp()
    details: MapAttribute[str, object] = MapAttribute()

    @classmethod
    def new(cls, account_id: str, kind: str, at: datetime, **details: object) -> AccountEvent:
        key = f"{at.isoformat()}#{uuid.uuid4().hex[:8]}"
        return cls(account_id=account_id, event_key=key, kind=kind, at=at, details=details)
