"""The certificate PDF: the holder's name in any script the shipped fonts draw, fitted to its room on the page, the
credential, its dates, the certificate id, the verification code and its QR code, on one A4 landscape page (fpdf2).

The fonts are the CertificatesLayer's (`/opt/fonts`, or CERTIFICATE_FONTS_DIR): Noto cut at build time into
slices of one script or of 300 CJK characters (layers/certificates/slice_fonts.py), with `index.json` saying which
slice draws which code point. Why slices and not whole fonts: fpdf2 subsets each embedded font with fontTools when
it writes the PDF, at a cost that follows the font's size, so a document embeds only the few small slices its text
uses. Each slice is parsed once per container and reused: a document gets a copy of the parsed font that shares
everything read-only (glyph metrics, the HarfBuzz face) and owns its glyph subset (`_FontBook`).

Nothing heavy is imported at module level: fpdf2, fontTools, segno and uharfbuzz come from the certificates layer
and load on the first render; `undrawable` needs only `index.json`.
"""

from __future__ import annotations

import bisect
import copy
import io
import json
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from certtracker.core import clock, names

if TYPE_CHECKING:
    from fpdf import FPDF
    from fpdf.enums import TextDirection
    from fpdf.svg import SVGObject

FONTS_DIR_VARIABLE = "CERTIFICATE_FONTS_DIR"
# Where the CertificatesLayer's fonts/ directory is on Lambda.
DEFAULT_FONTS_DIR = "/opt/fonts"
ARTWORK = Path(__file__).parent / "artwork"

# Control, surrogate, private-use and unassigned code points, and line or paragraph separators: never drawn, even
# where a font happens to map one. Format characters (Cf) are invisible, except the joiners, which shape.
_NEVER_DRAWN = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
_JOINERS = frozenset("\u200c\u200d")
# Han is drawn in the design of the name's other characters: Japanese beside kana, Korean beside hangul.
_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF), (0xFF65, 0xFF9F))
_HANGUL = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7A3))
_FAMILIES = ("sans", "arabic", "hebrew", "devanagari")

# The certificate's inks (RGB): a deep blue for text and rules, a muted gold for accents, grey for small print.
_INK = (29, 53, 87)
_GOLD = (176, 141, 87)
_GREY = (90, 98, 110)
_PAGE_W, _PAGE_H = 297.0, 210.0
# The holder's name has the room between "This certifies that" (whose glyph boxes end at 82.2 mm) and the gold rule
# under the name (104 mm), 9 mm inside the inner frame (12 mm from the edges) on either side: it is drawn at 34 pt,
# smaller if it does not fit, down to 16 pt; below that on two lines, as large as they fit.
_NAME_TOP, _NAME_BOTTOM, _NAME_MARGIN = 83.0, 103.0, 21.0
_NAME_PT, _NAME_MIN_PT = 34.0, 16.0
_POINT = 25.4 / 72  # mm
_LEADING = 1.25  # a text cell's height, in font sizes


@dataclass(frozen=True)
class CertificateContent:
    holder_name: str  # as in the profile: "First Last", any script
    credential_title: str  # e.g. "Certified Endpoint Protection Engineer"
    credential_kind: str  # "certification" or "accreditation"
    program: str  # the program's name, e.g. "CertTracker Certification Program"
    earned_on: date
    expires_on: date | None
    certificate_id: str  # e.g. "C-7Q2M-9XKD-41PA"
    verification_code: str  # e.g. "K7QM-2XWD-9PRT-HB4C" (printed as is)
    verification_url: str  # what the QR code encodes


class UndrawableName(ValueError):
    """The holder's name has characters no shipped font draws: the candidate is told which, nothing is drawn."""

    def __init__(self, characters: str) -> None:
        self.characters = characters
        super().__init__(f"the certificate's fonts cannot draw {', '.join(map(names.code_point, characters))}")


def fonts_dir() -> Path:
    return Path(os.environ.get(FONTS_DIR_VARIABLE) or DEFAULT_FONTS_DIR)


@dataclass(frozen=True)
class _Coverage:
    """index.json: the slices (family, file) in order of preference, and for disjoint code point intervals the
    slices that draw them."""

    families: tuple[str, ...]
    files: tuple[str, ...]
    starts: list[int]
    ends: list[int]
    choices: list[int]
    options: tuple[tuple[int, ...], ...]

    def slices(self, char: str) -> tuple[int, ...]:
        code = ord(char)
        at = bisect.bisect_right(self.starts, code) - 1
        if at >= 0 and code <= self.ends[at]:
            return self.options[self.choices[at]]
        return ()


@cache
def _coverage(directory: Path) -> _Coverage:
    try:
        index = json.loads((directory / "index.json").read_text("utf-8"))
    except FileNotFoundError:
        raise RuntimeError(
            f"no certificate fonts in {directory}: attach the CertificatesLayer, or set {FONTS_DIR_VARIABLE} "
            "(`make fonts` makes .fonts/fonts)"
        ) from None
    return _Coverage(
        families=tuple(s["family"] for s in index["slices"]),
        files=tuple(s["file"] for s in index["slices"]),
        starts=index["starts"],
        ends=index["ends"],
        choices=index["choices"],
        options=tuple(tuple(option) for option in index["options"]),
    )


def _never_drawn(char: str) -> bool:
    category = unicodedata.category(char)
    return category in _NEVER_DRAWN or (category == "Cf" and char not in _JOINERS)


def undrawable(text: str) -> str:
    """The characters of `text` (as NFC, as it is drawn) that no shipped font draws, each once; "" if none."""
    coverage = _coverage(fonts_dir())
    missing: dict[str, None] = {}
    for char in unicodedata.normalize("NFC", text):
        if _never_drawn(char) or not coverage.slices(char):
            missing[char] = None
    return "".join(missing)


def _in(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(start <= ord(char) <= end for start, end in ranges)


def _cjk_order(name: str) -> tuple[str, ...]:
    if any(_in(c, _KANA) for c in name):
        return ("jp", "sc", "kr")
    if any(_in(c, _HANGUL) for c in name):
        return ("kr", "sc", "jp")
    return ("sc", "jp", "kr")


def _choose_slices(text: str, coverage: _Coverage, families: tuple[str, ...], attached: frozenset[int]) -> list[int]:
    """The slices that draw `text`, the first one its font and the others its fallbacks: one slice for all of it
    when there is one (the whole text shaped in one run, its kerning and marks intact), else each character's
    most preferred slice; a slice the document already embeds first (each embedded slice costs time and bytes)."""
    rank = {family: n for n, family in enumerate(families)}

    def preference(number: int) -> tuple[bool, int, int]:
        return number not in attached, rank[coverage.families[number]], number

    per_char = [[n for n in coverage.slices(c) if coverage.families[n] in rank] for c in text]
    shared = set.intersection(*(set(options) for options in per_char)) if per_char else set()
    if shared:
        return [min(shared, key=preference)]
    chosen: list[int] = []
    for options in per_char:
        if options:
            best = min(options, key=preference)
            if best not in chosen:
                chosen.append(best)
    return chosen


@dataclass
class _Parsed:
    """One slice, parsed once per container: fpdf2's font object (metrics, glyph ids, the HarfBuzz face), and the
    slice's outline tables alone (what fpdf2 subsets and embeds) with the glyph order the font object names."""

    font: Any  # fpdf.fonts.TTFFont
    embedded: bytes
    glyph_order: list[str]


# The tables a PDF's embedded TrueType program uses: fpdf2 drops the shaping tables when it embeds (HarfBuzz has
# placed the glyphs already), and fontTools subsets faster the fewer tables a font has.
_EMBEDDED_TABLES = frozenset({"head", "hhea", "maxp", "loca", "glyf", "hmtx", "post", "cvt ", "fpgm", "prep"})


class _FontBook:
    """The slices of one fonts directory, each parsed on first use and kept for the container's life."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.coverage = _coverage(directory)
        self._parsed: dict[int, _Parsed] = {}

    def key(self, number: int) -> str:
        return self.coverage.files[number].removesuffix(".ttf").lower()

    def parsed(self, number: int) -> _Parsed:
        if number not in self._parsed:
            from fontTools.ttLib import TTFont
            from fpdf import FPDF

            path = self.directory / self.coverage.files[number]
            holder = FPDF()
            holder.add_font(self.key(number), fname=path)
            font: Any = holder.fonts[self.key(number)]  # a TTFFont (fpdf2 types it as either kind)
            font.hbfont  # noqa: B018 (the HarfBuzz face, read once)
            outlines = TTFont(path, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
            tables = outlines.keys()  # a TTFont, not a dict: keys() lists its tables
            for tag in [tag for tag in tables if tag not in _EMBEDDED_TABLES and tag != "GlyphOrder"]:
                del outlines[tag]
            outlines["post"].formatType = 3.0  # glyph names come from glyph_order, not from the table
            buffer = io.BytesIO()
            outlines.save(buffer)
            self._parsed[number] = _Parsed(font, buffer.getvalue(), list(font.ttfont.getGlyphOrder()))
        return self._parsed[number]

    def attach(self, pdf: FPDF, number: int) -> str:
        """Put slice `number` in `pdf` (once) as a copy of the parsed font with its own glyph subset, and return
        its font key. Shared with the parsed font: the metrics, cmap, glyph ids and HarfBuzz face, which drawing
        only reads; owned: what fpdf2 records per document (the subset, the missing glyphs, the biggest size, the
        font descriptor that output fills in)."""
        key = self.key(number)
        if key not in pdf.fonts:
            from fpdf.fonts import SubsetMap

            parsed = self.parsed(number)
            font = copy.copy(parsed.font)
            font.i = len(pdf.fonts) + 1
            font.desc = copy.copy(parsed.font.desc)
            font.missing_glyphs = []
            font.biggest_size_pt = 0
            font.color_font = None
            font.subset = SubsetMap(font)
            pdf.fonts[key] = font
        return key

    def prepare_output(self, pdf: FPDF) -> None:
        """Give each attached slice a fresh copy of its outline tables: fpdf2 subsets the font object's tables in
        place when it writes the PDF, and the parsed font must stay whole for the next document."""
        from fontTools.ttLib import TTFont

        for number, parsed in self._parsed.items():
            font: Any = pdf.fonts.get(self.key(number))
            if font is not None and font is not parsed.font:
                outlines = TTFont(io.BytesIO(parsed.embedded), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
                outlines.setGlyphOrder(parsed.glyph_order)
                font.ttfont = outlines


@cache
def _font_book(directory: Path) -> _FontBook:
    return _FontBook(directory)


@cache
def _artwork(name: str) -> SVGObject:
    """The logo or the signature, parsed once per container."""
    from fpdf.svg import SVGObject

    return SVGObject((ARTWORK / name).read_text("utf-8"))


# What drawing the logo or the signature wrote, by what decided it (the artwork, where, the graphics state before
# it, the graphics styles already named): every certificate draws them alike, so each is drawn once per container.
_DRAWN: dict[tuple[Any, ...], tuple[bytes, dict[str, Any]]] = {}


def _draw_artwork(pdf: FPDF, name: str, x: float, y: float) -> None:
    """The logo or the signature at (x, y) mm, as vectors: drawn once, its operators and graphics styles replayed."""
    catalog = pdf._resource_catalog
    # What _current_graphic_style, the drawing's starting style, is made of.
    state = repr((pdf.draw_color, pdf.fill_color, pdf.line_width, pdf.dash_pattern, pdf.allow_images_transparency))
    key = (name, x, y, state, tuple(catalog.graphics_styles.items()))
    if (drawn := _DRAWN.get(key)) is None:
        before = dict(catalog.graphics_styles)
        contents = cast(bytearray, pdf.pages[pdf.page].contents)
        start = len(contents)
        _draw(pdf, name, x, y)
        named = {style: label for style, label in catalog.graphics_styles.items() if style not in before}
        _DRAWN[key] = (bytes(contents[start:]).rstrip(b"\n"), named)
        return
    operators, named = drawn
    catalog.graphics_styles.update(named)
    catalog.index_stream_resources(operators.decode("latin-1"), pdf.page)
    pdf._out(operators)
    pdf._set_min_pdf_version("1.4")  # as draw_path does: its graphics styles are PDF 1.4


def _draw(pdf: FPDF, name: str, x: float, y: float) -> None:
    """SVGObject.draw_to_page without its deep copy of the drawing (half of a certificate's drawing time): the
    parsed drawing is only read, its transform set afresh here, and it is rendered before this returns."""
    from fpdf.drawing_primitives import Transform

    _, _, drawing = _artwork(name).transform_to_page_viewport(pdf)
    assert drawing.transform is not None
    drawing.transform = drawing.transform @ Transform.translation(x, y)
    pdf.draw_path(drawing, copy=False)


def render(content: CertificateContent) -> bytes:
    """The certificate as PDF bytes. Raises UndrawableName before drawing anything if the name has a character
    no shipped font draws."""
    name = unicodedata.normalize("NFC", content.holder_name).strip()
    missing = undrawable(name)
    if missing:
        raise UndrawableName(missing)
    for label, text in (
        ("credential title", content.credential_title),
        ("program", content.program),
        ("certificate id", content.certificate_id),
        ("verification code", content.verification_code),
    ):
        if undrawable(text):
            raise ValueError(f"the certificate's {label} has characters no shipped font draws")
    book = _font_book(fonts_dir())
    document = _Document(book, _cjk_order(name))
    try:
        document.draw(content, name)
        book.prepare_output(document.pdf)
        return bytes(document.pdf.output())
    finally:
        # fpdf2 keeps these per-font caches process-wide (functools.cache on methods) and clears them only when a
        # document's fonts are written; a document that failed half-way must not leave its fonts in them.
        from fpdf.fonts import SubsetMap

        SubsetMap.pick.cache_clear()
        SubsetMap.get_glyph.cache_clear()


class _Document:
    def __init__(self, book: _FontBook, cjk: tuple[str, ...]) -> None:
        from fpdf import FPDF

        self.book = book
        self.families = (*_FAMILIES, *cjk)
        self.attached: set[int] = set()
        pdf = FPDF(orientation="L", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margin(0)
        pdf.c_margin = 0
        pdf.set_creator("CertTracker")
        pdf.set_producer("CertTracker")
        pdf.add_page()
        pdf.set_text_shaping(True)
        shaping = pdf.text_shaping
        assert shaping is not None
        self.shaping: dict[str, Any] = shaping
        self.pdf = pdf

    def font(self, text: str, size: float) -> None:
        numbers = _choose_slices(text, self.book.coverage, self.families, frozenset(self.attached))
        self.attached.update(numbers)
        keys = [self.book.attach(self.pdf, number) for number in numbers]
        self.pdf.set_font(keys[0], size=size)
        self.pdf.set_fallback_fonts(keys[1:], exact_match=False)

    def text(
        self,
        text: str,
        y: float,
        size: float,
        *,
        x: float = 0,
        w: float = _PAGE_W,
        align: str = "C",
        color: tuple[int, int, int] = _INK,
        direction: TextDirection | None = None,
    ) -> None:
        """`text` in a cell `w` wide at (x, y); `direction` is the paragraph's (one line of a name broken in two
        keeps the whole name's), else read from the text."""
        self.font(text, size)
        # Shaping (HarfBuzz, and the bidi algorithm before it) is for what plain ASCII never needs: joining forms,
        # right-to-left runs, marks, conjuncts. Most of a certificate is ASCII, and shaping is most of its cost.
        self.pdf.text_shaping = None if text.isascii() else self.shaping
        self.shaping["direction"] = direction
        self.pdf.set_text_color(*color)
        self.pdf.set_xy(x, y)
        self.pdf.cell(w=w, h=size * _POINT * _LEADING, text=text, align=align)
        self.shaping["direction"] = None

    def draw(self, content: CertificateContent, name: str) -> None:
        pdf = self.pdf
        pdf.set_title(f"{content.credential_title} - {content.certificate_id}")
        # Frame: a heavy outer rule and a fine gold inner one.
        pdf.set_draw_color(*_INK)
        pdf.set_line_width(1.2)
        pdf.rect(8, 8, _PAGE_W - 16, _PAGE_H - 16)
        pdf.set_draw_color(*_GOLD)
        pdf.set_line_width(0.4)
        pdf.rect(12, 12, _PAGE_W - 24, _PAGE_H - 24)

        _draw_artwork(pdf, "logo.svg", _PAGE_W / 2 - 14, 18)
        self.text(content.program.upper(), 49, 10, color=_GOLD)
        kind = "Accreditation" if content.credential_kind == "accreditation" else "Certification"
        self.text(f"Certificate of {kind}", 57, 26)
        self.text("This certifies that", 77, 12, color=_GREY)

        self.holder_name(name)
        pdf.set_draw_color(*_GOLD)
        pdf.set_line_width(0.3)
        pdf.line(_PAGE_W / 2 - 80, 104, _PAGE_W / 2 + 80, 104)

        earned = "has been accredited as" if content.credential_kind == "accreditation" else "has earned the credential"
        self.text(earned, 109, 12, color=_GREY)
        self.text(content.credential_title, 117, 18)
        valid = f"until {clock.long_date(content.expires_on)}" if content.expires_on else "with no expiry date"
        self.text(f"Earned {clock.long_date(content.earned_on)}, valid {valid}", 129, 11, color=_GREY)

        # Signature, bottom left.
        _draw_artwork(pdf, "signature.svg", 30, 150)
        pdf.set_draw_color(*_INK)
        pdf.set_line_width(0.3)
        pdf.line(30, 169, 100, 169)
        self.text("Program Director", 171, 9, x=30, w=70, align="L", color=_GREY)
        self.text(content.program, 176, 9, x=30, w=120, align="L", color=_GREY)

        # Verification, bottom right: the QR code and what to type instead of scanning it.
        qr_size = 34.0
        qr_x, qr_y = _PAGE_W - 30 - qr_size, 146.0
        self.qr(content.verification_url, qr_x, qr_y, qr_size)
        right = qr_x - 4
        self.text("Certificate ID", 148, 8, x=right - 100, w=100, align="R", color=_GREY)
        self.text(content.certificate_id, 152, 11, x=right - 100, w=100, align="R")
        self.text("Verification code", 160, 8, x=right - 100, w=100, align="R", color=_GREY)
        self.text(content.verification_code, 164, 11, x=right - 100, w=100, align="R")
        scan = "Scan the code or enter the verification code at"
        self.text(scan, 172, 8, x=right - 100, w=100, align="R", color=_GREY)
        self.text(content.verification_url, 176, 8, x=right - 130, w=130, align="R", color=_INK)
        pdf.link(qr_x, qr_y, qr_size, qr_size, content.verification_url)

    def holder_name(self, name: str) -> None:
        """The name in its room (_NAME_TOP to _NAME_BOTTOM, _NAME_MARGIN from the page's edges), centred: on one line
        at the largest size up to _NAME_PT that fits; below _NAME_MIN_PT, on two lines if they fit larger. Its glyphs,
        marks piled on them included, never leave the room: every name the policy accepts fits at some size."""
        lines, extents = [name], [self.measure(name)]
        direction: TextDirection | None = None  # one line: its own
        size = _largest_size(extents)
        if size < _NAME_MIN_PT:
            from fpdf.bidi import auto_detect_base_direction

            # Each line keeps the whole name's direction: a right-to-left name's beginning is at the top right.
            whole = auto_detect_base_direction(name)
            for broken in _two_lines(name, self.advances(name)):
                measured = [self.measure(line, whole) for line in broken]
                if (larger := _largest_size(measured)) > size:
                    lines, extents, size, direction = list(broken), measured, larger, whole
                if size >= _NAME_MIN_PT:
                    break
        # The lines' boxes stacked and centred in the room, each line's baseline below its box's top.
        top = (_NAME_TOP + _NAME_BOTTOM - sum(extent.height for extent in extents) * size) / 2
        for line, extent in zip(lines, extents, strict=True):
            baseline = top + extent.above * size
            # fpdf2 puts a cell's baseline at half its height plus 0.3 of the font size below its top.
            cell_top = baseline - size * _POINT * (_LEADING / 2 + 0.3)
            self.text(line, cell_top, size, x=_NAME_MARGIN, w=_PAGE_W - 2 * _NAME_MARGIN, direction=direction)
            top += extent.height * size

    def measure(self, text: str, direction: TextDirection | None = None) -> _Extent:
        """How `text` is drawn as one line at 1 pt, in mm: its advance (what a cell centres), and how far its glyphs
        reach left of its start, right of its end, above and below its baseline: their ink (HarfBuzz's glyph
        extents, where shaping placed each glyph: a mark raised over the marks before it) or the box a PDF reader
        gives each glyph (the font's ascent and descent there), whichever reaches further."""
        pdf = self.pdf
        self.font(text, _NAME_PT)
        shaped = not text.isascii()
        pdf.text_shaping = self.shaping if shaped else None
        self.shaping["direction"] = direction
        # What cell() does with the text first: the bidi runs, each in the font (or fallback) that draws it.
        fragments = pdf._preload_bidirectional_text(pdf.normalize_text(text), False)
        self.shaping["direction"] = None
        pen = left = right = above = below = 0.0  # in thousandths of an em, fpdf2's font unit
        for fragment in fragments:
            font: Any = fragment.font
            ascent, descent = font.desc.ascent, font.desc.descent
            if not shaped:  # ASCII in Noto Sans: its ink stays within the ascent and the descent
                pen += fragment.get_width() * pdf.k / fragment.font_size_pt * 1000
                above, below = max(above, ascent), min(below, descent)
                continue
            scale, hb_font = font.scale, font.hbfont
            infos, positions = font.perform_harfbuzz_shaping(
                fragment.string, fragment.font_size_pt, fragment.text_shaping_parameters
            )
            for info, position in zip(infos, positions, strict=True):
                x, y = pen + position.x_offset * scale, position.y_offset * scale
                above, below = max(above, y + ascent), min(below, y + descent)
                if ink := hb_font.get_glyph_extents(info.codepoint):
                    left = min(left, x + ink.x_bearing * scale)
                    right = max(right, x + (ink.x_bearing + ink.width) * scale)
                    above = max(above, y + ink.y_bearing * scale)
                    below = min(below, y + (ink.y_bearing + ink.height) * scale)
                pen += round(scale * position.x_advance + 0.001)  # as fpdf2 adds advances up
        mm = _POINT / 1000
        return _Extent(pen * mm, left * mm, max(right, pen) * mm, above * mm, -below * mm)

    def advances(self, text: str) -> list[float]:
        """Each character's advance in the font that draws it, unshaped."""
        self.font(text, _NAME_PT)
        fonts: list[Any] = [self.pdf.fonts[key] for key in (self.pdf.font_family, *self.pdf._fallback_font_ids)]
        widths = []
        for char in text:
            font: Any = next((font for font in fonts if ord(char) in font.cmap), fonts[0])
            widths.append(font.cw.get(ord(char), 0))
        return widths

    def qr(self, url: str, x: float, y: float, size: float) -> None:
        """The QR code as filled rectangles (vector): one per run of dark modules, runs repeated in the rows
        below merged into one taller rectangle."""
        import segno

        # A fixed mask: choosing the best of the eight costs segno more than the rest of the certificate's
        # drawing, and every mask is a valid code (the choice only evens out light and dark areas).
        code = segno.make(url, error="m", micro=False, mask=_QR_MASK)
        rows = [tuple(row) for row in code.matrix_iter(scale=1, border=0)]
        module = size / len(rows)
        pdf = self.pdf
        pdf.set_fill_color(0, 0, 0)
        # The operators FPDF.rect writes, written at once: its checks and bookkeeping per call cost more than the
        # few hundred rectangles themselves.
        k, page_h = pdf.k, pdf.h
        pdf._out(
            "\n".join(
                f"{(x + left * module) * k:.2f} {(page_h - y - top * module) * k:.2f} "
                f"{width * module * k:.2f} {-height * module * k:.2f} re f"
                for top, left, width, height in _rectangles(rows)
            )
        )


_QR_MASK = 2


@dataclass(frozen=True)
class _Extent:
    """A line as _Document.measure finds it, in mm at 1 pt (a size scales each of them alike)."""

    advance: float
    left: float  # where the glyphs start, from the line's start (<= 0)
    right: float  # where they end (>= advance)
    above: float
    below: float

    @property
    def width(self) -> float:
        """How wide a room the line needs when a cell centres its advance in it."""
        return 2 * max(self.advance / 2 - self.left, self.right - self.advance / 2)

    @property
    def height(self) -> float:
        return self.above + self.below


def _largest_size(lines: list[_Extent]) -> float:
    """The largest size (pt), up to _NAME_PT, at which `lines` stacked fit the name's room."""
    width = max(line.width for line in lines)
    height = sum(line.height for line in lines)  # never 0: each line is at least its font's ascent high
    # A width of 0 is text that draws nothing wide (a lone mark, in a test): only its height limits it.
    wide = (_PAGE_W - 2 * _NAME_MARGIN) / width if width else _NAME_PT
    return min(_NAME_PT, wide, (_NAME_BOTTOM - _NAME_TOP) / height)


def _two_lines(name: str, advances: list[float]) -> Iterator[tuple[str, str]]:
    """Where to break a name in two, best first: at the space that balances the lines best, then between the two
    grapheme clusters (or at the space) that do. The first line holds the name's beginning in reading order,
    whichever way it runs. Balance is judged on each character's advance, unshaped: close, and cheap."""
    spaces = [(at, at + 1) for at, char in enumerate(name) if char == " "]
    if spaces:
        yield _balanced(name, advances, spaces)
    clusters = [(at, at) for at in range(1, len(name)) if _breakable(name, at)]
    if clusters:
        yield _balanced(name, advances, spaces + clusters)


def _balanced(text: str, widths: list[float], breaks: list[tuple[int, int]]) -> tuple[str, str]:
    """The two lines `text` makes when broken at the one of `breaks` (first line's end, second line's start) that
    makes the longer of them shortest."""
    total = sum(widths)
    before = [0.0, *accumulate(widths)]  # the width of text[:n]
    end, start = min(breaks, key=lambda at: max(before[at[0]], total - before[at[1]]))
    return text[:end], text[start:]


_VIRAMA = 9  # the canonical combining class of the viramas: the consonant after one joins it in a conjunct
# Hangul written in jamo (NFC composes modern syllables, not old ones): leading consonants (L), vowels (V), trailing
# consonants (T) and composed syllables (S), and the pairs that stay in one syllable (UAX #29, GB6 to GB8).
_JAMO = {
    "L": ((0x1100, 0x115F), (0xA960, 0xA97C)),
    "V": ((0x1160, 0x11A7), (0xD7B0, 0xD7C6)),
    "T": ((0x11A8, 0x11FF), (0xD7CB, 0xD7FB)),
    "S": ((0xAC00, 0xD7A3),),
}
_ONE_SYLLABLE = frozenset({"LL", "LV", "LS", "VV", "VT", "TT", "SV", "ST"})


def _breakable(text: str, at: int) -> bool:
    """Whether a line may break between text[at - 1] and text[at]: not inside a grapheme cluster (a character and
    its marks, a joiner and what it joins, a virama and the consonant after it, a Hangul syllable's jamo), and not
    beside a space (a break there is the space's)."""
    before, after = text[at - 1], text[at]
    return not (
        unicodedata.category(after).startswith("M")
        or before in _JOINERS
        or after in _JOINERS
        or unicodedata.combining(before) == _VIRAMA
        or _jamo(before) + _jamo(after) in _ONE_SYLLABLE
        or before == " "
        or after == " "
    )


def _jamo(char: str) -> str:
    return next((kind for kind, ranges in _JAMO.items() if _in(char, ranges)), "")


def _runs(row: tuple[int, ...]) -> Iterator[tuple[int, int]]:
    start = None
    for c, dark in enumerate((*row, 0)):
        if dark and start is None:
            start = c
        elif not dark and start is not None:
            yield start, c - start
            start = None


def _rectangles(rows: list[tuple[int, ...]]) -> list[tuple[int, int, int, int]]:
    """(top, left, width, height) in modules: each row's dark runs, a run that the row above has too (same start
    and width) extending that rectangle down instead of starting one."""
    done: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], int] = {}  # (left, width) -> top, for rectangles reaching the previous row
    for r, row in enumerate(rows):
        runs = set(_runs(row))
        for run, top in list(open_.items()):
            if run not in runs:
                done.append((top, run[0], run[1], r - top))
                del open_[run]
        for run in runs:
            open_.setdefault(run, r)
    done.extend((top, left, width, len(rows) - top) for (left, width), top in open_.items())
    return sorted(done)
