"""What the case-based registers print: people, the handling opinions, the result — as one form row each."""

from __future__ import annotations

from typing import Any

from archive.cases import CaseFile
from archive.handling import latest

from ..kinds._common import cn_date

__all__ = ["handling_rows", "people", "reported", "row"]


def row(label: str, *lines: str) -> dict[str, Any]:
    """One form row; an empty answer still prints its line."""
    return {"label": label, "lines": [line for line in lines if line] or [""]}


def people(case: CaseFile, key: str) -> str:
    """One field of every petitioner, joined: ``张秀兰、李某``."""
    return "、".join(str(p.get(key) or "") for p in case.parties["petitioners"] if p.get(key))


def reported(case: CaseFile) -> str:
    """被反映人 with unit and post: ``张大山（红庆河镇镇长）``."""
    return "、".join(
        p["name"] + (f"（{''.join(filter(None, (p.get('unit'), p.get('post'))))}）" if p.get("unit") or p.get("post")
                     else "")
        for p in case.parties["reported"]
    )


def _text(case: CaseFile, kind: str) -> str:
    event = latest(case, kind)
    if event is None:
        return ""
    text = event["text"] or ""
    return f"{text}（{cn_date(event['on_date'])}，{event['actor']}）" if text else cn_date(event["on_date"])


def handling_rows(case: CaseFile) -> list[dict[str, Any]]:
    """拟办意见, 领导批示, 承办单位 and 办理结果 as far as the case has got."""
    assignment = latest(case, "assign")
    unit = f"{assignment['data']['unit']}（{assignment['data']['series']}）" if assignment else ""
    result = _text(case, "reply") or _text(case, "accept") or _text(case, "report")
    return [row("拟办意见", _text(case, "propose")), row("领导批示", _text(case, "instruct")),
            row("承办单位", unit), row("办理结果", result)]
