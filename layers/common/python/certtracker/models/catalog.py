"""The catalog table: exams and assessments (and, with the credentials issue, credentials)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from certtracker.models.base import Table, TableName

EXAMS_PARTITION = "EXAMS"


class CatalogExam(Table):
    """A proctored exam (Pearson VUE) or an online, unproctored assessment."""

    class Meta:
        table_name = TableName("CATALOG_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # EXAMS: the whole catalog is one query
    sk = UnicodeAttribute(range_key=True)  # the exam id
    exam_id = UnicodeAttribute()
    title = UnicodeAttribute()
    kind = UnicodeAttribute()  # exam | assessment
    delivery = UnicodeAttribute()  # test_center_or_online_proctored | online_unproctored
    track = UnicodeAttribute()
    languages = ListAttribute(of=UnicodeAttribute)
    pass_mark = NumberAttribute()  # percent
    duration_minutes = NumberAttribute()
    retake_wait_days = NumberAttribute()
    retired = BooleanAttribute(default=False)
    replaced_by = UnicodeAttribute(null=True)
