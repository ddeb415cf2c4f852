"""Retention periods (保管期限) and the schedule that picks one per record kind.

Codes follow DA/T 22-2015: Y 永久, D30 定期30年, D10 定期10年.  The period runs
from 1 January of the year after the record was formed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Any

from .errors import InvalidInput

__all__ = ["Retention", "disposal_date", "parse_retention", "scheduled_retention"]


class Retention(enum.Enum):
    """A retention period; the value is the code used in 档号."""

    PERMANENT = "Y"
    THIRTY_YEARS = "D30"
    TEN_YEARS = "D10"

    @property
    def label(self) -> str:
        """The Chinese name."""
        return {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}[self.value]

    @property
    def years(self) -> int | None:
        """Length in years; None for 永久."""
        return {"Y": None, "D30": 30, "D10": 10}[self.value]


_ALIASES = {
    "y": Retention.PERMANENT,
    "永久": Retention.PERMANENT,
    "d30": Retention.THIRTY_YEARS,
    "30年": Retention.THIRTY_YEARS,
    "定期30年": Retention.THIRTY_YEARS,
    "d10": Retention.TEN_YEARS,
    "10年": Retention.TEN_YEARS,
    "定期10年": Retention.TEN_YEARS,
}


def parse_retention(text: str) -> Retention:
    """A retention period by code (Y/D30/D10) or Chinese name (永久/30年/10年)."""
    retention = _ALIASES.get(text.strip().lower())
    if retention is None:
        raise InvalidInput(f"未知的保管期限“{text}”，可选：Y（永久）、D30（定期30年）、D10（定期10年）")
    return retention


def scheduled_retention(schedule: Mapping[str, Any], kind_id: str) -> Retention:
    """The default period for a kind from ``[retention]`` in xinfang.toml; 定期30年 when unlisted."""
    value = schedule.get(kind_id)
    if value is None:
        return Retention.THIRTY_YEARS
    if not isinstance(value, str):
        raise InvalidInput(f"xinfang.toml 中 retention.{kind_id} 应为 Y、D30 或 D10")
    return parse_retention(value)


def disposal_date(retention: Retention, formed: date) -> date | None:
    """The day the period has run out; None for 永久."""
    if retention.years is None:
        return None
    return date(formed.year + 1 + retention.years, 1, 1)
