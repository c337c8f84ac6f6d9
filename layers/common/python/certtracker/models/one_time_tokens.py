"""The one-time tokens table: email verification and password reset links, hashed, expiring by TTL."""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from certtracker.models.base import TableName, Timestamp


class OneTimeToken(Model):
    class Meta:
        table_name = TableName("ONE_TIME_TOKENS_TABLE")

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()  # verify_email | reset_password
    account_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)  # the address a verification link proves
    issued_at = Timestamp()
    expires_at = TTLAttribute()
