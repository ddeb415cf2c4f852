"""答复意见书: the request, the facts and reasons, the decision and its basis, and the right to 复查."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import NOTICE_FIELDS, notice_defaults, notice_opening

FIELDS = (
    *NOTICE_FIELDS,
    Field("request", "投诉请求", "paragraphs"),
    Field("facts", "事实和理由", "paragraphs"),
    Field("decision", "处理意见及依据", "paragraphs"),
    Field("review_office", "复查机关", source="xinfang.toml 的 documents.review_office", max_length=100),
    Field("review_days", "申请复查的期限（日）", "integer", source="固定为30日"),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    return {**notice_defaults(facts), "review_office": facts.settings.get("review_office"), "review_days": 30}


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="信访事项答复意见书",
        recipient=values["petitioner"],
        body=[
            f"{notice_opening(values)}，本机关已依规办理完毕。现答复如下：",
            {"level": 1, "text": "一、投诉请求"}, *values["request"],
            {"level": 1, "text": "二、事实和理由"}, *values["facts"],
            {"level": 1, "text": "三、处理意见及依据"}, *values["decision"],
            f"如对本答复意见不服，可以自收到本答复意见书之日起{values['review_days']}日内，"
            f"向{values['review_office']}提出复查申请。",
        ],
    )


KIND = DocumentKind("reply", "答复意见书", "letter", "复", "petitioner",
                    "答复信访人：投诉请求、事实和理由、处理意见及依据、复查权利", FIELDS, defaults, compose)
