"""归档文件目录 (DA/T 22-2015): one line per 件 — 件号, 文号, 责任者, 题名, 日期, 页数, 密级, 备注.

Dates are eight digits (20261128), as DA/T 22 writes them.  件号 start again in each
retention period, so the list prints them with their period (``D30-0001``, ``Y-0001``).
"""

from __future__ import annotations

from ..fields import Field
from ..kind import Composition
from ..kinds import KINDS
from ..report import ReportInput, ReportKind
from ._box import filed_items

FIELDS = (Field("author", "本机关以外材料的责任者", source="“信访人”或“承办单位”按材料类别", required=False,
                max_length=64),)
_OWN_KINDS = {kind.id for kind in KINDS} | {"signed-draft"}


def _author(kind: str, organisation: str) -> str:
    if kind in _OWN_KINDS:
        return organisation
    return {"report": "承办单位", "letter": "信访人", "visit-record": "信访室", "phone-record": "信访室"}.get(kind, "")


def _item_number(code: str) -> str:
    """``D30-0007``: 件号 restart per retention period, so the period goes with the number."""
    period, number = code.rsplit("-", 3)[-3], code.rsplit("-", 1)[-1]
    return f"{period}-{number}"


def make(given: ReportInput) -> Composition:
    items = filed_items(given)
    organisation = given.archive.config.organisation
    rows = [[_item_number(item.record.archival_code or ""), item.number,
             given.values.get("author") or _author(item.record.kind, organisation), item.record.title,
             item.record.formed.replace("-", ""), "", item.record.classification, ""]
            for item in items]
    return Composition(
        title="归档文件目录",
        subtitle=[f"全宗号：{given.archive.config.fonds}　信访件：{given.case.case_id if given.case else ''}"],
        columns=["件号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注"],
        widths=[16, 27, 22, 37, 20, 11.4, 11.3, 11.3],  # millimetres of the 156 mm type area, at 小四
        rows=rows,
        notes=[f"共{len(items)}件。页数以纸质件为准，由整理人填写。"],
    )


KIND = ReportKind("file-list", "归档文件目录", "table", "case", "一盒的归档文件目录：件号、文号、责任者、题名、日期、页数、密级",
                  FIELDS, make)
