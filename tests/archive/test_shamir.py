"""Shamir's secret sharing over GF(256): the field, round trips, and what too few shares reveal (nothing)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.shamir import MAX_SHARES, Share, combine_shares, gf_div, gf_mul, interpolate_at, split_secret


def slow_mul(a: int, b: int) -> int:
    """Multiplication in GF(2^8) mod x^8 + x^4 + x^3 + x + 1, bit by bit (FIPS-197 §4.2)."""
    product = 0
    while b:
        if b & 1:
            product ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return product


# --- the field -------------------------------------------------------------------------------


def test_multiplication_matches_the_aes_examples() -> None:
    assert gf_mul(0x57, 0x83) == 0xC1  # FIPS-197 §4.2
    assert gf_mul(0x57, 0x13) == 0xFE  # FIPS-197 §4.2.1


def test_multiplication_agrees_with_the_bitwise_definition_everywhere() -> None:
    for a, b in itertools.product(range(256), repeat=2):
        assert gf_mul(a, b) == slow_mul(a, b), (a, b)


def test_every_nonzero_element_has_an_inverse_and_division_undoes_multiplication() -> None:
    for a in range(1, 256):
        assert gf_mul(a, gf_div(1, a)) == 1
        for b in (1, 2, 3, 0x53, 0xCA, 255):
            assert gf_div(gf_mul(a, b), b) == a
    assert gf_div(0, 7) == 0
    with pytest.raises(ZeroDivisionError):
        gf_div(1, 0)


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_multiplication_distributes_over_addition(a: int, b: int, c: int) -> None:
    assert gf_mul(a, b ^ c) == gf_mul(a, b) ^ gf_mul(a, c)


# --- splitting and combining -----------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_threshold_of_n_shares_recover_the_secret(data: st.DataObject) -> None:
    shares = data.draw(st.integers(1, MAX_SHARES), label="shares")
    threshold = data.draw(st.integers(1, shares), label="threshold")
    # Keep the work (bytes × shares × threshold) bounded, so n = 255 stays cheap.
    secret = data.draw(st.binary(min_size=1, max_size=max(1, 40_000 // (shares * threshold))), label="secret")
    split = split_secret(secret, shares, threshold)
    assert [share.x for share in split] == list(range(1, shares + 1))
    assert all(len(share.y) == len(secret) for share in split)
    chosen = data.draw(st.permutations(split), label="order")[: data.draw(st.integers(threshold, shares))]
    assert combine_shares(chosen) == secret


def test_all_255_shares_and_every_pair_of_a_small_split() -> None:
    secret = bytes(range(32))
    split = split_secret(secret, MAX_SHARES, MAX_SHARES)
    assert combine_shares(split) == secret
    assert combine_shares(split[::-1]) == secret
    small = split_secret(secret, 5, 2)
    for pair in itertools.combinations(small, 2):
        assert combine_shares(pair) == secret


def test_every_share_lies_on_the_polynomial_the_others_define() -> None:
    split = split_secret(b"level keys", 7, 3)
    for share in split[3:]:
        assert interpolate_at(split[:3], share.x) == share.y


def test_threshold_one_copies_the_secret_and_fresh_randomness_each_time() -> None:
    assert all(share.y == b"abc" for share in split_secret(b"abc", 3, 1))
    assert split_secret(b"abc" * 10, 3, 2)[0].y != split_secret(b"abc" * 10, 3, 2)[0].y


@pytest.mark.parametrize(("shares", "threshold"), [(0, 0), (3, 0), (2, 3), (256, 2), (300, 300)])
def test_impossible_splits_are_refused(shares: int, threshold: int) -> None:
    with pytest.raises(ValueError):
        split_secret(b"x", shares, threshold)


def test_combining_refuses_duplicate_zero_and_mismatched_shares() -> None:
    with pytest.raises(ValueError):
        combine_shares([Share(1, b"a"), Share(1, b"a")])
    with pytest.raises(ValueError):
        combine_shares([Share(0, b"a"), Share(1, b"a")])
    with pytest.raises(ValueError):
        combine_shares([Share(1, b"a"), Share(2, b"ab")])
    with pytest.raises(ValueError):
        combine_shares([])
    with pytest.raises(ValueError):
        split_secret(b"", 3, 2)


def test_a_share_never_shows_its_bytes() -> None:
    share = Share(3, b"\x8a\x17secret")
    assert repr(share) == "Share(3, 8 bytes)"
    assert "8a" not in repr(share) and "secret" not in repr(share)


# --- fewer than the threshold reveal nothing -------------------------------------------------


def test_with_threshold_two_one_share_takes_every_value_equally_for_every_secret() -> None:
    """Over all 256 coefficients, each share of each 1-byte secret runs through all 256 values once.

    So the distribution of a single share is uniform whatever the secret:
    seeing it tells nothing.  All 256 secrets are split at once, one per byte.
    """
    secret = bytes(range(256))
    seen: dict[int, list[set[int]]] = {x: [set() for _ in range(256)] for x in range(1, 5)}
    for coefficient in range(256):
        for share in split_secret(secret, 4, 2, random_bytes=lambda n, c=coefficient: bytes([c]) * n):
            for value, byte in enumerate(share.y):
                seen[share.x][value].add(byte)
    for x, per_secret in seen.items():
        assert all(len(values) == 256 for values in per_secret), x


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_threshold_minus_one_shares_are_consistent_with_every_candidate_secret(data: st.DataObject) -> None:
    """For any t-1 shares of a 1-byte secret and any candidate value c, exactly one polynomial of
    degree t-1 passes through the shares and has constant term c: the shares rule nothing out.

    The polynomial is pinned by one more point (x*, v); as v runs over the field, the constant
    term runs over every candidate exactly once.
    """
    shares = data.draw(st.integers(2, 12), label="shares")
    threshold = data.draw(st.integers(2, shares), label="threshold")
    secret = data.draw(st.binary(min_size=1, max_size=1), label="secret")
    split = split_secret(secret, shares, threshold)
    known = data.draw(st.permutations(split), label="order")[: threshold - 1]
    extra = data.draw(st.sampled_from([x for x in range(1, 256) if x not in {s.x for s in known}]), label="x*")
    constants = [combine_shares([*known, Share(extra, bytes([v]))])[0] for v in range(256)]
    assert sorted(constants) == list(range(256))
    # and each of those polynomials really passes through the known shares
    for v in (0, 1, 128, 255):
        for share in known:
            assert interpolate_at([*known, Share(extra, bytes([v]))], share.x) == share.y
