"""Account recovery: the routes only queue the request, and the queue's consumer finds the account and emails it.

The route does the same work whether or not an account matches (one SendMessage), so its answer and its
timing say nothing about who has an account. The consumer sends the username, or a reset link, to a
verified address only; an unverified one gets nothing but its verification link.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Literal

from botocore.exceptions import BotoCoreError, ClientError

from certtracker.accounts.identity import find_by_email, find_by_username
from certtracker.accounts.verification import may_email, one_time_token, send_verification
from certtracker.core import email
from certtracker.core.aws import client
from certtracker.core.errors import ServiceUnavailable
from certtracker.core.observability import count, logger
from certtracker.core.settings import AccountsSettings, MailSettings, load
from certtracker.models.accounts import Account

RESET_PASSWORD_TTL = timedelta(minutes=30)
Kind = Literal["username", "password"]


class DeliveryFailed(RuntimeError):
    """SES did not take a recovery email: the message goes back on the queue and is tried again."""


def request(kind: Kind, identifier: str) -> None:
    """Queue a recovery request. The same single call whether or not an account matches."""
    body = json.dumps({"kind": kind, "identifier": identifier})
    try:
        client("sqs").send_message(QueueUrl=load(AccountsSettings).recovery_queue_url, MessageBody=body)
    except (BotoCoreError, ClientError) as error:
        logger.error("recovery request not queued", extra={"error": type(error).__name__})
        count("RecoveryNotQueued")
        raise ServiceUnavailable(
            "Account recovery is not available just now. Try again in a minute.", retry_after=60, code="unavailable"
        ) from None
    count("RecoveryRequested")


class Malformed(ValueError):
    """A queue message that `request` did not write: it fails alone and ends in the dead-letter queue."""


def read_message(body: str) -> tuple[Kind, str]:
    """The request `request` queued. Checked by hand, not by a pydantic model: one message shape of two
    fields does not earn pydantic's ~40 ms at every cold start of the consumer."""
    try:
        message = json.loads(body)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(message, dict) or set(message) != {"kind", "identifier"}:
        raise Malformed("not a recovery request")
    kind, identifier = message["kind"], message["identifier"]
    if kind not in ("username", "password") or not isinstance(identifier, str) or not 1 <= len(identifier) <= 254:
        raise Malformed("not a recovery request")
    return kind, identifier


def deliver(kind: Kind, identifier: str) -> str:
    """Find the account and email what it may receive. Returns what happened (for the logs, no personal data)."""
    if kind == "username":
        account = find_by_email(identifier)
    else:
        account = find_by_email(identifier) if "@" in identifier else find_by_username(identifier)
    if account is None:
        return "no_account"
    if not may_email(account):
        return "limited"
    if not account.email_verified:
        send_verification(account)  # an unverified address gets nothing but its verification link
        return "verification_sent"
    if not email.recipient_allows(account.email):
        return "limited"
    if kind == "username":
        _must_send(account, "username_reminder", {"link": email.web_link("/")})
        count("UsernameRecovered")
        return "username_sent"
    token, item = one_time_token("reset_password", account.account_id, RESET_PASSWORD_TTL)
    item.save()
    _must_send(account, "password_reset", {"link": email.web_link("/reset-password", token)})
    count("PasswordResetRequested")
    return "reset_link_sent"


def _must_send(account: Account, kind: str, values: dict[str, str]) -> None:
    personal = {"first_name": account.first_name, "username": account.username}
    if not email.send(load(MailSettings).mail_from, account.email, kind, {**personal, **values}):
        raise DeliveryFailed(kind)
