"""The layer's country table is pycountry's, as pinned: a bump of the pin without `make countries` fails here."""

from __future__ import annotations

from certtracker.core.countries import COUNTRIES
from infra.countries import current


def test_the_country_table_is_pycountrys_iso_3166_list() -> None:
    assert current() == COUNTRIES


def test_country_codes_are_two_capital_letters_and_every_name_is_one_clean_line() -> None:
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in COUNTRIES)
    assert all(name == name.strip() and name.isprintable() for name in COUNTRIES.values())
