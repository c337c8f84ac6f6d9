"""Forwarding credentials to a third party: a link that expires, that its candidate can revoke, and whose views
are counted (when, never who).

The link's token is random (256 bits), stored only as its digest, and sent only to the recipient. What the
link shows is read live at every view: a credential revoked or expired after sharing shows as such.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import size

from certtracker import notifications
from certtracker.accounts.identity import find_account, session_account
from certtracker.certificates import records
from certtracker.core import addresses, aws, clock, deadline, email, submissions, throttling
from certtracker.core.email import quoting
from certtracker.core.errors import Conflict, Gone, InvalidInput, NotFound, ServiceUnavailable
from certtracker.core.names import printed_name
from certtracker.core.observability import count, logger
from certtracker.core.submissions import SUBMISSION_PREFIX, Submission
from certtracker.core.tables import condition_failed, transaction
from certtracker.core.tokens import digest, new_token
from certtracker.credentials import awards, catalog
from certtracker.models.accounts import Account
from certtracker.models.credential_awards import CredentialAward
from certtracker.models.shares import LINK_PREFIX, LINK_SK, SHARE_PREFIX, Share, ShareLink, ShareSubmission

DAYS = (1, 90)
MAX_CREDENTIALS = 20
MAX_MESSAGE = 500
# The note as the email quotes it: all of a note the form takes (a few sentences to an employer), and few enough
# lines that the program's own words (who shared what, the link, why this email came) stay what the email is.
NOTE_IN_EMAIL = MAX_MESSAGE
NOTE_LINES = 12
# Enough to send a credential to every employer of a job hunt; not enough to spam with the program's name.
SHARES_PER_DAY = (20, timedelta(days=1))
# However many candidates share with one address, it gets this many share emails a day.
EMAILS_PER_RECIPIENT = (5, timedelta(days=1))
# The view log keeps the time of the first views (and the count and the last time of all of them).
VIEW_LOG_SIZE = 100
# A share stays in "My shares" a year after it expired; its link answers 410 for 90 days, then 404.
KEPT_AFTER_EXPIRY = timedelta(days=365)
LINK_KEPT_AFTER_EXPIRY = timedelta(days=90)
# Kept from the email's share of the time budget, so that a share whose email failed can be undone: one DynamoDB
# transaction, whose attempt sets aside the connect timeout and then needs time to be read.
UNDO_RESERVE_S = aws.CONNECT_TIMEOUT_S + 0.5
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # core.tokens.new_token: 32 bytes, URL-safe base64
SHARE_ID_SHAPE = r"^[0-9a-f]{21}$"


def new_share_id(now: datetime) -> str:
    """The time in milliseconds and 40 random bits, in hex: ids sort by creation, so a query lists in order."""
    return f"{int(now.timestamp() * 1000):011x}{secrets.token_hex(5)}"


def share_key(share_id: str) -> str:
    return SHARE_PREFIX + share_id


def link_key(token: str) -> str:
    return LINK_PREFIX + digest(token)


def status_of(share: Share, now: datetime) -> str:
    if share.revoked_at is not None:
        return "revoked"
    return "expired" if share.expires_at <= now else "active"


# ---------------------------------------------------------------- sharing


@dataclass(frozen=True)
class Shared:
    share_id: str
    expires_at: datetime
    resubmitted: bool  # the same form again: the first submission's share, nothing new sent


def _chosen(account_id: str, credential_ids: list[str], now: datetime) -> list[CredentialAward]:
    """The awards to share, in the order chosen, once each: each must be of a credential the candidate holds."""
    held = {entry.current.credential_id: entry for entry in awards.held(account_id, now)}
    chosen = list(dict.fromkeys(credential_ids))
    for credential_id in chosen:
        entry = held.get(credential_id)
        if entry is None:
            raise InvalidInput(
                f"credential_ids: you do not hold {credential_id}. Choose among the credentials you have earned.",
                field="credential_ids",
                code="credential_not_held",
            )
        if entry.status == "revoked":
            raise Conflict(
                f"{credential_id} was revoked by the program, so it cannot be shared.", code="credential_revoked"
            )
    return [held[credential_id].current for credential_id in chosen]


def _within_limits(account_id: str, recipient: str) -> None:
    """Counted before the share is made: per candidate, and per recipient whoever shares (429 with Retry-After)."""
    limit, window = SHARES_PER_DAY
    throttling.enforce(
        throttling.SHARES + account_id,
        limit=limit,
        window=window,
        code="too_many_shares",
        message=f"You shared {limit} times in the last day. Try again in {{wait}}.",
    )
    limit, window = EMAILS_PER_RECIPIENT
    throttling.enforce(
        "share-to#" + digest(addresses.mailbox(recipient)),  # a+1@ and a+2@ are one inbox
        limit=limit,
        window=window,
        code="too_many_shares_to_recipient",
        message=f"{recipient} was sent {limit} shared credentials in the last day. Try again in {{wait}}.",
    )


def _titles(credential_ids: list[str]) -> list[str]:
    by_id = catalog.titles()
    return [by_id.get(credential_id, credential_id) for credential_id in credential_ids]


def share(
    account_id: str,
    *,
    recipient_email: str,
    credential_ids: list[str],
    expires_in_days: int,
    message: str | None,
    idempotency_key: str | None = None,
) -> Shared:
    """Share credentials the candidate holds with `recipient_email` for `expires_in_days` days: a link emailed
    to the recipient from the program, Reply-To the candidate. When the email cannot be sent nothing is kept
    (no one could open the link) and the answer is 503: the candidate tries again."""
    now = clock.now()
    account = session_account(account_id)
    recipient = addresses.canonical(recipient_email)
    message = message or None
    submission = Submission.of(
        idempotency_key, recipient, "\x1f".join(credential_ids), str(expires_in_days), message or ""
    )
    if (claim := submissions.earlier(ShareSubmission, account_id, submission, now)) is not None:
        count("ShareResubmitted")
        return Shared(claim.share_id, claim.expires_at, resubmitted=True)
    chosen_awards = _chosen(account_id, credential_ids, now)
    chosen = [award.credential_id for award in chosen_awards]
    _within_limits(account_id, recipient)

    token = new_token()
    expires_at = now + timedelta(days=expires_in_days)
    item = Share(
        pk=account_id,
        sk="",
        share_id="",
        link_hash=digest(token),
        recipient_email=recipient,
        credential_ids=chosen,
        message=message,
        created_at=now,
        expires_at=expires_at,
        views=0,
        view_times=[],
        purge_at=expires_at + KEPT_AFTER_EXPIRY,
    )
    item.share_id = new_share_id(now)
    item.sk = share_key(item.share_id)
    link = ShareLink(
        pk=link_key(token),
        sk=LINK_SK,
        account_id=account_id,
        share_id=item.share_id,
        expires_at=expires_at,
        purge_at=expires_at + LINK_KEPT_AFTER_EXPIRY,
    )
    claimed = ShareSubmission(
        pk=account_id,
        sk=submission.key,
        share_id=item.share_id,
        expires_at=expires_at,
        payload_hash=submission.payload_hash,
        created_at=now,
        purge_at=now + submission.window,
    )
    try:
        with transaction() as writes:
            writes.save(item, condition=Share.sk.does_not_exist())
            writes.save(link, condition=ShareLink.pk.does_not_exist())
            writes.save(claimed, condition=submission.claim_condition(claimed, now))
    except TransactWriteError as error:
        # The same form at the same moment: the twin that won made the share.
        if condition_failed(error) and (claim := submissions.earlier(ShareSubmission, account_id, submission, now)):
            count("ShareResubmitted")
            return Shared(claim.share_id, claim.expires_at, resubmitted=True)
        raise

    # SES gets the budget less what undoing takes: a send that never answers still leaves time to undo it.
    with deadline.keeping(UNDO_RESERVE_S):
        sent = email.send_to(
            recipient,
            "share_invitation",
            _invitation(account_id, chosen_awards, message, token, expires_at),
            reply_to=account.email,
        )
    if not sent:
        _undo(item, link, claimed)
        raise ServiceUnavailable(
            f"The email to {recipient} could not be sent just now, so nothing was shared. Try again in a few minutes.",
            retry_after=300,
            code="share_email_not_sent",
        )
    count("ShareCreated")
    logger.info("credentials shared", extra={"share_id": item.share_id, "credentials": len(chosen)})
    return Shared(item.share_id, expires_at, resubmitted=False)


def certificate_name(account_id: str, chosen: list[CredentialAward]) -> str:
    """The name the shared credentials' certificates print (which only the Program Support Team changes), never
    the free profile name. Should the awards carry different names (one awarded while a name change was being
    approved), the most recently earned award's: the newest name the program printed."""
    newest = max(chosen, key=lambda award: award.earned_at)
    return records.name_of(account_id, newest)  # read only: only the certificates and badges functions record it


def _invitation(
    account_id: str, chosen: list[CredentialAward], message: str | None, token: str, expires_at: datetime
) -> dict[str, str]:
    """The share email's values. It goes to an address nobody proved, from the program: its Subject is fixed,
    it names the candidate by the certificates' name, and the note is the only text the candidate chose, quoted,
    inert and capped after the program's own words (so never in the Subject or the preview line)."""
    name = certificate_name(account_id, chosen)
    note = quoting.inert(quoting.capped(message, max_chars=NOTE_IN_EMAIL, max_lines=NOTE_LINES)) if message else ""
    intro = f"{name} added this note, quoted as written (the program did not check it; links in it do not open):"
    return {
        "name": name,
        "count": "a credential" if len(chosen) == 1 else f"{len(chosen)} credentials",
        "them": "it" if len(chosen) == 1 else "them",
        "credentials": "\n".join(f"- {title}" for title in _titles([award.credential_id for award in chosen])),
        "note_intro": intro if note else "",
        "note": note,
        "quoted_note": f"\n{intro}\n{quoting.quoted(note)}\n" if note else "",
        "link": email.web_link(f"/shares/{token}"),
        "expires_on": clock.long_date(expires_at),
    }


def _undo(item: Share, link: ShareLink, claimed: ShareSubmission) -> None:
    """A share whose email never left: gone, with its link and its claim (the same form may be sent again)."""
    with transaction() as writes:
        writes.delete(item)
        writes.delete(link)
        writes.delete(claimed)
    count("ShareEmailFailed")


# ---------------------------------------------------------------- the candidate's shares


def shares_of(account_id: str) -> list[Share]:
    """Newest first (ids start with the time)."""
    return list(Share.query(account_id, Share.sk.startswith(SHARE_PREFIX), scan_index_forward=False))


def _mine(account_id: str, share_id: str) -> Share:
    try:
        return Share.get(account_id, share_key(share_id), consistent_read=True)
    except DoesNotExist:
        raise NotFound("You have no share with this id.", code="share_not_found") from None


def revoke(account_id: str, share_id: str) -> None:
    """The link stops working at once (its item goes in the same transaction). Revoking again changes nothing."""
    item = _mine(account_id, share_id)
    if item.revoked_at is not None:
        return
    try:
        with transaction() as writes:
            writes.update(
                item,
                actions=[Share.revoked_at.set(clock.now())],
                condition=Share.sk.exists() & Share.revoked_at.does_not_exist(),
            )
            writes.delete(ShareLink(pk=LINK_PREFIX + item.link_hash, sk=LINK_SK))
    except TransactWriteError as error:
        if not condition_failed(error):
            raise
        return  # revoked (or erased) by a concurrent request
    count("ShareRevoked")


# ---------------------------------------------------------------- the recipient's view


@dataclass(frozen=True)
class SharedCredential:
    credential_id: str
    title: str
    kind: str
    status: str  # valid | expired | revoked
    earned_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    verification_path: str | None  # of the candidate's certificate of this award, when there is one


@dataclass(frozen=True)
class View:
    holder_name: str
    credentials: list[SharedCredential]
    message: str | None
    shared_at: datetime
    expires_at: datetime


UNKNOWN = "This link does not work: it was withdrawn by the person who shared it, or it was not copied whole."


def _link(token: str) -> ShareLink:
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound(UNKNOWN, code="share_not_found")
    try:
        return ShareLink.get(link_key(token), LINK_SK, consistent_read=True)
    except DoesNotExist:
        raise NotFound(UNKNOWN, code="share_not_found") from None


def _expired(expires_at: datetime) -> Gone:
    return Gone(
        f"This link expired on {clock.long_date(expires_at)}. Ask the person who shared it for a new one.",
        code="share_expired",
    )


def _count_view(link: ShareLink, now: datetime) -> Share:
    """One view: counted, and its time logged while the log has room, in one conditional UpdateItem that also
    proves the share is still open. Its answer is the share after the view."""
    item = Share(pk=link.account_id, sk=share_key(link.share_id))
    open_now = Share.sk.exists() & Share.revoked_at.does_not_exist() & (Share.expires_at > now)
    counted: list[Any] = [
        Share.views.add(1),
        Share.first_viewed_at.set(Share.first_viewed_at | now),
        Share.last_viewed_at.set(now),
    ]
    try:
        item.update(
            actions=[*counted, Share.view_times.set(Share.view_times.append([now.isoformat()]))],
            condition=open_now & (size(Share.view_times) < VIEW_LOG_SIZE),
        )
        return item
    except UpdateError as error:
        if not condition_failed(error):
            raise
    try:
        item.update(actions=counted, condition=open_now)  # the log is full: counted all the same
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise NotFound(UNKNOWN, code="share_not_found") from None  # revoked or erased a moment ago
    return item


def _verification_paths(account_id: str, current: list[CredentialAward]) -> dict[str, str]:
    """Per award of `current`, the verification page of its current certificate (never a withdrawn or superseded
    one: those would say nothing of the name printed now), when it has one."""
    certificates = records.certificates_of(account_id)
    paths: dict[str, str] = {}
    for award in current:
        if (certificate := records.current_certificate(award, certificates)) is not None:
            paths[award.sk] = records.verification_path(certificate.verification_code)
    return paths


def view(token: str, now: datetime) -> View:
    """What the link shows, live: the candidate's name and each shared credential's status now. An unknown or
    revoked link is 404 and an expired one 410, neither with a name. A view is counted; the first one tells
    the candidate (if they want to know)."""
    link = _link(token)
    if link.expires_at <= now:
        raise _expired(link.expires_at)
    item = _count_view(link, now)
    account = find_account(link.account_id)
    if account is None:  # erased while the link was being read
        raise NotFound(UNKNOWN, code="share_not_found")
    count("ShareViewed")
    if int(item.views) == 1:
        _tell_first_view(account, item, now)
    held = {entry.current.credential_id: entry for entry in awards.held(link.account_id, now)}
    verification_paths = _verification_paths(link.account_id, [entry.current for entry in held.values()])
    credentials = []
    for credential_id in map(str, item.credential_ids):
        entry = held.get(credential_id)
        if entry is None:  # never the case for a credential that could be shared; shown as nothing rather than 500
            continue
        award = entry.current
        title, kind = credential_id, ""
        try:
            credential = catalog.get_credential(credential_id)
            title, kind = credential.title, credential.kind
        except NotFound:  # withdrawn from the catalog since: its id says what it was
            pass
        credentials.append(
            SharedCredential(
                credential_id=credential_id,
                title=title,
                kind=kind,
                status="valid" if entry.valid else entry.status,
                earned_at=award.earned_at,
                expires_at=award.expires_at,
                revoked_at=award.revoked_at,
                verification_path=verification_paths.get(award.sk),
            )
        )
    return View(
        holder_name=_holder_name(account, [held[c].current for c in map(str, item.credential_ids) if c in held]),
        credentials=credentials,
        message=item.message,
        shared_at=item.created_at,
        expires_at=item.expires_at,
    )


def _holder_name(account: Account, shared: list[CredentialAward]) -> str:
    """The page names the candidate as the email did: by the shared certificates' name, not the profile's."""
    if not shared:  # never the case for a credential that could be shared; the profile's name rather than 500
        return printed_name(account.first_name, account.last_name)
    return certificate_name(account.account_id, shared)


def _tell_first_view(account: Account, item: Share, now: datetime) -> None:
    """The candidate hears of a share's first view (the `share_views` preference, with its unsubscribe link)."""
    notifications.notify(
        account,
        "share_views",
        "share_viewed",
        {
            "first_name": account.first_name,
            "recipient": item.recipient_email,
            "viewed_at": f"{clock.long_date(now)} at {now:%H:%M} UTC",
            "link": email.web_link("/credentials/shares"),
        },
    )


# ---------------------------------------------------------------- export and erasure


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export(account_id: str) -> list[dict[str, object]]:
    now = clock.now()
    return [
        {
            "share_id": item.share_id,
            "recipient_email": item.recipient_email,
            "credential_ids": list(item.credential_ids),
            "message": item.message,
            "created_at": _iso(item.created_at),
            "expires_at": _iso(item.expires_at),
            "revoked_at": _iso(item.revoked_at),
            "status": status_of(item, now),
            "views": int(item.views or 0),
            "view_times": list(item.view_times or []),
        }
        for item in shares_of(account_id)
    ]


def erase(account_id: str) -> None:
    """Every share, its link (so every link stops working) and every submission claim. Safe to run again."""
    with Share.batch_write() as batch:
        for item in shares_of(account_id):
            batch.delete(ShareLink(pk=LINK_PREFIX + item.link_hash, sk=LINK_SK))
            batch.delete(item)
        for claim in ShareSubmission.query(account_id, ShareSubmission.sk.startswith(SUBMISSION_PREFIX)):
            batch.delete(claim)
