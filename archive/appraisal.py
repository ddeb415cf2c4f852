"""Appraisal (鉴定): which items' retention has run out, and what is decided for each.

An item falls due on its disposal date (:func:`archive.retention.disposal_date`:
1 January of the year after it was formed, plus its period; 永久 never falls
due).  :func:`due_items` lists the items due on a day that are not destroyed,
not held (:mod:`archive.holds`) and not in an open destruction batch, and whose
next review date, if one was set, has come too.

For each, the archivist (or a leader) records one decision (:func:`appraise`):

- ``destroy``: it is to be destroyed.  Nothing changes on the item; it stays
  due until the archivist puts it in a destruction batch (:mod:`archive.destruction`),
  which the leader then approves or rejects.
- ``extend``: the retention is lengthened (D10 → D30 or Y, D30 → Y).  The item's
  retention changes, and a filed item is numbered afresh in the series of its new
  period (:func:`archive.filing.allocate_archival_code`): the old 档号 is kept in
  the decision.  It falls due again on its new disposal date, so a period that
  would already have run out is refused.
- ``review``: it is kept and appraised again on a set day; until then it is not due.

Each decision is a row of ``appraisals`` (``JD-<year>-<four digits>``), logged
with its digest and the record's new digests, so ``archive verify`` notices an
edited decision, retention, 档号 or review date.  The note is sealed as a text of
the record's case.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from .accounts import Session
from .audit import now_utc
from .cases import open_case, seal_case_text
from .catalogue import row_digests
from .destruction_batches import records_in_open_batches
from .errors import InvalidInput, Refused
from .filing import allocate_archival_code
from .folder import Archive
from .holds import held_records, holds_on
from .index_queue import queue_for_indexing
from .numbering import allocate_number
from .records import RecordInfo, find_record, record_digests, visible_records
from .retention import Retention, disposal_date
from .roles import Role, require_role
from .text import check_text

__all__ = ["APPRAISERS", "DECISIONS", "Appraisal", "DueItem", "appraise", "due_items"]

APPRAISERS = frozenset({Role.ARCHIVIST, Role.LEADER})
DECISIONS = ("destroy", "extend", "review")
MAX_NOTE = 500


@dataclass(frozen=True)
class DueItem:
    """An item whose retention has run out, as the appraisal list shows it."""

    record_id: str
    archival_code: str | None
    case_id: str
    title: str
    kind: str
    classification: str
    retention: str
    formed: str
    disposal: str
    """The day its period ran out (ISO date)."""
    review_on: str | None
    """The review date an earlier decision set, now come; None when there was none."""
    decision: str | None
    """The latest appraisal decision (``destroy``: awaiting a batch), None if never appraised."""

    def to_json(self) -> dict[str, Any]:
        """The item for ``retention due --json``."""
        return asdict(self)


@dataclass(frozen=True)
class Appraisal:
    """One recorded decision; ``archival_code`` is the item's 档号 after it."""

    appraisal_id: str
    record_id: str
    decision: str
    old_retention: str
    new_retention: str | None
    old_archival_code: str | None
    archival_code: str | None
    review_on: str | None
    decided_by: str
    decided_at: str

    def to_json(self) -> dict[str, Any]:
        """The decision for ``retention appraise --json``."""
        return asdict(self)


def _latest_decisions(archive: Archive) -> dict[str, str]:
    rows = archive.conn.execute(
        "SELECT record_id, decision FROM appraisals ORDER BY decided_at, appraisal_id"
    )
    return dict(rows.fetchall())


def due_items(archive: Archive, session: Session, as_of: date) -> list[DueItem]:
    """The items this session may see whose retention has run out by ``as_of``, earliest first (filed ones by 档号).

    Left out: 永久 items, destroyed ones, held ones, those in an open destruction
    batch, and those whose review date is still to come.  An item decided for
    destruction stays listed until it is put in a batch.
    """
    require_role(session.roles, APPRAISERS, "查看到期档案")
    held = held_records(archive.conn)
    batched = records_in_open_batches(archive.conn)
    candidates: dict[str, tuple[date, str | None]] = {}
    for record_id, retention, formed, review_on in archive.conn.execute(
        "SELECT record_id, retention, formed, review_on FROM records "
        "WHERE destroyed_batch IS NULL AND retention != 'Y' ORDER BY record_id"
    ).fetchall():
        ends = disposal_date(Retention(retention), date.fromisoformat(formed))
        if ends is None or ends > as_of or record_id in held or record_id in batched:
            continue
        if review_on is not None and date.fromisoformat(review_on) > as_of:
            continue
        candidates[record_id] = (ends, review_on)
    decisions = _latest_decisions(archive)
    items = [
        DueItem(info.record_id, info.archival_code, info.case_id, info.title, info.kind, info.classification,
                info.retention, info.formed, candidates[info.record_id][0].isoformat(),
                candidates[info.record_id][1], decisions.get(info.record_id))
        for info in visible_records(archive, session, candidates)
    ]
    items.sort(key=lambda item: (item.disposal, item.archival_code is None, item.archival_code or "", item.record_id))
    with archive.act(session) as act:
        act.log("retention.due", info={"as_of": as_of.isoformat(), "count": len(items)})
    return items


def _longer(current: Retention, new: Retention) -> bool:
    years = {Retention.TEN_YEARS: 10, Retention.THIRTY_YEARS: 30, Retention.PERMANENT: 10_000}
    return years[new] > years[current]


def _check_decision(archive: Archive, info: RecordInfo, decision: str, retention: Retention | None,
                    review_on: date | None, today: date) -> None:
    """Refuse a decision that cannot stand."""
    if decision not in DECISIONS:
        raise InvalidInput(f"未知的鉴定结论“{decision}”，可选：destroy（销毁）、extend（延长保管期限）、review（到期复审）")
    if (retention is not None) != (decision == "extend") or (review_on is not None) != (decision == "review"):
        raise InvalidInput("延长保管期限须且只须给出新期限；复审须且只须给出复审日期")
    current = Retention(info.retention)
    ends = disposal_date(current, date.fromisoformat(info.formed))
    if ends is None:
        raise Refused(f"记录 {info.record_id} 永久保存，无需鉴定")
    batch = records_in_open_batches(archive.conn).get(info.record_id)
    if batch is not None:
        raise Refused(f"记录 {info.record_id} 已列入销毁批次 {batch}，须待该批次驳回后再鉴定")
    if decision == "destroy":
        if ends > today:
            raise Refused(f"记录 {info.record_id} 的保管期限至 {ends.isoformat()} 才届满，不能鉴定为销毁")
        held = holds_on(archive.conn, info.record_id)
        if held:
            raise Refused(f"记录 {info.record_id} 保全中（{'、'.join(held)}），不能鉴定为销毁")
    elif decision == "extend":
        assert retention is not None
        if not _longer(current, retention):
            raise Refused(f"只能延长保管期限：记录 {info.record_id} 现为{current.label}，不能改为{retention.label}")
        new_end = disposal_date(retention, date.fromisoformat(info.formed))
        if new_end is not None and new_end <= today:
            raise Refused(f"改为{retention.label}后保管期限也已于 {new_end.isoformat()} 届满；"
                          "请选择更长的期限，或确定复审日期")
    elif review_on is not None and review_on <= today:
        raise InvalidInput(f"复审日期 {review_on.isoformat()} 须晚于今天")


def appraise(archive: Archive, session: Session, record_id: str, *, decision: str,
             retention: Retention | None = None, review_on: date | None = None, note: str | None = None,
             today: date | None = None) -> Appraisal:
    """Record an appraisal decision for one item (archivist or leader); see the module docstring.

    ``decision`` is ``destroy``, ``extend`` (with ``retention``) or ``review``
    (with ``review_on``, after today).  After it the item is not due again until
    its new date; an item decided for destruction stays due until it is put in a
    destruction batch.
    """
    require_role(session.roles, APPRAISERS, "鉴定档案")
    today = today or date.today()
    note = check_text(note, "鉴定意见（--note）", max_length=MAX_NOTE) if note is not None else None
    with archive.act(session) as act:
        # Read and checked under the write lock: two appraisers of one item see each other's decision.
        info = find_record(archive, session, record_id)
        case = open_case(archive, session, info.case_id)
        _check_decision(archive, info, decision, retention, review_on, today)
        appraisal_id = f"JD-{today.year}-{allocate_number(archive.conn, 'appraisal', today.year):04d}"
        decided_at = now_utc()
        code = info.archival_code
        if decision == "extend":
            assert retention is not None
            if code is not None:
                code = allocate_archival_code(archive.conn, archive.config, date.fromisoformat(info.formed).year,
                                              retention.value)
                queue_for_indexing(archive.conn, [info.record_id])  # its index entry carries the 档号
            archive.conn.execute(
                "UPDATE records SET retention = ?, archival_code = ?, review_on = NULL WHERE record_id = ?",
                (retention.value, code, info.record_id),
            )
        elif decision == "review":
            assert review_on is not None
            archive.conn.execute(
                "UPDATE records SET review_on = ? WHERE record_id = ?", (review_on.isoformat(), info.record_id)
            )
        decided = Appraisal(
            appraisal_id, info.record_id, decision, info.retention, retention.value if retention else None,
            info.archival_code if code != info.archival_code else None, code,
            review_on.isoformat() if review_on else None, act.actor, decided_at,
        )
        archive.conn.execute(
            "INSERT INTO appraisals (appraisal_id, record_id, decision, old_retention, new_retention, "
            "old_archival_code, review_on, sealed_note, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (appraisal_id, info.record_id, decision, info.retention, decided.new_retention, decided.old_archival_code,
             decided.review_on,
             seal_case_text(case.key, case.case_id, f"appraisal {appraisal_id}", note) if note else None,
             act.actor, decided_at),
        )
        act.log(
            "record.appraise", [appraisal_id, info.record_id],
            digests={appraisal_id: row_digests(archive.conn, "appraisals", "appraisal_id", appraisal_id),
                     info.record_id: record_digests(archive.conn, info.record_id)},
            info={"decision": decision, "retention": decided.new_retention, "review_on": decided.review_on},
            details={"note": note} if note else None, details_key=case.key,
        )
    return decided
