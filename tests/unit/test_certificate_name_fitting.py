"""Any name the policy accepts fits the certificate: 140 generated names (329 under `make test-deep`), in every
script the certificate's fonts draw, up to the longest a profile allows and with as many marks on one letter as the
policy lets through, each drawn inside the room between "This certifies that" and the rule under the name, within the
frame, and never blank.

All the certificates are rendered in this process and joined into one PDF (qpdf), which poppler reads back once
(`pdftotext -bbox-layout`: every word's box as a reader places its glyphs, HarfBuzz's offsets included, so a mark
raised over the marks before it is boxed where it is drawn) and draws once (`pdftoppm`: the glyphs' ink)."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from certtracker.certificates import document
from certtracker.certificates.document import render, undrawable
from certtracker.core import fields, names
from tests.depth import examples
from tests.unit.test_certificate_document import _fonts, _unavailable, content  # noqa: F401 (_fonts: autouse)

PERSON_NAME = TypeAdapter(fields.PersonName)
POINTS_PER_MM = 72 / 25.4
# The inner (gold) frame, 12 mm from the page's edges, and the gold rule under the name, at 104 mm: their inner
# edges, in points (the frame's line is 0.4 mm wide, the rule's 0.3 mm).
FRAME_LEFT, FRAME_RIGHT = (12 + 0.2) * POINTS_PER_MM, (297 - 12 - 0.2) * POINTS_PER_MM
RULE_TOP = (104 - 0.15) * POINTS_PER_MM
REFERENCE = "Anna Smith"

# ---------------------------------------------------------------- names, generated


def _letters(*ranges: tuple[int, int]) -> str:
    return "".join(chr(code) for start, end in ranges for code in range(start, end + 1))


LATIN = "abcdefghijklmnopqrstuvwxyz" + _letters((0xE0, 0xF6), (0xF8, 0xFF), (0x100, 0x17F), (0x1E00, 0x1E9B))
GREEK = "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰ" + "ἀἁἂἄἐἑἠἡἰἱὀὁὐὑὠὡᾶῆῖῦῶ"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў"
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئةى" + "پچژگکی"
HARAKAT = "\u064e\u064f\u0650\u0652\u064b"  # fatha, damma, kasra, sukun, fathatan; shadda (U+0651) comes first
HEBREW = "אבגדהוזחטיכלמנסעפצקרשת"
NIQQUD = "\u05b0\u05b4\u05b5\u05b6\u05b7\u05b8\u05b9\u05bb"
DEVANAGARI_CONSONANTS = _letters((0x0915, 0x0939))
DEVANAGARI_VOWELS = _letters((0x0905, 0x0914))
DEVANAGARI_SIGNS = _letters((0x093E, 0x094C))
# Characters Chinese, Japanese and Korean names are written with, each pool from three or four of the fonts' slices
# of 300 characters: a document embeds every slice its name uses, and a long name drawn from all of Han would
# embed dozens (a test of subsetting's time, not of fitting).
HAN = "李杨朱林曹曾杜杰张徐彭强建吴周唐叶吕刘冯军刚"
KANJI = "木村林本松智中上一二三山小子"
KANA = _letters((0x3042, 0x3093), (0x30A2, 0x30F3))
HANGUL = "황홍허현혜호훈이윤임유우은정조장전재"
# Combining marks Noto Sans draws on Latin letters, above and below.
MARKS_ABOVE = "\u0300\u0301\u0302\u0303\u0304\u0306\u0307\u0308\u030a\u030b\u030c\u0311"
MARKS_BELOW = "\u0323\u0324\u0325\u0326\u0327\u0328\u032d\u032e\u0330\u0331"
VIETNAMESE_ONSETS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gi",
    "h",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "nh",
    "ph",
    "qu",
    "t",
    "th",
]
VIETNAMESE_NUCLEI = ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ia", "ươ", "uô"]
VIETNAMESE_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]
VIETNAMESE_CODAS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]

# A cluster generator: the next few characters of a word (a letter with its marks, a syllable, a conjunct).
Cluster = Callable[[random.Random], str]


def _latin(rng: random.Random) -> str:
    return rng.choice(LATIN)


def _vietnamese(rng: random.Random) -> str:
    nucleus = rng.choice(VIETNAMESE_NUCLEI)
    toned = nucleus[0] + rng.choice(VIETNAMESE_TONES) + nucleus[1:]
    return rng.choice(VIETNAMESE_ONSETS) + toned + rng.choice(VIETNAMESE_CODAS)


def _marked(rng: random.Random) -> str:
    """A letter carrying up to the policy's limit of marks: above, below, or both (the tallest: a capital with
    two marks composed in, and four more above it)."""
    while True:
        count = rng.randint(1, names.MAX_MARKS)
        base = rng.choice("AEIOUaeiouẪỄỖǕẬḀ" if rng.random() < 0.3 else LATIN)
        pool = rng.choice([MARKS_ABOVE, MARKS_BELOW, MARKS_ABOVE + MARKS_BELOW])
        cluster = unicodedata.normalize("NFC", base + "".join(rng.choice(pool) for _ in range(count)))
        # NFC may take a mark off a composed letter instead of adding one to it (ȭ and a mark below: o, tilde,
        # macron and the mark, of which only o and tilde compose).
        if max(_marks_on_one_character(cluster)) <= names.MAX_MARKS:
            return cluster


def _arabic(rng: random.Random) -> str:
    letter = rng.choice(ARABIC)
    if rng.random() < 0.2:
        letter += "\u0651"  # shadda, then a vowel: the most harakat one letter carries
    if rng.random() < 0.6:
        letter += rng.choice(HARAKAT)
    if rng.random() < 0.05:
        letter += "\u200c" + rng.choice(ARABIC)  # a Persian non-joiner, between two letters of a word
    return letter


def _hebrew(rng: random.Random) -> str:
    letter = rng.choice(HEBREW)
    if rng.random() < 0.3:
        letter += "\u05bc"  # dagesh
    if letter[0] == "ש":
        letter += rng.choice("\u05c1\u05c2")  # shin or sin dot
    if rng.random() < 0.7:
        letter += rng.choice(NIQQUD)
    return letter


def _devanagari(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return rng.choice(DEVANAGARI_VOWELS)
    syllable = rng.choice(DEVANAGARI_CONSONANTS)
    if rng.random() < 0.25:
        syllable += "\u094d" + rng.choice(DEVANAGARI_CONSONANTS)  # a conjunct
    if rng.random() < 0.6:
        syllable += rng.choice(DEVANAGARI_SIGNS)
    if rng.random() < 0.15:
        syllable += rng.choice("\u0901\u0902")  # candrabindu, anusvara
    return syllable


def _pool(characters: str) -> Cluster:
    return lambda rng: rng.choice(characters)


SCRIPTS: dict[str, Cluster] = {
    "Latin": _latin,
    "Vietnamese": _vietnamese,
    "marks": _marked,
    "Greek": _pool(GREEK),
    "Cyrillic": _pool(CYRILLIC),
    "Arabic": _arabic,
    "Hebrew": _hebrew,
    "Devanagari": _devanagari,
    "Chinese": _pool(HAN),
    "Japanese": _pool(KANJI + KANA),
    "Korean": _pool(HANGUL),
}
# A first name in one script and a last name in another: the directions and the fonts mixed.
MIXED = [("Latin", "Arabic"), ("Hebrew", "Latin"), ("Arabic", "Chinese"), ("Cyrillic", "Hebrew"), ("Korean", "Latin")]


def _part(rng: random.Random, cluster: Cluster, length: int, *, spaced: bool) -> str:
    """A name part of at most `length` characters (NFC; at least one cluster), whole clusters only: words of a few
    clusters each, or one long word (a name a line can only break inside)."""
    part = ""
    word = 0
    while True:
        if spaced and word >= rng.randint(2, 12) and part:
            piece, word = " " + cluster(rng), 0
        else:
            piece = cluster(rng)
        longer = unicodedata.normalize("NFC", part + piece)
        if len(longer) > length and part:
            return part
        part, word = longer, word + 1


def _length(rng: random.Random) -> int:
    """Mostly names of everyday length, often long ones, and often the longest a part may be."""
    roll = rng.random()
    if roll < 0.4:
        return rng.randint(2, 20)
    if roll < 0.7:
        return rng.randint(20, 60)
    return names.MAX_PART if roll < 0.85 else rng.randint(60, names.MAX_PART)


# Names per script (half as many per mixed pair): under `make test` enough to reach every length, the longest a name
# may be and the most marks one letter may carry (the counts the first test asserts); under `make test-deep` more.
PER_SCRIPT = examples(10, 24)


def generated_parts(count_per_script: int = PER_SCRIPT, seed: int = 21) -> list[tuple[str, str]]:
    """First and last names as a profile holds them: in each script, and mixed."""
    rng = random.Random(seed)
    pairs = [(script, script) for script in SCRIPTS for _ in range(count_per_script)]
    pairs += [pair for pair in MIXED for _ in range(count_per_script // 2)]
    generated = []
    for first_script, last_script in pairs:
        spaced = rng.random() < 0.6
        first = _part(rng, SCRIPTS[first_script], _length(rng), spaced=spaced)
        last = _part(rng, SCRIPTS[last_script], _length(rng), spaced=spaced)
        generated.append((first, last))
    # The extremes: the widest letters at the longest length, and piled marks all along.
    return [
        *generated,
        ("W" * names.MAX_PART, "W" * names.MAX_PART),
        ("李" * names.MAX_PART, "张" * names.MAX_PART),
        ("A", "Ẫ\u0308\u0308\u0308\u0308" * 20),
        ("\ufdf2" * names.MAX_PART, "\ufdf2" * names.MAX_PART),  # ARABIC LIGATURE ALLAH ISOLATED FORM, 1.6 em
    ]


# What the staff's name correction may print: 201 characters with no space to break at.
STAFF_CORRECTED = ["W" * names.MAX_PART + "M" * (names.MAX_PRINTED - names.MAX_PART)]


# ---------------------------------------------------------------- the PDFs, read back


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float

    @property
    def box(self) -> tuple[str, float, float, float, float]:
        return (self.text, round(self.x_min, 1), round(self.y_min, 1), round(self.x_max, 1), round(self.y_max, 1))


@dataclass(frozen=True)
class Rendered:
    """Every generated name's certificate, after a reference certificate (REFERENCE's), joined into one PDF."""

    names: list[str]
    joined: Path
    reference: list[Word]
    pages: list[list[Word]]  # each name's certificate's words, as `names`

    def fixed(self) -> set[tuple[str, float, float, float, float]]:
        """The words every certificate has in the same place: all but the holder's name."""
        return {word.box for word in self.reference if word.text not in REFERENCE.split()}


def _require(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            _unavailable(f"{tool} is not installed (Debian: apt-get install qpdf poppler-utils)")


def _words(joined: Path) -> list[list[Word]]:
    """Each page's words with their boxes (points, from the page's top left), read back by pdftotext in one run."""
    layout = subprocess.run(
        ["pdftotext", "-bbox-layout", str(joined), "-"], check=True, capture_output=True, text=True
    ).stdout
    xhtml = "{http://www.w3.org/1999/xhtml}"
    root = ElementTree.fromstring(layout)
    return [
        [
            Word(word.text or "", *(float(word.attrib[key]) for key in ("xMin", "yMin", "xMax", "yMax")))
            for word in page.iter(f"{xhtml}word")
        ]
        for page in root.iter(f"{xhtml}page")
    ]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    _require("qpdf", "pdftotext")
    generated = [names.printed_name(*parts) for parts in generated_parts()] + STAFF_CORRECTED
    directory = tmp_path_factory.mktemp("names")
    paths = []
    for number, name in enumerate([REFERENCE, *generated]):
        paths.append(directory / f"{number:04d}.pdf")
        paths[-1].write_bytes(render(content(name)))
    joined = directory / "all.pdf"
    subprocess.run(["qpdf", "--empty", "--pages", *map(str, paths), "--", str(joined)], check=True)
    reference, *pages = _words(joined)
    return Rendered(generated, joined, reference, pages)


def _letters_of(text: str) -> Counter[str]:
    """The letters and digits of a text without their marks, counted: what survives a reader's reordering
    (right-to-left runs read back in visual order, marks apart from their letters) and shaping (presentation
    forms, which NFKD folds; a letter and its marks drawn as another composed letter and other marks)."""
    return Counter(c for c in unicodedata.normalize("NFKD", text) if unicodedata.category(c)[0] in "LN")


def test_the_generated_names_cover_every_length_and_all_pass_the_name_policy() -> None:
    generated = [names.printed_name(*parts) for parts in generated_parts()] + STAFF_CORRECTED
    assert len(generated) >= 12 * PER_SCRIPT
    for first, last in generated_parts():  # a profile's two parts, each under the name policy
        assert PERSON_NAME.validate_python(first) == first
        assert PERSON_NAME.validate_python(last) == last
    for name in generated:
        names.refuse_unprintable(name)
        assert len(name) <= names.MAX_PRINTED
        assert undrawable(name) == "", name
    assert sum(len(name) >= 150 for name in generated) >= PER_SCRIPT + PER_SCRIPT // 4
    assert sum(len(name) == names.MAX_PRINTED for name in generated) >= 5
    piled = [max(_marks_on_one_character(name)) for name in generated]
    assert piled.count(names.MAX_MARKS) >= PER_SCRIPT


def _marks_on_one_character(name: str) -> list[int]:
    counts = [0]
    for char in name:
        if unicodedata.category(char) in ("Mn", "Me"):
            counts[-1] += 1
        elif char not in "\u200c\u200d":
            counts.append(0)
    return counts


def test_every_generated_name_is_drawn_inside_its_room_and_nothing_else_moves(rendered: Rendered) -> None:
    """Every word of the name (a word's box spans its glyphs, each as high as the font's ascent and descent where
    it is drawn) is within the frame, below "This certifies that" and above the rule under the name."""
    fixed = rendered.fixed()
    above = max(word.y_max for word in rendered.reference if word.text in ("This", "certifies", "that"))
    below = min(RULE_TOP, *(word.y_min for word in rendered.reference if word.text == "has"))
    outside = []
    for name, page in zip(rendered.names, rendered.pages, strict=True):
        boxes = {word.box for word in page}
        assert fixed <= boxes, f"{name!r} moved: {sorted(fixed - boxes)[:3]}"
        for word in page:
            if word.box in fixed:
                continue
            inside = word.x_min >= FRAME_LEFT and word.x_max <= FRAME_RIGHT
            if not (inside and above <= word.y_min and word.y_max <= below):
                outside.append(f"{name[:30]!r}…: {word.box}")
    assert outside == []


def test_no_ink_of_any_generated_name_falls_outside_its_room(rendered: Rendered, tmp_path: Path) -> None:
    """What the boxes cannot show: the glyphs' ink, marks piled on them included. Drawn by pdftoppm at 25 dpi,
    every page is the reference's, pixel for pixel, outside the name's room (with a pixel's margin)."""
    _require("pdftoppm")
    dpi = 25
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(rendered.joined), str(tmp_path / "page")], check=True)
    reference, *pages = [_pixels(path) for path in sorted(tmp_path.glob("page-*.pgm"))]
    width = len(reference[0])
    pixel = 25.4 / dpi  # mm
    room_rows = range(int(82.2 / pixel) - 1, int(103.85 / pixel) + 2)
    room_columns = slice(int(12.2 / pixel) - 1, int((297 - 12.2) / pixel) + 2)
    ink_outside = []
    for name, page in zip(rendered.names, pages, strict=True):
        for row, (drawn, expected) in enumerate(zip(page, reference, strict=True)):
            if row in room_rows:
                drawn, expected = _without(drawn, room_columns, width), _without(expected, room_columns, width)
            if drawn != expected:
                ink_outside.append(f"{name[:30]!r}…: row {row}")
                break
    assert ink_outside == []


def _pixels(path: Path) -> list[bytes]:
    """A binary PGM's rows (its header: P5, width, height, 255, each followed by one whitespace byte)."""
    image = path.read_bytes()
    header = re.match(rb"P5\s(\d+)\s(\d+)\s255\s", image)
    assert header, path
    width, height = int(header[1]), int(header[2])
    data = image[header.end() :]
    return [data[row * width : (row + 1) * width] for row in range(height)]


def _without(row: bytes, columns: slice, width: int) -> bytes:
    start, stop, _ = columns.indices(width)
    return row[:start] + row[stop:]


def test_no_generated_name_is_blank_and_each_reads_back_as_written(rendered: Rendered) -> None:
    fixed = rendered.fixed()
    for name, page in zip(rendered.names, rendered.pages, strict=True):
        drawn = "".join(word.text for word in page if word.box not in fixed)
        assert _letters_of(drawn), f"{name!r} is blank"
        assert _letters_of(drawn) == _letters_of(name), name


# ---------------------------------------------------------------- how a name is sized and broken


def _name_words(name: str, directory: Path) -> list[Word]:
    """The words of `name` on its certificate (all but those of the reference certificate's fixed text)."""
    _require("qpdf", "pdftotext")
    (directory / "reference.pdf").write_bytes(render(content(REFERENCE)))
    (directory / "name.pdf").write_bytes(render(content(name)))
    joined = directory / "both.pdf"
    files = [str(directory / "reference.pdf"), str(directory / "name.pdf")]
    subprocess.run(["qpdf", "--empty", "--pages", *files, "--", str(joined)], check=True)
    reference, page = _words(joined)
    fixed = {word.box for word in reference if word.text not in REFERENCE.split()}
    return [word for word in page if word.box not in fixed]


def test_an_everyday_name_keeps_the_full_size_on_one_line(tmp_path: Path) -> None:
    words = _name_words("Anna Smith", tmp_path)
    assert [word.text for word in words] == ["Anna", "Smith"]
    # A word's box is the font's ascent and descent high: 1.362 em in Noto Sans.
    assert {round((word.y_max - word.y_min) / 1.362) for word in words} == {34}


def test_a_name_too_long_for_one_line_at_16_pt_breaks_at_a_space_and_a_right_to_left_one_reads_from_the_top_right(
    tmp_path: Path,
) -> None:
    # Abraham David ... Cohen ... Levi: 100 and 99 characters.
    first, last = "אברהם " + " ".join(["דוד"] * 23) + " משה", " ".join(["כהן"] * 24) + " לוי"
    name = names.printed_name(first, last)
    words = _name_words(name, tmp_path)
    top = min(word.y_min for word in words)
    lines = [
        sorted((word for word in words if (word.y_min == top) == on_top), key=lambda w: w.x_min)
        for on_top in (True, False)
    ]
    drawn = [_letters_of("".join(word.text for word in line)) for line in lines]
    # Broken at a space, the name's beginning on the top line...
    assert any(
        drawn == [_letters_of(name[:at]), _letters_of(name[at + 1 :])] for at, char in enumerate(name) if char == " "
    )
    # ...read from the right: the first word at the top right, the last at the bottom left.
    assert _letters_of(lines[0][-1].text) == _letters_of("אברהם")
    assert _letters_of(lines[1][0].text) == _letters_of("לוי")


def test_a_line_breaks_at_a_space_that_balances_the_lines_or_between_grapheme_clusters_only() -> None:
    (at_space, anywhere) = document._two_lines("Anna Maria Smith", [1.0] * 16)
    assert at_space == ("Anna Maria", "Smith")
    assert anywhere == ("Anna Mar", "ia Smith")  # taken only when a space leaves the lines below 16 pt
    han = "李" * 9
    assert list(document._two_lines(han, [1.0] * 9)) == [("李" * 4, "李" * 5)]
    # Devanagari conjuncts (a virama and the consonant after it), a letter with its marks and an old Hangul syllable
    # written in jamo stay whole.
    for text, halves in (
        ("क्षक्षक्षक्ष", ("क्षक्ष", "क्षक्ष")),
        ("e\u0301\u0323" * 4, ("e\u0301\u0323" * 2, "e\u0301\u0323" * 2)),
        ("\u1100\u1161\u11a8" * 3, ("\u1100\u1161\u11a8", "\u1100\u1161\u11a8" * 2)),
    ):
        assert list(document._two_lines(text, [1.0] * len(text))) == [halves]
