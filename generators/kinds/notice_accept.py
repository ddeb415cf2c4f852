"""受理告知书: the petition is accepted, who handles it, and by when the petitioner hears the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import NOTICE_FIELDS, cn_date, notice_defaults, notice_opening

FIELDS = (
    *NOTICE_FIELDS,
    Field("accepted_on", "受理日期", "date", source="今天"),
    Field("handler", "承办部门", source="交办记录中的承办单位，未交办时为本机关信访室", max_length=100),
    Field("deadline", "办理期限", "date", source="信访件的办理期限"),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    handler = facts.assignment["unit"] if facts.assignment else "本机关信访室"
    return {**notice_defaults(facts), "accepted_on": facts.as_of, "handler": handler, "deadline": facts.deadline}


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="受理告知书",
        recipient=values["petitioner"],
        body=[
            f"{notice_opening(values)}，本机关已于{cn_date(values['accepted_on'])}依规受理，"
            f"由{values['handler']}负责办理，将于{cn_date(values['deadline'])}前将办理结果告知你。",
            "办理期间，如有新的情况或者证据，可以向本机关信访室反映。本机关对你的信访举报内容和个人信息严格保密。",
            "特此告知。",
        ],
    )


KIND = DocumentKind("notice-accept", "受理告知书", "letter", "告", "petitioner",
                    "告知信访人：已受理、由谁办理、何时告知结果", FIELDS, defaults, compose)
