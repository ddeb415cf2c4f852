"""Tests for archive.merkle: RFC 6962 roots, inclusion and consistency proofs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.merkle import (
    HASH_SIZE,
    consistency_proof,
    extend_frontier,
    frontier_root,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

# The eight leaves of the certificate-transparency reference test vectors.
REFERENCE_DATA = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
REFERENCE_LEAVES = [leaf_hash(data) for data in REFERENCE_DATA]

REFERENCE_ROOTS = {
    0: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

# Named nodes of the reference tree, used by the proof vectors below.
H_LEAF_1 = "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"
H_LEAF_5 = "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"
H_2_4 = "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"
H_4_8 = "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"
H_4_6 = "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"
H_6_8 = "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"

# (index, size, proof) for the reference leaves; indices are 0-based.
REFERENCE_INCLUSION = [
    (0, 1, []),
    (0, 8, [H_LEAF_1, H_2_4, H_4_8]),
    (5, 8, [H_LEAF_5, H_6_8, REFERENCE_ROOTS[4]]),
    (2, 3, [REFERENCE_ROOTS[2]]),
    (1, 5, [REFERENCE_ROOTS[1], H_2_4, H_LEAF_5]),
]

# (old_size, new_size, proof) for the reference leaves.
REFERENCE_CONSISTENCY = [
    (1, 1, []),
    (1, 8, [H_LEAF_1, H_2_4, H_4_8]),
    (6, 8, [H_4_6, H_6_8, REFERENCE_ROOTS[4]]),
    (2, 5, [H_2_4, H_LEAF_5]),
]


# --- reference definitions, transcribed from RFC 6962 §2.1 ---------------------


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return _path(m, leaves[:k]) + [_mth(leaves[k:])]
    return _path(m - k, leaves[k:]) + [_mth(leaves[:k])]


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [_mth(leaves)]
    k = _split(n)
    if m <= k:
        return _subproof(m, leaves[:k], complete) + [_mth(leaves[k:])]
    return _subproof(m - k, leaves[k:], False) + [_mth(leaves[:k])]


# --- helpers --------------------------------------------------------------------


def _leaves(size: int, salt: bytes = b"") -> list[bytes]:
    """Distinct leaf hashes, so no two subtrees hash alike by accident."""
    return [leaf_hash(salt + b"entry-%d" % i) for i in range(size)]


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 0x01]) + value[1:]


def _tampered_proofs(proof: list[bytes], filler: bytes) -> list[list[bytes]]:
    """Every single-element corruption, plus a shortened and a lengthened proof."""
    variants = [
        proof[:i] + [_flip(node)] + proof[i + 1 :] for i, node in enumerate(proof)
    ]
    if proof:
        variants.append(proof[:-1])
        variants.append(proof[1:])
    variants.append(proof + [filler])
    variants.append([filler] + proof)
    return variants


def _h(hex_digest: str) -> bytes:
    return bytes.fromhex(hex_digest)


# --- known answers --------------------------------------------------------------


def test_leaf_hash_prefixes_zero_byte() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert len(leaf_hash(b"")) == HASH_SIZE


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert root_hash([]).hex() == REFERENCE_ROOTS[0]


@pytest.mark.parametrize("size", sorted(REFERENCE_ROOTS))
def test_reference_roots(size: int) -> None:
    assert root_hash(REFERENCE_LEAVES[:size]).hex() == REFERENCE_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "expected"), REFERENCE_INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, expected: list[str]) -> None:
    leaves = REFERENCE_LEAVES[:size]
    proof = inclusion_proof(leaves, index)
    assert [node.hex() for node in proof] == expected
    root = _h(REFERENCE_ROOTS[size])
    assert verify_inclusion(leaves[index], index, size, proof, root)


@pytest.mark.parametrize(("old_size", "new_size", "expected"), REFERENCE_CONSISTENCY)
def test_reference_consistency_proofs(
    old_size: int, new_size: int, expected: list[str]
) -> None:
    proof = consistency_proof(REFERENCE_LEAVES[:new_size], old_size)
    assert [node.hex() for node in proof] == expected
    old_root = _h(REFERENCE_ROOTS[old_size])
    new_root = _h(REFERENCE_ROOTS[new_size])
    assert verify_consistency(old_size, new_size, old_root, new_root, proof)


@pytest.mark.parametrize("size", range(0, 70))
def test_root_matches_recursive_definition(size: int) -> None:
    leaves = _leaves(size)
    assert root_hash(leaves) == _mth(leaves)


def test_root_accepts_tuple() -> None:
    leaves = _leaves(13)
    assert root_hash(tuple(leaves)) == root_hash(leaves)


# --- inclusion proofs -----------------------------------------------------------


@pytest.mark.parametrize("size", range(1, 41))
def test_inclusion_proofs_verify_and_detect_tampering(size: int) -> None:
    longer = _leaves(size + 1)
    leaves = longer[:size]
    root = root_hash(leaves)
    stranger = leaf_hash(b"not in the log")
    for index in range(size):
        proof = inclusion_proof(leaves, index)
        assert proof == _path(index, leaves)
        assert verify_inclusion(leaves[index], index, size, proof, root)

        assert not verify_inclusion(stranger, index, size, proof, root)
        assert not verify_inclusion(_flip(leaves[index]), index, size, proof, root)
        assert not verify_inclusion(leaves[index], index, size, proof, _flip(root))
        for other in range(-1, size + 1):
            if other != index:
                assert not verify_inclusion(leaves[index], other, size, proof, root)
        for bad_proof in _tampered_proofs(proof, stranger):
            assert not verify_inclusion(leaves[index], index, size, bad_proof, root)
        assert not verify_inclusion(leaves[index], index, index, proof, root)
        # Nor may the proof pass for a checkpoint of another size.
        for claimed_size in (size - 1, size + 1):
            if claimed_size <= index:
                continue
            claimed_leaves = longer[:claimed_size]
            if inclusion_proof(claimed_leaves, index) == proof:
                continue
            assert not verify_inclusion(
                leaves[index], index, claimed_size, proof, root_hash(claimed_leaves)
            )


def test_inclusion_proof_rejects_out_of_range_index() -> None:
    leaves = _leaves(5)
    for index in (-1, 5, 6):
        with pytest.raises(ValueError):
            inclusion_proof(leaves, index)
    with pytest.raises(ValueError):
        inclusion_proof([], 0)


def test_verify_inclusion_returns_false_on_malformed_input() -> None:
    leaves = _leaves(6)
    root = root_hash(leaves)
    proof = inclusion_proof(leaves, 2)
    assert not verify_inclusion(leaves[2], 2, 0, proof, root)
    assert not verify_inclusion(leaves[2], 2, -3, proof, root)
    assert not verify_inclusion(leaves[2], 2, 6, [node[:-1] for node in proof], root)
    assert not verify_inclusion(leaves[2], 2, 6, proof, root[:-1])
    assert not verify_inclusion(leaves[2][:10], 2, 6, proof, root)
    not_a_hash: list[object] = [*proof, "x"]
    assert not verify_inclusion(leaves[2], 2, 6, not_a_hash, root)  # type: ignore[arg-type]
    assert not verify_inclusion(leaves[2], "2", 6, proof, root)  # type: ignore[arg-type]


# --- consistency proofs ---------------------------------------------------------


@pytest.mark.parametrize("new_size", range(1, 41))
def test_consistency_proofs_verify_and_detect_tampering(new_size: int) -> None:
    longer = _leaves(new_size + 1)
    leaves = longer[:new_size]
    new_root = root_hash(leaves)
    filler = leaf_hash(b"filler")
    for old_size in range(1, new_size + 1):
        old_root = root_hash(leaves[:old_size])
        proof = consistency_proof(leaves, old_size)
        assert proof == _subproof(old_size, leaves, True)
        assert verify_consistency(old_size, new_size, old_root, new_root, proof)

        sizes = (old_size, new_size)
        assert not verify_consistency(*sizes, _flip(old_root), new_root, proof)
        assert not verify_consistency(*sizes, old_root, _flip(new_root), proof)
        if old_size < new_size:
            # Swapped roots and sizes: the new tree is not a prefix of the old one.
            assert not verify_consistency(new_size, old_size, new_root, old_root, proof)
            assert not verify_consistency(old_size, new_size, new_root, old_root, proof)
        for bad_proof in _tampered_proofs(proof, filler):
            assert not verify_consistency(*sizes, old_root, new_root, bad_proof)
        for other_old in (old_size - 1, old_size + 1):
            if 1 <= other_old <= new_size:
                assert not verify_consistency(
                    other_old, new_size, old_root, new_root, proof
                )
        # The proof does not bind the sizes to the roots (the signed checkpoint
        # does), so a wrong new size can pass with the true roots when both
        # sizes give the path the same shape.  What must never pass is this
        # proof standing in for the checkpoints of other sizes.
        for claimed_old in (old_size - 1, old_size, old_size + 1):
            for claimed_new in (new_size - 1, new_size, new_size + 1):
                if not 1 <= claimed_old <= claimed_new:
                    continue
                claimed_proof = consistency_proof(longer[:claimed_new], claimed_old)
                if claimed_proof == proof:
                    continue
                assert not verify_consistency(
                    claimed_old,
                    claimed_new,
                    root_hash(longer[:claimed_old]),
                    root_hash(longer[:claimed_new]),
                    proof,
                )


@pytest.mark.parametrize("new_size", range(1, 41))
def test_rewritten_old_leaf_breaks_consistency(new_size: int) -> None:
    leaves = _leaves(new_size)
    new_root = root_hash(leaves)
    for old_size in range(1, new_size + 1):
        honest_old_root = root_hash(leaves[:old_size])
        for position in range(old_size):
            rewritten = list(leaves)
            rewritten[position] = leaf_hash(b"rewritten entry")
            forged_old_root = root_hash(rewritten[:old_size])
            # The log kept the true entries, but the old checkpoint saw others.
            proof = consistency_proof(leaves, old_size)
            assert not verify_consistency(
                old_size, new_size, forged_old_root, new_root, proof
            )
            # The log rewrote history after the honest old checkpoint.
            forged_proof = consistency_proof(rewritten, old_size)
            assert not verify_consistency(
                old_size, new_size, honest_old_root, root_hash(rewritten), forged_proof
            )


def test_consistency_edge_sizes() -> None:
    leaves = _leaves(9)
    root = root_hash(leaves)
    empty_root = root_hash([])
    assert consistency_proof(leaves, 0) == []
    assert consistency_proof(leaves, 9) == []
    assert consistency_proof([], 0) == []
    assert verify_consistency(0, 9, empty_root, root, [])
    assert verify_consistency(0, 0, empty_root, empty_root, [])
    assert not verify_consistency(0, 9, empty_root, root, [root])
    assert verify_consistency(9, 9, root, root, [])
    assert not verify_consistency(9, 9, root, _flip(root), [])
    assert not verify_consistency(9, 9, root, root, [root])
    assert not verify_consistency(10, 9, root, root, [])
    assert not verify_consistency(4, 9, root_hash(leaves[:4]), root, [])


def test_consistency_proof_rejects_out_of_range_size() -> None:
    leaves = _leaves(5)
    for old_size in (-1, 6):
        with pytest.raises(ValueError):
            consistency_proof(leaves, old_size)


def test_verify_consistency_returns_false_on_malformed_input() -> None:
    leaves = _leaves(11)
    old_root, new_root = root_hash(leaves[:6]), root_hash(leaves)
    proof = consistency_proof(leaves, 6)
    assert not verify_consistency(-1, 11, old_root, new_root, proof)
    short_nodes = [node[:5] for node in proof]
    assert not verify_consistency(6, 11, old_root, new_root, short_nodes)
    assert not verify_consistency(6, 11, old_root[:5], new_root, proof)
    not_a_hash: list[object] = [*proof, None]
    assert not verify_consistency(6, 11, old_root, new_root, not_a_hash)  # type: ignore[arg-type]
    assert not verify_consistency(6.0, 11, old_root, new_root, proof)  # type: ignore[arg-type]


# --- properties -----------------------------------------------------------------

_leaf_data = st.lists(st.binary(max_size=24), min_size=1, max_size=300)


@settings(max_examples=60, deadline=None)
@given(data=_leaf_data, choice=st.data())
def test_inclusion_property(data: list[bytes], choice: st.DataObject) -> None:
    leaves = [leaf_hash(entry) for entry in data]
    size = len(leaves)
    index = choice.draw(st.integers(min_value=0, max_value=size - 1))
    root = root_hash(leaves)
    proof = inclusion_proof(leaves, index)
    assert len(proof) <= size.bit_length()
    assert verify_inclusion(leaves[index], index, size, proof, root)
    assert not verify_inclusion(leaf_hash(data[index] + b"!"), index, size, proof, root)
    assert not verify_inclusion(leaves[index], index, size, proof, _flip(root))
    if proof:
        position = choice.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad_proof = list(proof)
        bad_proof[position] = _flip(bad_proof[position])
        assert not verify_inclusion(leaves[index], index, size, bad_proof, root)


@settings(max_examples=60, deadline=None)
@given(data=_leaf_data, choice=st.data())
def test_consistency_property(data: list[bytes], choice: st.DataObject) -> None:
    leaves = [leaf_hash(entry) for entry in data]
    new_size = len(leaves)
    old_size = choice.draw(st.integers(min_value=0, max_value=new_size))
    old_root, new_root = root_hash(leaves[:old_size]), root_hash(leaves)
    proof = consistency_proof(leaves, old_size)
    assert len(proof) <= 2 * new_size.bit_length()
    assert verify_consistency(old_size, new_size, old_root, new_root, proof)
    if old_size == 0:
        # Every log extends the empty one; there is nothing to tamper with.
        return
    assert not verify_consistency(old_size, new_size, old_root, _flip(new_root), proof)
    assert not verify_consistency(old_size, new_size, _flip(old_root), new_root, proof)
    position = choice.draw(st.integers(min_value=0, max_value=old_size - 1))
    rewritten = list(leaves)
    rewritten[position] = leaf_hash(data[position] + b"!")
    forged_old_root = root_hash(rewritten[:old_size])
    assert not verify_consistency(old_size, new_size, forged_old_root, new_root, proof)
    if proof:
        index = choice.draw(st.integers(min_value=0, max_value=len(proof) - 1))
        bad_proof = list(proof)
        bad_proof[index] = _flip(bad_proof[index])
        assert not verify_consistency(old_size, new_size, old_root, new_root, bad_proof)


@pytest.mark.parametrize("size", range(0, 70))
def test_frontier_gives_the_same_root_as_the_whole_tree(size: int) -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size)]
    frontier: list[bytes] = []
    for index, leaf in enumerate(leaves):
        frontier = extend_frontier(frontier, index, leaf)
    assert frontier_root(frontier) == root_hash(leaves)
    assert len(frontier) == bin(size).count("1")
