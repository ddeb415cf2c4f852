"""销毁清册: one line per 件 destroyed — 档号, 题名, 年度, 保管期限, 件数 — and who answered for it.

Under the table: 销毁方式 (密码擦除), the date, the proposer, the approver (flagged
when recorded from a signed paper approval), the 监销人 (an external one with
unit and scanned signature), and the audit checkpoint signed right after
execution, which anchors the destruction outside the machine.
"""

from __future__ import annotations

from archive.retention import Retention

from ..kind import Composition
from ..report import ReportInput, ReportKind


def make(given: ReportInput) -> Composition:
    register = given.register
    assert register is not None  # the scope "batch" selects it
    batch = register.batch
    rows = [[str(number), item.archival_code or item.record_id, item.title, str(item.year),
             Retention(item.retention).label, "1", item.kind]
            for number, item in enumerate(register.items, start=1)]
    witnesses = "、".join(
        f"{w.name}（{w.unit}，外单位，签名扫描件 {w.scan_record}）" if w.external else w.name for w in batch.witnesses
    )
    approval = f"{batch.approved_by}（{(batch.approved_at or '')[:10]}{'，纸质审批单' if batch.on_paper else ''}）"
    notes = [
        f"共{len(register.items)}件。销毁方式：密码擦除（擦除记录密钥并删除密文，检索索引条目同时清除）。",
        f"提出人：{batch.proposed_by}　批准人：{approval}　执行日期：{(batch.executed_at or '')[:10]}",
        f"监销人：{witnesses}",
    ]
    if batch.checkpoint:
        notes.append("执行后签署的审计检查点：")
        notes.extend(line for line in batch.checkpoint.splitlines() if line.strip())
    return Composition(
        title="档案销毁清册",
        subtitle=[f"全宗号：{given.archive.config.fonds}　销毁批次：{batch.batch_id}"],
        columns=["序号", "档号", "题名", "年度", "保管期限", "件数", "备注"],
        widths=[12, 36, 38, 14, 24, 12, 20],  # millimetres of the 156 mm type area: 定期10年, 来信原件 on one line
        rows=rows,
        notes=notes,
    )


KIND = ReportKind("destruction-register", "销毁清册", "table", "batch",
                  "一个已执行销毁批次的清册：档号、题名、年度、保管期限、件数、批准人、监销人、审计检查点", (), make)
