"""People's names as documents print them. Apart from the field rules (certtracker.core.fields), which need pydantic:
the functions that print names (certificates, badges, the staff's corrections) do not all load it."""

from __future__ import annotations

import unicodedata


def printed_name(*parts: str) -> str:
    """A person's name as printed: its parts joined by single spaces, in Unicode's composed form, which fonts and
    comparisons expect."""
    return unicodedata.normalize("NFC", " ".join(" ".join(parts).split()))
