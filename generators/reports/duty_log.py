"""值班记录: the holiday duty — who was on duty, what came in, what was done, what was handed over."""

from __future__ import annotations

from archive.cases import deadline_rules
from archive.errors import InvalidInput

from ..fields import Field
from ..kind import Composition
from ..layout import format_date
from ..report import ReportInput, ReportKind
from ._case import row

FIELDS = (
    Field("on_duty", "值班人员", "list"),
    Field("leader", "带班领导", max_length=64),
    Field("events", "来信来访来电情况", "paragraphs", source="“无”"),
    Field("handling", "处理情况", "paragraphs", required=False),
    Field("handover", "交接班事项", "paragraphs", required=False),
)


def defaults(given: ReportInput) -> dict[str, object]:
    return {"events": "无"}


def make(given: ReportInput) -> Composition:
    day = given.day
    assert day is not None
    if deadline_rules(given.archive).calendar.is_working_day(day):
        raise InvalidInput(f"{format_date(day)}是工作日；值班记录用于节假日和休息日")
    values = given.values
    return Composition(
        title="节假日值班记录",
        rows=[
            row("值班日期", format_date(day)),
            row("值班人员", "、".join(values["on_duty"])),
            row("带班领导", values["leader"]),
            row("来信来访来电", *values["events"]),
            row("处理情况", *values.get("handling", [])),
            row("交接班事项", *values.get("handover", [])),
        ],
    )


KIND = ReportKind("duty-log", "值班记录", "form", "day", "节假日值班：值班人员、来信来访来电及处理、交接", FIELDS, make,
                  defaults)
