"""Password hashing (argon2id) and the password policy of NIST SP 800-63B."""

from __future__ import annotations

import gzip
import itertools
import unicodedata
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from certtracker.core.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 128

# OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, 1 lane.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def _normalized(password: str) -> str:
    # SP 800-63B 5.1.1.2: apply NFKC so the same password typed on two keyboards verifies.
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(_normalized(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, _normalized(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("certtracker-timing-equalizer")


def spend_verification_time() -> None:
    """Do the work of one verification, so a login for an unknown user takes as long as a real one."""
    verify_password(_dummy_hash(), "not-the-password")


@cache
def _common_passwords() -> frozenset[str]:
    # Django's list of 20,000 common passwords (BSD licence), from Royce Williams' compilation.
    data = resources.files("certtracker.accounts").joinpath("common-passwords.txt.gz").read_bytes()
    return frozenset(gzip.decompress(data).decode("utf-8").split())


def _is_common(password: str) -> bool:
    lowered = password.lower()
    common = _common_passwords()
    if lowered in common:
        return True
    # "Password2024!" and "monkey123456" are a common password with padding: refuse them too.
    core = lowered.strip("0123456789!@#$%^&*()_+-=.,?~ ")
    return len(core) >= 4 and core in common


def _is_monotonous(password: str) -> bool:
    if len(set(password)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in itertools.pairwise(password)}
    return steps <= {1} or steps <= {-1}


def check_password_policy(password: str, *, username: str, field: str = "password") -> None:
    """Refuse a password that is too short, too long, common, or contains the username."""
    normalized = _normalized(password)
    if len(normalized) < MIN_LENGTH:
        raise InvalidInput(
            f"The password must have at least {MIN_LENGTH} characters.", field=field, code="weak_password"
        )
    if len(normalized) > MAX_LENGTH:
        raise InvalidInput(f"The password can have at most {MAX_LENGTH} characters.", field=field, code="weak_password")
    if username and username.lower() in normalized.lower():
        raise InvalidInput("The password must not contain the username.", field=field, code="weak_password")
    if _is_common(normalized) or _is_monotonous(normalized):
        raise InvalidInput(
            "This password is too common or too easy to guess. A few unrelated words make a strong one.",
            field=field,
            code="weak_password",
        )
