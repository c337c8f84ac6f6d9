"""Field types shared by request models: lengths, formats and normalization in one place.

The one text-field policy lives here (`one_line`, `multi_line`, and `person_name` for names, which must also print
as written: certtracker.core.names): every free-text field of every request model goes through one of them, so
what is stored, shown back or emailed is the same kind of text everywhere.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from certtracker.core import names
from certtracker.core.countries import COUNTRIES

# Multi-line text (a support message) keeps these; \r\n and \r become \n first.
_KEPT_IN_MULTI_LINE = frozenset("\n\t")
# Joiners are part of the spelling in Persian, Arabic and Indic scripts and in emoji sequences; between two
# such characters they are kept. Anywhere else (at an edge, beside ASCII, next to a space) they only hide.
_JOINERS = frozenset("\u200c\u200d")
_JOINABLE_CATEGORIES = ("L", "M", "So")


def _joins_two_letters(text: str, index: int) -> bool:
    if index == 0 or index == len(text) - 1:
        return False
    before, after = text[index - 1], text[index + 1]
    return all(
        neighbour > "\x7f" and unicodedata.category(neighbour).startswith(_JOINABLE_CATEGORIES)
        for neighbour in (before, after)
    )


def _refuse_unsafe_characters(text: str, *, multi_line: bool) -> None:
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cc" and not (multi_line and char in _KEPT_IN_MULTI_LINE):
            # C0, DEL and C1 (U+0085 NEXT LINE is C1): a C1 or CR/LF would break an email header or a log line.
            if not multi_line and char in "\r\n\x0b\x0c\x1c\x1d\x1e\x85":
                raise ValueError(f"must be one line: it contains the line break {names.code_point(char)}")
            raise ValueError(f"must not contain control characters: it contains {names.code_point(char)}")
        if category in ("Zl", "Zp"):
            where = "use a plain line break instead" if multi_line else "it must be one line"
            raise ValueError(f"must not contain {names.code_point(char)}: {where}")
        if category == "Cf" and not (char in _JOINERS and _joins_two_letters(text, index)):
            # Zero-width characters, bidi overrides and isolates, the BOM, tags: invisible, or they reorder
            # what a reader sees (a name that reads differently in an email than it is stored).
            raise ValueError(
                f"must not contain invisible or direction-changing characters: it contains {names.code_point(char)}"
            )
        if category == "Cs":
            raise ValueError("must not contain unpaired surrogates (text that is not Unicode)")


def one_line(value: str) -> str:
    """The policy for one-line text (names, subjects, company, address lines): NFC, no control characters,
    no line or paragraph separators, no invisible or direction-changing characters."""
    value = unicodedata.normalize("NFC", value)
    _refuse_unsafe_characters(value, multi_line=False)
    return value


def multi_line(value: str) -> str:
    """The policy for multi-line text (a support message): as `one_line`, but \\n and \\t are kept."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    _refuse_unsafe_characters(value, multi_line=True)
    return value


def person_name(value: str) -> str:
    """The policy for a person's name: one-line text that prints as written on a certificate (nothing invisible,
    no pile of accents: names.refuse_unprintable)."""
    value = one_line(value)
    names.refuse_unprintable(value)
    return value


# Put after the field's StringConstraints (which strip and count), as `Annotated[str, StringConstraints(...), OneLine]`.
OneLine = AfterValidator(one_line)
MultiLine = AfterValidator(multi_line)


def _country(value: str) -> str:
    code = value.upper()
    if code not in COUNTRIES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, such as US or DE")
    return code


def email_address(value: str) -> str:
    """The one address rule: an address CertTracker can deliver to through SES, in the one form it is stored,
    claimed and sent in (compared, and claimed, in `certtracker.core.addresses.canonical` form).

    SES does not support SMTPUTF8 (RFC 6531): every address it sends to must be 7-bit ASCII. So a local part
    (before the @) must be ASCII, or the mail can never arrive; an internationalized domain is kept in its
    ASCII form (IDNA punycode, `bücher.example` → `xn--bcher-kva.example`), which every mail system
    delivers, so the Unicode and the punycode spelling of one mailbox are one address.
    """
    # email-validator loads only in the functions that take an address, on first use.
    from email_validator import EmailNotValidError, validate_email

    try:
        parsed = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as problem:
        # Our words, not the library's: it says what is wrong in its own terms ("exactly one @-sign").
        if "before the @-sign" in str(problem):
            raise ValueError("must be plain ASCII before the @: such an address cannot be delivered to") from None
        raise ValueError("must have one @, with a name before it and a domain after it") from None
    address = parsed.ascii_email
    if address is None:  # never without SMTPUTF8, but the type allows it
        raise ValueError("must be plain ASCII before the @: such an address cannot be delivered to")
    local, _, domain = address.rpartition("@")
    if len(address) > 254:
        raise ValueError("is too long once its domain is written in ASCII (at most 254 characters)")
    return f"{local}@{domain.lower()}"


def _username_or_email(value: str) -> str:
    return email_address(value) if "@" in value else one_line(value)


# A credential's id, as the catalog names them (CERT-EP, ACC-DLP): anything else is refused before any lookup.
CREDENTIAL_ID = r"^[A-Z0-9-]+$"
CredentialIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=CREDENTIAL_ID)]
Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]+$"),
    Field(description="3 to 32 letters, digits, dots, dashes or underscores; not case-sensitive"),
]
# Length is checked by the password policy (in code points, after NFKC), so the error names the rule.
Password = Annotated[str, Field(min_length=1, max_length=1024, description="12 to 128 characters")]
EmailAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(email_address),
    Field(
        json_schema_extra={"format": "email"},
        description="ASCII before the @; an internationalized domain is stored and written to in punycode",
    ),
]
UsernameOrEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=254), AfterValidator(_username_or_email)
]
PersonName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=names.MAX_PART),
    AfterValidator(person_name),
]
CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=2),
    AfterValidator(_country),
    Field(description="ISO 3166-1 alpha-2 country code"),
]
OpaqueToken = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


def _only_true(value: object) -> object:
    # Pydantic matches a literal by equality, even in strict mode: without this, 1 would pass as true.
    if value is not True:
        raise ValueError("must be true")
    return value


# An agreement (the privacy notice): the JSON boolean true, nothing else.
MustBeTrue = Annotated[Literal[True], BeforeValidator(_only_true)]
