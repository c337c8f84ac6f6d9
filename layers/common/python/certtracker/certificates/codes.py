"""Verification codes and certificate ids: random, readable aloud, and with a check character.

Crockford's base 32 (digits and capitals without I, L, O, U): what a person reads off paper is forgiving
(case, I and L for 1, O for 0, spaces and dashes are ignored). The last character is a Luhn mod 32 check
character, which catches every single mistyped character and most swapped neighbours, so the verification
page can tell "you mistyped it" apart from "no such certificate" without a lookup.
"""

from __future__ import annotations

import secrets
from urllib.parse import unquote

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_BASE = len(ALPHABET)

CODE_LENGTH = 16  # 15 random characters (75 bits) and the check character
CERTIFICATE_ID_LENGTH = 12  # 11 random characters (55 bits) and the check character; not a secret
CERTIFICATE_ID_PREFIX = "C-"


class MalformedCode(ValueError):
    """Not a code at all: wrong length, or characters outside the alphabet."""


class MistypedCode(ValueError):
    """The right shape, but its check character does not match: a typo, not an unknown certificate."""


def check_character(body: str) -> str:
    """Luhn mod N over the alphabet: every second value from the right doubled (and folded back into range)."""
    total = 0
    factor = 2
    for symbol in reversed(body):
        addend = factor * _VALUE[symbol]
        total += addend // _BASE + addend % _BASE
        factor = 3 - factor
    return ALPHABET[(_BASE - total % _BASE) % _BASE]


def _random(length: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(length - 1))
    return body + check_character(body)


def new_code() -> str:
    """A new verification code, in its canonical form (16 characters, no dashes)."""
    return _random(CODE_LENGTH)


def new_certificate_id() -> str:
    return CERTIFICATE_ID_PREFIX + grouped(_random(CERTIFICATE_ID_LENGTH))


def grouped(canonical: str) -> str:
    """Groups of four, as printed: K7QM-2XWD-9PRT-HB4C."""
    return "-".join(canonical[start : start + 4] for start in range(0, len(canonical), 4))


def is_certificate_id(typed: str) -> bool:
    """Whether someone typed a certificate id (C-XXXX-XXXX-XXXX, printed above the verification code) where a
    verification code belongs: with or without its dashes, spaces and capitals, mistyped or not."""
    canonical = "".join(unquote(typed[:64]).split()).replace("-", "").upper().translate(_READ_AS)
    return (
        len(canonical) == len(CERTIFICATE_ID_PREFIX) - 1 + CERTIFICATE_ID_LENGTH
        and canonical.startswith(CERTIFICATE_ID_PREFIX[0])
        and all(symbol in _VALUE for symbol in canonical[1:])
    )


def parse(typed: str) -> str:
    """The canonical form of a code as someone typed or scanned it; MalformedCode or MistypedCode if it is none."""
    if len(typed) > 64:
        raise MalformedCode("too long")
    # Gateways differ on decoding a path: "K7QM%202XWD" is the code typed with a space.
    canonical = "".join(unquote(typed).split()).replace("-", "").upper().translate(_READ_AS)
    if len(canonical) != CODE_LENGTH or any(symbol not in _VALUE for symbol in canonical):
        raise MalformedCode("not a verification code")
    if check_character(canonical[:-1]) != canonical[-1]:
        raise MistypedCode("the check character does not match")
    return canonical
