"""The layer's country table is pycountry's, as pinned: a bump of the pin without `make countries` fails here."""

from __future__ import annotations

import json

from certtracker.core.countries import COUNTRIES
from infra.countries import JS_TARGET, current, render_js


def test_the_country_table_is_pycountrys_iso_3166_list() -> None:
    assert current() == COUNTRIES


def test_country_codes_are_two_capital_letters_and_every_name_is_one_clean_line() -> None:
    assert all(len(code) == 2 and code.isascii() and code.isupper() for code in COUNTRIES)
    assert all(name == name.strip() and name.isprintable() for name in COUNTRIES.values())


def test_the_registration_pages_country_list_is_the_layers_table() -> None:
    """web/pages/countries.js is what `make countries` writes from COUNTRIES: the same codes, the same names,
    every one of them (a country the select lacks could not register; one the API refuses would fail)."""
    script = JS_TARGET.read_text(encoding="utf-8")
    assert script == render_js(COUNTRIES), "web/pages/countries.js is stale: run `make countries`"
    array = script.split("export const COUNTRIES = ", 1)[1].removesuffix(";\n")
    listed = json.loads(array.replace("],\n]", "]\n]"))  # JSON but for the trailing comma
    assert dict(listed) == COUNTRIES
    assert len(listed) == len(COUNTRIES)
    names = [name for _, name in listed]
    assert names[:2] == ["Afghanistan", "Åland Islands"]  # by name, accents aside
