"""Emails that are not strictly transactional: sent only if wanted, each with a one-click unsubscribe."""

from __future__ import annotations

from datetime import timedelta

from certtracker.core import clock, email
from certtracker.core.tokens import digest, new_token
from certtracker.models.accounts import Account
from certtracker.models.one_time_tokens import OneTimeToken

TOPICS = ("exam_results", "expiry_reminders", "share_views", "support_replies")
MARKETING = "marketing"
# An unsubscribe link must keep working long after its email arrived.
UNSUBSCRIBE_LINK_TTL = timedelta(days=90)


def wants(account: Account, topic: str) -> bool:
    if topic == MARKETING:
        return bool(account.marketing_opt_in)
    notifications = account.notifications
    return True if notifications is None else bool(getattr(notifications, topic))


def unsubscribe_link(account_id: str, topic: str) -> email.Unsubscribe:
    """A random token bound, in storage, to this account and topic: it cannot be turned against anyone else."""
    token = new_token()
    now = clock.now()
    OneTimeToken(
        token_hash=digest(token),
        purpose="unsubscribe",
        account_id=account_id,
        topic=topic,
        issued_at=now,
        expires_at=now + UNSUBSCRIBE_LINK_TTL,
    ).save()
    return email.Unsubscribe(
        one_click_url=email.api_link("/unsubscribe", token=token), page_url=email.web_link("/unsubscribe", token)
    )


def notify(account: Account, topic: str, kind: str, values: dict[str, str]) -> bool:
    """Send a notification the candidate has not turned off. Returns whether an email went out."""
    if not account.email_verified or not wants(account, topic):
        return False
    return email.send_to(account.email, kind, values, unsubscribe_link(account.account_id, topic))
