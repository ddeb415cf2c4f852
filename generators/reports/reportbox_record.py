"""举报箱开启记录: who opened the box, when, how many letters came out, and the weeks it stayed shut."""

from __future__ import annotations

from datetime import date

from archive.reportbox import find_opening, list_openings, weeks_without_opening

from ..fields import Field
from ..kind import Composition
from ..layout import format_date
from ..report import ReportInput, ReportKind
from ._case import row

FIELDS = (Field("remarks", "备注", "paragraphs", required=False),)


def make(given: ReportInput) -> Composition:
    assert given.opening is not None
    opening = find_opening(given.archive, given.opening)
    earlier = [o for o in list_openings(given.archive, date.min, opening.opened_on)
               if (o.opened_on, o.opening_id) < (opening.opened_on, opening.opening_id)]
    gaps = weeks_without_opening(earlier[-1:] + [opening], earlier[-1].opened_on, opening.opened_on) if earlier else []
    missed = "；".join(f"{format_date(a)}至{format_date(b)}" for a, b in gaps) or "无"
    return Composition(
        title="举报箱开启记录",
        rows=[
            row("举报箱", opening.box),
            row("开启日期", format_date(opening.opened_on)),
            row("开启人", "、".join(opening.witnesses)),
            row("取出信件", f"{opening.letters}件"),
            row("上次开启", format_date(earlier[-1].opened_on) if earlier else "（无记录）"),
            row("未开启的周", missed),
            row("登记人", opening.recorded_by),
            row("备注", *given.values.get("remarks", [])),
        ],
    )


KIND = ReportKind("reportbox-record", "举报箱开启记录", "form", "opening", "每周开启一次、两人以上共同开启的记录",
                  FIELDS, make)
