"""The exam registrations table: a candidate's registrations, and one open claim per exam."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from certtracker.core.tables import Table, TableName, Timestamp

REGISTRATION_PREFIX = "REG#"
OPEN_PREFIX = "OPEN#"


class RegistrationsById(GlobalSecondaryIndex["ExamRegistration"]):  # type: ignore[no-untyped-call]
    """Pearson VUE's results name the registration: this finds its candidate."""

    class Meta:
        index_name = "by_registration"
        projection = KeysOnlyProjection()

    registration_id = UnicodeAttribute(hash_key=True)


class ExamRegistration(Table):
    class Meta:
        table_name = TableName("EXAM_REGISTRATIONS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # REG#<registration_id>: ids sort by time
    registration_id = UnicodeAttribute()
    exam_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # exam | assessment
    status = UnicodeAttribute()  # requested | authorized | completed
    created_at = Timestamp()
    valid_until = Timestamp()
    by_registration = RegistrationsById()


class OpenRegistration(Table):
    """At most one open authorization per candidate and exam: a conditional put on this item."""

    class Meta:
        table_name = TableName("EXAM_REGISTRATIONS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)  # OPEN#<exam_id>
    registration_id = UnicodeAttribute()
    status = UnicodeAttribute()  # requested (Pearson VUE not yet answered) | authorized
    claimed_at = Timestamp()
    valid_until = Timestamp()
