"""One PynamoDB model module per table (but the throttles' counters: `certtracker.core.throttling`, which the
resolver and the email module use, and `core` imports nothing above it).

Importing one model loads only its module: `every_model()` loads them all, for the tools that need every
table (the local stack, the tests), never a function's cold start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from certtracker.core.tables import Table


def every_model() -> tuple[type[Table], ...]:
    from certtracker.core.throttling import LoginThrottle
    from certtracker.models.account_history import AccountEvent
    from certtracker.models.accounts import Account, AccountClaim, ErasedAccount
    from certtracker.models.catalog import CatalogCredential, CatalogExam
    from certtracker.models.certificates import Certificate, VerificationCode
    from certtracker.models.credential_awards import (
        CredentialAward,
        RecentActivity,
        ReminderSent,
        Revocation,
        SigningKeyRecord,
        StatusIndexClaim,
        StatusListCounter,
    )
    from certtracker.models.exam_registrations import ExamRegistration, OpenRegistration
    from certtracker.models.exam_results import ExamResult, ResultReceipt
    from certtracker.models.one_time_tokens import OneTimeToken
    from certtracker.models.partners import PartnerCompany, PartnerContact, PartnerDomain
    from certtracker.models.sessions import Session
    from certtracker.models.support_requests import ReferenceClaim, SubmissionClaim, SupportRequest

    return (
        Account,
        AccountClaim,
        AccountEvent,
        CatalogCredential,
        CatalogExam,
        Certificate,
        VerificationCode,
        CredentialAward,
        ReminderSent,
        Revocation,
        RecentActivity,
        StatusListCounter,
        StatusIndexClaim,
        SigningKeyRecord,
        ExamRegistration,
        ExamResult,
        ErasedAccount,
        LoginThrottle,
        OneTimeToken,
        OpenRegistration,
        PartnerCompany,
        PartnerDomain,
        PartnerContact,
        ReferenceClaim,
        ResultReceipt,
        Session,
        SubmissionClaim,
        SupportRequest,
    )
