"""重大信访事项实时报告: a flagged collective visit, reported upward at once."""

from __future__ import annotations

from archive.errors import Refused

from ..fields import Field
from ..kind import Composition
from ..kinds._common import cn_date
from ..report import ReportInput, ReportKind
from ._case import row

FIELDS = (
    Field("time", "发生时间", source="信访件的收件日期", max_length=60),
    Field("place", "地点", max_length=100),
    Field("actions", "已采取的措施", "paragraphs"),
    Field("next_steps", "下一步工作", "paragraphs", required=False),
)


def defaults(given: ReportInput) -> dict[str, object]:
    return {"time": cn_date(given.case.row["received"]) if given.case else None}


def make(given: ReportInput) -> Composition:
    case = given.case
    assert case is not None
    if not case.row["major_incident"]:
        raise Refused(f"信访件 {case.case_id} 未标记为重大信访事项（集体访等），不需实时报告")
    values = given.values
    return Composition(
        title="重大信访事项实时报告",
        rows=[
            row("发生时间", values["time"]),
            row("地点", values["place"]),
            row("人数", f"{case.row['people'] or ''}人，代表{case.row['representatives'] or ''}人"),
            row("主要诉求和经过", case.parties["summary"]),
            row("已采取的措施", *values["actions"]),
            row("下一步工作", *values.get("next_steps", [])),
            row("报告单位", given.archive.config.organisation),
            row("报告时间", cn_date(given.today.isoformat())),
        ],
    )


KIND = ReportKind("major-incident", "重大信访事项实时报告", "form", "case", "集体访等重大信访事项的实时报告",
                  FIELDS, make, defaults)
