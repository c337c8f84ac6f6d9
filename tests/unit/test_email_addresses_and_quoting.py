"""The one identity form of an address, the inbox per-recipient limits count, and how someone's words are quoted
in the program's email (inert links, capped)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from certtracker.core import fields
from certtracker.core.addresses import canonical, mailbox
from certtracker.core.email import quoting

LOCAL = st.text(st.sampled_from("abcAB.+-_0"), min_size=1, max_size=12)
DOMAIN = st.sampled_from(["gmail.com", "GoogleMail.com", "example.org", "Example.ORG", "bücher.example"])
addresses = st.builds(lambda local, domain: f"{local}@{domain}", LOCAL, DOMAIN) | st.text(max_size=30)


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Ada@Example.ORG", "ada@example.org"),
        ("  ada@example.org ", "ada@example.org"),
        ("hr@bücher.example", "hr@xn--bcher-kva.example"),
        ("a.b+tag@gmail.com", "a.b+tag@gmail.com"),  # an identity keeps every character but case
    ],
)
def test_canonical_is_the_address_in_lower_case_with_an_ascii_domain(address: str, expected: str) -> None:
    assert canonical(address) == expected


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("a+1@example.org", "a@example.org"),
        ("A+2@Example.org", "a@example.org"),
        ("A.b@gmail.com", "ab@gmail.com"),
        ("a.b+jobs@googlemail.com", "ab@gmail.com"),
        ("a.b@example.org", "a.b@example.org"),  # only providers known to ignore dots lose them
        ("+only@example.org", "+only@example.org"),  # nothing before the tag: kept whole
        ("...@gmail.com", "...@gmail.com"),
    ],
)
def test_mailbox_is_the_inbox_a_tag_or_gmail_dots_still_deliver_to(address: str, expected: str) -> None:
    assert mailbox(address) == expected


@given(addresses)
def test_canonical_and_mailbox_are_idempotent_and_mailbox_ignores_spelling(address: str) -> None:
    assert canonical(canonical(address)) == canonical(address)
    assert mailbox(mailbox(address)) == mailbox(address)
    assert mailbox(canonical(address)) == mailbox(address)
    assert canonical(mailbox(address)) == mailbox(address)  # a mailbox is itself a canonical address
    assert mailbox(address.upper()) == mailbox(address) or not address.isascii()


@given(
    st.builds(lambda local, domain: f"{local}@{domain}", st.from_regex(r"[A-Za-z0-9]{1,10}", fullmatch=True), DOMAIN)
)
def test_a_stored_address_keeps_its_claim_key(address: str) -> None:
    """Claims were keyed on the stored address lower-cased: canonical of any stored address is exactly that."""
    stored = TypeAdapter(fields.EmailAddress).validate_python(address)
    assert canonical(stored) == stored.lower()


# ---------------------------------------------------------------- quoting


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sign in at https://evil.example/login", "sign in at https[:]//evil[.]example/login"),
        ("www.evil.example or evil.example/reset", "www[.]evil[.]example or evil[.]example/reset"),
        ("javascript://x", "javascript[:]//x"),
        ("Full stop. New sentence", "Full stop. New sentence"),
        ("evil\uff0eexample", "evil[.]example"),
    ],
)
def test_inert_text_reads_the_same_but_no_mail_client_links_it(text: str, expected: str) -> None:
    assert quoting.inert(text) == expected


LINKISH = re.compile(r"(?i)[a-z][a-z0-9+.-]*://|\w[.\u3002\uff0e\uff61]\w")


@given(st.text(st.one_of(st.characters(), st.sampled_from(list(".:/wh"))), max_size=80))
def test_inert_is_idempotent_and_leaves_nothing_link_shaped(text: str) -> None:
    once = quoting.inert(text)
    assert quoting.inert(once) == once
    assert not LINKISH.search(once)


@given(st.text(max_size=800))
def test_a_capped_note_fits_and_says_where_it_was_cut(text: str) -> None:
    kept = quoting.capped(text, max_chars=500, max_lines=12)
    assert len(kept) <= 500 + len(" " + quoting.ELIDED)
    assert kept.count("\n") < 12
    if kept.endswith(quoting.ELIDED) and not text.endswith(quoting.ELIDED):
        assert len(text.strip("\n")) > 500 or text.strip("\n").count("\n") >= 12


def test_quoted_text_marks_every_line() -> None:
    assert quoting.quoted("one\n\ntwo") == "> one\n>\n> two"
