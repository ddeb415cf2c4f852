"""信访谈话登记表: filled in after a 信访谈话 and sent to the leader for review (报领导审结)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind

TALK_KINDS = ("核实", "告诫", "批评教育·限期整改", "领导交办")
MODES = ("当面", "下访")
OUTCOMES = ("归入信访档案", "移交廉政档案", "移交案件检查部门")

FIELDS = (
    Field("talk_kind", "谈话类别", "choice", choices=TALK_KINDS),
    Field("mode", "谈话方式", "choice", choices=MODES, source="当面"),
    Field("lead", "主谈人", max_length=64),
    Field("others", "其他谈话人", "list", required=False),
    Field("interviewee", "被谈话人", source="信访件登记的第一名被反映人", max_length=64),
    Field("post", "被谈话人单位及职务", source="被反映人登记的单位和职务", max_length=100),
    Field("talk_time", "谈话时间", max_length=60),
    Field("place", "谈话地点", max_length=100),
    Field("matters", "谈话事项", "paragraphs"),
    Field("answers", "被谈话人回答", "paragraphs"),
    Field("materials", "提供的材料", "list", required=False),
    Field("funds", "违纪款物处理情况", required=False, max_length=500),
    Field("outcome", "处理结果", "choice", choices=OUTCOMES),
    Field("review", "领导审结意见", "paragraphs", required=False),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    post = "".join(filter(None, (facts.first_reported("unit"), facts.first_reported("post")))) or None
    return {"mode": "当面", "interviewee": facts.first_reported(), "post": post}


def compose(values: Mapping[str, Any]) -> Composition:
    def row(label: str, *lines: str) -> dict[str, Any]:
        return {"label": label, "lines": list(lines) or [""]}

    return Composition(
        title="信访谈话登记表",
        rows=[
            row("谈话类别", values["talk_kind"]),
            row("谈话方式", values["mode"]),
            row("主谈人", values["lead"]),
            row("其他谈话人", "、".join(values.get("others", []))),
            row("被谈话人", values["interviewee"]),
            row("单位及职务", values["post"]),
            row("谈话时间", values["talk_time"]),
            row("谈话地点", values["place"]),
            row("谈话事项", *values["matters"]),
            row("被谈话人回答", *values["answers"]),
            row("提供的材料", "；".join(values.get("materials", []))),
            row("违纪款物处理", values.get("funds", "无")),
            row("处理结果", values["outcome"]),
            row("领导审结意见", *values.get("review", [])),
        ],
    )


KIND = DocumentKind("talk-form", "信访谈话登记表", "form", "谈记", "internal",
                    "信访谈话后填写，报领导审结：类别、方式、谈话人、事项、回答、材料、款物、处理结果",
                    FIELDS, defaults, compose)
