"""Expiry reminders: candidates whose credentials expire in 90, 30 and 7 days are told, once per credential,
cycle and threshold, however often the daily run goes (or if a day's run is missed).

The run reads the awards index by expiry month (the months from today to 91 days on), never scans the table.
For each award inside 90 days of its expiry it takes the smallest threshold crossed: a run missed on day 30
still sends the 30-day reminder on day 29, and the 90-day one is then not sent late. The reminder's marker is
a conditional put written before the email, so two runs at once send it once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from certtracker.accounts.identity import find_account
from certtracker.core import clock, email
from certtracker.core.observability import count, logger
from certtracker.core.tables import put_once
from certtracker.credentials.catalog import all_credentials
from certtracker.credentials.facts import latest_cycles
from certtracker.models.credential_awards import (
    AWARD_PREFIX,
    REMINDER_PREFIX,
    AwardsByExpiry,
    CredentialAward,
    ReminderSent,
    expiry_month,
)
from certtracker.notifications import notify

THRESHOLDS_DAYS = (7, 30, 90)  # the smallest crossed is the one that goes


@dataclass
class Report:
    considered: int = 0
    sent: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _months(start: datetime, end: datetime) -> list[str]:
    months, moment = [], start.replace(day=1)
    while moment <= end:
        months.append(expiry_month(moment))
        moment = (moment + timedelta(days=32)).replace(day=1)
    return months


def due(now: datetime) -> list[CredentialAward]:
    """Awards expiring from now to 90 days on, by the index: one query per month in that span."""
    end = now + timedelta(days=max(THRESHOLDS_DAYS))
    low, high = CredentialAward.expires_at.serialize(now), CredentialAward.expires_at.serialize(end)
    found: list[CredentialAward] = []
    for month in _months(now, end):
        found.extend(CredentialAward.by_expiry.query(month, AwardsByExpiry.expires_at.between(low, high)))
    return found


def threshold_for(award: CredentialAward, now: datetime) -> int | None:
    days_left = (award.expires_at - now).total_seconds() / 86400
    return next((days for days in THRESHOLDS_DAYS if days_left <= days), None)


def _claim(award: CredentialAward, days: int, now: datetime) -> bool:
    marker = ReminderSent(
        account_id=award.account_id,
        sk=f"{REMINDER_PREFIX}{award.credential_id}#{int(award.cycle):04d}#{days}",
        sent_at=now,
    )
    return put_once(marker, ReminderSent.sk)


def send_due(now: datetime) -> Report:
    report = Report()
    titles = {credential.credential_id: credential.title for credential in all_credentials()}
    for award in due(now):
        report.considered += 1
        days = threshold_for(award, now)
        if days is None or award.revoked:
            report.skip("revoked" if award.revoked else "not_yet")
            continue
        latest = latest_cycles(
            list(
                CredentialAward.query(
                    award.account_id, CredentialAward.sk.startswith(AWARD_PREFIX + award.credential_id)
                )
            )
        ).get(award.credential_id)
        if latest is None or latest.cycle != award.cycle:
            report.skip("renewed")  # a later cycle supersedes this one's expiry
            continue
        if not _claim(award, days, now):
            report.skip("already_sent")
            continue
        account = find_account(award.account_id)
        if account is None:
            report.skip("no_account")
            continue
        sent = notify(
            account,
            "expiry_reminders",
            "credential_expiring",
            {
                "first_name": account.first_name,
                "credential_title": titles.get(award.credential_id, award.credential_id),
                "expires_on": clock.long_date(award.expires_at),
                "days": str(days),
                "link": email.web_link("/credentials"),
            },
        )
        if sent:
            report.sent += 1
            count("ExpiryReminderSent")
        else:
            report.skip("not_wanted_or_not_sent")
    logger.info("expiry reminders", extra={"considered": report.considered, "sent": report.sent, **report.skipped})
    return report
