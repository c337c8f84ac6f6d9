"""Random secrets for sessions and one-time links: generated, hashed for storage, compared safely."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    """What is stored: the SHA-256 of the token, never the token itself."""
    # surrogatepass: a header can carry anything; hashing must never be what fails.
    return hashlib.sha256(token.encode("utf-8", errors="surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", errors="surrogatepass"), b.encode("utf-8", errors="surrogatepass"))
