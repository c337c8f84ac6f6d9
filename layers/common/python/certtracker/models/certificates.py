"""The certificates table: each certificate rendered for a candidate, the verification codes pointing to them, and
the candidates' requests to change the name their certificates print.

Each kind of item is read by its key or one query (strongly consistent, no index):
- a certificate, under its holder: one per award and the name the award carries (`certificate_key`), so asking
  again finds the stored PDF; an approved name change makes the next one and supersedes this;
- a verification code, under the code itself: what a public verification reads first. It outlives the
  certificate: erasing the holder turns it into a tombstone, so a scanned code answers "no longer available"
  instead of "unknown";
- a name change request, under its candidate (`NAME_CHANGE#<request id>`), and while it waits, its entry in the
  staff's queue (`PendingNameChange`, one partition, one item per candidate: what keeps one pending at a time),
  and the Idempotency-Key claim of the form that made it.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from certtracker.core.tables import Table, TableName, Timestamp

CERTIFICATE_PREFIX = "CERTIFICATE#"
CODE_PREFIX = "CODE#"
CODE_SK = "CODE"

NAME_CHANGE_PREFIX = "NAME_CHANGE#"
PENDING_NAME_CHANGES = "NAME_CHANGES_PENDING"  # the staff's queue: one partition, each candidate's pending request

Status = str  # "rendering" | "ready" | "withdrawn" | "superseded"


def certificate_key(award_id: str, name_digest: str, name_changes: int = 0) -> str:
    """One certificate per award and name version: the award's name and how many name changes it has had (an
    award renamed back to an earlier name gets a new certificate, not the superseded one)."""
    return f"{CERTIFICATE_PREFIX}{award_id}#{name_digest}" + (f"#{name_changes}" if name_changes else "")


def award_certificates_prefix(award_id: str) -> str:
    return f"{CERTIFICATE_PREFIX}{award_id}#"


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
    status = UnicodeAttribute()  # rendering, ready, withdrawn, superseded
    created_at = Timestamp()
    rendering_since = Timestamp(null=True)  # a render that never finished is taken over after a while; none yet
    # began when the program staff queued a corrected one (the certificates function renders it on demand)
    rendered_at = Timestamp(null=True)
    object_key = UnicodeAttribute(null=True)  # the PDF in the certificates bucket, once rendered
    size_bytes = NumberAttribute(null=True)
    withdrawn_at = Timestamp(null=True)
    withdrawn_reason = UnicodeAttribute(null=True)
    replaced_by = UnicodeAttribute(null=True)  # the certificate id of the corrected one
    replaces = UnicodeAttribute(null=True)  # a re-issued one: the old PDF's key, deleted once this is rendered
    superseded_at = Timestamp(null=True)  # when an approved name change re-issued it in the new name


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


class NameChangeRequest(Table):
    """A candidate's request to print another name on their certificates and badges, and its outcome."""

    class Meta:
        table_name = TableName("CERTIFICATES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # the candidate's account id
    sk = UnicodeAttribute(range_key=True)  # NAME_CHANGE#<request id>: ids begin with the time, so they sort
    request_id = UnicodeAttribute()
    new_name = UnicodeAttribute()  # as it will be printed (NFC, single spaces)
    reason = UnicodeAttribute()
    status = UnicodeAttribute()  # pending, approved, refused
    created_at = Timestamp()
    requested_by = UnicodeAttribute(null=True)  # a staff member who made it (correct_name); None: the candidate
    decided_at = Timestamp(null=True)
    decided_by = UnicodeAttribute(null=True)  # the staff member
    decision_reason = UnicodeAttribute(null=True)
    reissued = NumberAttribute(null=True)  # approved: how many certificates it re-issued


class PendingNameChange(Table):
    """The staff's queue of name changes waiting for a decision: one item per candidate, so its conditional put is
    what keeps one request pending at a time, and the queue is one query."""

    class Meta:
        table_name = TableName("CERTIFICATES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # PENDING_NAME_CHANGES
    sk = UnicodeAttribute(range_key=True)  # the candidate's account id
    request_id = UnicodeAttribute()
    created_at = Timestamp()


class NameChangeSubmission(Table):
    """A name change form sent with an Idempotency-Key (core.submissions): sent again, it finds the first one's
    request."""

    class Meta:
        table_name = TableName("CERTIFICATES_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # the candidate's account id
    sk = UnicodeAttribute(range_key=True)  # SUBMISSION#KEY#<digest>
    request_id = UnicodeAttribute()
    payload_hash = UnicodeAttribute()
    created_at = Timestamp()
