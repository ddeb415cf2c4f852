"""听证会议纪要: who attended, the five steps of the hearing with statements and evidence, and the ruling.

The office's procedure: 1 纪委 presents the case; 2 the petitioner, then the
respondent, state their views with evidence; 3 witnesses say what they know;
4 the functional departments answer; 5 the ruling is announced — or, when the
matter is complex, a department is named with a deadline to report back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import cn_date

FIELDS = (
    Field("meeting_name", "会议名称（×××纪要的×××）", source="机关名称加“信访听证会议”", max_length=60),
    Field("matter", "听证事项", max_length=200),
    Field("held_on", "会议日期", "date"),
    Field("place", "会议地点", max_length=100),
    Field("chair", "主持人", max_length=64),
    Field("attendees", "出席", "list"),
    Field("observers", "列席", "list", required=False),
    Field("on_leave", "请假", "list", required=False),
    Field("presentation", "纪委介绍案情", "paragraphs"),
    Field("petitioner_statement", "信访人陈述", "paragraphs"),
    Field("petitioner_evidence", "信访人提供的证据", "list", required=False),
    Field("respondent_statement", "被信访人陈述", "paragraphs"),
    Field("respondent_evidence", "被信访人提供的证据", "list", required=False),
    Field("witness_statement", "知情人说明", "paragraphs", required=False),
    Field("department_answer", "职能部门答复", "paragraphs"),
    Field("ruling", "裁定结果", "paragraphs", required=False),
    Field("deferred_department", "负责进一步办理的部门（未当场裁定时）", required=False, max_length=100),
    Field("deferred_deadline", "反馈期限（未当场裁定时）", "date", required=False),
    Field("deferred_feedback", "反馈要求（未当场裁定时）", required=False, max_length=500),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    return {"meeting_name": f"{facts.organisation}信访听证会议"}


def _statement(values: Mapping[str, Any], statement: str, evidence: str) -> list[str]:
    paragraphs = list(values[statement])
    if values.get(evidence):
        paragraphs.append("提供的证据：" + "；".join(values[evidence]) + "。")
    return paragraphs


def check(values: Mapping[str, Any]) -> list[str]:
    """Step 5 is a ruling, or a named department with a deadline to report back — one of the two."""
    if values.get("ruling") or (values.get("deferred_department") and values.get("deferred_deadline")):
        return []
    return ["听证会议须有裁定结果（ruling），或指定负责进一步办理的部门和反馈期限（deferred_department、deferred_deadline）"]


def _ruling(values: Mapping[str, Any]) -> list[str]:
    if values.get("ruling"):
        return ["会议当场宣布裁定结果如下：", *values["ruling"]]
    feedback = values.get("deferred_feedback") or "查清事实，提出处理意见"
    return [f"因案情复杂，会议未当场裁定，决定由{values['deferred_department']}负责进一步办理，{feedback}，"
            f"于{cn_date(values['deferred_deadline'])}前将结果反馈本机关。"]


def compose(values: Mapping[str, Any]) -> Composition:
    witnesses = values.get("witness_statement") or ["本次听证无知情人到会说明。"]
    return Composition(
        title=f"关于{values['matter']}的听证会议纪要",
        meeting_name=values["meeting_name"],
        body=[
            f"{cn_date(values['held_on'])}，{values['chair']}在{values['place']}主持召开信访听证会议，"
            f"就{values['matter']}进行听证。现将会议情况纪要如下：",
            {"level": 1, "text": "一、纪委介绍案情"}, *values["presentation"],
            {"level": 1, "text": "二、信访人和被信访人陈述"},
            {"level": 2, "text": "（一）信访人陈述"}, *_statement(values, "petitioner_statement", "petitioner_evidence"),
            {"level": 2, "text": "（二）被信访人陈述"},
            *_statement(values, "respondent_statement", "respondent_evidence"),
            {"level": 1, "text": "三、知情人说明"}, *witnesses,
            {"level": 1, "text": "四、职能部门答复"}, *values["department_answer"],
            {"level": 1, "text": "五、裁定"}, *_ruling(values),
        ],
        attendees="、".join(values["attendees"]),
        observers="、".join(values.get("observers", [])),
        on_leave="、".join(values.get("on_leave", [])),
    )


KIND = DocumentKind("hearing-minutes", "听证会议纪要", "minutes", "听", "internal",
                    "信访听证会议纪要：出席/列席/请假，五个步骤，裁定或指定部门限期反馈", FIELDS, defaults, compose,
                    check)
