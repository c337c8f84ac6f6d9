"""The one-time tokens table: email verification and password reset links, hashed, expiring by TTL."""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from certtracker.core.tables import Table, TableName, Timestamp


class TokensByAccount(GlobalSecondaryIndex["OneTimeToken"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "by_account"
        projection = KeysOnlyProjection()

    account_id = UnicodeAttribute(hash_key=True)


class OneTimeToken(Table):
    class Meta:
        table_name = TableName("ONE_TIME_TOKENS_TABLE")

    token_hash = UnicodeAttribute(hash_key=True)
    # verify_email | change_email | cancel_email_change | reset_password | set_password | unsubscribe | confirm_partner
    purpose = UnicodeAttribute()
    account_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)  # the address a verification link proves
    topic = UnicodeAttribute(null=True)  # what an unsubscribe link turns off
    request = UnicodeAttribute(null=True)  # the partner association a confirm_partner link answers: <contact>#<id>
    issued_at = Timestamp()
    expires_at = TTLAttribute()
    by_account = TokensByAccount()
