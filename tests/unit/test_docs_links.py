"""Every relative link in README.md and docs/*.md reaches a file (and a heading, when it names one), and the README
links every page of docs/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra import template

ROOT = template.ROOT
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def prose(page: Path) -> list[str]:
    """The page's lines outside fenced code blocks (a `# comment` in a shell block is not a heading)."""
    lines, fenced = [], False
    for line in page.read_text("utf-8").splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(page: Path) -> set[str]:
    """The ids GitHub gives the headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered."""
    ids: set[str] = set()
    repeats: dict[str, int] = {}
    for line in prose(page):
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            ids.add(f"{slug}-{repeats[slug]}" if slug in repeats else slug)
            repeats[slug] = repeats.get(slug, 0) + 1
    return ids


def relative_links() -> list[tuple[str, str]]:
    return [
        (str(page.relative_to(ROOT)), target)
        for page in PAGES
        for line in prose(page)
        for target in LINK.findall(line)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)  # https:, mailto:
    ]


@pytest.mark.parametrize(("page", "target"), relative_links())
def test_a_relative_link_reaches_its_file_and_heading(page: str, target: str) -> None:
    path, _, anchor = target.partition("#")
    linked = (ROOT / page).parent / path if path else ROOT / page
    assert linked.exists(), f"{page}: {target} names no file"
    if anchor and linked.suffix == ".md":
        assert anchor in anchors(linked), f"{page}: {target} names no heading of {linked.relative_to(ROOT)}"


def test_the_readme_links_every_page_of_docs() -> None:
    linked = {target.partition("#")[0] for page, target in relative_links() if page == "README.md"}
    pages = {f"docs/{page.name}" for page in PAGES if page.parent.name == "docs"}
    assert pages <= linked, sorted(pages - linked)
