"""盒脊 (box-spine label): 全宗号, 年度, 保管期限, 起止件号 and 盒号, one box per retention period."""

from __future__ import annotations

from itertools import groupby

from archive.retention import Retention

from ..fields import Field
from ..kind import Composition
from ..report import ReportInput, ReportKind
from ._box import filed_items

FIELDS = (Field("first_box", "起始盒号", "integer", source="1"),)


def defaults(given: ReportInput) -> dict[str, object]:
    return {"first_box": 1}


def make(given: ReportInput) -> Composition:
    items = filed_items(given)

    def series(code: str) -> str:
        return code.rsplit("-", 2)[0] + "-" + code.rsplit("-", 2)[1]  # 全宗号-门类·年度-期限

    rows = []
    by_series = groupby(sorted(item.record.archival_code or "" for item in items), key=series)
    for box, (key, codes) in enumerate(by_series, start=given.values["first_box"]):
        numbers = [code.rsplit("-", 1)[-1] for code in codes]
        fonds, category_year, period = key.split("-")[:3]
        rows.append([fonds, category_year.split("·")[-1], Retention(period).label, f"{numbers[0]}—{numbers[-1]}",
                     str(box)])
    return Composition(
        title="档案盒盒脊",
        columns=["全宗号", "年度", "保管期限", "起止件号", "盒号"],
        widths=[1, 1, 1.2, 1.6, 0.8],
        rows=rows,
        notes=["沿表格外框剪下，贴于档案盒盒脊。"],
    )


KIND = ReportKind("box-label", "盒脊标签", "table", "case", "档案盒盒脊：全宗号、年度、保管期限、起止件号、盒号", FIELDS, make,
                  defaults)
