"""The catalog table: exams and assessments, and the credentials they lead to."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute

from certtracker.core.tables import Table, TableName

EXAMS_PARTITION = "EXAMS"
CREDENTIALS_PARTITION = "CREDENTIALS"


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


class CatalogCredential(Table):
    """An accreditation or certification: its definition, as `certtracker.credentials.catalog` validated it.

    The requirement trees are stored as their JSON (`certtracker.credentials.requirements.to_json`).
    """

    class Meta:
        table_name = TableName("CATALOG_TABLE")

    pk = UnicodeAttribute(hash_key=True)  # CREDENTIALS: the whole credential catalog is one query
    sk = UnicodeAttribute(range_key=True)  # the credential id
    credential_id = UnicodeAttribute()
    catalog_version = UnicodeAttribute()  # the document's version this item was loaded from
    kind = UnicodeAttribute()  # accreditation | certification
    level = UnicodeAttribute()  # foundation | specialist | professional
    title = UnicodeAttribute()
    track = UnicodeAttribute()
    description = UnicodeAttribute()
    validity_months = NumberAttribute()
    requirements = UnicodeAttribute()  # JSON
    renewal_window_days = NumberAttribute()
    recertification_requirements = UnicodeAttribute()  # JSON
