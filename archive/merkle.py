"""RFC 6962 Merkle tree hashes, inclusion proofs and consistency proofs.

The archive's audit log is append-only, and an auditor must be able to check
that it stayed so without trusting the office that keeps it.  Each signed
checkpoint therefore records the log's size and the Merkle tree root of its
entries.  An *inclusion proof* shows one entry belongs to a checkpointed log;
a *consistency proof* shows a later checkpoint extends an earlier one, i.e.
that no entry written before the earlier checkpoint was changed or removed.

The tree is exactly the one of RFC 6962 §2.1 (Certificate Transparency), so
proofs can be checked with any implementation of that RFC:

* leaf hash ``SHA-256(0x00 || data)``, interior node ``SHA-256(0x01 || l || r)``
  -- the distinct prefixes keep a leaf from passing for an interior node;
* the empty tree's root is ``SHA-256(b"")``;
* a tree of ``n > 1`` leaves splits at ``k``, the largest power of two strictly
  smaller than ``n``: the left subtree holds leaves ``[0, k)``, the right
  subtree leaves ``[k, n)``.

Functions that take ``leaves`` expect *leaf hashes* (outputs of
:func:`leaf_hash`), never raw entry data, so the log can keep hashes alone.
Proof builders raise :class:`ValueError` for an index or size outside the
tree; verifiers never raise on bad input and answer ``False`` instead, since a
malformed proof is simply a proof that does not verify.  The verifiers follow
RFC 9162 §2.1.3.2 and §2.1.4.2.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

__all__ = [
    "HASH_SIZE",
    "consistency_proof",
    "extend_frontier",
    "frontier_root",
    "inclusion_proof",
    "leaf_hash",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
"""Length in bytes of every hash in the tree (SHA-256)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """Hash one log entry as a leaf, prefixed so it cannot pose as a node."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    """Hash two child hashes into their parent interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split_point(n: int) -> int:
    """Return the largest power of two strictly smaller than ``n`` (``n > 1``)."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_root(leaves: Sequence[bytes], start: int, end: int) -> bytes:
    """Return MTH(leaves[start:end]) for a non-empty range, hashing each node once.

    Pairing neighbours level by level and carrying an unpaired last node up
    unchanged builds the same tree as the RFC's recursive split at the largest
    power of two: every left subtree is perfect, so only the rightmost node of
    a level can ever be left without a partner.
    """
    level = list(leaves[start:end])
    while len(level) > 1:
        paired = [
            _node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """Return the Merkle tree root a checkpoint signs for these leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    return _range_root(leaves, 0, len(leaves))


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """Return the audit path (RFC 6962 PATH) proving leaf ``index`` is in the tree.

    The path lists sibling subtree roots from the leaf's level upwards, which
    is the order :func:`verify_inclusion` consumes them in.  The sibling
    ranges are disjoint, so building a proof hashes each leaf at most once.
    """
    size = len(leaves)
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    siblings: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split_point(end - start)
        if index < middle:
            siblings.append(_range_root(leaves, middle, end))
            end = middle
        else:
            siblings.append(_range_root(leaves, start, middle))
            start = middle
    siblings.reverse()
    return siblings


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Tell whether ``proof`` shows leaf hash ``leaf`` at ``index`` under ``root``.

    This lets an auditor holding only a signed checkpoint (size and root)
    confirm one audit-log entry without reading the rest of the log.
    """
    if not _are_sizes(index, size) or not _are_hashes(leaf, root, *proof):
        return False
    if not 0 <= index < size:
        return False
    node, last = index, size - 1
    computed = leaf
    for sibling in proof:
        if last == 0:
            return False
        if node & 1 or node == last:
            computed = _node_hash(sibling, computed)
            # Climb past levels where this subtree is a right-edge orphan.
            while node and not node & 1:
                node >>= 1
                last >>= 1
        else:
            computed = _node_hash(computed, sibling)
        node >>= 1
        last >>= 1
    return last == 0 and computed == root


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """Return the RFC 6962 PROOF that the first ``old_size`` leaves are a prefix.

    The proof is SUBPROOF(old_size, leaves, true) of RFC 6962 §2.1.2, taken
    between a tree of ``old_size`` leaves and one of ``len(leaves)``.  For
    ``old_size`` of 0 or ``len(leaves)`` the proof is empty: nothing needs
    showing.  The subtree ranges are disjoint, so each leaf is hashed at most
    once.
    """
    new_size = len(leaves)
    if not 0 <= old_size <= new_size:
        raise ValueError(
            f"old size {old_size} is outside 0..{new_size} for this tree"
        )
    if old_size in (0, new_size):
        return []
    nodes: list[bytes] = []
    start, end = 0, new_size
    # The SUBPROOF flag ``b``: true while the old tree's root is itself a
    # left-edge subtree of the new tree, which the verifier already holds.
    old_root_known = True
    while True:
        # Here ``old_size`` counts old leaves inside [start, end); it is > 0.
        if old_size == end - start:
            if not old_root_known:
                nodes.append(_range_root(leaves, start, end))
            break
        middle = start + _split_point(end - start)
        if start + old_size <= middle:
            nodes.append(_range_root(leaves, middle, end))
            end = middle
        else:
            nodes.append(_range_root(leaves, start, middle))
            old_size -= middle - start
            start = middle
            old_root_known = False
    nodes.reverse()
    return nodes


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Tell whether ``proof`` shows the ``new_size`` log extends the ``old_size`` one.

    An auditor runs this between two signed checkpoints: success means every
    entry covered by the old checkpoint is still present and unchanged.
    """
    if not _are_sizes(old_size, new_size):
        return False
    if not _are_hashes(old_root, new_root, *proof):
        return False
    if not 0 <= old_size <= new_size:
        return False
    if old_size == 0:
        return not proof
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # A power-of-two old tree is a complete left subtree of the new one,
        # so the proof leaves its root out and the verifier supplies it.
        path.insert(0, old_root)
    node, last = old_size - 1, new_size - 1
    while node & 1:
        node >>= 1
        last >>= 1
    old_computed = new_computed = path[0]
    for sibling in path[1:]:
        if last == 0:
            return False
        if node & 1 or node == last:
            old_computed = _node_hash(sibling, old_computed)
            new_computed = _node_hash(sibling, new_computed)
            # Climb past levels where this subtree is a right-edge orphan.
            while node and not node & 1:
                node >>= 1
                last >>= 1
        else:
            new_computed = _node_hash(new_computed, sibling)
        node >>= 1
        last >>= 1
    return last == 0 and old_computed == old_root and new_computed == new_root


def _are_sizes(*values: object) -> bool:
    """Tell whether every value is a plain integer usable as an index or size."""
    return all(
        isinstance(value, int) and not isinstance(value, bool) for value in values
    )


def _are_hashes(*values: object) -> bool:
    """Tell whether every value is a byte string of SHA-256 length."""
    return all(
        isinstance(value, (bytes, bytearray)) and len(value) == HASH_SIZE
        for value in values
    )


def extend_frontier(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """Append one leaf hash to a tree kept as its *frontier*.

    The frontier of a tree of ``size`` leaves is the list of roots of its
    perfect subtrees, largest (leftmost) first -- one per set bit of ``size``.
    Keeping only these lets the log sign a new root after every command in
    O(log n) instead of rehashing every entry.
    """
    merged = [*frontier, leaf]
    while size & 1:
        right = merged.pop()
        merged[-1] = _node_hash(merged[-1], right)
        size >>= 1
    return merged


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The RFC 6962 root of the tree whose frontier is given (``SHA-256(b"")`` when empty)."""
    if not frontier:
        return hashlib.sha256(b"").digest()
    root = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        root = _node_hash(subtree, root)
    return root
