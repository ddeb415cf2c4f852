"""备考表: what the box holds, and who arranged and checked it, on which day."""

from __future__ import annotations

from ..fields import Field
from ..kind import Composition
from ..layout import format_date
from ..report import ReportInput, ReportKind
from ._box import filed_items
from ._case import row

FIELDS = (
    Field("arranged_by", "整理人", source="当前用户", max_length=64),
    Field("checked_by", "检查人", max_length=64),
    Field("remarks", "盒内文件情况说明", "paragraphs", required=False),
)


def defaults(given: ReportInput) -> dict[str, object]:
    return {"arranged_by": given.session.account.name}


def make(given: ReportInput) -> Composition:
    items = filed_items(given)
    codes = [item.record.archival_code or "" for item in items]
    situation = f"本盒共{len(items)}件，档号{codes[0]}至{codes[-1]}。"
    return Composition(
        title="备考表",
        rows=[
            row("盒内文件情况说明", situation, *given.values.get("remarks", [])),
            row("整理人", given.values["arranged_by"]),
            row("检查人", given.values["checked_by"]),
            row("日期", format_date(given.today)),
        ],
    )


KIND = ReportKind("notes-sheet", "备考表", "form", "case", "盒内文件情况说明、整理人、检查人、日期", FIELDS, make, defaults)
