"""Someone's own words in the program's email: quoted as plain text, with every link made inert, and capped.

The program's address lends its trust to whatever it carries, so words a sender chose reach an address its owner has
not proven only this way (docs/architecture.md, "Email to addresses not proven by their owner"): never in a Subject,
never first in the body, and never as something a mail client turns into a link. Mail clients link more than `<a>`:
Gmail, Outlook and Apple Mail also link `https://…`, `www.…` and a bare `evil.example/login` in the text and the
HTML parts alike. So the text itself is changed, in the way security notices write addresses that must not be
clicked: `https://` becomes `https[:]//` and a dot between two letters or digits becomes `[.]`
(`evil[.]example/login`). It stays readable and can be typed back by someone who means to; nothing links it.
"""

from __future__ import annotations

import re

# A scheme and its `:` (`https:`, `javascript:`, `mailto:`…), where a link would begin.
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(?=//)")
# A dot between two word characters, also the full-width and ideographic dots some linkers read as one.
_DOT = re.compile(r"(?<=\w)[.\u3002\uff0e\uff61](?=\w)")
ELIDED = "[…]"


def inert(text: str) -> str:
    """`text` with nothing a mail client would turn into a link. Applying it again changes nothing."""
    return _DOT.sub("[.]", _SCHEME.sub(r"\1[:]", text))


def inert_handle(handle: str) -> str:
    """A username made inert, saying so when that changed it (`ada[.]lovelace`): a reader who copies it must
    know the brackets are not part of it."""
    shown = inert(handle)
    return shown if shown == handle else f"{shown} (each dot written [.], so that no mail client makes it a link)"


def capped(text: str, *, max_chars: int, max_lines: int) -> str:
    """At most `max_chars` characters and `max_lines` lines (blank lines at the edges dropped), marked `[…]` where
    cut, so a quote stays a quote in the program's email and not a letter of its own."""
    lines = text.strip("\n").split("\n")
    cut = len(lines) > max_lines or len(text.strip("\n")) > max_chars
    kept = "\n".join(lines[:max_lines])[:max_chars].rstrip()
    return f"{kept} {ELIDED}" if cut else kept


def quoted(text: str) -> str:
    """Plain-text quoting: each line after `> `, as mail has quoted for decades."""
    return "\n".join(f"> {line}".rstrip() for line in text.split("\n"))
