"""The audit log: append-only, hash-chained, checkpointed as an RFC 6962 tree.

Every command that reads or changes the archive appends entries inside the
same SQLite transaction as the change itself, so an action and its trace are
committed together or not at all.  At the end of the transaction the acting
account signs a checkpoint (tree size and root hash) with its own Ed25519 key.

An entry's body is canonical JSON (sorted keys, no spaces).  It names the actor,
the action, the objects, the SHA-256 of every ciphertext the action wrote, plain
``info`` that identifies nobody, and the digest of ``details`` that might
(reasons, queries, names): those are sealed under a key of the record or case
they concern, so destroying that record makes them unreadable while the chain,
which only holds their digest, still verifies.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import crypto, merkle
from .errors import IntegrityError

__all__ = [
    "Act",
    "AuditProblem",
    "Checkpoint",
    "LogSummary",
    "append_unsigned",
    "checkpoint_message",
    "latest_checkpoint",
    "now_utc",
    "utc_stamp",
    "read_sealed_details",
    "reseal_details",
    "verify_log",
]


SEARCH_ACTION = "search"
"""The audit action of a search (:func:`search.searching.search_archive` logs it): its query is sealed under the
searcher's highest level key, and its objects are the hits, not the key's owner."""


def now_utc() -> str:
    """The current time as the log writes it: UTC, seconds, ``Z``."""
    return utc_stamp(datetime.now(UTC))


def utc_stamp(moment: datetime) -> str:
    """A moment as the catalogue stores times (``2026-11-28T14:41:14Z``): such strings sort as the times do."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement: the log had ``size`` entries with this ``root``."""

    archive_id: str
    size: int
    root: bytes
    signed_at: str
    signer: str
    signature: bytes

    def message(self) -> bytes:
        """The exact bytes the signer signed."""
        return checkpoint_message(self.archive_id, self.size, self.root, self.signed_at, self.signer)


def checkpoint_message(archive_id: str, size: int, root: bytes, signed_at: str, signer: str) -> bytes:
    """Checkpoint text per FORMAT.md; the archive id keeps checkpoints of two archives apart."""
    return f"xinfang-checkpoint v1\n{archive_id}\n{size}\n{root.hex()}\n{signed_at}\n{signer}\n".encode()


def _append(
    conn: sqlite3.Connection,
    actor: str | None,
    action: str,
    objects: Sequence[str],
    digests: Mapping[str, Mapping[str, str]] | None,
    info: Mapping[str, Any] | None,
    details: Mapping[str, Any] | None,
    details_key: bytes | None,
) -> int:
    size, frontier = _state(conn)
    previous = conn.execute("SELECT entry_hash FROM audit_entries WHERE seq = ?", (size,)).fetchone()
    sealed = None
    details_digest = None
    if details:
        if details_key is None:
            raise ValueError("details that may identify someone need a key to be sealed under")
        plain = json.dumps({"salt": os.urandom(16).hex(), **details}, ensure_ascii=False, sort_keys=True).encode()
        details_digest = crypto.sha256_hex(plain)
        sealed = crypto.seal(crypto.derive_subkey(details_key, "audit details"), plain, details_digest.encode())
    seq = size + 1
    body = _canonical(
        {
            "seq": seq,
            "time": now_utc(),
            "actor": actor,
            "action": action,
            "objects": list(objects),
            "digests": {k: dict(v) for k, v in (digests or {}).items()},
            "info": dict(info or {}),
            "details": details_digest,
            "prev": previous[0].hex() if previous else None,
        }
    )
    conn.execute(
        "INSERT INTO audit_entries (seq, body, entry_hash, sealed_details) VALUES (?, ?, ?, ?)",
        (seq, body, hashlib.sha256(body.encode()).digest(), sealed),
    )
    frontier = merkle.extend_frontier(frontier, size, merkle.leaf_hash(body.encode()))
    conn.execute(
        "INSERT INTO audit_state (singleton, size, frontier) VALUES (1, ?, ?) "
        "ON CONFLICT (singleton) DO UPDATE SET size = excluded.size, frontier = excluded.frontier",
        (seq, b"".join(frontier)),
    )
    return seq


def append_unsigned(conn: sqlite3.Connection, actor: str | None, action: str, info: Mapping[str, Any]) -> None:
    """Log an event no account can sign (a failed login); the next checkpoint covers it."""
    _append(conn, actor, action, (), None, info, None, None)


@dataclass
class Act:
    """One command's stay in the log: entries appended now, one checkpoint signed at the end."""

    conn: sqlite3.Connection
    archive_id: str
    actor: str
    sign_key: bytes
    appended: list[int] = field(default_factory=list)
    signed: Checkpoint | None = None

    def log(
        self,
        action: str,
        objects: Sequence[str] = (),
        *,
        digests: Mapping[str, Mapping[str, str]] | None = None,
        info: Mapping[str, Any] | None = None,
        details: Mapping[str, Any] | None = None,
        details_key: bytes | None = None,
    ) -> int:
        """Append one entry and return its sequence number."""
        seq = _append(self.conn, self.actor, action, objects, digests, info, details, details_key)
        self.appended.append(seq)
        return seq

    def sign_checkpoint(self) -> Checkpoint:
        """Sign the tree as it now stands; called once, just before commit.

        Refuses to put a signature over entries someone else slipped in since the
        last checkpoint: the only foreign entries allowed are bare failed logins.
        """
        # The latest checkpoint by its key, not MAX(size): SQLite would read every checkpoint for that.
        row = self.conn.execute("SELECT size FROM audit_checkpoints ORDER BY checkpoint_id DESC LIMIT 1").fetchone()
        last = row[0] if row else 0
        for seq, body in self.conn.execute("SELECT seq, body FROM audit_entries WHERE seq > ?", (last,)):
            if seq not in self.appended and not _is_bare_failed_login(json.loads(body)):
                raise IntegrityError(f"审计日志第 {seq} 条未经签署且不是登录失败记录：日志可能被篡改，请安全审计员核查")
        size, frontier = _state(self.conn)
        root = merkle.frontier_root(frontier)
        signed_at = now_utc()
        message = checkpoint_message(self.archive_id, size, root, signed_at, self.actor)
        signature = crypto.sign(self.sign_key, message)
        self.conn.execute(
            "INSERT INTO audit_checkpoints (size, root, signed_at, signer, signature) VALUES (?, ?, ?, ?, ?)",
            (size, root, signed_at, self.actor, signature),
        )
        self.signed = Checkpoint(self.archive_id, size, root, signed_at, self.actor, signature)
        return self.signed


def latest_checkpoint(conn: sqlite3.Connection, archive_id: str) -> Checkpoint | None:
    """The most recent signed checkpoint, or None on an empty log."""
    row = conn.execute(
        "SELECT size, root, signed_at, signer, signature FROM audit_checkpoints ORDER BY checkpoint_id DESC LIMIT 1"
    ).fetchone()
    return Checkpoint(archive_id, *row) if row else None


def _state(conn: sqlite3.Connection) -> tuple[int, list[bytes]]:
    row = conn.execute("SELECT size, frontier FROM audit_state WHERE singleton = 1").fetchone()
    if row is None:
        return 0, []
    size, blob = row
    return int(size), [blob[i : i + 32] for i in range(0, len(blob), 32)]


def _canonical(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class AuditProblem:
    """One failure found in the log; ``where`` names the entry or checkpoint."""

    where: str
    message: str


@dataclass(frozen=True)
class LogSummary:
    """What :func:`verify_log` learned: problems, per-object digests, signers, unsigned tail."""

    size: int
    problems: list[AuditProblem]
    digests: dict[str, dict[str, str]]
    signers: dict[str, int]
    unsigned_tail: int
    leaves: list[bytes]
    stretches: list[tuple[int, int, str]]


def _is_bare_failed_login(entry: Mapping[str, Any]) -> bool:
    """The one kind of entry nobody signs: a failed login carrying nothing else."""
    return (
        entry.get("action") == "login.failed"
        and not entry.get("objects")
        and not entry.get("digests")
        and not entry.get("info")
        and entry.get("details") is None
    )


class _LogWalk:
    """One pass over the entries in order, checking each and each checkpoint as its size is reached."""

    def __init__(self, conn: sqlite3.Connection, archive_id: str) -> None:
        self.archive_id = archive_id
        self.public_keys = {name: key for name, key in conn.execute("SELECT name, sign_public FROM accounts")}
        self.checkpoints: dict[int, list[tuple[int, bytes, str, str, bytes]]] = {}
        for cid, size, root, signed_at, signer, signature in conn.execute(
            "SELECT checkpoint_id, size, root, signed_at, signer, signature FROM audit_checkpoints ORDER BY checkpoint_id"
        ):
            self.checkpoints.setdefault(size, []).append((cid, root, signed_at, signer, signature))
        self.problems: list[AuditProblem] = []
        self.digests: dict[str, dict[str, str]] = {}
        self.signers: dict[str, int] = {}
        self.stretches: list[tuple[int, int, str]] = []
        self.leaves: list[bytes] = []
        self.frontier: list[bytes] = []
        self.pending: list[tuple[int, dict[str, Any]]] = []  # entries not yet covered by a checkpoint
        self.previous: bytes | None = None
        self.root_mismatches = 0

    def problem(self, where: str, message: str) -> None:
        self.problems.append(AuditProblem(where, message))

    def entry(self, seq: int, body: str, entry_hash: bytes) -> None:
        where = f"审计日志第 {seq} 条"
        if seq != len(self.leaves) + 1:
            self.problem(where, f"序号不连续：应为第 {len(self.leaves) + 1} 条（有条目被删除或插入）")
        actual_hash = hashlib.sha256(body.encode()).digest()
        try:
            entry = json.loads(body)
        except ValueError:
            self.problem(where, "条目内容无法解析（被篡改）")
            entry = {}
        if actual_hash != entry_hash:
            self.problem(where, "条目内容与其哈希不符（被篡改）")
        if entry.get("seq") != seq:
            self.problem(where, "条目内的序号与位置不符（被重排）")
        if entry.get("prev") != (self.previous.hex() if self.previous else None):
            self.problem(where, "与前一条目的哈希链断开（有条目被修改、删除或重排）")
        self.previous = actual_hash
        leaf = merkle.leaf_hash(body.encode())
        self.frontier = merkle.extend_frontier(self.frontier, len(self.leaves), leaf)
        self.leaves.append(leaf)
        self.pending.append((seq, entry))
        for checkpoint in self.checkpoints.pop(len(self.leaves), []):
            self.checkpoint(*checkpoint)

    def checkpoint(self, cid: int, root: bytes, signed_at: str, signer: str, signature: bytes) -> None:
        size = len(self.leaves)
        label = f"检查点 #{cid}（{signer}，{signed_at}，{size} 条）"
        if merkle.frontier_root(self.frontier) != root:
            if not self.root_mismatches:
                self.problem(label, "根哈希与日志不符：此前的条目被修改")
            self.root_mismatches += 1
        key = self.public_keys.get(signer)
        message = checkpoint_message(self.archive_id, size, root, signed_at, signer)
        if key is None or not crypto.verify_signature(key, signature, message):
            # The entries it covered are suspect; naming the checkpoint says so once.
            self.problem(label, f"签名者“{signer}”不是本档案库的账户" if key is None else "签名无效")
            self.pending = []
            return
        self.signers[signer] = self.signers.get(signer, 0) + 1
        start = self.stretches[-1][1] + 1 if self.stretches else 1
        if self.stretches and self.stretches[-1][2] == signer:
            self.stretches[-1] = (self.stretches[-1][0], size, signer)
        else:
            self.stretches.append((start, size, signer))
        for seq, entry in self.pending:
            if entry.get("actor") == signer:
                for obj, values in (entry.get("digests") or {}).items():
                    self.digests[obj] = dict(values)
            elif not _is_bare_failed_login(entry):
                self.problem(f"审计日志第 {seq} 条", f"操作人“{entry.get('actor')}”不是覆盖它的检查点的签署人 {signer}（条目被伪造或插入）")
        self.pending = []

    def finish(self, conn: sqlite3.Connection) -> LogSummary:
        if self.root_mismatches > 1:
            self.problem("检查点", f"此后另有 {self.root_mismatches - 1} 个检查点的根哈希同样与日志不符")
        for size, rows in sorted(self.checkpoints.items()):
            for cid, *_ in rows:
                self.problem(f"检查点 #{cid}", f"签署时日志有 {size} 条，现仅 {len(self.leaves)} 条：日志被截短")
        for seq, entry in self.pending:
            if not _is_bare_failed_login(entry):
                self.problem(f"审计日志第 {seq} 条", "没有任何签名的检查点覆盖此条目（检查点被删除，或条目被伪造）")
        state = conn.execute("SELECT size, frontier FROM audit_state WHERE singleton = 1").fetchone()
        if state is not None and (state[0] != len(self.leaves) or bytes(state[1]) != b"".join(self.frontier)):
            self.problem("审计日志状态", "记录的日志长度或树状态与条目不符")
        return LogSummary(
            len(self.leaves), self.problems, self.digests, self.signers, len(self.pending), self.leaves, self.stretches
        )


def verify_log(conn: sqlite3.Connection, archive_id: str) -> LogSummary:
    """Check the chain, the tree and every checkpoint using public keys only.

    Digests count only from entries whose actor signed the checkpoint that
    covers them; the only entry allowed without its own signature is a bare
    failed login.
    """
    walk = _LogWalk(conn, archive_id)
    for seq, body, entry_hash in conn.execute("SELECT seq, body, entry_hash FROM audit_entries ORDER BY seq"):
        walk.entry(seq, body, entry_hash)
    return walk.finish(conn)


def reseal_details(conn: sqlite3.Connection, seq: int, details_keys: Sequence[bytes]) -> bool:
    """Seal an entry's details under ``details_keys[0]`` when one of the older keys after it opens them.

    For details sealed under a level key (a search's query), which a key
    rotation moves to the new version.  The body holds only the details'
    digest, which is also their associated data, so no hash changes: the chain
    and every checkpoint stay valid.  False when the first key already opens
    them or none does (they are under another key).
    """
    body, sealed = conn.execute("SELECT body, sealed_details FROM audit_entries WHERE seq = ?", (seq,)).fetchone()
    associated = json.loads(body)["details"].encode()
    keys = [crypto.derive_subkey(key, "audit details") for key in details_keys]
    try:
        index, plain = crypto.open_sealed_any(keys, sealed, associated, f"审计日志第 {seq} 条的详情")
    except IntegrityError:
        return False
    if index:
        conn.execute("UPDATE audit_entries SET sealed_details = ? WHERE seq = ?",
                     (crypto.seal(keys[0], plain, associated), seq))
    return bool(index)


def read_sealed_details(conn: sqlite3.Connection, seq: int, details_key: bytes) -> dict[str, Any]:
    """Open an entry's sealed details with the key of the record or case it concerns."""
    row = conn.execute("SELECT body, sealed_details FROM audit_entries WHERE seq = ?", (seq,)).fetchone()
    if row is None or row[1] is None:
        return {}
    digest = json.loads(row[0])["details"]
    key = crypto.derive_subkey(details_key, "audit details")
    plain = crypto.open_sealed(key, row[1], digest.encode(), f"审计日志第 {seq} 条的详情")
    if crypto.sha256_hex(plain) != digest:
        raise IntegrityError(f"审计日志第 {seq} 条的详情与摘要不符")
    details = json.loads(plain)
    details.pop("salt", None)
    return details
