"""Typed settings per function, read from the environment once, failing at cold start.

Plain dataclasses and a small reader rather than pydantic-settings: every function reads a handful of
strings, and pydantic-settings (with python-dotenv and its cloud providers) cost more cold-start time
than everything else the authorizer imports. Not dataclasses either: generating their methods costs about
half a millisecond a class, and there is a class per function."""

from __future__ import annotations

import os
import re
from typing import Any, cast
from urllib.parse import urlsplit

_REQUIRED = object()


class Setting:
    """One environment variable: the upper-cased attribute name. An instance's value hides it."""

    def __init__(self, read: Any, default: Any = _REQUIRED) -> None:
        self.read, self.default = read, default

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def value(self, raw: str | None) -> Any:
        """The setting's value, or None if the variable is missing or has the wrong shape."""
        if raw is None:
            return None if self.default is _REQUIRED else self.default
        return self.read(raw)


def text(*, pattern: str | None = None, min_length: int = 1) -> Any:
    """A string setting with a shape: refused at cold start if it does not match."""

    def read(raw: str) -> str | None:
        shaped = len(raw) >= min_length and (pattern is None or re.fullmatch(pattern, raw))
        return raw if shaped else None

    return Setting(read)


def url() -> Any:
    """An absolute http(s) URL."""

    def read(raw: str) -> str | None:
        parts = urlsplit(raw)
        return raw if parts.scheme in ("http", "https") and parts.netloc else None

    return Setting(read)


def optional_url() -> Any:
    """An absolute http(s) URL, or empty: the system it names is not connected yet."""
    absolute = url().read
    return Setting(lambda raw: raw if raw == "" else absolute(raw), default="")


def flag(default: bool) -> Any:
    """A true/false setting ("true"/"false", as the template passes it)."""
    return Setting(lambda raw: {"true": True, "false": False}.get(raw.strip().lower()), default)


class FunctionSettings:
    """What every function needs. Attributes map to upper-case environment variables."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("settings are read once, at cold start, and never change")

    @classmethod
    def settings(cls) -> list[Setting]:
        found: dict[str, Setting] = {}
        for klass in reversed(cls.__mro__):
            found.update({name: item for name, item in vars(klass).items() if isinstance(item, Setting)})
        return list(found.values())


class MailSettings(FunctionSettings):
    mail_from: str = text(min_length=3)
    web_base_url: str = url()
    login_throttle_table: str = text()  # emails per recipient are counted there
    ses_configuration_set: str = text()  # bounces and complaints reach CloudWatch through it


class SessionSettings(FunctionSettings):
    sessions_table: str = text()
    cookie_name: str = text(pattern=r"(__Host-)?[A-Za-z0-9_-]+")
    cookie_secure: bool = flag(True)


class ClientAddressSettings(FunctionSettings):
    # Where the client's address is read from, for per-address limits (certtracker.core.api.client_address):
    # "cloudfront" when deployed, "direct" on the local stack, which has no CloudFront.
    client_address_from: str = text(pattern="cloudfront|direct")


class AccountsSettings(MailSettings, SessionSettings, ClientAddressSettings):
    accounts_table: str = text()
    account_history_table: str = text()
    one_time_tokens_table: str = text()
    partners_table: str = text()
    privacy_notice_version: str = text()
    recovery_queue_url: str = url()


class RecoveryMailSettings(MailSettings):
    accounts_table: str = text()
    one_time_tokens_table: str = text()


class AuthorizerSettings(SessionSettings):
    pass


class PreferencesSettings(MailSettings):
    accounts_table: str = text()
    account_history_table: str = text()
    one_time_tokens_table: str = text()
    privacy_notice_version: str = text()


class ProfileSettings(PreferencesSettings):
    partners_table: str = text()
    # login_throttle_table (from MailSettings) also limits email changes and re-authentication


class PrivacySettings(MailSettings):
    accounts_table: str = text()
    credential_awards_table: str = text()
    exam_registrations_table: str = text()
    exam_results_table: str = text()
    support_requests_table: str = text()
    account_history_table: str = text()
    one_time_tokens_table: str = text()
    sessions_table: str = text()
    login_throttle_table: str = text()
    certificates_table: str = text()
    certificates_bucket: str = text()  # erasure deletes the PDFs
    shares_table: str = text()  # erasure deletes the shares and their links
    partners_table: str = text()  # erasure unlinks the PartnerNet contact
    support_partner_email: str = text(min_length=3)  # ... and tells the partner program team


class PearsonVueSettings(FunctionSettings):
    pearson_vue_base_url: str = url()
    pearson_vue_secret_name: str = text()


class PartnerNetSettings(FunctionSettings):
    partnernet_base_url: str = optional_url()  # empty until the deployment is connected to PartnerNet
    partnernet_secret_name: str = text()


class ExamRegistrationSettings(PearsonVueSettings):
    accounts_table: str = text()
    catalog_table: str = text()
    exam_registrations_table: str = text()
    exam_results_table: str = text()


class PearsonVueWebhookSettings(PearsonVueSettings, MailSettings):
    catalog_table: str = text()
    exam_registrations_table: str = text()
    exam_results_table: str = text()
    credential_awards_table: str = text()  # a passed result awards what it completes
    accounts_table: str = text()  # the award email: the candidate's address and choices
    one_time_tokens_table: str = text()  # the award email's unsubscribe link


class SupportSettings(MailSettings, ClientAddressSettings):
    accounts_table: str = text()
    support_requests_table: str = text()
    support_exams_email: str = text(min_length=3)
    support_partner_email: str = text(min_length=3)


class CredentialsSettings(FunctionSettings):
    credential_awards_table: str = text()
    catalog_table: str = text()  # the credential and exam catalogs
    exam_results_table: str = text()  # progress reads the passed results
    logos_bucket: str = text()  # downloads are presigned URLs to its logos/ objects


class CertificatesSettings(FunctionSettings):
    certificates_table: str = text()
    certificates_bucket: str = text()  # the PDFs, private; downloads are presigned URLs
    credential_awards_table: str = text()  # only a valid award gets a certificate
    catalog_table: str = text()  # the credentials' titles
    accounts_table: str = text()  # the name an award from before names were kept takes, once
    login_throttle_table: str = text()  # name change requests per candidate
    web_base_url: str = url()  # the verification page the QR code opens
    program_name: str = text()  # printed on the certificate


class ProgramStaffSettings(MailSettings):
    certificates_table: str = text()  # name changes: the requests, the re-issued certificates queued
    credential_awards_table: str = text()  # revoke and reinstate; a placed result may award
    catalog_table: str = text()
    accounts_table: str = text()  # the candidate, by username or email; the award email
    exam_results_table: str = text()  # the parked results
    one_time_tokens_table: str = text()  # the award email's unsubscribe link


class VerificationSettings(ClientAddressSettings):
    certificates_table: str = text()
    credential_awards_table: str = text()  # the live status
    catalog_table: str = text()
    login_throttle_table: str = text()  # verifications per client address


class SharesSettings(MailSettings, ClientAddressSettings):
    shares_table: str = text()
    accounts_table: str = text()  # the candidate's name and address (Reply-To), and their email choices
    credential_awards_table: str = text()  # only credentials held are shared; each view reads them live
    catalog_table: str = text()  # the credentials' titles
    certificates_table: str = text()  # a shared credential's verification link, from its certificate
    one_time_tokens_table: str = text()  # the first-view notice's unsubscribe link
    # login_throttle_table (from MailSettings): shares per candidate and per recipient, views per client address


class PartnersSettings(MailSettings):
    accounts_table: str = text()  # the caller (a program manager?) and the partner's employees (index by_partner)
    credential_awards_table: str = text()  # what each employee holds
    catalog_table: str = text()  # the credentials' titles
    partners_table: str = text()  # the partner company and its tier; a contact's association request
    one_time_tokens_table: str = text()  # association request links
    account_history_table: str = text()  # an answer is in the account's history
    support_partner_email: str = text(min_length=3)  # the partner program team hears of a refusal


class PartnerNetSyncSettings(PartnerNetSettings, MailSettings):
    partners_table: str = text()  # the partner companies and their domains, the sync's lease and watermark
    support_partner_email: str = text(min_length=3)  # told of each association request that lapsed unanswered
    provisioning_queue_url: str = url()  # one message per contact change


class PartnerNetProvisionSettings(MailSettings):
    accounts_table: str = text()  # the accounts made or linked, their claims
    account_history_table: str = text()  # each association and its end
    partners_table: str = text()  # the contacts as applied, the partner companies
    one_time_tokens_table: str = text()  # the set-password links


class BadgesSettings(FunctionSettings):
    credential_awards_table: str = text()  # the awards, the status list counter and the revoked index
    catalog_table: str = text()  # the credentials' titles and descriptions
    accounts_table: str = text()  # the holder's (hashed) email
    certificates_table: str = text()  # an award from before names were kept takes its earliest certificate's
    web_base_url: str = url()  # every URL inside a badge: issuer, key, status list, achievement
    badge_signing_key: str = text()  # the KMS key (id, ARN or alias) that signs badges and status lists
    program_name: str = text()  # the badges' issuer


class ExpiryRemindersSettings(MailSettings):
    credential_awards_table: str = text()
    catalog_table: str = text()  # the credentials' titles
    accounts_table: str = text()
    one_time_tokens_table: str = text()  # each email's unsubscribe link


class AwardReconciliationSettings(MailSettings):
    credential_awards_table: str = text()  # the awards, revocations and the days' activity marks
    exam_results_table: str = text()  # the passed results an evaluation counts
    catalog_table: str = text()  # the credentials' requirements
    accounts_table: str = text()  # whom to tell of an award
    one_time_tokens_table: str = text()  # the award email's unsubscribe link


class CatalogSettings(FunctionSettings):
    catalog_table: str = text()


class MeSettings(FunctionSettings):
    accounts_table: str = text()
    partners_table: str = text()


class SettingsError(RuntimeError):
    """Raised at cold start when the function's environment is incomplete."""


# Keyed by the class and the values of its variables: in a Lambda container the environment never
# changes, so this reads each class once; where several functions share one process (the local
# stack, the tests) one function can never be handed settings read from another's environment, nor
# have a variable it lacks hidden by a copy cached while another function ran.
_loaded: dict[tuple[type[FunctionSettings], tuple[str | None, ...]], FunctionSettings] = {}


def load[S: FunctionSettings](settings_class: type[S]) -> S:
    """Read the settings once per container; a missing variable stops the function with a clear message."""
    settings = settings_class.settings()
    key = (settings_class, tuple(os.environ.get(setting.name.upper()) for setting in settings))
    if key not in _loaded:
        values = {setting.name: setting.value(raw) for setting, raw in zip(settings, key[1], strict=True)}
        problems = [name.upper() for name, value in values.items() if value is None]
        if problems:
            raise SettingsError(
                f"{settings_class.__name__}: missing or invalid environment variables: {', '.join(problems)}"
            )
        _loaded[key] = settings_class(values)
    return cast(S, _loaded[key])
