"""The certificate PDF: every script's name drawn and read back, a vector QR code of the verification URL, a file
qpdf finds sound, and names no font draws refused before anything is drawn."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certtracker.certificates import document
from certtracker.certificates.document import CertificateContent, UndrawableName, render, undrawable
from tests.depth import examples

FONTS = document.fonts_dir()

NAMES = {
    "vietnamese": "Nguyễn Thị Minh Khai",
    "greek": "Γεώργιος Παπαδόπουλος",
    "cyrillic": "Анна Иванова",
    "arabic": "محمد عبد الله",
    "hebrew": "דוד כהן",
    "devanagari": "अमित शर्मा",
    "chinese": "张伟",
    "japanese": "山田 太郎",
    "korean": "김민준",
    "mixed": "Anna 李",
}


def _unavailable(what: str) -> None:
    """Skip on a developer's machine, fail on CI (like tests/browser/conftest.py)."""
    if os.environ.get("CI"):
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(autouse=True)
def _fonts() -> None:
    if not (FONTS / "index.json").is_file():
        _unavailable(f"no certificate fonts in {FONTS}: `make fonts` makes them")


def content(name: str, **changes: object) -> CertificateContent:
    fields: dict[str, object] = {
        "holder_name": name,
        "credential_title": "Certified Endpoint Protection Engineer",
        "credential_kind": "certification",
        "program": "CertTracker Certification Program",
        "earned_on": date(2026, 3, 12),
        "expires_on": date(2029, 3, 12),
        "certificate_id": "C-7Q2M-9XKD-41PA",
        "verification_code": "K7QM-2XWD-9PRT-HB4C",
        "verification_url": "https://portal.test/verify/K7QM2XWD9PRTHB4C",
    }
    fields.update(changes)
    return CertificateContent(**fields)  # type: ignore[arg-type]


def extracted_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    (page,) = PdfReader(io.BytesIO(pdf)).pages
    return page.extract_text()


def comparable(text: str) -> str:
    """Text as compared: NFKC (shaped Arabic can read back as presentation forms, which NFKC folds into the
    letters typed), without spaces (pypdf guesses word gaps from glyph positions) and without control
    characters: in a right-to-left run fpdf2 leaves HarfBuzz's space glyph without a Unicode mapping, and pypdf
    then reads its raw code (U+0007); poppler's pdftotext reads a space there."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return "".join(c for c in folded if unicodedata.category(c) != "Cc")


@pytest.mark.parametrize("script", NAMES)
def test_each_scripts_name_is_drawn_and_reads_back_with_the_credential_and_codes(script: str) -> None:
    name = NAMES[script]
    pdf = render(content(name))
    assert pdf.startswith(b"%PDF-")
    text = comparable(extracted_text(pdf))
    wanted = comparable(name)
    # Right-to-left names read back in visual order (pypdf reads glyphs left to right).
    assert wanted in text or wanted[::-1] in text, f"{name!r} not in {text!r}"
    for field in ("Certified Endpoint Protection Engineer", "C-7Q2M-9XKD-41PA", "K7QM-2XWD-9PRT-HB4C"):
        assert comparable(field) in text
    assert comparable("12 March 2026") in text
    assert comparable("12 March 2029") in text


def test_a_certificate_stays_under_40_kb_for_every_script() -> None:
    for name in NAMES.values():
        assert len(render(content(name))) <= 40 * 1024, name


def test_a_credential_without_expiry_says_so() -> None:
    text = comparable(extracted_text(render(content("Anna Smith", expires_on=None))))
    assert comparable("with no expiry date") in text


def test_the_fonts_embedded_are_only_the_slices_the_text_needs() -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render(content("Anna Smith"))))
    fonts = {font["/BaseFont"] for font in _fonts_of(reader)}
    assert fonts == {"/MPDFAA+NotoSans"}, fonts


def _fonts_of(reader: object) -> list[dict[str, object]]:
    page = reader.pages[0]  # type: ignore[attr-defined]
    return [font.get_object() for font in page["/Resources"]["/Font"].values()]


def test_the_qr_code_is_vector_and_is_the_verification_urls_code() -> None:
    """No image anywhere; the filled rectangles drawn in the QR code's square are exactly segno's modules for the
    URL (so any reader decodes the URL)."""
    import segno
    from pypdf import PdfReader

    url = "https://portal.test/verify/K7QM2XWD9PRTHB4C"
    pdf = render(content("Anna Smith", verification_url=url))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert "/XObject" not in page["/Resources"] or not any(
        x.get_object()["/Subtype"] == "/Image" for x in page["/Resources"]["/XObject"].values()
    )
    stream = page.get_contents().get_data().decode("latin-1")
    rectangles = [tuple(float(v) for v in m) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.-]+) ([\d.-]+) re f", stream)]
    code = segno.make(url, error="m", micro=False, mask=document._QR_MASK)
    rows = [list(row) for row in code.matrix_iter(scale=1, border=0)]
    size = len(rows)
    points_per_mm = 72 / 25.4
    qr_x, qr_top, qr_size = 297 - 30 - 34, 146, 34
    module = qr_size * points_per_mm / size
    page_height = 210 * points_per_mm
    drawn = [[0] * size for _ in range(size)]
    for x, y, w, h in rectangles:
        left = (x - qr_x * points_per_mm) / module
        top = (page_height - y - qr_top * points_per_mm) / module
        if -0.5 < left < size and -0.5 < top < size:
            for r in range(round(top), round(top - h / module)):
                for c in range(round(left), round(left + w / module)):
                    drawn[r][c] = 1
    assert drawn == rows


def test_qpdf_finds_no_error_in_any_scripts_certificate(tmp_path: Path) -> None:
    if shutil.which("qpdf") is None:
        _unavailable("qpdf is not installed (Debian: apt-get install qpdf)")
    for script, name in NAMES.items():
        path = tmp_path / f"{script}.pdf"
        path.write_bytes(render(content(name)))
        checked = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, f"{script}: {checked.stdout}{checked.stderr}"
        assert "No syntax or stream encoding errors found" in checked.stdout


@pytest.mark.parametrize(
    ("name", "characters"),
    [
        ("Anna \U0001f600", "\U0001f600"),  # an emoji
        ("\U00010000\U00010001", "\U00010000\U00010001"),  # Linear B
        ("Anna\u0378", "\u0378"),  # unassigned
        ("Anna\u0007Smith", "\u0007"),  # a control character
        ("Anna\u202eSmith", "\u202e"),  # a bidirectional override
        ("Anna\ue000", "\ue000"),  # private use
    ],
)
def test_a_name_no_font_draws_is_refused_before_drawing_and_says_which_characters(name: str, characters: str) -> None:
    assert undrawable(name) == characters
    with pytest.raises(UndrawableName) as refused:
        render(content(name))
    assert refused.value.characters == characters


def test_every_supported_script_is_drawable() -> None:
    for name in NAMES.values():
        assert undrawable(name) == "", name


def test_a_name_in_decomposed_form_is_drawn_as_its_composed_form() -> None:
    decomposed = unicodedata.normalize("NFD", NAMES["vietnamese"])
    assert undrawable(decomposed) == ""
    assert comparable(NAMES["vietnamese"]) in comparable(extracted_text(render(content(decomposed))))


def _drawable_characters() -> list[str]:
    coverage = document._coverage(FONTS) if (FONTS / "index.json").is_file() else None
    if coverage is None:
        return ["a"]
    chars = []
    for start, end in zip(coverage.starts, coverage.ends, strict=True):
        for code in range(start, min(end, start + 40) + 1):
            if not undrawable(chr(code)) and unicodedata.category(chr(code)) != "Zs":
                chars.append(chr(code))
    return chars


@settings(
    max_examples=examples(quick=20, deep=40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(_drawable_characters()), min_size=1, max_size=24).map("".join))
def test_any_name_made_of_drawable_characters_renders(name: str) -> None:
    assert render(content(name)).startswith(b"%PDF-")


def test_the_artwork_drawn_once_is_written_the_same_into_every_later_certificate() -> None:
    """The logo and signature are drawn once per container and replayed: a later certificate's page and its
    graphics states are exactly those of one drawn afresh."""
    from pypdf import PdfReader

    document._DRAWN.clear()
    first, later = render(content("Anna Smith")), render(content("Anna Smith"))
    pages = [PdfReader(io.BytesIO(pdf)).pages[0] for pdf in (first, later)]
    assert pages[0].get_contents().get_data() == pages[1].get_contents().get_data()
    states = [
        {name: dict(state.get_object()) for name, state in page["/Resources"]["/ExtGState"].items()} for page in pages
    ]
    assert states[0] == states[1]
    assert states[0]  # the artwork's line widths, caps and joins
