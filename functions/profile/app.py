"""Profile and preferences: contact and demographic data, email choices, one-click unsubscribe."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.profile import (
    HistoryEntry,
    NotificationChoices,
    PreferencesBody,
    Profile,
    ProfilePatch,
    ProfileWithNotice,
    Unsubscribed,
)
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import ProfileSettings, load
from certtracker.profile import details as profile
from certtracker.profile import preferences

settings = load(ProfileSettings)
# Mail clients send RFC 8058's one-click unsubscribe as a form body.
app = CertTrackerResolver(form_body_paths=frozenset({"/unsubscribe"}))


def _profile(account: object) -> Profile:
    return Profile.model_validate(account, from_attributes=True)


@app.get("/me/profile", tags=["profile"], responses=error_responses(401))
def get_profile() -> Profile:
    """My contact and demographic data."""
    return _profile(profile.get_profile(app.caller().account_id))


@app.patch("/me/profile", tags=["profile"], responses=error_responses(401, 403, 413, 422, 429))
def update_profile(body: ProfilePatch) -> Profile | ProfileWithNotice:
    """Change my contact and demographic data.

    Only the fields given change; null removes an optional field (the address merges, as JSON Merge
    Patch). A new email address is sent a link and becomes the login email once it is opened; the old
    address is then told. Sending the current address again cancels a pending change.
    """
    update = profile.update_profile(app.caller().account_id, body.model_dump(exclude_unset=True))
    answer = _profile(update.account)
    if update.email_link_sent is None:
        return answer
    notice = (
        f"We sent a link to {update.account.pending_email}: it becomes your login email once you open it."
        if update.email_link_sent
        else "The link to the new address could not be sent just now. Send the address again in a few minutes."
    )
    return ProfileWithNotice(**answer.model_dump(), message=notice)


@app.get("/me/profile/history", tags=["profile"], responses=error_responses(401))
def profile_history() -> list[HistoryEntry]:
    """Changes of my name, email and consents, newest first."""
    events = profile.history(app.caller().account_id)
    return [HistoryEntry(at=e.at, kind=e.kind, details=e.details.as_dict()) for e in events]


@app.get("/me/preferences", tags=["preferences"], responses=error_responses(401))
def get_preferences() -> PreferencesBody:
    """My email choices: the notification kinds I want, and program news (marketing)."""
    chosen = preferences.get_preferences(app.caller().account_id)
    return PreferencesBody(
        notifications=NotificationChoices(**chosen.notifications), marketing_opt_in=chosen.marketing_opt_in
    )


@app.put("/me/preferences", tags=["preferences"], responses=error_responses(401, 413, 422))
def set_preferences(body: PreferencesBody) -> PreferencesBody:
    """Set my email choices; each change is kept with its time and the privacy-notice version."""
    wanted = preferences.Preferences(body.notifications.model_dump(), body.marketing_opt_in)
    chosen = preferences.set_preferences(app.caller().account_id, wanted)
    return PreferencesBody(
        notifications=NotificationChoices(**chosen.notifications), marketing_opt_in=chosen.marketing_opt_in
    )


@app.post("/unsubscribe", tags=["preferences"], responses=error_responses(410, 422))
def unsubscribe(
    token: Annotated[str, Query(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")],
) -> Unsubscribed:
    """One-click unsubscribe (RFC 8058) with the token of an email's link; no login needed."""
    topic = preferences.unsubscribe(token)
    return Unsubscribed(topic=topic, message="You are unsubscribed. Change this any time in your preferences.")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
