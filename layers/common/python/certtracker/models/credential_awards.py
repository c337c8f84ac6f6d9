"""The credential awards table: each candidate's credentials, one item per credential and cycle.

An award is written once: its key is the candidate, the credential and the cycle, and the put is
conditional, so however often (or however concurrently) an evaluation runs, a cycle is awarded once.
A credential earned again after it expired starts the next cycle; past cycles stay as history.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from certtracker.models.base import Table, TableName, Timestamp

AWARD_PREFIX = "AWARD#"
ANONYMIZED_PARTITION = "ANONYMIZED"  # awards of erased accounts: kept, with no link to a person


def award_key(credential_id: str, cycle: int) -> str:
    """AWARD#<credential>#<cycle, zero-padded>: one query reads a candidate's awards, cycles in order."""
    return f"{AWARD_PREFIX}{credential_id}#{cycle:04d}"


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
    revoked = BooleanAttribute(default=False)
    revoked_at = Timestamp(null=True)
    revoked_reason = UnicodeAttribute(null=True)
