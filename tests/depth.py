"""How many examples the generated tests try: a quick count under `make test`, a deep one under `make test-deep`."""

from __future__ import annotations

from hypothesis import settings

DEEP = "deep"
# A test that names no count of its own tries hypothesis's default (100) under `make test`, and 300 under the deep
# profile; one that names its counts does so through examples() below.
settings.register_profile(DEEP, max_examples=300)


def examples(quick: int, deep: int) -> int:
    """`deep` under `--hypothesis-profile=deep` (`make test-deep`), else `quick` (`make test`). The quick count still
    reaches every rule the test states; the deep one searches further for the input that breaks it."""
    return deep if settings.get_current_profile_name() == DEEP else quick
