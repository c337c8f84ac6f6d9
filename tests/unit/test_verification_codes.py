"""Verification codes: random, forgiving to read back, and a typo is told apart from an unknown code."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from certtracker.certificates import codes

BODY = st.text(alphabet=codes.ALPHABET, min_size=codes.CODE_LENGTH - 1, max_size=codes.CODE_LENGTH - 1)


def with_check(body: str) -> str:
    return body + codes.check_character(body)


def test_a_new_code_is_16_characters_of_the_alphabet_and_parses_back_to_itself() -> None:
    for _ in range(200):
        code = codes.new_code()
        assert len(code) == 16
        assert set(code) <= set(codes.ALPHABET)
        assert codes.parse(code) == code
        assert codes.parse(codes.grouped(code)) == code


def test_new_codes_do_not_repeat() -> None:
    assert len({codes.new_code() for _ in range(5000)}) == 5000


def test_certificate_ids_are_grouped_with_a_prefix() -> None:
    certificate_id = codes.new_certificate_id()
    assert certificate_id.startswith("C-")
    assert len(certificate_id) == 16
    assert certificate_id.count("-") == 3


@given(BODY, st.data())
def test_every_single_mistyped_character_is_caught(body: str, data: st.DataObject) -> None:
    code = with_check(body)
    position = data.draw(st.integers(0, len(code) - 1))
    wrong = data.draw(st.sampled_from([symbol for symbol in codes.ALPHABET if symbol != code[position]]))
    typo = code[:position] + wrong + code[position + 1 :]
    with pytest.raises(codes.MistypedCode):
        codes.parse(typo)


@given(BODY)
def test_how_it_is_written_does_not_matter(body: str) -> None:
    code = with_check(body)
    variants = [code.lower(), codes.grouped(code), " ".join(codes.grouped(code).split("-")), f"  {code}\n"]
    for variant in variants:
        assert codes.parse(variant) == code


def test_letters_people_confuse_with_digits_read_as_the_digits() -> None:
    body = "0" * 7 + "1" * 8
    code = with_check(body)
    typed = code.replace("0", "O").replace("1", "l", 4).replace("1", "I")
    assert codes.parse(typed) == code


def test_adjacent_swaps_are_mostly_caught() -> None:
    caught = total = 0
    for _ in range(300):
        code = codes.new_code()
        for position in range(len(code) - 1):
            if code[position] == code[position + 1]:
                continue
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            total += 1
            try:
                codes.parse(swapped)
            except codes.MistypedCode:
                caught += 1
    assert caught / total > 0.9


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "ABC",
        "K7QM-2XWD-9PRT-HB4",
        "K7QM-2XWD-9PRT-HB4CX",
        "UUUUUUUUUUUUUUUU",
        "ÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄÄ",
        "1" * 10_000,
        "\u202eK7QM2XWD9PRTHB4C",
    ],
)
def test_what_is_not_a_code_is_malformed_not_mistyped(typed: str) -> None:
    with pytest.raises(codes.MalformedCode):
        codes.parse(typed)
