"""催办函: the monthly reminder of an open 纪群字 assignment past due or without a report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..kind import Composition, DocumentKind
from ._common import cn_date
from ._follow_up import FIELDS, follow_up_defaults, original_reference, overdue


def defaults(facts: CaseFacts) -> dict[str, Any]:
    return follow_up_defaults(facts, facts.reminder_reasons)


def compose(values: Mapping[str, Any]) -> Composition:
    return Composition(
        title="关于催报信访举报件查处结果的函",
        recipient=values["unit"],
        body=[
            f"{original_reference(values)}，至今未报送查处结果，{overdue(values)}情况如下：",
            *values["trigger"],
            f"请你单位抓紧办理，于{cn_date(values['new_due'])}前将查处结果书面报告本机关；"
            "确因案情复杂不能按期办结的，应当书面说明理由并申请延期。",
        ],
    )


KIND = DocumentKind("reminder", "催办函", "letter", "催", "unit",
                    "催办：纪群字交办件每月一次，逾期或未报结时", FIELDS, defaults, compose)
