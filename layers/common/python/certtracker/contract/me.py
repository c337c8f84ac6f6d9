"""The response of GET /me (kept apart from the accounts models so the me function loads no email validator)."""

from datetime import datetime

from certtracker.core.api import Model


class Me(Model):
    account_id: str
    username: str
    email: str
    email_verified: bool
    first_name: str
    last_name: str
    country: str
    partner_id: str | None
    partner_name: str | None = None  # that partner company's name
    partner_manager: bool | None = None  # a program manager of that partner: sees its credit report
    marketing_opt_in: bool
    privacy_notice_version: str
    created_at: datetime
