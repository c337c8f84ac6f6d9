"""The password policy (NIST SP 800-63B) and argon2id hashing."""

from __future__ import annotations

import pytest

from certtracker.accounts import passwords
from certtracker.core.errors import InvalidInput


@pytest.mark.parametrize(
    "password",
    [
        "Orchid-Lantern-Violet-42",
        "correct horse battery staple",
        "ünïcödé-pässwörd-✓✓",
        "x" * 6 + "yz" * 3 + "Q1",
    ],
)
def test_a_long_uncommon_password_is_accepted(password: str) -> None:
    passwords.check_password_policy(password, username="ada")


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass1", "at least 12"),
        ("x" * 129, "at most 128"),
        ("my-name-is-ada-lovelace", "username"),
        ("1qaz2wsx3edc", "too common"),
        ("Password2024!", "too common"),
        ("monkey123456", "too common"),
        ("aaaaaaaaaaaaaa", "too common"),
        ("abcdefghijklmnop", "too common"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(password: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        passwords.check_password_policy(password, username="Ada")
    assert reason in refused.value.message
    assert refused.value.field == "password"
    assert refused.value.code == "weak_password"


def test_length_counts_characters_not_bytes() -> None:
    passwords.check_password_policy("ørkenvåndrær", username="ada")  # 12 characters, 15 bytes


def test_hash_is_argon2id_with_owasp_parameters_and_verifies() -> None:
    hashed = passwords.hash_password("Orchid-Lantern-Violet-42")
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert passwords.verify_password(hashed, "Orchid-Lantern-Violet-42")
    assert not passwords.verify_password(hashed, "Orchid-Lantern-Violet-43")
    assert not passwords.verify_password("not-a-hash", "anything")


def test_the_same_password_typed_in_another_unicode_form_verifies() -> None:
    composed, decomposed = "Caf\u00e9-au-lait-2026", "Cafe\u0301-au-lait-2026"
    assert passwords.verify_password(passwords.hash_password(composed), decomposed)
