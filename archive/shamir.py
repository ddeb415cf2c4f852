"""Shamir's secret sharing over GF(256), byte by byte.

Recovery sheets (:mod:`archive.recovery`) split the level keys so that any
``threshold`` of ``n`` sheets give them back and fewer give nothing at all.
Each byte of the secret is the constant term of its own random polynomial of
degree ``threshold - 1``; share *x* holds every polynomial's value at *x*.
With ``threshold - 1`` shares every value of the constant term is still
equally likely: the scheme hides the secret information-theoretically, not by
any computational assumption.

The field is GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1 (0x11B),
so addition is XOR; multiplication uses log/exp tables of the generator 3.
No library in our dependencies does this, and the arithmetic is small enough
to check by hand (FORMAT.md, tests/archive/test_shamir.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["MAX_SHARES", "Share", "combine_shares", "gf_div", "gf_mul", "interpolate_at", "split_secret"]

MAX_SHARES = 255
"""Share numbers are the nonzero elements of GF(256): 1 to 255."""

_POLYNOMIAL = 0x11B
_EXP = [0] * 512
_LOG = [0] * 256


def _build_tables() -> None:
    value = 1
    for power in range(255):
        _EXP[power] = value
        _LOG[value] = power
        doubled = value << 1  # value · 3 = value · 2 ⊕ value
        if doubled & 0x100:
            doubled ^= _POLYNOMIAL
        value = doubled ^ value
    for power in range(255, 512):  # so that _EXP[log a + log b] needs no modulo
        _EXP[power] = _EXP[power - 255]


_build_tables()


def gf_mul(a: int, b: int) -> int:
    """The product of two field elements (bytes)."""
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def gf_div(a: int, b: int) -> int:
    """``a / b`` in the field; ``b`` must not be zero."""
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(256)")
    if a == 0:
        return 0
    return _EXP[_LOG[a] + 255 - _LOG[b]]


@dataclass(frozen=True)
class Share:
    """One share: its number ``x`` (1–255) and the polynomials' values there, one byte per secret byte."""

    x: int
    y: bytes

    def __repr__(self) -> str:  # a share is key material: never show it in a traceback
        return f"Share({self.x}, {len(self.y)} bytes)"


def split_secret(
    secret: bytes, shares: int, threshold: int, *, random_bytes: Callable[[int], bytes] = secrets.token_bytes
) -> list[Share]:
    """Split ``secret`` into shares numbered 1…``shares``, any ``threshold`` of which recover it.

    ``random_bytes`` supplies the polynomials' coefficients; only tests pass
    anything but the operating system's CSPRNG.
    """
    if not 1 <= threshold <= shares <= MAX_SHARES:
        raise ValueError(f"need 1 <= threshold <= shares <= {MAX_SHARES}, got threshold {threshold}, shares {shares}")
    if not secret:
        raise ValueError("the secret is empty")
    # coefficients[i][j]: coefficient of x^(i+1) in the polynomial of secret byte j
    coefficients = [random_bytes(len(secret)) for _ in range(threshold - 1)]
    result = []
    for x in range(1, shares + 1):
        values = bytearray(len(secret))
        for j, constant in enumerate(secret):
            value = 0
            for row in reversed(coefficients):  # Horner, from the highest degree down
                value = gf_mul(value, x) ^ row[j]
            values[j] = gf_mul(value, x) ^ constant
        result.append(Share(x, bytes(values)))
    return result


def _lagrange_weights(xs: Sequence[int], at: int) -> list[int]:
    """Weights w_j with P(at) = Σ w_j · P(x_j) for every polynomial of degree < len(xs)."""
    weights = []
    for j, xj in enumerate(xs):
        numerator, denominator = 1, 1
        for m, xm in enumerate(xs):
            if m != j:
                numerator = gf_mul(numerator, at ^ xm)
                denominator = gf_mul(denominator, xj ^ xm)
        weights.append(gf_div(numerator, denominator))
    return weights


def interpolate_at(shares: Sequence[Share], at: int) -> bytes:
    """The value at ``at`` of the polynomials of lowest degree through all ``shares``."""
    if not shares:
        raise ValueError("no shares")
    xs = [share.x for share in shares]
    if any(not 1 <= x <= MAX_SHARES for x in xs) or len(set(xs)) != len(xs):
        raise ValueError("share numbers must be distinct and between 1 and 255")
    length = len(shares[0].y)
    if any(len(share.y) != length for share in shares):
        raise ValueError("shares of different lengths")
    weights = _lagrange_weights(xs, at)
    values = bytearray(length)
    for weight, share in zip(weights, shares, strict=True):
        for j, byte in enumerate(share.y):
            values[j] ^= gf_mul(weight, byte)
    return bytes(values)


def combine_shares(shares: Sequence[Share]) -> bytes:
    """The secret from at least ``threshold`` shares of it (Lagrange interpolation at 0).

    Given fewer shares, or shares of different splits, the result is some other
    byte string: the caller checks it against a digest of the secret.
    """
    return interpolate_at(shares, 0)
