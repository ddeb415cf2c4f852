"""转办函 (纪信字): the matter from the 转出摘要 only, handled by the unit with feedback and no result report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import unit_letter_fields

FIELDS = (
    Field("case_id", "信访件编号", source="信访件编号", max_length=64),
    *unit_letter_fields(report=False),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    assignment = facts.assignment or {}
    return {"case_id": facts.case_id, "unit": assignment.get("unit"), "matter": facts.matter_for_units}


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="关于转办信访举报件的函",
        recipient=values["unit"],
        body=[
            f"现将信访举报件（编号{values['case_id']}）转你单位，请依照有关规定处理。",
            {"level": 1, "text": "一、反映的主要问题"}, *values["matter"],
            {"level": 1, "text": "二、办理要求"},
            "请你单位按照职责依规处理，并及时向本机关反馈办理情况。办理中应当严格保密，不得泄露信访举报人的任何信息。",
        ],
    )


KIND = DocumentKind("forward", "转办函", "letter", "信", "unit",
                    "纪信字转办：承办单位依规处理，反馈情况，不要求回报结果", FIELDS, defaults, compose)
