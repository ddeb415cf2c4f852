"""督办函: formal supervision of an assigned case, citing the original letter and the trigger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..kind import Composition, DocumentKind
from ._common import cn_date
from ._follow_up import FIELDS, follow_up_defaults, original_reference, overdue


def defaults(facts: CaseFacts) -> dict[str, Any]:
    return follow_up_defaults(facts, facts.supervision_reasons)


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="关于督办信访举报件的函",
        recipient=values["unit"],
        body=[
            f"{original_reference(values)}，{overdue(values)}经查存在以下情形：",
            *values["trigger"],
            "根据有关规定，现予督办。请你单位高度重视，主要负责同志亲自过问，"
            f"于{cn_date(values['new_due'])}前将查处结果书面报告本机关。逾期不报或者敷衍塞责的，将按照有关规定追究责任。",
        ],
    )


KIND = DocumentKind("supervision", "督办函", "letter", "督", "unit",
                    "督办：逾期不报、报结不合要求、重复信访、久拖不决或领导要求时", FIELDS, defaults, compose)
