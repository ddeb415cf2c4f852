"""来信处理单 (信访登记处理单): a letter's registration, the opinions on it and where it went."""

from __future__ import annotations

from archive.errors import Refused

from ..fields import Field
from ..kind import Composition
from ..kinds._common import cn_date
from ..report import ReportInput, ReportKind
from ._case import handling_rows, people, reported, row

FIELDS = (Field("remarks", "备注", "paragraphs", required=False),)


def make(given: ReportInput) -> Composition:
    case = given.case
    assert case is not None
    if case.row["channel"] not in ("来信", "举报箱", "网上"):
        raise Refused(f"信访件 {case.case_id} 的来源是{case.row['channel']}，{KIND.name}只用于来信、举报箱或网上件")
    return Composition(
        title="信访登记处理单",
        rows=[
            row("收信日期", cn_date(case.row["received"])),
            row("来源", case.row["channel"]),
            row("来信人", people(case, "name") or "匿名"),
            row("地址", people(case, "address")),
            row("联系电话", people(case, "phone")),
            row("被反映人", reported(case)),
            row("问题类别", f"{case.row['category']}（{case.row['importance']}）"),
            row("内容摘要", case.parties["summary"]),
            row("办理期限", cn_date(case.row["deadline"])),
            *handling_rows(case),
            row("备注", *given.values.get("remarks", [])),
        ],
    )


KIND = ReportKind("letter-card", "来信处理单", "form", "case", "来信的登记、拟办、批示和办理去向", FIELDS, make)
