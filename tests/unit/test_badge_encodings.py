"""The two encodings badges are made of by hand: KMS's DER ECDSA signature as JOSE's r||s, and the Bitstring
Status List's `encodedList` (an index is revoked exactly when its bit is set); the public key as a JWK."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from hypothesis import given
from hypothesis import strategies as st
from joserfc.jwk import ECKey

from certtracker.certificates import badges

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
scalars = st.integers(min_value=1, max_value=P256_ORDER - 1)


@given(r=scalars, s=scalars)
def test_der_to_jose_gives_r_and_s_as_32_big_endian_bytes_each(r: int, s: int) -> None:
    jose = badges.der_to_jose(encode_dss_signature(r, s))
    assert len(jose) == 64
    assert (int.from_bytes(jose[:32], "big"), int.from_bytes(jose[32:], "big")) == (r, s)


def test_a_converted_signature_verifies_as_jose_would_check_it() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.sign(b"header.payload", ec.ECDSA(hashes.SHA256()))
    jose = badges.der_to_jose(der)
    r, s = int.from_bytes(jose[:32], "big"), int.from_bytes(jose[32:], "big")
    assert (r, s) == decode_dss_signature(der)
    key.public_key().verify(encode_dss_signature(r, s), b"header.payload", ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    "der",
    [b"", b"\x31\x06\x02\x01\x01\x02\x01\x01", b"\x30\x07\x02\x01\x01\x02\x01\x01", b"\x30\x06\x02\x01\x01\x02\x01"],
    ids=["empty", "not-a-sequence", "wrong-length", "truncated"],
)
def test_der_that_is_not_an_ecdsa_signature_is_refused(der: bytes) -> None:
    with pytest.raises(ValueError, match="DER"):
        badges.der_to_jose(der)


def test_an_integer_too_large_for_the_curve_is_refused() -> None:
    with pytest.raises(ValueError, match="not an ECDSA signature of this size"):
        badges.der_to_jose(encode_dss_signature(2**256, 1))


@given(st.sets(st.integers(min_value=0, max_value=badges.STATUS_LIST_SIZE - 1), max_size=200))
def test_an_index_is_in_the_set_exactly_when_its_bit_is_set(indexes: set[int]) -> None:
    encoded = badges.encode_bitstring(indexes)
    assert encoded.startswith("u")
    assert "=" not in encoded
    bits = badges.decode_bitstring(encoded)
    assert len(bits) == badges.STATUS_LIST_SIZE // 8  # 16 KB, the spec's minimum
    for index in [*indexes, *range(0, badges.STATUS_LIST_SIZE, 4099)]:
        assert badges.bit_is_set(bits, index) == (index in indexes)
    assert sum(bin(byte).count("1") for byte in bits) == len(indexes)


def test_index_zero_is_the_left_most_bit_of_the_first_byte() -> None:
    bits = badges.decode_bitstring(badges.encode_bitstring({0, 9}))
    assert bits[:2] == bytes([0b1000_0000, 0b0100_0000])


def test_an_index_outside_the_list_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the list"):
        badges.encode_bitstring({badges.STATUS_LIST_SIZE})


def test_the_public_key_is_published_as_the_jwk_of_its_point_with_an_rfc7638_thumbprint() -> None:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    jwk = badges.jwk_from_spki(spki)
    numbers = public.public_numbers()
    assert jwk["kty"] == "EC"
    assert jwk["crv"] == "P-256"
    assert int.from_bytes(badges.b64url_decode(jwk["x"]), "big") == numbers.x
    assert int.from_bytes(badges.b64url_decode(jwk["y"]), "big") == numbers.y
    # The thumbprint (the kid's fragment) as a JOSE library computes it.
    assert badges.thumbprint(jwk) == ECKey.import_key(jwk).thumbprint()
    with pytest.raises(ValueError, match="not an uncompressed P-256 public key"):
        badges.jwk_from_spki(base64.b64decode("MCowBQYDK2VwAyEA" + "A" * 43 + "="))  # an Ed25519 key
