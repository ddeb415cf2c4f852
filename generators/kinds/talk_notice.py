"""信访谈话通知书: tells the cadre when and where the 信访谈话 is, and what to bring — never who reported."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import numbered

FIELDS = (
    Field("cadre", "被谈话人", source="信访件登记的第一名被反映人", max_length=64),
    Field("talk_time", "谈话时间", max_length=60),
    Field("place", "谈话地点", max_length=100),
    Field("bring", "需携带的材料", "list", required=False),
    Field("contact", "联系人及电话", required=False, source="xinfang.toml 的 documents.contact", max_length=100),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    return {"cadre": facts.first_reported(), "contact": facts.settings.get("contact")}


def compose(values: Mapping[str, Any]) -> Composition:
    body = [f"根据有关规定，经本机关领导批准，定于{values['talk_time']}在{values['place']}与你进行信访谈话，"
            "了解核实有关情况。请你准时到场，如实说明情况，不得推诿、拖延。"]
    if values.get("bring"):
        body += ["请携带以下材料：", *numbered(values["bring"])]
    if values.get("contact"):
        body.append(f"联系人及电话：{values['contact']}")
    body.append("特此通知。")
    return Composition(title="信访谈话通知书", recipient=f"{values['cadre']}同志", body=body)


KIND = DocumentKind("talk-notice", "信访谈话通知书", "letter", "谈", "cadre",
                    "通知被反映的干部：谈话时间、地点、需携带的材料", FIELDS, defaults, compose)
