"""Email preferences and marketing consent: read, changed with a history, turned off by one click."""

from __future__ import annotations

from dataclasses import dataclass

from pynamodb.exceptions import DoesNotExist

from certtracker.accounts.identity import session_account
from certtracker.core import clock
from certtracker.core.errors import Gone
from certtracker.core.observability import count
from certtracker.core.settings import PreferencesSettings, load
from certtracker.core.tables import transaction
from certtracker.core.tokens import digest
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account, Notifications
from certtracker.models.one_time_tokens import OneTimeToken
from certtracker.notifications import MARKETING, TOPICS, notify, wants


@dataclass(frozen=True)
class Preferences:
    notifications: dict[str, bool]
    marketing_opt_in: bool


def _of(account: Account) -> Preferences:
    return Preferences({topic: wants(account, topic) for topic in TOPICS}, bool(account.marketing_opt_in))


def get_preferences(account_id: str) -> Preferences:
    return _of(session_account(account_id))


def _save(account: Account, wanted: Preferences, *, via: str) -> None:
    """Write the new preferences and one consent event per change, together."""
    before, now = _of(account), clock.now()
    version = load(PreferencesSettings).privacy_notice_version
    events = [
        AccountEvent.new(
            account.account_id,
            "consent_changed",
            now,
            topic=topic,
            value=wanted.notifications[topic],
            privacy_notice_version=version,
            via=via,
        )
        for topic in TOPICS
        if wanted.notifications[topic] != before.notifications[topic]
    ]
    if wanted.marketing_opt_in != before.marketing_opt_in:
        events.append(
            AccountEvent.new(
                account.account_id,
                "consent_changed",
                now,
                topic=MARKETING,
                value=wanted.marketing_opt_in,
                privacy_notice_version=version,
                via=via,
            )
        )
    if not events:
        return
    with transaction() as writes:
        writes.update(
            account,
            actions=[
                Account.notifications.set(Notifications(**wanted.notifications)),
                Account.marketing_opt_in.set(wanted.marketing_opt_in),
            ],
            condition=Account.pk.exists(),
        )
        for event in events:
            writes.save(event)
    count("ConsentChanged", len(events))


def set_preferences(account_id: str, wanted: Preferences) -> Preferences:
    account = session_account(account_id)
    turned_marketing_on = wanted.marketing_opt_in and not account.marketing_opt_in
    _save(account, wanted, via="preferences")
    account.refresh()
    if turned_marketing_on:
        # Confirmed opt-in: the confirmation is itself program news, and carries the unsubscribe.
        notify(account, MARKETING, "marketing_confirmed", {"first_name": account.first_name})
    return _of(account)


def unsubscribe(token: str) -> str:
    """Turn off the topic an unsubscribe link names. Idempotent: a second click changes nothing."""
    try:
        item = OneTimeToken.get(digest(token))
    except DoesNotExist:
        item = None
    if item is None or item.purpose != "unsubscribe" or item.expires_at <= clock.now() or not item.topic:
        raise Gone(
            "This unsubscribe link is invalid or has expired. Change your preferences after logging in.",
            code="link_expired",
        )
    try:
        account = Account.get(Account.key(item.account_id))
    except DoesNotExist:
        raise Gone("This account no longer exists.", code="link_expired") from None
    current = _of(account)
    topic = item.topic
    if topic == MARKETING:
        wanted = Preferences(current.notifications, False)
    else:
        wanted = Preferences({**current.notifications, topic: False}, current.marketing_opt_in)
    _save(account, wanted, via="unsubscribe_link")
    count("Unsubscribed")
    return topic
