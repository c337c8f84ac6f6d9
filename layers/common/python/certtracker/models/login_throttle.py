"""The login throttle table: failure counts and locks per username and per client address."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from certtracker.models.base import Table, TableName


class LoginThrottle(Table):
    class Meta:
        table_name = TableName("LOGIN_THROTTLE_TABLE")

    key = UnicodeAttribute(hash_key=True)  # user#<sha256 of the username> | ip#<address> | recovery#<account>
    failures = NumberAttribute(default=0)
    locked_until = NumberAttribute(default=0)  # epoch seconds
    expires_at = TTLAttribute()  # the end of the counting window
