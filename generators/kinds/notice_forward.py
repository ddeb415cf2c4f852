"""转办告知书: the matter went to the unit responsible for it, on which day."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import NOTICE_FIELDS, cn_date, notice_defaults, notice_opening

FIELDS = (
    *NOTICE_FIELDS,
    Field("unit", "转往单位", source="交办记录中的承办单位", max_length=100),
    Field("forwarded_on", "转办日期", "date", source="交办记录的日期"),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    assignment = facts.assignment or {}
    return {**notice_defaults(facts), "unit": assignment.get("unit"), "forwarded_on": assignment.get("on_date")}


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="转办告知书",
        recipient=values["petitioner"],
        body=[
            f"{notice_opening(values)}，属于{values['unit']}的职责范围。根据有关规定，本机关已于"
            f"{cn_date(values['forwarded_on'])}转交{values['unit']}办理。",
            f"请你与{values['unit']}联系，了解办理情况。",
            "特此告知。",
        ],
    )


KIND = DocumentKind("notice-forward", "转办告知书", "letter", "告", "petitioner",
                    "告知信访人：已转往哪个单位、何时转出", FIELDS, defaults, compose)
