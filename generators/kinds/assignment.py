"""交办函 (纪群字): the matter from the 转出摘要 only, what to investigate, the report date and its contents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import cn_date, numbered, unit_letter_fields

REPORT_CONTENTS = (
    "核查的主要过程、方法和所取得的证据材料",
    "对反映问题逐项核实的结论，回答信访人提出的问题",
    "违纪问题的事实、证据、定性、处理意见和依据，以及处理程序",
)
"""What a result report must contain: the three points the office checks a returned report on."""

FIELDS = (
    Field("case_id", "信访件编号", source="信访件编号", max_length=64),
    *unit_letter_fields(report=True),
    Field("requirements", "核查要求", "list", source="固定用语：认真核实、依规处理"),
    Field("report_contents", "报告应包括的内容", "list", source="三项审核要点"),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    assignment = facts.assignment or {}
    return {
        "case_id": facts.case_id, "unit": assignment.get("unit"), "matter": facts.matter_for_units,
        "report_due": facts.report_due,
        "requirements": ["对反映的问题逐项认真核实，做到事实清楚、证据确凿", "依规依纪依法提出处理意见"],
        "report_contents": list(REPORT_CONTENTS),
    }


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="关于交办信访举报件的函",
        recipient=values["unit"],
        body=[
            f"现将信访举报件（编号{values['case_id']}）交你单位办理。有关事项函告如下：",
            {"level": 1, "text": "一、反映的主要问题"}, *values["matter"],
            {"level": 1, "text": "二、核查要求"}, *numbered(values["requirements"]),
            {"level": 1, "text": "三、报结要求"},
            f"请于{cn_date(values['report_due'])}前将查处结果书面报告本机关。报告应当包括以下内容：",
            *numbered(values["report_contents"]),
            "因案情重大、复杂等原因不能按期查结的，应当在期限届满前书面申请延期。办理中应当严格保密，"
            "不得泄露信访举报人的任何信息。",
        ],
    )


KIND = DocumentKind("assignment", "交办函", "letter", "群", "unit",
                    "纪群字交办：要求承办单位查处并回报结果", FIELDS, defaults, compose)
