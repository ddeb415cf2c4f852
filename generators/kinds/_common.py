"""Wording and fields the kinds share: dates as documents print them, the opening of a notice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..layout import format_date

__all__ = ["NOTICE_FIELDS", "cn_date", "notice_defaults", "notice_opening", "numbered", "unit_letter_fields"]

NOTICE_FIELDS = (
    Field("petitioner", "收件信访人", source="信访件登记的第一名信访人", max_length=64),
    Field("received", "收件日期", "date", source="信访件的收件日期"),
    Field("channel", "信访形式", source="信访件的来源渠道", max_length=10),
    Field("matter", "反映事项", source="固定用语“有关问题”", max_length=200),
)
"""The addressee and the petition a notice to a petitioner answers."""


def cn_date(iso: str) -> str:
    """A stored ISO date as documents print it: ``2026年11月5日``."""
    return format_date(date.fromisoformat(iso))


def notice_defaults(facts: CaseFacts) -> dict[str, Any]:
    """Defaults of :data:`NOTICE_FIELDS` from the case."""
    return {"petitioner": facts.first_petitioner(), "received": facts.received, "channel": facts.channel,
            "matter": "有关问题"}


def notice_opening(values: Mapping[str, Any]) -> str:
    """``你于2026年11月2日以来信形式反映的有关问题``: how every notice names the petition."""
    return f"你于{cn_date(values['received'])}以{values['channel']}形式反映的{values['matter']}"


def numbered(items: list[str]) -> list[str]:
    """Items as ``1.…`` paragraphs (the standard's third heading level, 仿宋)."""
    return [f"{n}.{item}" for n, item in enumerate(items, 1)]


def unit_letter_fields(report: bool) -> tuple[Field, ...]:
    """The unit and the matter of a letter to a handling unit; the matter is the 转出摘要 only."""
    fields = (
        Field("unit", "承办单位", source="交办记录中的承办单位", max_length=100),
        Field("matter", "反映的主要问题（转出摘要）", "paragraphs",
              source="信访件的转出摘要；署实名件只能用转出摘要，匿名件无摘要时用登记摘要"),
    )
    return fields + ((Field("report_due", "报结期限", "date", source="交办时计算的报结期限"),) if report else ())
