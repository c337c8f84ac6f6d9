"""Field types shared by request models: lengths, formats and normalization in one place."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

from certtracker.countries import COUNTRIES

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def printable(value: str) -> str:
    value = unicodedata.normalize("NFC", value)
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _country(value: str) -> str:
    code = value.upper()
    if code not in COUNTRIES:
        raise ValueError("must be an ISO 3166-1 alpha-2 country code, such as US or DE")
    return code


def _email(value: str) -> str:
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]+$"),
    Field(description="3 to 32 letters, digits, dots, dashes or underscores; not case-sensitive"),
]
# Length is checked by the password policy (in code points, after NFKC), so the error names the rule.
Password = Annotated[str, Field(min_length=1, max_length=1024, description="12 to 128 characters")]
EmailAddress = Annotated[EmailStr, Field(max_length=254), AfterValidator(_email)]
PersonName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), AfterValidator(printable)
]
CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=2),
    AfterValidator(_country),
    Field(description="ISO 3166-1 alpha-2 country code"),
]
OpaqueToken = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
