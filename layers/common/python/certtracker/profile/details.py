"""The candidate's contact and demographic data, with the history of name and email changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from certtracker import partner_addresses
from certtracker.accounts import reauthentication
from certtracker.accounts.identity import find_by_email, session_account
from certtracker.accounts.verification import one_time_token, tell_owner_of_existing_email
from certtracker.core import clock, email, throttling
from certtracker.core.addresses import canonical
from certtracker.core.email import quoting
from certtracker.core.errors import InvalidInput, TooManyRequests
from certtracker.core.observability import count
from certtracker.core.tables import transaction
from certtracker.models.account_history import AccountEvent
from certtracker.models.accounts import Account, Address

SUPPORTED_LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "it": "Italiano",
    "ja": "日本語",
    "ko": "한국어",
    "pt-BR": "Português (Brasil)",
    "zh-CN": "简体中文",
    "zh-TW": "繁體中文",
}
CHANGE_EMAIL_TTL = timedelta(hours=24)
CANCEL_EMAIL_CHANGE_TTL = timedelta(days=7)
EMAIL_CHANGES_PER_DAY = (5, timedelta(days=1))
SIMPLE_FIELDS = ("first_name", "last_name", "company", "job_role", "country", "preferred_language")


def get_profile(account_id: str) -> Account:
    return session_account(account_id)


def normalize_phone(raw: str, country: str) -> str:
    """E.164, read in the candidate's country when it has no international prefix."""
    import phonenumbers  # loaded only where a phone number is read

    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidInput(
            "phone: not a valid phone number; write it with its country code, such as +44 20 7946 0958.",
            field="phone",
            code="invalid_phone",
        )
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def update_profile(account_id: str, changes: dict[str, Any]) -> ProfileUpdate:
    """Apply the fields given (null clears an optional one). A new email is only asked for, to be verified.

    A new email needs the current password (a stolen session must not be enough to take the account),
    a few times a day at most; the current address is told at once, with a link that cancels it.
    """
    changes = dict(changes)
    current_password = changes.pop("current_password", None)
    account = session_account(account_id)
    now = clock.now()
    actions: list[Any] = []
    events: list[AccountEvent] = []
    for name in SIMPLE_FIELDS:
        if name in changes and changes[name] != getattr(account, name):
            attribute = getattr(Account, name)
            actions.append(attribute.remove() if changes[name] is None else attribute.set(changes[name]))
    if "phone" in changes:
        phone = changes["phone"]
        if phone is None:
            actions.append(Account.phone.remove())
        else:
            actions.append(Account.phone.set(normalize_phone(phone, changes.get("country") or account.country)))
    if "address" in changes:
        actions.append(_address_change(account, changes["address"]))
    new_name = (changes.get("first_name", account.first_name), changes.get("last_name", account.last_name))
    if new_name != (account.first_name, account.last_name):
        events.append(
            AccountEvent.new(
                account_id,
                "name_changed",
                now,
                previous=f"{account.first_name} {account.last_name}",
                current=f"{new_name[0]} {new_name[1]}",
            )
        )
    new_email: str = changes.get("email") or ""
    asks_new_email = bool(new_email) and canonical(new_email) != canonical(account.email)
    if asks_new_email:
        if partner_addresses.partner_for_email(new_email):
            raise InvalidInput(partner_addresses.PARTNERNET_ROUTE, field="email", code="partner_email_domain")
        reauthentication.confirm_password(account, current_password)
        _count_email_change_request(account_id)
        actions.append(Account.pending_email.set(new_email))
        events.append(AccountEvent.new(account_id, "email_change_requested", now, requested=new_email))
    elif new_email and account.pending_email:
        # The current address again: the pending change is cancelled and its link stops working.
        actions.append(Account.pending_email.remove())
        events.append(AccountEvent.new(account_id, "email_change_cancelled", now, cancelled=account.pending_email))
    if actions or events:
        with transaction() as writes:
            if actions:
                writes.update(account, actions=actions, condition=Account.pk.exists())
            for event in events:
                writes.save(event)
        count("ProfileUpdated")
    account.refresh()
    sent = None
    if asks_new_email:
        _tell_current_address(account, new_email, now)
        sent = _ask_to_verify(account, new_email)
    return ProfileUpdate(account, email_link_sent=sent)


def _count_email_change_request(account_id: str) -> None:
    limit, window = EMAIL_CHANGES_PER_DAY
    wait = throttling.wait_within(throttling.EMAIL_CHANGES + account_id, limit=limit, window=window)
    if wait:
        raise TooManyRequests(
            f"You asked for {limit} email address changes today. Try again in {max(1, wait // 3600)} hour(s).",
            retry_after=wait,
            code="too_many_email_changes",
        )


def _tell_current_address(account: Account, new_email: str, now: datetime) -> bool:
    """The current address hears of the request at once, with a link that cancels it and ends every session."""
    token, item = one_time_token("cancel_email_change", account.account_id, CANCEL_EMAIL_CHANGE_TTL, email=new_email)
    item.save()
    values = {
        "first_name": account.first_name,
        "username": account.username,
        "new_email": new_email,
        "requested_at": now.strftime("%Y-%m-%d %H:%M"),
        "link": email.web_link("/cancel-email-change", token),
    }
    return email.send_to(account.email, "email_change_requested", values)


@dataclass(frozen=True)
class ProfileUpdate:
    account: Account
    email_link_sent: bool | None  # None: no new email was asked for


def _address_change(account: Account, given: dict[str, Any] | None) -> Any:
    """A merge, as JSON Merge Patch (RFC 7396): the fields given change, null removes one, null removes all."""
    if given is None:
        return Account.address.remove()
    merged = {**(account.address.as_dict() if account.address else {}), **given}
    merged = {key: value for key, value in merged.items() if value is not None}
    return Account.address.set(Address(**merged)) if merged else Account.address.remove()


def _ask_to_verify(account: Account, new_email: str) -> bool:
    """Send the link to the new address; if it already has an account, tell that owner instead (same answer)."""
    if find_by_email(new_email) is not None:
        return tell_owner_of_existing_email(new_email)
    token, item = one_time_token("change_email", account.account_id, CHANGE_EMAIL_TTL, email=new_email)
    item.save()
    # The address is not proven yet: no name, and the username only inert.
    values = {"email": new_email, "username": quoting.inert_handle(account.username)}
    return email.send_to(new_email, "email_change_verify", {**values, "link": email.web_link("/verify-email", token)})


def history(account_id: str) -> list[AccountEvent]:
    """The account's recorded changes, newest first (one query; the newest 200)."""
    return list(AccountEvent.query(account_id, scan_index_forward=False, limit=200))
