"""信访工作月报告登记表: the month's numbers and the year's so far, due by the 5th; a zero report when empty.

Its foot carries an audit checkpoint signed the moment the report is made, so
the printed report anchors the log: anyone can later check that the archive
still agrees with what was reported (``xinfang audit verify --against``).
"""

from __future__ import annotations

from datetime import date, timedelta

from archive.auditing import export_checkpoint
from archive.statistics import counts_for

from ..fields import Field
from ..kind import Composition
from ..layout import format_date
from ..report import ReportInput, ReportKind
from ._counts import count_rows, period_text

FIELDS = (
    Field("filled_by", "填报人", source="当前用户", max_length=64),
    Field("remarks", "说明", "paragraphs", required=False),
)
REPORT_DAY = 5


def defaults(given: ReportInput) -> dict[str, object]:
    return {"filled_by": given.session.account.name}


def make(given: ReportInput) -> Composition:
    assert given.period is not None
    start, end = given.period
    month, year = counts_for(given.archive, given.session, [(start, end), (date(end.year, 1, 1), end)])
    due = (end + timedelta(days=1)).replace(day=REPORT_DAY)
    notes = list(given.values.get("remarks", []))
    if month.empty:
        notes.insert(0, "本月无信访举报事项，特此零报告。")
    notes.append(f"报送期限：{format_date(due)}前。填报人：{given.values['filled_by']}。填报日期：{format_date(given.today)}。")
    checkpoint = export_checkpoint(given.archive, given.session)
    notes += ["以下审计检查点可抄存后用 xinfang audit verify --against 核对：", *checkpoint.splitlines()]
    return Composition(
        title=f"信访工作月报告登记表（{end.year}年{end.month}月）",
        subtitle=[f"填报单位：{given.archive.config.organisation}", f"统计期间：{period_text(month)}"],
        columns=["项目", "本月", "本年累计"],
        widths=[3, 1, 1],
        rows=[[label, str(value), str(total)]
              for (label, value), (_, total) in zip(count_rows(month), count_rows(year), strict=True)],
        notes=notes,
    )


KIND = ReportKind("monthly-report", "信访工作月报告登记表", "table", "month", "每月5日前报上月：本月与本年累计；无事项时零报告",
                  FIELDS, make, defaults)
