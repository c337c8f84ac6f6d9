"""Cut the Noto fonts that `npm ci` fetched into the small fonts the certificate renderer ships (build time only).

`python slice_fonts.py <node_modules> <out>` writes `<out>/*.ttf`, `<out>/index.json` (which slice draws which
code points, in the renderer's order of preference) and each package's OFL beside the fonts.

Why slices: fpdf2 subsets every font it embeds with fontTools when the PDF is written, and that costs time in
proportion to the whole font (about 40 ms for Noto Sans, 350 ms for Noto Sans SC, per document). A certificate
needs a handful of glyphs, so each font is cut here, once, into slices of a script or of 300 CJK characters
(with the shaping tables their characters reach, so HarfBuzz still shapes Arabic or Devanagari in full), and a
document embeds only the slices its text uses. Only the ranges a person's name can be written in are kept.
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.ttLib import TTFont

Ranges = tuple[tuple[int, int], ...]

# What every alphabetic slice carries besides its script, so a name's spaces, hyphens and apostrophes never send
# the renderer to another font mid-name.
COMMON: Ranges = ((0x20, 0x40), (0x5B, 0x60), (0x7B, 0x7E), (0xA0, 0xA0), (0xB7, 0xB7), (0x2010, 0x2027))
# Latin-1 and general punctuation: the certificate's own wording, and most Latin names.
BASIC: Ranges = ((0x20, 0x7E), (0xA0, 0xFF), (0x2010, 0x2027), (0x2030, 0x205E))
# Every Latin letter a name uses (Vietnamese is in Latin Extended Additional), with the combining marks.
LATIN: Ranges = (
    *BASIC,
    (0x100, 0x24F),
    (0x250, 0x2AF),
    (0x2B0, 0x2FF),
    (0x300, 0x36F),
    (0x1E00, 0x1EFF),
    (0x2C60, 0x2C7F),
    (0xA720, 0xA7FF),
)
GREEK: Ranges = (*COMMON, (0x300, 0x36F), (0x370, 0x3FF), (0x1F00, 0x1FFF))
CYRILLIC: Ranges = (*COMMON, (0x300, 0x36F), (0x400, 0x52F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F))
# ZWNJ and ZWJ choose joining forms and conjuncts; the dotted circle is what HarfBuzz draws under a lone mark.
JOINERS: Ranges = ((0x200C, 0x200D), (0x25CC, 0x25CC))
ARABIC: Ranges = (
    *COMMON,
    *JOINERS,
    (0x600, 0x6FF),
    (0x750, 0x77F),
    (0x8A0, 0x8FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)
HEBREW: Ranges = (*COMMON, *JOINERS, (0x591, 0x5FF), (0xFB1D, 0xFB4F))
DEVANAGARI: Ranges = (*COMMON, *JOINERS, (0x900, 0x97F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF))
HAN: Ranges = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))
CJK_PUNCTUATION: Ranges = ((0x20, 0x20), (0xB7, 0xB7), (0x3000, 0x303F), (0xFF01, 0xFF5E))
KANA: Ranges = (*CJK_PUNCTUATION, (0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF65, 0xFF9F))
HANGUL: Ranges = ((0xAC00, 0xD7A3),)
JAMO: Ranges = (*CJK_PUNCTUATION, (0x1100, 0x11FF), (0x3130, 0x318F))
BOPOMOFO: Ranges = (*CJK_PUNCTUATION, (0x3100, 0x312F), (0x31A0, 0x31BF))
# Characters per slice of the big scripts: a Chinese name of three characters embeds three slices at most.
CHUNK = 300
# Vertical metrics and the baseline table serve vertical or mixed-script layout, which a certificate never uses.
DROP = ["BASE", "STAT", "vhea", "vmtx", "VORG"]


@dataclass(frozen=True)
class Cut:
    """Slices of one font: `whole` ranges become one slice each; `chunked` ranges are cut CHUNK characters at a time."""

    family: str
    package: str
    weight: str
    whole: tuple[tuple[str, Ranges], ...] = ()
    chunked: tuple[str, Ranges] | None = None


# In the renderer's order of preference: a character goes to the first slice that has it (for Han, index.json
# lists the Chinese, Japanese and Korean designs apart, and the renderer picks by the name's other characters).
CUTS = (
    Cut(
        "sans",
        "noto-sans",
        "400Regular",
        whole=(("basic", BASIC), ("latin", LATIN), ("greek", GREEK), ("cyrillic", CYRILLIC)),
    ),
    Cut("arabic", "noto-sans-arabic", "400Regular", whole=(("arabic", ARABIC),)),
    Cut("hebrew", "noto-sans-hebrew", "400Regular", whole=(("hebrew", HEBREW),)),
    Cut("devanagari", "noto-sans-devanagari", "400Regular", whole=(("devanagari", DEVANAGARI),)),
    Cut("sc", "noto-sans-sc", "400Regular", whole=(("bopomofo", BOPOMOFO),), chunked=("han", HAN)),
    Cut("jp", "noto-sans-jp", "400Regular", whole=(("kana", KANA),), chunked=("han", HAN)),
    Cut("kr", "noto-sans-kr", "400Regular", whole=(("jamo", JAMO),), chunked=("hangul", (*HANGUL, *HAN))),
)


def source(modules: Path, cut: Cut) -> Path:
    (path,) = (modules / "@expo-google-fonts" / cut.package / cut.weight).glob("*.ttf")
    return path


def wanted(cmap: dict[int, str], ranges: Ranges) -> list[int]:
    return sorted(c for c in cmap if any(start <= c <= end for start, end in ranges))


def cut_one(font_path: Path, codepoints: list[int], out: Path) -> list[int]:
    """One slice: the code points asked for, the glyphs they reach through the shaping tables, nothing else."""
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]  # the copyright and licence notices travel with the font
    options.name_languages = ["*"]
    options.drop_tables += DROP
    font = TTFont(font_path, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    out.write_bytes(buffer.getvalue())
    return sorted(font.getBestCmap())


def ranges_of(codepoints: list[int]) -> list[list[int]]:
    """Sorted code points as [start, end] runs (index.json stays small: Han is mostly contiguous)."""
    runs: list[list[int]] = []
    for c in codepoints:
        if runs and runs[-1][1] == c - 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return runs


def intervals(covered: list[list[int]]) -> dict[str, list[Any]]:
    """Every code point's slices, in order of preference, as disjoint sorted intervals: the renderer finds a
    character's slices with one bisection, without building anything at cold start."""
    events: dict[int, list[tuple[int, int]]] = {}
    for number, codepoints in enumerate(covered):
        for start, end in ranges_of(codepoints):
            events.setdefault(start, []).append((1, number))
            events.setdefault(end + 1, []).append((-1, number))
    active: set[int] = set()
    options: dict[tuple[int, ...], int] = {}
    starts: list[int] = []
    ends: list[int] = []
    choices: list[int] = []
    positions = sorted(events)
    for position, following in pairwise(positions):
        for change, number in events[position]:
            (active.add if change > 0 else active.discard)(number)
        if not active:
            continue
        key = tuple(sorted(active))
        choice = options.setdefault(key, len(options))
        if choices and choices[-1] == choice and ends[-1] == position - 1:
            ends[-1] = following - 1
        else:
            starts.append(position)
            ends.append(following - 1)
            choices.append(choice)
    return {"starts": starts, "ends": ends, "choices": choices, "options": [list(key) for key in options]}


def main(modules: Path, out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    jobs: list[tuple[str, str, Path, list[int]]] = []  # family, slice file, font, code points
    for cut in CUTS:
        path = source(modules, cut)
        cmap = TTFont(path, lazy=True).getBestCmap()
        for name, ranges in cut.whole:
            jobs.append((cut.family, f"{cut.family}-{name}.ttf", path, wanted(cmap, ranges)))
        if cut.chunked:
            name, ranges = cut.chunked
            codepoints = wanted(cmap, ranges)
            for n, start in enumerate(range(0, len(codepoints), CHUNK)):
                chunk = [0x20, 0x3000, *codepoints[start : start + CHUNK]]
                jobs.append((cut.family, f"{cut.family}-{name}-{n:03}.ttf", path, chunk))
        licence = path.parent.parent / "LICENSE_FONT"
        shutil.copyfile(licence, out / f"OFL-{cut.package}.txt")
    with ProcessPoolExecutor() as pool:
        covered = list(pool.map(cut_one, *zip(*((p, c, out / f) for _, f, p, c in jobs), strict=True)))
    index = {"slices": [{"family": family, "file": file} for family, file, _, _ in jobs], **intervals(covered)}
    (out / "index.json").write_text(json.dumps(index, separators=(",", ":")))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
