"""The certificates table: each certificate rendered for a candidate, and the verification codes pointing to them.

Two kinds of item, each read by its key (strongly consistent, no index):
- a certificate, under its holder: one per award and holder name, so asking again finds the stored PDF and
  a changed name makes a new one (`certificate_key`);
- a verification code, under the code itself: what a public verification reads first. It outlives the
  certificate: erasing the holder turns it into a tombstone, so a scanned code answers "no longer available"
  instead of "unknown".
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from certtracker.models.base import Table, TableName, Timestamp

CERTIFICATE_PREFIX = "CERTIFICATE#"
CODE_PREFIX = "CODE#"
CODE_SK = "CODE"

Status = str  # "rendering" | "ready" | "withdrawn"


def certificate_key(award_id: str, name_digest: str) -> str:
    return f"{CERTIFICATE_PREFIX}{award_id}#{name_digest}"


class Certificate(Table):
    class Meta:
        table_name = TableName("CERTIFICATES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # the holder's account id
    sk = UnicodeAttribute(range_key=True)  # certificate_key(award_id, digest of the printed name)
    certificate_id = UnicodeAttribute()  # printed; C-XXXX-XXXX-XXXX
    verification_code = UnicodeAttribute()  # canonical (no dashes)
    credential_id = UnicodeAttribute()
    award_sk = UnicodeAttribute()  # the award's key in the credential awards table
    award_id = UnicodeAttribute()
    cycle = NumberAttribute()
    holder_name = UnicodeAttribute()  # as printed
    status = UnicodeAttribute()  # rendering, ready, withdrawn
    created_at = Timestamp()
    rendering_since = Timestamp(null=True)  # a render that never finished is taken over after a while; none yet
    # began when the program staff queued a corrected one (the certificates function renders it on demand)
    rendered_at = Timestamp(null=True)
    object_key = UnicodeAttribute(null=True)  # the PDF in the certificates bucket, once rendered
    size_bytes = NumberAttribute(null=True)
    withdrawn_at = Timestamp(null=True)
    withdrawn_reason = UnicodeAttribute(null=True)
    replaced_by = UnicodeAttribute(null=True)  # the certificate id of the corrected one
    replaces = UnicodeAttribute(null=True)  # a corrected one: the withdrawn PDF's key, deleted once this is rendered


class VerificationCode(Table):
    class Meta:
        table_name = TableName("CERTIFICATES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # CODE#<canonical code>
    sk = UnicodeAttribute(range_key=True)  # CODE
    account_id = UnicodeAttribute(null=True)  # None once the holder is erased (a tombstone)
    certificate_sk = UnicodeAttribute(null=True)
    certificate_id = UnicodeAttribute()
    credential_id = UnicodeAttribute()
    erased_at = Timestamp(null=True)

    @staticmethod
    def key(code: str) -> str:
        return CODE_PREFIX + code
