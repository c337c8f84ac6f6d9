"""The emails sent through the emulated SES, read back from moto's backend (same process)."""

from __future__ import annotations

import email
import email.policy
from email.utils import parsedate_to_datetime
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from infra.events import REGION


def _part(message: email.message.EmailMessage, subtype: str) -> str:
    body = message.get_body(preferencelist=(subtype,))
    return body.get_content() if body is not None else ""


def sent_messages() -> list[dict[str, Any]]:
    """Newest first: to, subject, text, html, sent_at, and the headers."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    messages = []
    for raw in getattr(backend, "sent_messages", []):
        data = getattr(raw, "raw_data", None)
        if data is None:
            continue
        parsed = email.message_from_string(data, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        sent_at = parsed["Date"]
        messages.append(
            {
                "id": raw.id,
                "to": list(raw.destinations),
                "from": str(parsed["From"]),
                "subject": str(parsed["Subject"]),
                "text": _part(parsed, "plain"),
                "html": _part(parsed, "html"),
                "sent_at": parsedate_to_datetime(sent_at).isoformat() if sent_at else None,
                "headers": {key: str(value) for key, value in parsed.items()},
            }
        )
    messages.reverse()
    return messages
