"""``archive verify``: everything that can be checked, with whatever keys the user holds.

Without keys (the auditor, the administrator) it checks the audit log, every
keyslot and record file against the SHA-256 the log recorded when it was
written, and that the catalogue and the folder agree.  With level keys it also
decrypts every chunk of the records of those levels and compares the keyed
digest of their content.  Problems are collected per object, never raised one
at a time, so one run tells the whole story.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from . import crypto
from .accounts import Session, account_digests
from .audit import AuditProblem, LogSummary, verify_log
from .cases import case_digests
from .catalogue import row_digests
from .chunks import decrypt_record
from .destruction_batches import batch_digests
from .dispatch import dispatch_digests, dispatch_object, draft_digests
from .errors import IntegrityError
from .folder import KEYSLOT_DIR, RECORD_DIR, Archive
from .keyring import LevelKey, grant_digest_name, level_key_for
from .keyslots import read_keyslot
from .levels import Level
from .numbering import BATCH_PREFIX
from .records import record_digests, unwrap_record_key
from .reportbox import opening_digests, opening_object

__all__ = ["DestructionCheck", "VerifyReport", "check_archive", "verify_archive"]


@dataclass(frozen=True)
class DestructionCheck:
    """One executed destruction as verification found it: who answered for it, and whether the tombstones agree."""

    batch_id: str
    executed_at: str | None
    items: int
    approver: str | None
    witnesses: list[str]
    register_filed: bool
    ok: bool


@dataclass
class VerifyReport:
    """The outcome of a verification; ``ok`` is False when any problem was found."""

    problems: list[AuditProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records_checked: int = 0
    records_destroyed: int = 0
    """Tombstones among the records checked: there is nothing left of them to decrypt."""
    destructions: list[DestructionCheck] = field(default_factory=list)
    records_decrypted: int = 0
    log_entries: int = 0
    signers: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return not self.problems

    def problem(self, where: str, message: str) -> None:
        """Record one failure."""
        self.problems.append(AuditProblem(where, message))


def check_archive(
    archive: Archive,
    level_keys: Mapping[Level, LevelKey],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[VerifyReport, LogSummary]:
    """Everything :func:`verify_archive` checks, for any holder of ``level_keys`` (none for the auditor).

    Reads only; it writes nothing, so it also serves the auditor's verification
    that needs no passphrase.
    """
    report = VerifyReport()
    summary = verify_log(archive.conn, archive.config.archive_id)
    report.problems.extend(summary.problems)
    report.log_entries = summary.size
    report.signers = summary.signers
    if summary.unsigned_tail:
        report.warnings.append(f"审计日志末尾有 {summary.unsigned_tail} 条未签名条目（如登录失败），将由下一次签名的检查点覆盖")
    logged = summary.digests
    _verify_keyslots(archive, report, logged)
    _verify_grants(archive, report, logged)
    _verify_cases(archive, report, logged)
    _verify_documents(archive, report, logged)
    _verify_logged_rows(archive, report, logged)
    _verify_destructions(archive, report, logged)
    _verify_records(archive, level_keys, report, logged, progress)
    (queued,) = archive.conn.execute("SELECT COUNT(*) FROM index_queue").fetchone()
    if queued:
        report.warnings.append(
            f"{queued} 件记录已归入但尚未编入检索索引（编入前被中断，或等待持有相应密级的人员编入），"
            "检索时找不到；请运行 xinfang search reindex"
        )
    for level_value, reason in archive.conn.execute(
        "SELECT level, rotation_due FROM level_keys WHERE rotation_due IS NOT NULL ORDER BY level"
    ):
        report.warnings.append(f"{Level(level_value).label}级密钥待轮换（{reason}）")
    return report, summary


def verify_archive(
    archive: Archive, session: Session, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    """Check log, keyslots, grants and records; decrypt what ``session``'s keys open; log the check."""
    report, _ = check_archive(archive, session.level_keys, progress)
    with archive.act(session) as act:
        act.log(
            "archive.verify",
            info={"problems": len(report.problems), "records": report.records_checked, "decrypted": report.records_decrypted},
        )
    return report


def _verify_keyslots(archive: Archive, report: VerifyReport, logged: dict[str, dict[str, str]]) -> None:
    known = set()
    weak: list[str] = []
    for account_id, name, status in archive.conn.execute(
        "SELECT account_id, name, status FROM accounts ORDER BY account_id"
    ).fetchall():
        path = archive.slot_path(account_id)
        known.add(path.name)
        where = f"用户“{name}”"
        expected = account_digests(archive.conn, account_id)
        recorded = logged.get(f"account:{account_id}")
        if recorded is None or recorded.get("profile") != expected[f"account:{account_id}"]["profile"]:
            report.problem(where, "账户的角色、状态或公钥与审计日志记录的不符（目录被改动）")
            continue
        if status != "active":
            if path.exists():
                report.warnings.append(f"{where}已停用但口令槽文件仍在（停用时被中断），可删除 {path.name}")
            continue
        if not path.is_file():
            report.problem(f"{where}的口令槽", "文件缺失")
            continue
        if crypto.sha256_file(path) != recorded.get("slot"):
            report.problem(f"{where}的口令槽", "文件与审计日志记录的摘要不符（被篡改、替换或回滚）")
            continue
        try:
            if read_keyslot(path).kdf.is_weak:
                weak.append(name)
        except IntegrityError as exc:
            report.problem(f"{where}的口令槽", str(exc))
    if weak:
        report.warnings.append(f"{'、'.join(weak)} 的口令槽使用了测试用的弱口令派生参数，请各自用 user passwd 重设口令")
    for path in sorted((archive.root / KEYSLOT_DIR).glob("*")):
        if path.name not in known:
            report.warnings.append(f"口令槽文件夹中有未登记的文件 {path.name}（中断的创建留下的残留，可删除）")


def _verify_grants(archive: Archive, report: VerifyReport, logged: dict[str, dict[str, str]]) -> None:
    for account_id, name, level_value, version, wrapped in archive.conn.execute(
        "SELECT g.account_id, a.name, g.level, g.version, g.wrapped FROM level_key_grants g "
        "JOIN accounts a ON a.account_id = g.account_id ORDER BY g.account_id, g.level"
    ).fetchall():
        key = grant_digest_name(account_id, Level(level_value), version)
        if logged.get(key, {}).get("wrapped") != crypto.sha256_hex(wrapped):
            report.problem(f"用户“{name}”的{Level(level_value).label}级密钥封装", "与审计日志记录的摘要不符（被篡改）")


def _verify_cases(archive: Archive, report: VerifyReport, logged: dict[str, dict[str, str]]) -> None:
    catalogued = {case_id for (case_id,) in archive.conn.execute("SELECT case_id FROM cases")}
    for case_id in sorted(name for name in logged if name.startswith("XF-") and name not in catalogued):
        report.problem(f"信访件 {case_id}", "审计日志记录了此信访件，目录中却没有（被删除）")
    for case_id in sorted(catalogued):
        if case_digests(archive.conn, case_id) != logged.get(case_id):
            report.problem(f"信访件 {case_id}", "登记信息或办理记录与审计日志不符（目录被改动）")


def _verify_documents(archive: Archive, report: VerifyReport, logged: dict[str, dict[str, str]]) -> None:
    """Drafts, the 发文登记簿 and the report box's openings: every row as the log last recorded it, none missing."""
    drafts = {draft_id for (draft_id,) in archive.conn.execute("SELECT draft_id FROM drafts")}
    numbers = {number for (number,) in archive.conn.execute("SELECT document_number FROM dispatches")}
    catalogued = drafts | {dispatch_object(number) for number in numbers}
    for name in sorted(n for n in logged if (n.startswith("NG-") or n.startswith("document:")) and n not in catalogued):
        report.problem(f"发文 {name.removeprefix('document:')}", "审计日志记录了此项，目录中却没有（被删除）")
    for draft_id in sorted(drafts):
        if draft_digests(archive.conn, draft_id) != logged.get(draft_id):
            report.problem(f"草稿 {draft_id}", "草稿与审计日志不符（目录被改动）")
    for number in sorted(numbers):
        if dispatch_digests(archive.conn, number) != logged.get(dispatch_object(number)):
            report.problem(f"发文 {number}", "发文登记簿的这一行与审计日志不符（目录被改动）")
    openings = {opening_id for (opening_id,) in archive.conn.execute("SELECT opening_id FROM reportbox_openings")}
    for name in sorted(n for n in logged if n.startswith("reportbox:")):
        if int(name.removeprefix("reportbox:")) not in openings:
            report.problem(f"举报箱开启记录 {name.removeprefix('reportbox:')}", "审计日志记录了此项，目录中却没有（被删除）")
    for opening_id in sorted(openings):
        if opening_digests(archive.conn, opening_id) != logged.get(opening_object(opening_id)):
            report.problem(f"举报箱开启记录 {opening_id}", "开启记录与审计日志不符（目录被改动）")


# Tables whose every row the log keeps a digest of, under the row's own key as the object name:
# (table, key column, object prefix, how a message names a row).
_LOGGED_ROWS = (
    ("access_requests", "request_id", "AR-", "查阅申请"),
    ("access_grants", "grant_id", "AG-", "查阅授权"),
    ("copies", "copy_id", "copy:", "副本登记"),
    ("holds", "hold_id", "HD-", "保全"),
    ("appraisals", "appraisal_id", "JD-", "鉴定"),
    ("destruction_registers", "register_id", "register:", "销毁清册"),
    ("recovery_sets", "set_id", "recovery:", "恢复单套次"),
    ("reclassifications", "reclassification_id", "DM-", "密级变更"),
)


def _verify_logged_rows(archive: Archive, report: VerifyReport, logged: dict[str, dict[str, str]]) -> None:
    """Requests, grants, copies, holds and appraisals: every row as the log last recorded it, none missing.

    An edited expiry, a revocation undone, a copy marked returned, a hold released
    or a decision changed behind the archive's back no longer matches the log.
    """
    for table, column, prefix, label in _LOGGED_ROWS:
        keys = {key for (key,) in archive.conn.execute(f"SELECT {column} FROM {table}")}
        for name in sorted(n for n in logged if n.startswith(prefix) and n not in keys):
            report.problem(f"{label} {name}", "审计日志记录了此项，目录中却没有（被删除）")
        for key in sorted(keys):
            if row_digests(archive.conn, table, column, key) != logged.get(key):
                report.problem(f"{label} {key}", "与审计日志不符（目录被改动）")


def _verify_destructions(archive: Archive, report: VerifyReport, logged: dict[str, dict[str, str]]) -> None:
    """Each destruction against its tombstones, and each tombstone against a destruction the rules allow.

    A batch's row, items and witnesses must be as the log last recorded them; an
    executed batch must have an approver other than its proposer and two
    witnesses other than both, and every one of its items must be a tombstone of
    that batch with no file left; and every tombstone must belong to such a batch.
    """
    batches = {
        batch_id: (state, proposer, approver, executed_at)
        for batch_id, state, proposer, approver, executed_at in archive.conn.execute(
            "SELECT batch_id, state, proposed_by, approved_by, executed_at FROM destruction_batches ORDER BY batch_id"
        )
    }
    witnesses: dict[str, set[str]] = {}
    for batch_id, name in archive.conn.execute("SELECT batch_id, witness FROM destruction_witnesses"):
        witnesses.setdefault(batch_id, set()).add(name)
    for name in sorted(n for n in logged if n.startswith(BATCH_PREFIX) and n not in batches):
        report.problem(f"销毁批次 {name}", "审计日志记录了此批次，目录中却没有（被删除）")
    for batch_id, (state, proposer, approver, executed_at) in batches.items():
        where = f"销毁批次 {batch_id}"
        problems = len(report.problems)
        if batch_digests(archive.conn, batch_id) != logged.get(batch_id):
            report.problem(where, "批次、档案清单或监销人与审计日志不符（目录被改动）")
        independent = witnesses.get(batch_id, set()) - {proposer, approver}
        if state in ("executing", "executed") and (approver is None or approver == proposer or len(independent) < 2):
            report.problem(where, "缺少独立的批准人或两名监销人")
        items = archive.conn.execute(
            "SELECT i.record_id, i.done, r.destroyed_batch, length(r.wrapped_key) FROM destruction_items i "
            "JOIN records r USING (record_id) WHERE i.batch_id = ? ORDER BY i.record_id", (batch_id,)
        ).fetchall()
        for record_id, done, destroyed_batch, key_length in items:
            if (done or state == "executed") and (destroyed_batch != batch_id or key_length):
                report.problem(f"记录 {record_id}", f"销毁批次 {batch_id} 记为已销毁，记录却不是该批次的存根")
            elif destroyed_batch == batch_id and archive.record_path(record_id).exists():
                report.problem(f"记录 {record_id}", f"已随销毁批次 {batch_id} 销毁，密文文件却仍在")
        if state == "executed":
            filed = archive.conn.execute(
                "SELECT 1 FROM destruction_registers WHERE batch_id = ? AND record_id IS NOT NULL", (batch_id,)
            ).fetchone() is not None
            if not filed:
                report.warnings.append(f"销毁批次 {batch_id} 的销毁清册尚未归档：请再次运行 xinfang destroy execute {batch_id}")
            report.destructions.append(DestructionCheck(
                batch_id, executed_at, len(items), approver, sorted(witnesses.get(batch_id, ())), filed,
                ok=len(report.problems) == problems,
            ))
        elif state == "executing":
            report.warnings.append(f"销毁批次 {batch_id} 的执行被中断：请再次运行 xinfang destroy execute {batch_id} 续完")
    for record_id, batch_id in archive.conn.execute(
        "SELECT record_id, destroyed_batch FROM records WHERE destroyed_batch IS NOT NULL ORDER BY record_id"
    ):
        if batches.get(batch_id, ("",))[0] not in ("executing", "executed"):
            report.problem(f"已销毁的记录 {record_id}", f"所属销毁批次 {batch_id} 不存在或未执行")


def _verify_records(
    archive: Archive,
    level_keys: Mapping[Level, LevelKey],
    report: VerifyReport,
    logged: dict[str, dict[str, str]],
    progress: Callable[[int, int], None] | None,
) -> None:
    rows = archive.conn.execute(
        "SELECT record_id, level, key_version, wrapped_key, content_mac, blob_sha256 FROM records ORDER BY record_id"
    ).fetchall()
    catalogued = {row[0] for row in rows}
    for record_id in sorted(name for name in logged if name.startswith("R-") and name not in catalogued):
        report.problem(f"记录 {record_id}", "审计日志记录了此记录，目录中却没有（被删除）")
    for done, (record_id, level_value, version, wrapped, content_mac, blob_sha256) in enumerate(rows, 1):
        path = archive.record_path(record_id)
        report.records_checked += 1
        where = f"记录 {record_id}"
        if not wrapped:  # a tombstone: key wiped; the row must match the log's record.destroy entry
            report.records_destroyed += 1
            if record_digests(archive.conn, record_id) != logged.get(record_id):
                report.problem(where, "已销毁档案的存根与审计日志不符（被篡改）")
            if path.is_file():
                report.warnings.append(f"{where} 已销毁，但其密文文件仍在（销毁执行被中断）；再次执行 destroy execute 即删除")
        elif not path.is_file():
            report.problem(where, "记录文件缺失")
        elif crypto.sha256_file(path) != blob_sha256:
            report.problem(where, "记录文件与目录中的 SHA-256 不符（被篡改、截断或替换）")
        elif record_digests(archive.conn, record_id) != logged.get(record_id):
            report.problem(where, "目录中的著录信息、摘要或密钥封装与审计日志不符（被篡改）")
        else:
            level_key = level_key_for(level_keys, Level(level_value), version)
            if level_key is not None:
                try:
                    record_key = unwrap_record_key(level_key, record_id, wrapped)
                    decrypt_record(path, record_id, record_key, content_mac)
                    report.records_decrypted += 1
                except IntegrityError as exc:
                    report.problem(where, str(exc))
        if progress is not None:
            progress(done, len(rows))
    for path in sorted((archive.root / RECORD_DIR).rglob("*")):
        if not path.is_file() or path.stem in catalogued:
            continue
        if path.name.startswith("."):
            report.warnings.append(f"记录文件夹中有中断写入留下的临时文件 {path.name}，可删除")
        elif path.stem not in logged:
            report.warnings.append(f"记录文件夹中有未登记的文件 {path.relative_to(archive.root)}（中断的归入留下的残留，可删除）")
