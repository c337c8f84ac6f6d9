"""Typed settings per function, read from the environment once, failing at cold start."""

from __future__ import annotations

import os
from typing import TypeVar, cast

from pydantic import Field, HttpUrl, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class FunctionSettings(BaseSettings):
    """What every function needs. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")


class MailSettings(FunctionSettings):
    mail_from: str = Field(min_length=3)
    web_base_url: HttpUrl
    login_throttle_table: str  # emails per recipient are counted there
    ses_configuration_set: str = Field(min_length=1)  # bounces and complaints reach CloudWatch through it


class SessionSettings(FunctionSettings):
    sessions_table: str
    cookie_name: str = Field(pattern=r"^(__Host-)?[A-Za-z0-9_-]+$")
    cookie_secure: bool = True


class AccountsSettings(MailSettings, SessionSettings):
    accounts_table: str
    account_history_table: str
    one_time_tokens_table: str
    login_throttle_table: str
    partners_table: str
    privacy_notice_version: str = Field(min_length=1)
    recovery_queue_url: str = Field(pattern=r"^https?://")


class RecoveryMailSettings(MailSettings):
    accounts_table: str
    one_time_tokens_table: str


class AuthorizerSettings(SessionSettings):
    pass


class PreferencesSettings(MailSettings):
    accounts_table: str
    account_history_table: str
    one_time_tokens_table: str
    privacy_notice_version: str = Field(min_length=1)


class ProfileSettings(PreferencesSettings):
    partners_table: str
    login_throttle_table: str  # the email change re-authenticates, and is limited per account


class PrivacySettings(FunctionSettings):
    accounts_table: str
    exam_registrations_table: str
    exam_results_table: str
    support_requests_table: str
    account_history_table: str
    one_time_tokens_table: str
    sessions_table: str
    login_throttle_table: str


class PearsonVueSettings(FunctionSettings):
    pearson_vue_base_url: str = Field(pattern=r"^https?://")
    pearson_vue_secret_name: str = Field(min_length=1)


class ExamRegistrationSettings(PearsonVueSettings):
    accounts_table: str
    catalog_table: str
    exam_registrations_table: str
    exam_results_table: str


class PearsonVueWebhookSettings(PearsonVueSettings):
    catalog_table: str
    exam_registrations_table: str
    exam_results_table: str


class SupportSettings(MailSettings):
    accounts_table: str
    support_requests_table: str
    login_throttle_table: str
    support_exams_email: str = Field(min_length=3)
    support_partner_email: str = Field(min_length=3)


class CatalogSettings(FunctionSettings):
    catalog_table: str


class MeSettings(FunctionSettings):
    accounts_table: str


class DocsSettings(FunctionSettings):
    swagger_ui_assets_url: str = Field(min_length=1)


S = TypeVar("S", bound=FunctionSettings)


class SettingsError(RuntimeError):
    """Raised at cold start when the function's environment is incomplete."""


# Keyed by the class and the values of its variables: in a Lambda container the environment never
# changes, so this reads each class once; where several functions share one process (the local
# stack, the tests) one function can never be handed settings read from another's environment, nor
# have a variable it lacks hidden by a copy cached while another function ran.
_loaded: dict[tuple[type[FunctionSettings], tuple[str | None, ...]], FunctionSettings] = {}


def load(settings_class: type[S]) -> S:
    """Read the settings once per container; a missing variable stops the function with a clear message."""
    key = (settings_class, tuple(os.environ.get(name.upper()) for name in settings_class.model_fields))
    if key not in _loaded:
        try:
            _loaded[key] = settings_class()
        except ValidationError as error:
            missing = ", ".join(str(e["loc"][0]).upper() for e in error.errors())
            raise SettingsError(
                f"{settings_class.__name__}: missing or invalid environment variables: {missing}"
            ) from error
    return cast(S, _loaded[key])
