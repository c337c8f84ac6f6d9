"""The throttle table: password-attempt counts and locks per username and client address, and counted uses."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from certtracker.models.base import Table, TableName


class LoginThrottle(Table):
    class Meta:
        table_name = TableName("LOGIN_THROTTLE_TABLE")

    # user#<sha256 of the username> | ip#<address> | recovery#<account> | support-ip#… | support-email#…
    key = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)  # attempts counted (a right password takes its own back), or uses
    locked_until = NumberAttribute(default=0)  # epoch seconds
    expires_at = TTLAttribute()  # the end of the counting window
