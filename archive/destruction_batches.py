"""Destruction batches as the catalogue holds them: the rows, and their digests for the audit log.

Shared by :mod:`archive.destruction` (which changes them), the 销毁清册 and
verification (which read them).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from . import crypto
from .catalogue import row_digests
from .errors import NotFound
from .folder import Archive

__all__ = ["OPEN_STATES", "Batch", "Witness", "batch_digests", "load_batch", "records_in_open_batches"]

OPEN_STATES = ("proposed", "approved", "executing")
"""A batch in these states holds its items: they are in no other batch, and no appraisal changes them."""


@dataclass(frozen=True)
class Witness:
    """A 监销人: an account confirming as themselves, or an external person recorded from a scan."""

    name: str
    unit: str | None
    external: bool
    scan_record: str | None
    recorded_by: str
    confirmed_at: str


@dataclass(frozen=True)
class Batch:
    """A destruction batch as the register shows it."""

    batch_id: str
    state: str
    proposed_by: str
    proposed_at: str
    approved_by: str | None
    approved_at: str | None
    on_paper: bool
    executed_at: str | None
    checkpoint: str | None
    register_record: str | None = None
    items: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    witnesses: list[Witness] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The batch for ``destroy show --json``."""
        return {
            "batch_id": self.batch_id, "state": self.state, "proposed_by": self.proposed_by,
            "proposed_at": self.proposed_at, "approved_by": self.approved_by, "approved_at": self.approved_at,
            "on_paper": self.on_paper, "executed_at": self.executed_at, "items": self.items, "done": self.done,
            "witnesses": [w.__dict__ for w in self.witnesses], "checkpoint": self.checkpoint,
            "register_record": self.register_record,
        }


_BATCH_COLUMNS = (
    "batch_id, state, proposed_by, proposed_at, approved_by, approved_at, on_paper, executed_at, checkpoint"
)


def load_batch(archive: Archive, batch_id: str) -> Batch:
    """A batch with its items, witnesses and 清册 record; NotFound when there is none."""
    row = archive.conn.execute(
        f"SELECT {_BATCH_COLUMNS} FROM destruction_batches WHERE batch_id = ?", (batch_id.strip(),)
    ).fetchone()
    if row is None:
        raise NotFound(f"销毁批次 {batch_id} 不存在")
    items = archive.conn.execute(
        "SELECT record_id, done FROM destruction_items WHERE batch_id = ? ORDER BY record_id", (row[0],)
    ).fetchall()
    witnesses = [
        Witness(name, unit, bool(external), scan, by, at)
        for name, unit, external, scan, by, at in archive.conn.execute(
            "SELECT witness, unit, external, scan_record, recorded_by, confirmed_at FROM destruction_witnesses "
            "WHERE batch_id = ? ORDER BY confirmed_at, witness", (row[0],)
        )
    ]
    register = archive.conn.execute(
        "SELECT record_id FROM destruction_registers WHERE batch_id = ?", (row[0],)).fetchone()
    values = list(row)
    values[6] = bool(values[6])
    return Batch(*values, register_record=register[0] if register else None, items=[r for r, _ in items],
                 done=[r for r, d in items if d], witnesses=witnesses)


def batch_digests(conn: sqlite3.Connection, batch_id: str) -> dict[str, str]:
    """The batch row, its items and its witnesses, as the log keeps them."""
    batch = row_digests(conn, "destruction_batches", "batch_id", batch_id)["meta"]
    items = conn.execute(
        "SELECT record_id, done FROM destruction_items WHERE batch_id = ? ORDER BY record_id", (batch_id,)
    ).fetchall()
    witnesses = conn.execute(
        "SELECT witness, unit, external, scan_record, recorded_by, confirmed_at FROM destruction_witnesses "
        "WHERE batch_id = ? ORDER BY witness", (batch_id,)
    ).fetchall()
    encoded = json.dumps([batch, items, witnesses], ensure_ascii=False)
    return {"meta": crypto.sha256_hex(encoded.encode())}


def records_in_open_batches(conn: sqlite3.Connection) -> dict[str, str]:
    """Record id → the open destruction batch it sits in."""
    rows = conn.execute(
        "SELECT i.record_id, b.batch_id FROM destruction_items i JOIN destruction_batches b USING (batch_id) "
        f"WHERE b.state IN {OPEN_STATES}"
    )
    return {record_id: batch_id for record_id, batch_id in rows}
