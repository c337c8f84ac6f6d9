"""One PynamoDB model module per table."""

from __future__ import annotations

from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account, AccountClaim, ErasedAccount
from certtracker.models.base import Table
from certtracker.models.catalog import CatalogExam
from certtracker.models.exam_registrations import ExamRegistration, OpenRegistration
from certtracker.models.exam_results import ExamResult, ResultReceipt
from certtracker.models.login_throttle import LoginThrottle
from certtracker.models.one_time_tokens import OneTimeToken
from certtracker.models.partners import PartnerCompany, PartnerDomain
from certtracker.models.sessions import Session
from certtracker.models.support_requests import ReferenceClaim, SubmissionClaim, SupportRequest

ALL_MODELS: tuple[type[Table], ...] = (
    Account,
    AccountClaim,
    AccountEvent,
    CatalogExam,
    ExamRegistration,
    ExamResult,
    ErasedAccount,
    LoginThrottle,
    OneTimeToken,
    OpenRegistration,
    PartnerCompany,
    PartnerDomain,
    ReferenceClaim,
    ResultReceipt,
    Session,
    SubmissionClaim,
    SupportRequest,
)
