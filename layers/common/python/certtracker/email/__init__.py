"""Email through SESv2: a message is rendered from a text and an HTML template and sent as MIME."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache
from importlib import resources
from string import Template

from botocore.exceptions import BotoCoreError, ClientError

from certtracker.aws import client
from certtracker.observability import count, logger


@cache
def _template(name: str) -> Template:
    return Template(resources.files("certtracker.email").joinpath("templates", name).read_text("utf-8"))


def render(kind: str, values: dict[str, str]) -> tuple[str, str, str]:
    """The subject, text and HTML of one kind of message. Values are escaped in the HTML."""
    subject_line, _, text_body = _template(f"{kind}.txt").substitute(values).partition("\n\n")
    subject = subject_line.removeprefix("Subject: ").strip()
    escaped = {key: html.escape(value) for key, value in values.items()}
    inner = _template(f"{kind}.html").substitute(escaped)
    page = _template("layout.html").substitute(subject=html.escape(subject), content=inner)
    return subject, text_body.strip() + "\n", page


def build(sender: str, to: str, kind: str, values: dict[str, str]) -> EmailMessage:
    subject, text, page = render(kind, values)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(page, subtype="html")
    return message


def send(sender: str, to: str, kind: str, values: dict[str, str]) -> bool:
    """Send one message. Returns False (logged and counted) when SES refuses or fails after its retries."""
    message = build(sender, to, kind, values)
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
