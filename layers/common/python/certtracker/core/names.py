"""People's names as documents print them, and what a name may hold so that it prints as written. Apart from the
field rules (certtracker.core.fields), which need pydantic: the functions that print names (certificates, badges, the
staff's corrections) do not all load it."""

from __future__ import annotations

import unicodedata

# A first or last name, in characters; the printed name is both and the space between them.
MAX_PART = 100
MAX_PRINTED = 2 * MAX_PART + 1

# Default_Ignorable_Code_Point (Unicode 15.1, DerivedCoreProperties.txt): what fonts draw as nothing, whatever its
# category (the Hangul fillers are letters, the variation selectors marks), and U+2800 BRAILLE PATTERN BLANK, a
# symbol no property calls blank that prints as one. The joiners U+200C and U+200D are default-ignorable too, but
# part of the spelling of Persian and Indic names: the text policy (fields.one_line) says where they may stand.
_INVISIBLE = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_JOINERS = frozenset("\u200c\u200d")

# Nonspacing and enclosing marks pile up on the character before them (spacing marks, Mc, take room of their own
# in the line). After NFC, which composes every Vietnamese letter and most accented Latin ones, real names put at
# most three on one character: Hebrew with niqqud (shin, dagesh, shin dot and a vowel), Tibetan stacks (two
# subjoined letters and a vowel), Arabic with harakat (shadda and a vowel), Devanagari (nukta and virama, or a vowel
# sign and candrabindu), Thai (a vowel and a tone mark), Burmese (two medials), Yoruba and Lithuanian (a tone or a
# dot beside the composed letter). Four leaves one to spare; the 99 that reached the certificate drew a column of
# accents up over the page.
MAX_MARKS = 4


class UnprintableName(ValueError):
    """A name that would print as a blank or a smear; the message completes "<field> ..." ("must not ...")."""


def printed_name(*parts: str) -> str:
    """A person's name as printed: its parts joined by single spaces, in Unicode's composed form, which fonts and
    comparisons expect."""
    return unicodedata.normalize("NFC", " ".join(" ".join(parts).split()))


def code_point(char: str) -> str:
    """U+202E (RIGHT-TO-LEFT OVERRIDE): a character as messages name it, never echoed raw (it may be invisible, or
    reorder the message around it)."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def invisible(char: str) -> bool:
    code = ord(char)
    return char not in _JOINERS and any(start <= code <= end for start, end in _INVISIBLE)


def refuse_unprintable(name: str) -> None:
    """Raise UnprintableName unless `name` (in NFC, as it is stored and drawn) prints as written: no character that
    prints as nothing, no mark without a letter under it, at most MAX_MARKS marks piled on one character, and not
    only spaces."""
    if not name.strip():
        raise UnprintableName("must not be blank")
    base, piled = "", 0  # the character the marks that follow sit on ("" at the start and after a space: none)
    for char in name:
        if invisible(char):
            raise UnprintableName(f"must not contain invisible characters: it contains {code_point(char)}")
        category = unicodedata.category(char)
        if category.startswith("M"):
            if not base:
                raise UnprintableName(f"must not begin a word with {code_point(char)}: a mark needs a letter before it")
            if category != "Mc":
                piled += 1
        elif char not in _JOINERS:  # a joiner between a letter and its marks leaves them on that letter
            _refuse_pile(base, piled)
            base, piled = ("" if char.isspace() else char), 0
    _refuse_pile(base, piled)


def _refuse_pile(base: str, piled: int) -> None:
    if piled > MAX_MARKS:
        raise UnprintableName(
            f"must not pile more than {MAX_MARKS} accents or other marks on one character: "
            f"{code_point(base)} carries {piled}"
        )
