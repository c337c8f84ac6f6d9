"""What a person reads when a form's input is refused: one sentence written for them per field and constraint, never
the validator's own words ("List should have at least 1 item after validation, not 0").

A refusal names the field in words (`NOUNS`, by the field's name, whatever model it is in), and says what the
constraint wants: its bounds from the problem's context, a pattern's rule from `PATTERNS`, a field's own sentence
from `OWN` where a general one would read oddly. A value error is one of CertTracker's validators (certtracker.core
.fields), whose reasons are written to follow the noun ("must be one line: it contains …").
tests/unit/test_input_messages.py walks every request model of the OpenAPI document and holds each of its
constraints to a sentence here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The fields the pages send, by name, as a sentence calls them.
NOUNS = {
    "accept_privacy_notice": "the privacy notice",
    "address": "the postal address",
    "category": "the topic",
    "city": "the town or city",
    "company": "the company",
    "country": "the country",
    "credential_id": "the credential",
    "credential_ids": "the credentials to share",
    "current_password": "your current password",
    "email": "the email address",
    "exam_id": "the exam",
    "expires_in_days": "the number of days the link works",
    "first_name": "the first name",
    "job_role": "the job role",
    "last_name": "the last name",
    "line1": "the first address line",
    "line2": "the second address line",
    "marketing_opt_in": "the choice of program news",
    "message": "the message",
    "name": "your name",
    "new_name": "the new name",
    "new_password": "the new password",
    "notifications": "the choice of emails",
    "exam_results": "the choice of exam result emails",
    "expiry_reminders": "the choice of expiry reminders",
    "share_views": "the choice of share view emails",
    "support_replies": "the choice of support reply emails",
    "password": "the password",
    "phone": "the phone number",
    "postal_code": "the postal code",
    "preferred_language": "the preferred language",
    "reason": "the reason",
    "recipient_email": "the recipient's email address",
    "region": "the state, province or region",
    "subject": "the subject",
    "username": "the username",
    "username_or_email": "the username or email address",
}

# What a pattern allows, by field.
PATTERNS = {
    "username": (
        "A username is 3 to 32 letters (a to z), digits, dots, dashes and underscores, and starts with a letter or "
        "a digit."
    ),
    "phone": "A phone number has digits, and may have a leading +, spaces, brackets, dots, dashes and slashes.",
    "postal_code": "A postal code has letters, digits, spaces and dashes only.",
    "exam_id": "An exam is named by its id, such as 250-580: letters, digits and dashes.",
    "credential_id": "A credential is named by its id, such as CERT-EP: capital letters, digits and dashes.",
    "credential_ids": "A credential is named by its id, such as CERT-EP: capital letters, digits and dashes.",
}

# A link's token is never typed: whatever is wrong with it, the link was cut short or changed on the way.
BROKEN_LINK = "This link is incomplete or damaged. Open the link in the email again, whole."

# (field, problem type) → the field's own sentence.
OWN = {
    ("accept_privacy_notice", "missing"): "Accept the privacy notice to create an account.",
    ("accept_privacy_notice", "literal_error"): "Accept the privacy notice to create an account.",
    ("accept_privacy_notice", "value_error"): "Accept the privacy notice to create an account.",
    ("credential_ids", "too_short"): "Tick at least one credential to share.",
    ("credential_ids", "missing"): "Tick at least one credential to share.",
    ("credential_ids", "too_long"): "Share at most {max_length} credentials at a time.",
    ("credential_ids", "string_too_short"): PATTERNS["credential_ids"],
    ("credential_ids", "string_too_long"): PATTERNS["credential_ids"],
    ("country", "string_too_short"): "A country is given by its two-letter code, such as US or DE.",
    ("country", "string_too_long"): "A country is given by its two-letter code, such as US or DE.",
    ("expires_in_days", "greater_than_equal"): "The link works for at least {ge} day.",
    ("expires_in_days", "less_than_equal"): "The link works for at most {le} days.",
}


def _general(kind: str, context: Mapping[str, Any]) -> str | None:
    """The sentence for a kind of problem, `{Noun}` standing for the field."""
    match kind:
        case "missing":
            return "{Noun} is missing."
        case "string_too_short":
            return (
                "{Noun} is empty."
                if context.get("min_length") == 1
                else "{Noun} needs at least {min_length} characters."
            )
        case "string_too_long":
            return "{Noun} is too long: at most {max_length} characters."
        case "too_short":
            return "Choose at least {min_length} for {noun}."
        case "too_long":
            return "Choose at most {max_length} for {noun}."
        case "greater_than_equal":
            return "{Noun} must be at least {ge}."
        case "less_than_equal":
            return "{Noun} must be at most {le}."
        case "greater_than":
            return "{Noun} must be more than {gt}."
        case "less_than":
            return "{Noun} must be less than {lt}."
        case "int_type" | "int_parsing" | "int_from_float":
            return "{Noun} must be a whole number."
        case "bool_type" | "bool_parsing":
            return "{Noun} must be yes or no."
        case "string_type":
            return "{Noun} must be text."
        case "literal_error" | "enum":
            return "{Noun} must be one of the choices the form offers."
        case "list_type" | "dict_type" | "model_type" | "model_attributes_type":
            return "{Noun} is not in the form this page sends it."
    return None


def field_name(location: tuple[Any, ...]) -> str | None:
    """The field a problem is at, as the answer's `field` names it: address.city, credential_ids.0."""
    parts = [str(part) for part in location if part not in ("body", "query", "path")]
    return ".".join(parts) or None


def sentence(problem: Mapping[str, Any]) -> str:
    """The sentence a person reads for one of pydantic's problems with what a form sent."""
    kind = str(problem.get("type", ""))
    leaf = next((str(part) for part in reversed(problem.get("loc", ())) if isinstance(part, str)), "")
    # A bound read back from JSON may be a float (1.0): a person reads 1.
    context = {
        key: int(value) if isinstance(value, float) and value.is_integer() else value
        for key, value in (problem.get("ctx") or {}).items()
    }
    if leaf == "token":
        return BROKEN_LINK
    if kind == "extra_forbidden":
        return f"This form does not take a field named {leaf[:40]!r}." if leaf else "This form has a field too many."
    noun = NOUNS.get(leaf, "this field")
    written = OWN.get((leaf, kind))
    if written is None and kind == "string_pattern_mismatch":
        written = PATTERNS.get(leaf, "{Noun} has characters it cannot have.")
    if written is None and kind == "value_error":
        reason = str(context.get("error") or problem.get("msg", "")).removeprefix("Value error, ").rstrip(".")
        return f"{noun[:1].upper()}{noun[1:]} {reason}."
    if written is None:
        written = _general(kind, context) or "{Noun} is not valid."
    capital = noun[:1].upper() + noun[1:]
    try:
        return written.format(Noun=capital, noun=noun, **context)
    except (KeyError, IndexError, ValueError):  # a problem reported without its context (the bound): said without it
        return f"{capital} is outside what this form takes."
