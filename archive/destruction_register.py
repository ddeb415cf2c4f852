"""The 销毁清册: what a destruction batch destroyed, kept permanently after the items are gone.

Execution wipes each item's title with its key, so the list is taken first:
when a batch starts executing, the 档号, 题名, year, retention and kind of every
item are sealed into ``destruction_registers`` under a subkey of the key of the
highest level among the items and their cases.  Once the last item is gone and the
audit checkpoint is signed, the 清册 is rendered (by the caller: the archive
does not lay out documents) and filed as a permanent record at that level, in the
batch's own file beside its scans — not in any case, since the cases it lists
may be gone.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from . import crypto
from .accounts import Session
from .audit import Act
from .catalogue import row_digests
from .destruction_batches import Batch
from .errors import NotFound, PermissionDenied
from .folder import Archive
from .keyring import LevelKey, level_key_for
from .kinds import RecordKind, kind_label, register_kind
from .levels import Level
from .records import describe_stored_records, store_record
from .retention import Retention
from .roles import Role, require_role

__all__ = [
    "DESTRUCTION_REGISTER",
    "REGISTER_READERS",
    "DestructionRegister",
    "RegisterItem",
    "RegisterRenderer",
    "file_register",
    "read_register",
    "register_digests",
    "reseal_register",
    "seal_register",
]

DESTRUCTION_REGISTER = RecordKind("destruction-register", "销毁清册")
register_kind(DESTRUCTION_REGISTER)
REGISTER_READERS = frozenset({Role.ARCHIVIST, Role.LEADER, Role.SECURITY_OFFICER})
"""Who may read a 清册: it carries the titles of what was destroyed, so not the auditor, who checks without content."""


@dataclass(frozen=True)
class RegisterItem:
    """One line of the 清册: one 件."""

    record_id: str
    archival_code: str | None
    title: str
    year: int
    retention: str
    kind: str
    classification: str


@dataclass(frozen=True)
class DestructionRegister:
    """Everything the printed 清册 shows."""

    batch: Batch
    level: Level
    items: list[RegisterItem]
    record_id: str | None


RegisterRenderer = Callable[[DestructionRegister], bytes]
"""Lays a 清册 out as a DOCX; the front door passes :func:`generators.reporting.render_destruction_register`."""


def _register_id(batch_id: str) -> str:
    return f"register:{batch_id}"


def _associated(batch_id: str, level_key: LevelKey) -> bytes:
    return f"xinfang destruction register|{batch_id}|{level_key.level.value}|{level_key.version}".encode()


def _items_key(level_key: LevelKey) -> bytes:
    return crypto.derive_subkey(level_key.key, "destruction register")


def _open_sealed_items(level_key: LevelKey, batch_id: str, sealed: bytes) -> bytes:
    return crypto.open_sealed(_items_key(level_key), sealed, _associated(batch_id, level_key),
                              f"销毁批次 {batch_id} 的销毁清册")


def register_digests(archive: Archive, batch_id: str) -> dict[str, str]:
    """The digests the log keeps of a batch's 清册 row."""
    return _row_digests(archive.conn, batch_id)


def _row_digests(conn: sqlite3.Connection, batch_id: str) -> dict[str, str]:
    return row_digests(conn, "destruction_registers", "register_id", _register_id(batch_id))


def seal_register(archive: Archive, act: Act, level_keys: Mapping[Level, LevelKey], batch_id: str,
                  record_ids: Sequence[str], level: Level) -> None:
    """Take the list of a batch about to be executed, inside the caller's transaction; once per batch.

    ``level`` is the highest among the items and their cases: the 清册 names them all.
    """
    if archive.conn.execute("SELECT 1 FROM destruction_registers WHERE batch_id = ?", (batch_id,)).fetchone():
        return
    described = describe_stored_records(archive, level_keys, record_ids)
    items = [
        {"record_id": info.record_id, "archival_code": info.archival_code, "title": info.title,
         "year": int(info.formed[:4]), "retention": info.retention, "kind": kind_label(info.kind),
         "classification": info.classification}
        for info in described
    ]
    level_key = level_keys[level]
    sealed = crypto.seal(_items_key(level_key), json.dumps(items, ensure_ascii=False).encode(),
                         _associated(batch_id, level_key))
    archive.conn.execute(
        "INSERT INTO destruction_registers (register_id, batch_id, level, key_version, sealed_items) "
        "VALUES (?, ?, ?, ?, ?)", (_register_id(batch_id), batch_id, level.value, level_key.version, sealed),
    )
    act.log("destroy.register.seal", [_register_id(batch_id)],
            digests={_register_id(batch_id): register_digests(archive, batch_id)}, info={"items": len(items)})


def _open_items(archive: Archive, level_keys: Mapping[Level, LevelKey], batch_id: str) -> tuple[Level, list[RegisterItem], str | None]:
    row = archive.conn.execute(
        "SELECT level, key_version, sealed_items, record_id FROM destruction_registers WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"销毁批次 {batch_id} 尚无销毁清册（批次尚未执行）")
    level, version, sealed, record_id = Level(row[0]), row[1], row[2], row[3]
    level_key = level_key_for(level_keys, level, version)
    if level_key is None:
        raise PermissionDenied(f"销毁批次 {batch_id} 的销毁清册为{level.label}级，您的密级授权不含此级")
    items = json.loads(_open_sealed_items(level_key, batch_id, sealed))
    return level, [RegisterItem(**item) for item in items], record_id


def reseal_register(conn: sqlite3.Connection, batch_id: str, level_key: LevelKey) -> dict[str, dict[str, str]]:
    """Seal a 清册's list under ``level_key``, a rotation's new version of its level; caller's transaction.

    Returns the digests the log is to keep of the row now.
    """
    version, sealed = conn.execute(
        "SELECT key_version, sealed_items FROM destruction_registers WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    items = _open_sealed_items(level_key.older(version), batch_id, sealed)
    conn.execute(
        "UPDATE destruction_registers SET sealed_items = ?, key_version = ? WHERE batch_id = ?",
        (crypto.seal(_items_key(level_key), items, _associated(batch_id, level_key)), level_key.version, batch_id),
    )
    return {_register_id(batch_id): _row_digests(conn, batch_id)}


def read_register(archive: Archive, session: Session, batch: Batch) -> DestructionRegister:
    """The 清册 of an executed batch, for a reader holding its level."""
    require_role(session.roles, REGISTER_READERS, "查看销毁清册")
    level, items, record_id = _open_items(archive, session.level_keys, batch.batch_id)
    return DestructionRegister(batch, level, items, record_id)


def file_register(archive: Archive, act: Act, session: Session, register: DestructionRegister, document: bytes) -> str:
    """File the rendered 清册 as a permanent record of the batch's file, inside the caller's transaction."""
    batch_id = register.batch.batch_id
    formed = date.fromisoformat((register.batch.executed_at or "")[:10] or date.today().isoformat())
    stored = store_record(
        archive, act, io.BytesIO(document), f"销毁清册-{batch_id}.docx", case_id=batch_id,
        title=f"销毁清册（{batch_id}，{len(register.items)} 件）", kind=DESTRUCTION_REGISTER,
        level_key=session.level_keys[register.level], retention=Retention.PERMANENT, formed=formed, indexed=False,
    )
    archive.conn.execute("UPDATE destruction_registers SET record_id = ? WHERE batch_id = ?",
                         (stored.record_id, batch_id))
    act.log("destroy.register.file", [_register_id(batch_id), stored.record_id],
            digests={_register_id(batch_id): register_digests(archive, batch_id)})
    return stored.record_id
