"""Typed settings: each function's variables read once at cold start, the wrong shape refused by name."""

from __future__ import annotations

import pytest

from certtracker.core.settings import AuthorizerSettings, CatalogSettings, PearsonVueSettings, SettingsError, load


def test_a_flag_takes_its_default_when_unset_and_true_or_false_when_set(monkeypatch) -> None:
    monkeypatch.setenv("SESSIONS_TABLE", "sessions")
    monkeypatch.setenv("COOKIE_NAME", "__Host-session")
    monkeypatch.delenv("COOKIE_SECURE", raising=False)
    assert load(AuthorizerSettings).cookie_secure is True
    monkeypatch.setenv("COOKIE_SECURE", "false")
    assert load(AuthorizerSettings).cookie_secure is False
    monkeypatch.setenv("COOKIE_SECURE", "maybe")
    with pytest.raises(SettingsError, match="COOKIE_SECURE"):
        load(AuthorizerSettings)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("COOKIE_NAME", "session; Domain=evil.example"),  # a pattern refused
        ("PEARSON_VUE_BASE_URL", "ftp://pearson.example"),  # not http(s)
        ("PEARSON_VUE_BASE_URL", "https://"),  # no host
        ("CATALOG_TABLE", ""),  # empty
    ],
)
def test_a_value_of_the_wrong_shape_stops_the_cold_start_naming_the_variable(monkeypatch, variable, value) -> None:
    for name, good in {
        "SESSIONS_TABLE": "sessions",
        "COOKIE_NAME": "session",
        "PEARSON_VUE_BASE_URL": "https://pearson.example",
        "PEARSON_VUE_SECRET_NAME": "secret",
        "CATALOG_TABLE": "catalog",
    }.items():
        monkeypatch.setenv(name, good)
    monkeypatch.setenv(variable, value)
    settings_class = {"COOKIE_NAME": AuthorizerSettings, "CATALOG_TABLE": CatalogSettings}.get(
        variable, PearsonVueSettings
    )
    with pytest.raises(SettingsError, match=variable):
        load(settings_class)


def test_settings_cannot_be_changed_after_cold_start(monkeypatch) -> None:
    monkeypatch.setenv("CATALOG_TABLE", "catalog")
    settings = load(CatalogSettings)
    with pytest.raises(AttributeError):
        settings.catalog_table = "elsewhere"  # type: ignore[misc]
