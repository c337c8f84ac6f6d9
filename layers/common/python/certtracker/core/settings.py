"""Typed settings per function, read from the environment once, failing at cold start.

Plain dataclasses and a small reader rather than pydantic-settings: every function reads a handful of
strings, and pydantic-settings (with python-dotenv and its cloud providers) cost more cold-start time
than everything else the authorizer imports."""

from __future__ import annotations

import os
import re
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit


def text(*, pattern: str | None = None, min_length: int = 1) -> Any:
    """A string setting with a shape: refused at cold start if it does not match."""
    return field(metadata={"pattern": pattern, "min_length": min_length})


def url() -> Any:
    """An absolute http(s) URL."""
    return field(metadata={"url": True})


def flag(default: bool) -> Any:
    """A true/false setting ("true"/"false", as the template passes it)."""
    return field(default=default, metadata={"flag": True})


@dataclass(frozen=True, kw_only=True)
class FunctionSettings:
    """What every function needs. Field names map to upper-case environment variables."""


@dataclass(frozen=True, kw_only=True)
class MailSettings(FunctionSettings):
    mail_from: str = text(min_length=3)
    web_base_url: str = url()
    login_throttle_table: str = text()  # emails per recipient are counted there


@dataclass(frozen=True, kw_only=True)
class SessionSettings(FunctionSettings):
    sessions_table: str = text()
    cookie_name: str = text(pattern=r"(__Host-)?[A-Za-z0-9_-]+")
    cookie_secure: bool = flag(True)


@dataclass(frozen=True, kw_only=True)
class AccountsSettings(MailSettings, SessionSettings):
    accounts_table: str = text()
    account_history_table: str = text()
    one_time_tokens_table: str = text()
    partners_table: str = text()
    privacy_notice_version: str = text()
    recovery_queue_url: str = url()


@dataclass(frozen=True, kw_only=True)
class RecoveryMailSettings(MailSettings):
    accounts_table: str = text()
    one_time_tokens_table: str = text()


@dataclass(frozen=True, kw_only=True)
class AuthorizerSettings(SessionSettings):
    pass


@dataclass(frozen=True, kw_only=True)
class PreferencesSettings(MailSettings):
    accounts_table: str = text()
    account_history_table: str = text()
    one_time_tokens_table: str = text()
    privacy_notice_version: str = text()


@dataclass(frozen=True, kw_only=True)
class ProfileSettings(PreferencesSettings):
    partners_table: str = text()
    # login_throttle_table (from MailSettings) also limits email changes and re-authentication


@dataclass(frozen=True, kw_only=True)
class PrivacySettings(FunctionSettings):
    accounts_table: str = text()
    exam_registrations_table: str = text()
    exam_results_table: str = text()
    support_requests_table: str = text()
    account_history_table: str = text()
    one_time_tokens_table: str = text()
    sessions_table: str = text()
    login_throttle_table: str = text()


@dataclass(frozen=True, kw_only=True)
class PearsonVueSettings(FunctionSettings):
    pearson_vue_base_url: str = url()
    pearson_vue_secret_name: str = text()


@dataclass(frozen=True, kw_only=True)
class ExamRegistrationSettings(PearsonVueSettings):
    accounts_table: str = text()
    catalog_table: str = text()
    exam_registrations_table: str = text()
    exam_results_table: str = text()


@dataclass(frozen=True, kw_only=True)
class PearsonVueWebhookSettings(PearsonVueSettings):
    catalog_table: str = text()
    exam_registrations_table: str = text()
    exam_results_table: str = text()


@dataclass(frozen=True, kw_only=True)
class SupportSettings(MailSettings):
    accounts_table: str = text()
    support_requests_table: str = text()
    support_exams_email: str = text(min_length=3)
    support_partner_email: str = text(min_length=3)


@dataclass(frozen=True, kw_only=True)
class CatalogSettings(FunctionSettings):
    catalog_table: str = text()


@dataclass(frozen=True, kw_only=True)
class MeSettings(FunctionSettings):
    accounts_table: str = text()


@dataclass(frozen=True, kw_only=True)
class DocsSettings(FunctionSettings):
    swagger_ui_assets_url: str = text()


S = TypeVar("S", bound=FunctionSettings)


class SettingsError(RuntimeError):
    """Raised at cold start when the function's environment is incomplete."""


def _value(raw: str | None, metadata: Any) -> Any:
    """The setting's value, or None if the variable is missing or has the wrong shape."""
    if raw is None:
        return None
    if metadata.get("flag"):
        return {"true": True, "false": False}.get(raw.strip().lower())
    if metadata.get("url"):
        parts = urlsplit(raw)
        return raw if parts.scheme in ("http", "https") and parts.netloc else None
    pattern = metadata.get("pattern")
    if len(raw) < metadata.get("min_length", 1) or (pattern and not re.fullmatch(pattern, raw)):
        return None
    return raw


# Keyed by the class and the values of its variables: in a Lambda container the environment never
# changes, so this reads each class once; where several functions share one process (the local
# stack, the tests) one function can never be handed settings read from another's environment, nor
# have a variable it lacks hidden by a copy cached while another function ran.
_loaded: dict[tuple[type[FunctionSettings], tuple[str | None, ...]], FunctionSettings] = {}


def load(settings_class: type[S]) -> S:
    """Read the settings once per container; a missing variable stops the function with a clear message."""
    names = [setting.name for setting in fields(settings_class)]
    key = (settings_class, tuple(os.environ.get(name.upper()) for name in names))
    if key not in _loaded:
        values, problems = {}, []
        for setting, raw in zip(fields(settings_class), key[1], strict=True):
            value = _value(raw, setting.metadata)
            if value is not None:
                values[setting.name] = value
            elif raw is not None or setting.default is MISSING:
                problems.append(setting.name.upper())
        if problems:
            raise SettingsError(
                f"{settings_class.__name__}: missing or invalid environment variables: {', '.join(problems)}"
            )
        _loaded[key] = settings_class(**values)
    return cast(S, _loaded[key])
