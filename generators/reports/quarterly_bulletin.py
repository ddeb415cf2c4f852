"""信访情况通报: the quarter's counts by channel, category and unit, and the overdue, returned and supervised."""

from __future__ import annotations

from archive.statistics import counts_for

from ..fields import Field
from ..kind import Composition
from ..layout import format_date
from ..report import ReportInput, ReportKind
from ._counts import count_rows, period_text

FIELDS = (Field("remarks", "工作要求", "paragraphs", required=False),)


def make(given: ReportInput) -> Composition:
    assert given.period is not None
    (counts,) = counts_for(given.archive, given.session, [given.period])
    quarter = (counts.start.month - 1) // 3 + 1
    total = counts.received or 1

    def share(value: int) -> str:
        return f"{value * 100 / total:.1f}%" if counts.received else "—"

    rows = [[label, str(value), share(value) if label != "收件总数" else "100%" if counts.received else "—"]
            for label, value in count_rows(counts)]
    rows += [[f"承办单位：{unit}", f"交办{u.assigned} 报结{u.reported} 逾期{u.overdue}", ""]
             for unit, u in sorted(counts.by_unit.items())]
    summary = (f"{period_text(counts)}，本机关共受理信访举报{counts.received}件，办结{counts.closed}件；"
               f"逾期未办结{counts.overdue}件，退回重报{counts.returned}件，督办{counts.supervised}件，"
               f"催办{counts.reminded}件；领导接访{counts.leader_reception}批次。")
    return Composition(
        title=f"{counts.start.year}年第{quarter}季度信访情况通报",
        subtitle=[f"{given.archive.config.organisation}　{format_date(given.today)}"],
        columns=["项目", "件数", "占收件比例"],
        widths=[3, 2, 1],
        rows=rows,
        notes=[summary, *given.values.get("remarks", [])],
    )


KIND = ReportKind("quarterly-bulletin", "信访情况通报", "table", "quarter", "每季度第一周通报上季度：按渠道、类别、承办单位",
                  FIELDS, make)
