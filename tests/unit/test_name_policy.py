"""The name policy: a name prints as written, so nothing invisible (the Hangul fillers, the braille blank, every
default-ignorable code point) and no pile of accents, while real names in every script pass."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
import regex
from pydantic import TypeAdapter, ValidationError

from certtracker.core import fields, names

PERSON_NAME = TypeAdapter(fields.PersonName)

FILLERS = {
    "HANGUL CHOSEONG FILLER": "\u115f",
    "HANGUL JUNGSEONG FILLER": "\u1160",
    "HANGUL FILLER": "\u3164",
    "HALFWIDTH HANGUL FILLER": "\uffa0",
    "BRAILLE PATTERN BLANK": "\u2800",
    "KHMER VOWEL INHERENT AQ": "\u17b4",
    "KHMER VOWEL INHERENT AA": "\u17b5",
    "MONGOLIAN FREE VARIATION SELECTOR ONE": "\u180b",
    "MONGOLIAN FREE VARIATION SELECTOR TWO": "\u180c",
    "MONGOLIAN FREE VARIATION SELECTOR THREE": "\u180d",
    "MONGOLIAN VOWEL SEPARATOR": "\u180e",
    "MONGOLIAN FREE VARIATION SELECTOR FOUR": "\u180f",
    "COMBINING GRAPHEME JOINER": "\u034f",
    "VARIATION SELECTOR-16": "\ufe0f",
    "VARIATION SELECTOR-17": "\U000e0100",
    "SOFT HYPHEN": "\u00ad",
}

# Real names, each with the most marks its script puts on one character (after NFC).
REAL_NAMES = {
    "Vietnamese": "Nguyễn Thị Minh Khai",
    "Vietnamese, typed decomposed": unicodedata.normalize("NFD", "Trần Hưng Đạo"),
    "Devanagari": "श्रीमती कृष्णमूर्ति क़ुरैशी",
    "Devanagari, candrabindu": "चाँदनी हँसमुख",
    "Bengali": "রবীন্দ্রনাথ ঠাকুর",
    "Tamil": "முத்துலட்சுமி",
    "Thai": "ธนพล ศักดิ์สิทธิ์ กิ่งแก้ว",
    "Arabic with harakat": "مُحَمَّد عَبْدُ ٱللَّٰهِ",
    "Hebrew with niqqud": "שְׁלֹמֹה יִשְׂרָאֵל שָּׁלוֹם",
    "Tibetan": "བསྟན་འཛིན་རྒྱ་མཚོ སྒྲོལ་མ",
    "Burmese": "ကျော်ကျော် ရွှေ မျိုး လျှော့",
    "Khmer": "សុខ ស្រីពៅ",
    "Sinhala, with a joiner in the cluster": "ශ්\u200dරී ලංකා",
    "Persian, with a non-joiner": "\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645",
    "Yoruba": "Ọlọ́runfẹ́mi Adébáyọ̀",
    "Lithuanian": "Jùrgis Į̃žas",
    "Greek, polytonic": "Ἀλέξανδρος Ῥήγας",
    "Cyrillic": "Йосиф Ёлкин",
    "Korean": "김민준",
    "Japanese": "山田 太郎",
    "Chinese": "张伟",
    "Navajo": "Hashk\u02bcą́ą́ Yázhí",  # U+02BC MODIFIER LETTER APOSTROPHE: a letter
}


def person_name_error(value: str) -> str:
    with pytest.raises(ValidationError) as refused:
        PERSON_NAME.validate_python(value)
    (problem,) = refused.value.errors()
    return str(problem["msg"])


@pytest.mark.parametrize("label", FILLERS)
def test_each_invisible_filler_is_refused_naming_the_character(label: str) -> None:
    char = FILLERS[label]
    for name in (f"Kim{char}", f"{char}", f"{char} {char}", f"Min {char}jun"):
        message = person_name_error(name)
        assert f"U+{ord(char):04X}" in message, message
        assert char not in message  # named, never echoed raw


def test_the_hangul_filler_is_refused_as_invisible_in_plain_words() -> None:
    assert person_name_error("\u3164") == (
        "Value error, must not contain invisible characters: it contains U+3164 (HANGUL FILLER)"
    )


def test_every_default_ignorable_code_point_but_the_joiners_is_invisible_to_the_policy() -> None:
    """The table in certtracker.core.names against the regex module's Default_Ignorable_Code_Point (a newer
    Unicode than Python's may add code points: those are checked only as far as Python knows them)."""
    ignorable = regex.compile(r"\p{Default_Ignorable_Code_Point}")
    python_knows = unicodedata.unidata_version
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if ignorable.match(chr(code)) and not names.invisible(chr(code)) and chr(code) not in "\u200c\u200d"
    ]
    assert missed == [], f"Unicode {python_knows}: {missed}"
    assert not names.invisible("\u200c")
    assert not names.invisible("\u200d")


def test_a_name_of_only_spaces_is_refused() -> None:
    for blank in (" ", "\u3000", "\u00a0 \u2003"):
        assert "at least 1 character" in person_name_error(blank)
    with pytest.raises(names.UnprintableName, match="blank"):
        names.refuse_unprintable(" \u3000 ")


def test_up_to_four_marks_on_one_character_pass_and_a_fifth_is_refused_with_the_count() -> None:
    four = "Zoe\u0308\u0301\u0300\u0323"  # e, then diaeresis, acute, grave, dot below: NFC composes one of them
    assert PERSON_NAME.validate_python(four) == unicodedata.normalize("NFC", four)
    piled = "Zo" + "\u0336" * 4 + "e"  # combining long stroke overlay: NFC composes nothing
    assert PERSON_NAME.validate_python(piled) == piled
    five = "Zo" + "\u0336" * 5 + "e"
    assert person_name_error(five) == (
        "Value error, must not pile more than 4 accents or other marks on one character: "
        "U+006F (LATIN SMALL LETTER O) carries 5"
    )
    message = person_name_error("a" + "\u0301" * 99)  # 100 characters, the most a name part may have
    # NFC composes the first acute into á: 98 stay combining.
    assert "U+00E1 (LATIN SMALL LETTER A WITH ACUTE) carries 98" in message


def test_marks_count_across_a_joiner_and_spacing_marks_do_not_count() -> None:
    with pytest.raises(names.UnprintableName, match="carries 6"):
        names.refuse_unprintable("\u0915\u093c\u094d\u200d\u0901\u0902\u0951\u0952")
    # Burmese: a consonant, a medial and a vowel that take their own room (Mc), and two that stack (Mn).
    names.refuse_unprintable("\u101c\u103b\u103e\u1031\u102c\u1037")


def test_a_mark_with_no_letter_before_it_is_refused() -> None:
    for name in ("\u0301Anna", "Anna \u0301Smith", "\u093f"):
        with pytest.raises(names.UnprintableName, match=re.escape("a mark needs a letter before it")):
            names.refuse_unprintable(unicodedata.normalize("NFC", name))


@pytest.mark.parametrize("script", REAL_NAMES)
def test_real_names_from_every_script_pass(script: str) -> None:
    name = REAL_NAMES[script]
    assert PERSON_NAME.validate_python(name) == unicodedata.normalize("NFC", name)


def test_a_name_part_is_at_most_100_characters_and_a_printed_name_at_most_201() -> None:
    assert PERSON_NAME.validate_python("A" * names.MAX_PART)
    assert "at most 100 characters" in person_name_error("A" * (names.MAX_PART + 1))
    assert len(names.printed_name("A" * names.MAX_PART, "B" * names.MAX_PART)) == names.MAX_PRINTED == 201
