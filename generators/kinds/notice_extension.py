"""延期告知书: why handling takes longer, and the new deadline approved by a leader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import NOTICE_FIELDS, cn_date, notice_defaults, notice_opening

FIELDS = (
    *NOTICE_FIELDS,
    Field("reason", "延期理由", source="延期记录中的延期理由", max_length=500),
    Field("original_deadline", "原办理期限", "date", source="延期前的办理期限"),
    Field("new_deadline", "延长后的办理期限", "date", source="延期记录中的新期限"),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    extension = facts.extension or {}
    return {**notice_defaults(facts), "reason": extension.get("reason"),
            "original_deadline": extension.get("previous"), "new_deadline": extension.get("deadline")}


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="延期办理告知书",
        recipient=values["petitioner"],
        body=[
            f"{notice_opening(values)}，因{values['reason']}，不能在{cn_date(values['original_deadline'])}前办结。"
            f"根据有关规定，经本机关负责人批准，办理期限延长至{cn_date(values['new_deadline'])}。",
            "办结后，本机关将及时告知你办理结果。",
            "特此告知。",
        ],
    )


KIND = DocumentKind("notice-extension", "延期告知书", "letter", "告", "petitioner",
                    "告知信访人：延期的理由和新的办理期限", FIELDS, defaults, compose)
