"""Making a register, statistic or archival list: choose its scope, fill it, write DOCX (and PDF).

Reports are not numbered or signed off; they are written at once into the
output folder, and the making is logged (kind and scope only).  A report on a
case is marked with the case's 密级, like any document about it; statistics
count only the cases the user may see.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from archive import Archive, InvalidInput, Session
from archive.cases import open_case
from archive.destruction import find_batch
from archive.destruction_register import DestructionRegister, read_register
from archive.reportbox import find_opening
from archive.roles import Role, require_role

from .conversion import clear_pdf_metadata, convert_to_pdf
from .fields import resolve
from .kind import Composition
from .layout import classification_mark, format_date
from .output import check_outside, write_output
from .rendering import Office, Stamp, check_glyphs
from .report import SCOPES, ReportInput, ReportKind
from .reports import find_report

__all__ = ["REPORTERS", "ReportResult", "make_report", "parse_month", "parse_quarter", "render_destruction_register"]

REPORTERS = frozenset({Role.SECRETARY, Role.ARCHIVIST, Role.LEADER})
_SCOPE_OPTIONS = {"case": "--case", "month": "--month", "quarter": "--quarter", "opening": "--opening", "day": "--date",
                  "batch": "--batch"}
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_QUARTER = re.compile(r"(\d{4})-?[Qq](\d)")


@dataclass(frozen=True)
class ReportResult:
    """What was written."""

    kind: ReportKind
    paths: list[Path]


def parse_month(text: str | None, today: date) -> tuple[date, date]:
    """``2026-10`` as its first and last day; None is the month before ``today``."""
    if text is None:
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(f"月份“{text}”格式不对，应为 2026-10")
    first = date(int(match[1]), int(match[2]), 1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def parse_quarter(text: str | None, today: date) -> tuple[date, date]:
    """``2026Q3`` as its first and last day; None is the quarter before ``today``'s."""
    if text is None:
        this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        last = this_quarter - timedelta(days=1)
        return date(last.year, (last.month - 1) // 3 * 3 + 1, 1), last
    match = _QUARTER.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 4:
        raise InvalidInput(f"季度“{text}”格式不对，应为 2026Q3")
    first = date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)
    following = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, following - timedelta(days=1)


def make_report(
    archive: Archive,
    session: Session,
    kind_name: str,
    out: Path,
    *,
    case_id: str | None = None,
    month: str | None = None,
    quarter: str | None = None,
    opening: int | None = None,
    day: date | None = None,
    batch_id: str | None = None,
    given: Mapping[str, Any] | None = None,
    pdf: bool = False,
    today: date | None = None,
) -> ReportResult:
    """Fill ``kind_name`` for the scope chosen and write it into ``out``."""
    kind = find_report(kind_name)
    require_role(session.roles, REPORTERS, f"生成{kind.name}")
    check_outside(archive, out)
    today = today or date.today()
    given_scope = {"case": case_id, "month": month, "quarter": quarter, "opening": opening, "day": day,
                   "batch": batch_id}
    stray = [_SCOPE_OPTIONS[name] for name, value in given_scope.items() if value is not None and name != kind.scope]
    if stray:
        raise InvalidInput(f"{kind.name}的范围是{SCOPES[kind.scope]}，不用 {'、'.join(stray)}")
    base = ReportInput(archive, session, today, {})
    if kind.scope == "case":
        if not case_id:
            raise InvalidInput(f"{kind.name}须指明信访件（--case）")
        base = replace(base, case=open_case(archive, session, case_id))
    elif kind.scope == "month":
        base = replace(base, period=parse_month(month, today))
    elif kind.scope == "quarter":
        base = replace(base, period=parse_quarter(quarter, today))
    elif kind.scope == "opening":
        base = replace(base, opening=find_opening(archive, opening).opening_id)
    elif kind.scope == "batch":
        if not batch_id:
            raise InvalidInput(f"{kind.name}须指明销毁批次（--batch）")
        base = replace(base, register=read_register(archive, session, find_batch(archive, session, batch_id)))
    else:
        base = replace(base, day=day or today)
    office = Office(archive)
    data, context, composition = _render(office, kind, base, given or {})
    stem = f"{kind.name}-{_scope_name(base)}"
    paths = [out / f"{stem}.docx"]
    outputs = [data]
    if pdf:
        check_glyphs(context, office.faces)
        (converted,) = convert_to_pdf([data], office.faces)
        outputs.append(clear_pdf_metadata(converted, title=composition.title, author=archive.config.organisation))
        paths.append(out / f"{stem}.pdf")
    for path, content in zip(paths, outputs, strict=True):
        write_output(path, content)
    with archive.act(session) as act:
        act.log("report.make", [base.case.case_id] if base.case else [], info={"kind": kind.id, "scope": _scope_name(base)})
    return ReportResult(kind, paths)


def _render(office: Office, kind: ReportKind, base: ReportInput, given: Mapping[str, Any]
            ) -> tuple[bytes, dict[str, Any], Composition]:
    """The DOCX of one report, marked with the 密级 of what it covers, with its context and composition."""
    values = resolve(kind.fields, given, kind.defaults(base))
    composition = kind.make(replace(base, values=values))
    level = base.case.level if base.case else base.register.level if base.register else None
    mark = classification_mark(level.label) if level is not None else ""
    reference = base.case.case_id if base.case else base.register.batch.batch_id if base.register else ""
    data, context = office.render(kind.template, composition, Stamp(reference, format_date(base.today),
                                                                    classification=mark), [])
    return data, context, composition


def render_destruction_register(archive: Archive, session: Session) -> Callable[[DestructionRegister], bytes]:
    """The 销毁清册 renderer that ``destroy execute`` files with the batch (DOCX, no PDF: no LibreOffice needed)."""
    office = Office(archive)

    def render(register: DestructionRegister) -> bytes:
        base = ReportInput(archive, session, date.today(), {}, register=register)
        data, _, _ = _render(office, find_report("destruction-register"), base, {})
        return data

    return render


def _scope_name(given: ReportInput) -> str:
    if given.register is not None:
        return given.register.batch.batch_id
    if given.case is not None:
        return given.case.case_id
    if given.period is not None:
        start, end = given.period
        return f"{start.isoformat()}至{end.isoformat()}"
    if given.day is not None:
        return given.day.isoformat()
    return f"第{given.opening}次"
