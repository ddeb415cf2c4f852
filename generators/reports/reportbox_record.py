"""举报箱开启记录: who opened the box, when, how many letters came out, and the weeks it stayed shut."""

from __future__ import annotations

from datetime import date, timedelta

from archive.errors import NotFound
from archive.reportbox import list_openings, weeks_without_opening

from ..fields import Field
from ..kind import Composition
from ..layout import format_date
from ..report import ReportInput, ReportKind
from ._case import row

FIELDS = (Field("remarks", "备注", "paragraphs", required=False),)
LOOKBACK_DAYS = 366


def make(given: ReportInput) -> Composition:
    openings = list_openings(given.archive, given.today - timedelta(days=LOOKBACK_DAYS), given.today)
    chosen = [o for o in openings if given.opening in (None, o.opening_id)]
    if not chosen:
        raise NotFound("没有这次举报箱开启记录" if given.opening else "近一年没有举报箱开启记录")
    opening = chosen[-1]
    earlier = [o for o in openings if o.opened_on < opening.opened_on]
    since: date = earlier[-1].opened_on if earlier else opening.opened_on
    gaps = weeks_without_opening(earlier[-1:], since, opening.opened_on) if earlier else []
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
