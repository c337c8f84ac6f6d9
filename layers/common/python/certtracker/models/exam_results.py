"""The exam results table: each candidate's results, newest first; receipts that make delivery exactly-once."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from certtracker.core.tables import Table, TableName, Timestamp

RESULT_PREFIX = "RESULT#"
PARKED_PARTITION = "PARKED"
ANONYMIZED_PARTITION = "ANONYMIZED"  # results of erased accounts, kept for the program's statistics


class ExamResult(Table):
    class Meta:
        table_name = TableName("EXAM_RESULTS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # or PARKED, for results that match no registration
    sk = UnicodeAttribute(range_key=True)  # RESULT#<taken_at>#<result_id>: a query reads newest first
    result_id = UnicodeAttribute()
    registration_id = UnicodeAttribute()
    exam_id = UnicodeAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    delivery = UnicodeAttribute()
    score = NumberAttribute()
    pass_mark = NumberAttribute(null=True)
    passed = BooleanAttribute()
    taken_at = Timestamp()  # as Pearson VUE stamped it, but never after it was received (see reported_taken_at)
    received_at = Timestamp()
    # Set only when Pearson VUE's stamp was ahead of our clock (within the accepted skew): what it said. The
    # result is then stored as taken when it arrived, so it counts at once instead of minutes later.
    reported_taken_at = Timestamp(null=True)


class ResultReceipt(Table):
    """One per Pearson VUE result id: its conditional put is what makes a redelivery change nothing."""

    class Meta:
        table_name = TableName("EXAM_RESULTS_TABLE")

    account_id = UnicodeAttribute(hash_key=True)  # RECEIPT#<result_id>
    sk = UnicodeAttribute(range_key=True)  # RECEIPT
    received_at = Timestamp()
