"""Email through SESv2: a message is rendered from a text and an HTML template and sent as MIME."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import cache
from importlib import resources
from string import Template
from urllib.parse import urlencode

from botocore.exceptions import BotoCoreError, ClientError

from certtracker.core.addresses import mailbox
from certtracker.core.aws import client
from certtracker.core.observability import count, logger
from certtracker.core.settings import MailSettings, load


@cache
def _template(name: str) -> Template:
    return Template(resources.files("certtracker.core.email").joinpath("templates", name).read_text("utf-8"))


@cache
def _text_template(kind: str) -> tuple[Template, Template]:
    """The subject line and the body of a text template, split before any value goes in, so a value
    cannot move the boundary between them."""
    subject_line, _, body = _template(f"{kind}.txt").template.partition("\n\n")
    return Template(subject_line.removeprefix("Subject: ")), Template(body)


class UnsafeHeader(ValueError):
    """An address header value that could not be written as it is (a line break, a non-ASCII mailbox).
    Request validation (certtracker.core.fields) refuses such input before any write; this is the backstop."""


def header_text(value: str) -> str:
    """A value for a free-text header (Subject): every line break, control or invisible character becomes a
    space. Request validation already refuses them; a value that got past it is still never a second line."""
    cleaned = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cf", "Cs") else char
        for char in unicodedata.normalize("NFC", value)
    )
    return " ".join(cleaned.split())


def _address_header(name: str, value: str) -> str:
    """An address header (To, Reply-To, From): refused, never rewritten, since a changed address is another
    mailbox. The mailbox must be ASCII (SES sends no SMTPUTF8) and nothing in the value may break a line."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp", "Cf", "Cs") for char in value):
        raise UnsafeHeader(f"the {name} header would carry a line break or an invisible character")
    mailbox = parseaddr(value)[1]
    if not mailbox or not mailbox.isascii() or "@" not in mailbox:
        raise UnsafeHeader(f"the {name} header needs an ASCII address (an IDN domain in punycode)")
    return value


@dataclass(frozen=True)
class Unsubscribe:
    """RFC 8058 one-click unsubscribe: the URL mail clients POST to, and the page a person opens."""

    one_click_url: str
    page_url: str


def render(kind: str, values: dict[str, str], unsubscribe: Unsubscribe | None = None) -> tuple[str, str, str]:
    """The subject, text and HTML of one kind of message. Values are escaped in the HTML; the subject is one
    line whatever the values hold."""
    # A lone surrogate cannot be encoded: validation refuses it, and here it could only fail the send.
    values = {key: value.encode("utf-8", "replace").decode("utf-8") for key, value in values.items()}
    subject_template, body_template = _text_template(kind)
    subject = header_text(subject_template.substitute(values))
    text_body = body_template.substitute(values)
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
    """The MIME message. Raises UnsafeHeader (before anything is sent) for an address it cannot write as is;
    a free-text header never raises: it is made one line."""
    sender, to = _address_header("From", sender), _address_header("To", to)
    reply_to = _address_header("Reply-To", reply_to) if reply_to else None
    subject, text, page = render(kind, values, unsubscribe)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    if reply_to:
        message["Reply-To"] = reply_to
    if unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{header_text(unsubscribe.one_click_url)}>"
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
    cannot answer within the invocation's time budget (certtracker.core.deadline.OutOfTime is a BotoCoreError)."""
    try:
        message = build(sender, to, kind, values, unsubscribe, reply_to)
    except UnsafeHeader as error:
        # Validation keeps such addresses out; one stored before it (or a bad setting) must not turn a
        # committed write into a 500: the caller tells the user the email could not be sent.
        logger.error("email not built", extra={"email_kind": kind, "error": str(error)})
        count("EmailSendFailed")
        return False
    # A raw message's recipients are its To header; naming them again would deliver twice.
    try:
        client("sesv2").send_email(
            FromEmailAddress=sender,
            Content={"Raw": {"Data": message.as_bytes()}},
            ConfigurationSetName=load(MailSettings).ses_configuration_set,
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


# However many routes can cause email to one address, it gets at most this many an hour from CertTracker:
# no one can turn the program into a way of flooding someone's inbox.
EMAILS_PER_RECIPIENT = (10, timedelta(hours=1))


def recipient_allows(to: str) -> bool:
    from certtracker.core import throttling  # the counters' table, only where email is sent
    from certtracker.core.tokens import digest

    limit, window = EMAILS_PER_RECIPIENT
    allowed = throttling.allow_within("mail-to#" + digest(mailbox(to)), limit=limit, window=window)
    if not allowed:
        logger.warning("email not sent: recipient limit", extra={"email_kind": "any"})
        count("EmailRecipientLimited")
    return allowed


def send_to(
    to: str,
    kind: str,
    values: dict[str, str],
    unsubscribe: Unsubscribe | None = None,
    reply_to: str | None = None,
    *,
    own_address: bool = False,
) -> bool:
    """Send from the program's address (MAIL_FROM). `own_address`: the program's own team, never limited."""
    if not own_address and not recipient_allows(to):
        return False
    return send(load(MailSettings).mail_from, to, kind, values, unsubscribe, reply_to)
