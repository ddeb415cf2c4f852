"""来访登记表: a visit as the receptionist took it down, with the handling it received."""

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
    if case.row["channel"] not in ("来访",):
        raise Refused(f"信访件 {case.case_id} 的来源是{case.row['channel']}，{KIND.name}只用于来访件")
    count, names = case.row["people"], people(case, "name")
    if count and count > 1:
        visitors = f"{names}等{count}人" if names else f"{count}人（未留姓名）"
    else:
        visitors = names or "未留姓名"
    return Composition(
        title="来访登记表",
        rows=[
            row("来访日期", cn_date(case.row["received"])),
            row("来访人", visitors),
            row("代表人数", str(case.row["representatives"] or "")),
            row("身份证号", people(case, "id_number")),
            row("联系电话", people(case, "phone")),
            row("住址", people(case, "address")),
            row("工作单位", people(case, "work_unit")),
            row("被反映人", reported(case)),
            row("问题类别", f"{case.row['category']}（{case.row['importance']}）"),
            row("反映问题", case.parties["summary"]),
            row("接待人", case.row["first_receiver"]),
            *handling_rows(case),
            row("备注", *given.values.get("remarks", [])),
        ],
    )


KIND = ReportKind("visit-register", "来访登记表", "form", "case", "来访件的登记与办理情况", FIELDS, make)
