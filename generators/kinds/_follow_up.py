"""督办函 and 催办函 share their fields: the original letter, why it is followed up, and a new report date."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ._common import cn_date

__all__ = ["FIELDS", "FOLLOW_UP_DAYS", "as_written", "follow_up_defaults", "original_reference", "overdue"]

FOLLOW_UP_DAYS = 15
"""Default days the unit is given by a 督办/催办 to report."""

FIELDS = (
    Field("case_id", "信访件编号", source="信访件编号", max_length=64),
    Field("unit", "承办单位", source="交办记录中的承办单位", max_length=100),
    Field("original_number", "原交办函发文字号", required=False, source="发文登记簿中本件的交办函", max_length=40),
    Field("original_date", "原交办日期", "date", source="发文登记簿中交办函的签发日期，否则为交办记录的日期"),
    Field("trigger", "事由", "paragraphs", source="信访件当前的督办、催办情形"),
    Field("days_overdue", "逾期天数", "integer", required=False, source="报结期限到今天的天数"),
    Field("new_due", "新的报结期限", "date", source=f"今天起{FOLLOW_UP_DAYS}日"),
)


_ISO_DATE = re.compile(r"\s*(\d{4}-\d{2}-\d{2})\s*")
_SPACE_BY_HAN = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s+|\s+(?=[\u3000-\u9fff\uff00-\uffef])")


def as_written(reason: str) -> str:
    """A register's reason as a letter says it: ``自2026年10月12日起已满一个月未报结。``.

    The register prints ISO dates with spaces around numbers for the screen;
    a document writes dates as GB/T 9704 does and sets no spaces in Chinese text.
    """
    text = _SPACE_BY_HAN.sub("", _ISO_DATE.sub(lambda m: cn_date(m[1]), reason)).strip()
    return text if text.endswith(("。", "！", "？")) else f"{text}。"


def follow_up_defaults(facts: CaseFacts, reasons: list[str]) -> dict[str, Any]:
    """Defaults from the original letter in the register, or else the assignment record."""
    original = facts.original_letter()
    assignment = facts.assignment or {}
    return {
        "case_id": facts.case_id,
        "unit": assignment.get("unit"),
        "original_number": original.document_number if original else None,
        "original_date": original.signed_on if original else assignment.get("on_date"),
        "trigger": [as_written(reason) for reason in reasons] or None,
        "days_overdue": facts.days_overdue(),
        "new_due": facts.as_of + timedelta(days=FOLLOW_UP_DAYS),
    }


def original_reference(values: Mapping[str, Any]) -> str:
    """``本机关于2026年10月9日以伊纪群字〔2026〕3号函交办你单位的信访举报件（编号XF-2026-0001）``."""
    letter = f"以{values['original_number']}函" if values.get("original_number") else ""
    return (f"本机关于{cn_date(values['original_date'])}{letter}交办你单位的信访举报件"
            f"（编号{values['case_id']}）")


def overdue(values: Mapping[str, Any]) -> str:
    """``已逾期12日，`` when the unit is past its report date, else nothing."""
    return f"已逾期{values['days_overdue']}日，" if values.get("days_overdue") else ""
