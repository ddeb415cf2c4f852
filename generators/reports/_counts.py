"""The rows the monthly report and the quarterly bulletin print from :class:`archive.statistics.PeriodCounts`."""

from __future__ import annotations

from archive.statistics import PeriodCounts

from ..layout import format_date

__all__ = ["count_rows", "period_text"]


def period_text(counts: PeriodCounts) -> str:
    """``2026年10月1日至2026年10月31日``."""
    return f"{format_date(counts.start)}至{format_date(counts.end)}"


def count_rows(counts: PeriodCounts) -> list[tuple[str, int]]:
    """(项目, 件数) in the order the offices report them; each label names its section (来源：来信)."""
    rows: list[tuple[str, int]] = [("收件总数", counts.received)]
    rows += [(f"来源：{channel}", value) for channel, value in counts.by_channel.items()]
    rows += [(f"类别：{category}", value) for category, value in counts.by_category.items()]
    rows += [
        ("重要信访件", counts.by_importance.get("重要", 0)),
        ("署实名", counts.real_name),
        ("集体访（5人以上）", counts.collective),
        ("重复信访", counts.repeat),
        ("重大信访事项", counts.major),
        ("领导接访", counts.leader_reception),
    ]
    rows += [(f"拟办：{route}", value) for route, value in counts.by_route.items()]
    rows += [(f"交办：{series}", value) for series, value in counts.by_series.items()]
    rows += [
        ("办结", counts.closed),
        ("退回重报", counts.returned),
        ("督办", counts.supervised),
        ("催办", counts.reminded),
        ("逾期未办结（期末）", counts.overdue),
    ]
    return rows
