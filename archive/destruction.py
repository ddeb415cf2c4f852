"""Destruction that can be proven: a batch proposed, approved, witnessed, then executed by cryptographic erase.

The cycle, each step its own audited act:

1. ``propose`` (档案员): an appraisal batch of items whose period has run out, or
   named ones; an item on hold is refused with its hold named, a 永久 item never
   enters a batch, and an item sits in at most one open batch.
2. ``approve`` (a leader who is not the proposer; or a leader's signed paper
   approval recorded from its scan, flagged) or ``reject`` with a reason.
3. ``witness``: at least two 监销人, distinct from each other and from proposer
   and approver - each confirming as themselves, or, without an account, recorded
   by the archivist with name, unit and a scanned signature (flagged).
4. ``execute`` (档案员): holds are checked again; then, one transaction per item,
   the record key is wiped from the catalogue (``secure_delete`` overwrites the
   freed pages), its sealed description too, and the row becomes a tombstone
   (档号, kind, dates, classification, retention, batch, and the ciphertext's
   digest); the record file is deleted after that commit.  When a case's last
   record goes, its personal data goes too: a fresh case key with empty parties,
   and step texts, drafts and reasons cleared (the old key, and so whatever the
   audit log sealed under it, is gone).  Destroyed records are queued for the search
   index, whose indexer deletes their entries and rewrites the segments.  Last,
   the WAL is checkpointed with truncation and a signed audit checkpoint is kept
   with the batch.
5. The 销毁清册 (:mod:`archive.destruction_register`): its list is sealed when
   execution starts, before the titles are wiped; after the checkpoint it is
   rendered by the caller and filed as a permanent record in the batch's file.

Without the record key the ciphertext is noise: that is what reaches backups made
since and the blocks a solid-state disk keeps (FORMAT.md says what it cannot
reach).  An interrupted ``execute`` is resumed by running it again: items are
marked done one by one, and every step - checkpoint and 清册 included - is
done once.  The scans of a batch (paper approval, witness signatures) belong to
the batch's own file, like its 清册, not to any case.
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from . import crypto
from .accounts import Session, find_account
from .audit import Act, now_utc
from .auditing import export_checkpoint
from .cases import case_digests, erase_case_parties
from .destruction_batches import Batch, batch_digests, load_batch, records_in_open_batches
from .destruction_register import RegisterRenderer, file_register, read_register, seal_register
from .errors import IntegrityError, InvalidInput, NotFound, PermissionDenied, Refused
from .folder import Archive
from .holds import holds_on
from .index_queue import queue_for_indexing
from .keyring import LevelKey
from .kinds import RecordKind, register_kind
from .levels import Level
from .numbering import allocate_number, format_batch_id
from .outgoing import read_document
from .records import record_digests, store_record, visible_records
from .retention import Retention, disposal_date, scheduled_retention
from .roles import Role, require_role
from .text import check_text

__all__ = [
    "APPROVAL_SCAN",
    "approve_batch",
    "execute_batch",
    "find_batch",
    "propose_batch",
    "reject_batch",
    "reseal_batch_texts",
    "witness_batch",
]

APPROVAL_SCAN = RecordKind("destruction-approval-scan", "销毁审批单扫描件")
WITNESS_SCAN = RecordKind("witness-signature-scan", "监销人签名扫描件")
register_kind(APPROVAL_SCAN)
register_kind(WITNESS_SCAN)
MIN_WITNESSES = 2
MAX_NOTE = 500


BATCH_READERS = frozenset({Role.ARCHIVIST, Role.LEADER, Role.SECRETARY, Role.SECURITY_OFFICER, Role.AUDITOR})
"""Who may look at a batch: it names no content, but its record ids are not for investigators."""


def find_batch(archive: Archive, session: Session, batch_id: str) -> Batch:
    """A batch with its items and witnesses, for the office's staff and the auditor."""
    require_role(session.roles, BATCH_READERS, "查看销毁批次")
    return load_batch(archive, batch_id)


def _log_batch(act: Act, archive: Archive, batch_id: str, action: str, objects: Sequence[str] = (),
               **info: Any) -> None:
    act.log(action, [batch_id, *objects],
            digests={batch_id: batch_digests(archive.conn, batch_id)}, info=info)


# -- 1. propose ------------------------------------------------------------------------------


def _check_item(archive: Archive, record_id: str, visible: set[str], held: dict[str, list[str]],
                batched: dict[str, str]) -> None:
    if record_id not in visible:  # (destroyed records are visible to nobody)
        raise NotFound(f"记录 {record_id} 不存在，或您无权查看")
    (retention, formed) = archive.conn.execute(
        "SELECT retention, formed FROM records WHERE record_id = ?", (record_id,)
    ).fetchone()
    if retention == Retention.PERMANENT.value:
        raise Refused(f"记录 {record_id} 的保管期限为永久，不能列入销毁")
    if held.get(record_id):
        raise Refused(f"记录 {record_id} 处于保全中（{'、'.join(held[record_id])}），不能列入销毁")
    expires = disposal_date(Retention(retention), date.fromisoformat(formed))
    if expires is not None and expires > date.today():
        raise Refused(f"记录 {record_id} 的保管期限至 {expires.isoformat()} 才届满，尚不能列入销毁")
    if record_id in batched:
        raise Refused(f"记录 {record_id} 已在销毁批次 {batched[record_id]} 中")


def _holds(archive: Archive, record_ids: Sequence[str]) -> dict[str, list[str]]:
    return {record_id: holds_on(archive.conn, record_id) for record_id in record_ids}


def _clearance(session: Session, what: str) -> Level:
    """The session's highest level: the key a batch's note or rejection is sealed under."""
    if session.clearance is None:
        raise PermissionDenied(f"您没有任何密级授权，不能{what}")
    return session.clearance


def propose_batch(archive: Archive, session: Session, record_ids: Sequence[str], *, note: str | None = None
                  ) -> Batch:
    """An archivist proposes destroying these items (see :func:`archive.appraisal.due_items` for ``--due``)."""
    require_role(session.roles, {Role.ARCHIVIST}, "提出销毁")
    wanted = list(dict.fromkeys(r.strip() for r in record_ids))
    if not wanted:
        raise InvalidInput("销毁批次至少须有一件档案")
    note = check_text(note, "说明（--note）", max_length=MAX_NOTE) if note else None
    visible = {info.record_id for info in visible_records(archive, session, wanted)}
    with archive.act(session) as act:
        held, batched = _holds(archive, wanted), records_in_open_batches(archive.conn)
        for record_id in wanted:
            _check_item(archive, record_id, visible, held, batched)
        year = date.today().year
        batch_id = format_batch_id(year, allocate_number(archive.conn, "destruction batch", year))
        level = _clearance(session, "提出销毁")
        sealed_note = _seal_batch_text(session.level_keys[level], batch_id, "note", note) if note else None
        archive.conn.execute(
            "INSERT INTO destruction_batches (batch_id, proposed_by, proposed_at, sealed_note, note_level, state) "
            "VALUES (?, ?, ?, ?, ?, 'proposed')",
            (batch_id, act.actor, now_utc(), sealed_note, level.value if note else None),
        )
        archive.conn.executemany("INSERT INTO destruction_items (batch_id, record_id) VALUES (?, ?)",
                                 [(batch_id, record_id) for record_id in wanted])
        _log_batch(act, archive, batch_id, "destroy.propose", wanted, items=len(wanted))
    return load_batch(archive, batch_id)


def _batch_text_key(level_key: LevelKey) -> bytes:
    return crypto.derive_subkey(level_key.key, "destruction note")


def _batch_text_associated(batch_id: str, what: str) -> bytes:
    return f"xinfang destruction {what}|{batch_id}".encode()


def _seal_batch_text(level_key: LevelKey, batch_id: str, what: str, text: str) -> bytes:
    """A proposal's note or a rejection's reason, under the writer's highest level key: it may name people."""
    return crypto.seal(_batch_text_key(level_key), text.encode(), _batch_text_associated(batch_id, what))


def reseal_batch_texts(conn: sqlite3.Connection, batch_id: str, level_key: LevelKey
                       ) -> dict[str, dict[str, str]] | None:
    """Seal a batch's note and rejection under ``level_key``, a rotation's new version; caller's transaction.

    The note's level is ``note_level``; the rejection's is not recorded, so it
    moves when an older version of ``level_key`` opens it.  Returns the digests
    the log is to keep of the batch, or None when nothing changed.
    """
    note, note_level, rejection = conn.execute(
        "SELECT sealed_note, note_level, sealed_rejection FROM destruction_batches WHERE batch_id = ?", (batch_id,)
    ).fetchone()
    changed = False
    for what, sealed in (("note", note if note_level == level_key.level.value else None), ("rejection", rejection)):
        for older in level_key.previous if sealed is not None else ():
            with contextlib.suppress(IntegrityError):
                text = crypto.open_sealed(_batch_text_key(older), sealed, _batch_text_associated(batch_id, what),
                                          f"销毁批次 {batch_id}")
                conn.execute(f"UPDATE destruction_batches SET sealed_{what} = ? WHERE batch_id = ?",
                             (_seal_batch_text(level_key, batch_id, what, text.decode()), batch_id))
                changed = True
                break
    return {batch_id: batch_digests(conn, batch_id)} if changed else None


# -- 2. approve or reject ----------------------------------------------------------------------


def _scan_into_archive(archive: Archive, act: Act, session: Session, scan: Path, kind: RecordKind, title: str,
                       batch_id: str) -> str:
    """File a scan into the batch's own file (see :func:`archive.records.file_visibility`)."""
    data = read_document(scan)
    if not data:
        raise InvalidInput(f"扫描件 {scan.name} 是空文件")
    level_key = session.level_keys[min(session.level_keys)]
    stored = store_record(
        archive, act, io.BytesIO(data), scan.name, case_id=batch_id, title=title, kind=kind, level_key=level_key,
        retention=scheduled_retention(archive.config.sections.get("retention", {}), kind.id), formed=date.today(),
        indexed=False,
    )
    return stored.record_id


def approve_batch(archive: Archive, session: Session, batch_id: str, *, paper_scan: Path | None = None,
                  leader: str | None = None) -> Batch:
    """A leader other than the proposer approves; or a leader's signed paper approval is recorded from its scan."""
    batch = load_batch(archive, batch_id)
    if batch.state != "proposed":
        raise Refused(f"销毁批次 {batch.batch_id} 的状态是“{batch.state}”，不能批准")
    if paper_scan is None:
        require_role(session.roles, {Role.LEADER}, "批准销毁")
        approver = session.account.name
    else:
        require_role(session.roles, {Role.ARCHIVIST, Role.LEADER}, "登记纸质销毁审批单")
        account = find_account(archive.conn, (leader or "").strip())
        if account is None or account.status != "active" or Role.LEADER not in account.roles:
            raise InvalidInput(f"审批人“{leader}”不是本档案库中在职的领导账户")
        approver = account.name
    if approver == batch.proposed_by:
        raise Refused("提出销毁的人不能批准同一批次")
    with archive.act(session) as act:
        scan_record = (_scan_into_archive(archive, act, session, paper_scan, APPROVAL_SCAN,
                                          f"销毁审批单（{batch.batch_id}）", batch.batch_id)
                       if paper_scan is not None else None)
        archive.conn.execute(
            "UPDATE destruction_batches SET state = 'approved', approved_by = ?, approved_at = ?, on_paper = ?, "
            "scan_record = ? WHERE batch_id = ?",
            (approver, now_utc(), int(paper_scan is not None), scan_record, batch.batch_id),
        )
        _log_batch(act, archive, batch.batch_id, "destroy.approve", approver=approver, on_paper=paper_scan is not None)
    return load_batch(archive, batch.batch_id)


def reject_batch(archive: Archive, session: Session, batch_id: str, *, reason: str) -> Batch:
    """A leader other than the proposer rejects the batch; its items may be proposed again."""
    require_role(session.roles, {Role.LEADER}, "驳回销毁")
    batch = load_batch(archive, batch_id)
    if batch.state != "proposed":
        raise Refused(f"销毁批次 {batch.batch_id} 的状态是“{batch.state}”，不能驳回")
    if session.account.name == batch.proposed_by:
        raise Refused("提出销毁的人不能驳回同一批次")
    reason = check_text(reason, "驳回理由（--reason）", max_length=MAX_NOTE)
    level = _clearance(session, "驳回销毁")
    with archive.act(session) as act:
        archive.conn.execute(
            "UPDATE destruction_batches SET state = 'rejected', rejected_by = ?, rejected_at = ?, "
            "sealed_rejection = ? WHERE batch_id = ?",
            (act.actor, now_utc(), _seal_batch_text(session.level_keys[level], batch.batch_id, "rejection", reason),
             batch.batch_id),
        )
        _log_batch(act, archive, batch.batch_id, "destroy.reject")
    return load_batch(archive, batch.batch_id)


# -- 3. witnesses ----------------------------------------------------------------------------


def witness_batch(archive: Archive, session: Session, batch_id: str, *, external: str | None = None,
                  unit: str | None = None, scan: Path | None = None) -> Batch:
    """A 监销人 confirms as themselves; or the archivist records an external witness with unit and signature scan."""
    batch = load_batch(archive, batch_id)
    if batch.state != "approved":
        raise Refused(f"销毁批次 {batch.batch_id} 须先经批准（当前状态“{batch.state}”）才能监销")
    if external is None:
        name, witness_unit, flagged = session.account.name, session.account.unit, False
    else:
        require_role(session.roles, {Role.ARCHIVIST}, "登记外单位监销人")
        name = check_text(external, "监销人姓名（--external）", max_length=64)
        witness_unit = check_text(unit or "", "监销人单位（--unit）", max_length=100)
        if scan is None:
            raise InvalidInput("外单位监销人须附签名扫描件（--scan）")
        if find_account(archive.conn, name) is not None:
            raise Refused(f"“{name}”有本档案库账户，须由本人登录确认监销")
        flagged = True
    if name in (batch.proposed_by, batch.approved_by):
        raise Refused(f"监销人 {name} 不能是本批次的提出人或批准人")
    if name in {w.name for w in batch.witnesses}:
        raise Refused(f"{name} 已登记为本批次的监销人")
    with archive.act(session) as act:
        scan_record = (_scan_into_archive(archive, act, session, scan, WITNESS_SCAN,
                                          f"监销人签名（{name}，{batch.batch_id}）", batch.batch_id)
                       if flagged and scan is not None else None)
        archive.conn.execute(
            "INSERT INTO destruction_witnesses (batch_id, witness, unit, external, scan_record, recorded_by, "
            "confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (batch.batch_id, name, witness_unit, int(flagged), scan_record, act.actor, now_utc()),
        )
        _log_batch(act, archive, batch.batch_id, "destroy.witness", witness=name, external=flagged)
    return load_batch(archive, batch.batch_id)


# -- 4. execute ------------------------------------------------------------------------------


def _erase_case_if_empty(archive: Archive, session: Session, act: Act, case_id: str, batch_id: str) -> None:
    """When a case's last record is destroyed, its personal data goes too."""
    (left,) = archive.conn.execute(
        "SELECT COUNT(*) FROM records WHERE case_id = ? AND destroyed_batch IS NULL", (case_id,)
    ).fetchone()
    if left:
        return
    (level,) = archive.conn.execute("SELECT level FROM cases WHERE case_id = ?", (case_id,)).fetchone()
    erase_case_parties(archive.conn, session.level_keys[Level(level)], case_id)
    archive.conn.execute("UPDATE cases SET erased_batch = ? WHERE case_id = ?", (batch_id, case_id))
    act.log("case.erase", [case_id], digests={case_id: case_digests(archive.conn, case_id)}, info={"batch": batch_id})


def execute_batch(archive: Archive, session: Session, batch_id: str, render: RegisterRenderer) -> Batch:
    """Destroy every item of an approved, witnessed batch, then sign a checkpoint and file the 销毁清册.

    Rerunning an interrupted execution finishes whatever is left of it.
    """
    require_role(session.roles, {Role.ARCHIVIST}, "执行销毁")
    batch = load_batch(archive, batch_id)
    purged = not archive.conn.execute(
        "SELECT 1 FROM index_queue JOIN destruction_items USING (record_id) WHERE batch_id = ?", (batch.batch_id,)
    ).fetchone()  # (the caller's indexer deletes their search entries: a run killed before it left them queued)
    if batch.state == "executed" and batch.checkpoint and batch.register_record and purged:
        raise Refused(f"销毁批次 {batch.batch_id} 已于 {batch.executed_at} 执行完毕")
    if batch.state not in ("approved", "executing", "executed"):
        raise Refused(f"销毁批次 {batch.batch_id} 尚未批准（当前状态“{batch.state}”）")
    if len(batch.witnesses) < MIN_WITNESSES:
        raise Refused(f"销毁须有至少 {MIN_WITNESSES} 名监销人确认，本批次现有 {len(batch.witnesses)} 名")
    levels = {Level(level) for row in archive.conn.execute(
        "SELECT r.level, c.level FROM destruction_items i JOIN records r USING (record_id) "
        "JOIN cases c USING (case_id) WHERE i.batch_id = ?", (batch.batch_id,)) for level in row}
    if not levels <= set(session.level_keys):
        raise PermissionDenied("本批次含有超出您密级授权的档案，须由持有相应密级的档案员执行")
    if batch.state != "executed":
        _erase_items(archive, session, batch, max(levels))
    if load_batch(archive, batch.batch_id).checkpoint is None:
        _sign_checkpoint(archive, session, batch.batch_id)
    batch = load_batch(archive, batch.batch_id)
    if batch.register_record is None:
        register = read_register(archive, session, batch)
        document = render(register)
        with archive.act(session) as act:
            file_register(archive, act, session, register, document)
    return load_batch(archive, batch.batch_id)


def _erase_items(archive: Archive, session: Session, batch: Batch, highest: Level) -> None:
    with archive.act(session) as act:
        held = {r: h for r, h in _holds(archive, batch.items).items() if h and r not in batch.done}
        if held:
            named = "；".join(f"{r}（{'、'.join(h)}）" for r, h in held.items())
            raise Refused(f"以下档案在批准后被保全，不能销毁：{named}")
        seal_register(archive, act, session.level_keys, batch.batch_id, batch.items, highest)
        archive.conn.execute("UPDATE destruction_batches SET state = 'executing' WHERE batch_id = ?", (batch.batch_id,))
        _log_batch(act, archive, batch.batch_id, "destroy.start")
    for record_id in batch.items:
        if record_id not in batch.done:
            _destroy_item(archive, session, batch.batch_id, record_id)
        archive.record_path(record_id).unlink(missing_ok=True)  # after the commit; again on a resumed run
    with archive.act(session) as act:
        archive.conn.execute(
            "UPDATE destruction_batches SET state = 'executed', executed_by = ?, executed_at = ? WHERE batch_id = ?",
            (act.actor, now_utc(), batch.batch_id),
        )
        _log_batch(act, archive, batch.batch_id, "destroy.execute", items=len(batch.items))


def _sign_checkpoint(archive: Archive, session: Session, batch_id: str) -> None:
    """A signed checkpoint of the log right after execution, kept with the batch and printed on its 清册."""
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    checkpoint = export_checkpoint(archive, session)
    with archive.act(session) as act:
        archive.conn.execute("UPDATE destruction_batches SET checkpoint = ? WHERE batch_id = ?", (checkpoint, batch_id))
        _log_batch(act, archive, batch_id, "destroy.checkpoint")
    archive.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _destroy_item(archive: Archive, session: Session, batch_id: str, record_id: str) -> None:
    with archive.act(session) as act:
        (case_id,) = archive.conn.execute("SELECT case_id FROM records WHERE record_id = ?", (record_id,)).fetchone()
        archive.conn.execute(
            "UPDATE records SET wrapped_key = x'', sealed_description = x'', content_mac = '', review_on = NULL, "
            "destroyed_batch = ? WHERE record_id = ?", (batch_id, record_id),
        )
        archive.conn.execute("UPDATE destruction_items SET done = 1 WHERE batch_id = ? AND record_id = ?",
                             (batch_id, record_id))
        queue_for_indexing(archive.conn, [record_id])  # the indexer deletes its entries
        act.log("record.destroy", [record_id, batch_id],
                digests={record_id: record_digests(archive.conn, record_id), batch_id: batch_digests(archive.conn, batch_id)})
        _erase_case_if_empty(archive, session, act, case_id, batch_id)

