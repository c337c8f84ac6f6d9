"""Email through SESv2: a message is rendered from a text and an HTML template and sent as MIME."""

from __future__ import annotations

import html
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from importlib import resources
from string import Template
from urllib.parse import urlencode

from botocore.exceptions import BotoCoreError, ClientError

from certtracker.aws import client
from certtracker.observability import count, logger
from certtracker.settings import MailSettings, load


@cache
def _template(name: str) -> Template:
    return Template(resources.files("certtracker.email").joinpath("templates", name).read_text("utf-8"))


@dataclass(frozen=True)
class Unsubscribe:
    """RFC 8058 one-click unsubscribe: the URL mail clients POST to, and the page a person opens."""

    one_click_url: str
    page_url: str


def render(kind: str, values: dict[str, str], unsubscribe: Unsubscribe | None = None) -> tuple[str, str, str]:
    """The subject, text and HTML of one kind of message. Values are escaped in the HTML."""
    subject_line, _, text_body = _template(f"{kind}.txt").substitute(values).partition("\n\n")
    subject = subject_line.removeprefix("Subject: ").strip()
    escaped = {key: html.escape(value) for key, value in values.items()}
    inner = _template(f"{kind}.html").substitute(escaped)
    footer = ""
    text = text_body.strip() + "\n"
    if unsubscribe is not None:
        text += f"\nTo stop receiving these emails: {unsubscribe.page_url}\n"
        footer = _template("unsubscribe_footer.html").substitute(link=html.escape(unsubscribe.page_url))
    page = _template("layout.html").substitute(subject=html.escape(subject), content=inner + footer)
    return subject, text, page


def build(
    sender: str,
    to: str,
    kind: str,
    values: dict[str, str],
    unsubscribe: Unsubscribe | None = None,
    reply_to: str | None = None,
) -> EmailMessage:
    subject, text, page = render(kind, values, unsubscribe)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe.one_click_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    return message


def send(
    sender: str,
    to: str,
    kind: str,
    values: dict[str, str],
    unsubscribe: Unsubscribe | None = None,
    reply_to: str | None = None,
) -> bool:
    """Send one message. Returns False (logged and counted) when SES refuses, fails after its retries, or
    cannot answer within the invocation's time budget (certtracker.deadline.OutOfTime is a BotoCoreError)."""
    message = build(sender, to, kind, values, unsubscribe, reply_to)
    # A raw message's recipients are its To header; naming them again would deliver twice.
    try:
        client("sesv2").send_email(
            FromEmailAddress=sender,
            Content={"Raw": {"Data": message.as_bytes()}},
        )
    except (BotoCoreError, ClientError) as error:
        logger.error("email not sent", extra={"email_kind": kind, "error": type(error).__name__})
        count("EmailSendFailed")
        return False
    count("EmailSent")
    return True


def web_link(path: str, token: str | None = None) -> str:
    """A link to the web pages; a token travels in the fragment, so no server log or Referer sees it."""
    base = str(load(MailSettings).web_base_url).rstrip("/")
    return f"{base}{path}" + (f"#token={token}" if token else "")


def api_link(path: str, **query: str) -> str:
    base = str(load(MailSettings).web_base_url).rstrip("/")
    return f"{base}/api{path}" + (f"?{urlencode(query)}" if query else "")


def send_to(
    to: str, kind: str, values: dict[str, str], unsubscribe: Unsubscribe | None = None, reply_to: str | None = None
) -> bool:
    """Send from the program's address (MAIL_FROM)."""
    return send(load(MailSettings).mail_from, to, kind, values, unsubscribe, reply_to)
