"""``xinfang report`` (registers, statistics, archival lists) and ``xinfang reportbox`` (举报箱开启)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import click

from archive.days import parse_date
from archive.reportbox import list_openings, record_opening, weeks_without_opening
from generators.fields import FIELD_TYPES, canonical, parse_assignments
from generators.layout import format_date
from generators.report import SCOPES
from generators.reporting import make_report
from generators.reports import REPORTS, find_report

from ._output import echo_json, echo_table
from ._runtime import Runtime, pass_runtime

__all__ = ["report", "reportbox"]


def _list_reports(as_json: bool) -> None:
    if as_json:
        echo_json({"reports": [kind.to_json() for kind in REPORTS]})
        return
    for kind in REPORTS:
        click.echo(f"{kind.id}  {kind.name}  —— {kind.summary}（范围：{SCOPES[kind.scope]}）")
        if kind.fields:
            echo_table(("字段", "含义", "类型", "必填", "默认值来源"),
                       [(f.name, f.label, FIELD_TYPES[f.type], "是" if f.required else "否", f.source)
                        for f in kind.fields], empty="")
        click.echo("")


@click.command()
@click.argument("kind", required=False)
@click.option("--list", "show_list", is_flag=True, help="列出报表种类、范围和字段。")
@click.option("--case", "case_id", help="信访件编号（登记表、处理单、归档目录等）。")
@click.option("--month", help="统计月份，如 2026-10；默认上月。")
@click.option("--quarter", help="统计季度，如 2026Q3；默认上季度。")
@click.option("--opening", type=int, help="举报箱开启记录的序号；默认最近一次。")
@click.option("--date", "day", help="值班日期，如 2026-10-01；默认今天。")
@click.option("--batch", "batch_id", help="销毁批次（销毁清册），如 XH-2026-0001。")
@click.option("--set", "assignments", multiple=True, metavar="字段=值", help="字段的值，可重复。")
@click.option("--pdf", is_flag=True, help="同时生成 PDF（嵌入字体）。")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="报表写入的文件夹（明文文件，请妥善保管）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def report(runtime: Runtime, kind: str | None, show_list: bool, case_id: str | None, month: str | None,
           quarter: str | None, opening: int | None, day: str | None, batch_id: str | None, assignments: tuple[str, ...], pdf: bool,
           out: Path, as_json: bool) -> None:
    """登记表、统计报表和归档目录：按信访件、月份、季度等从登记簿生成（不编发文字号）。

    统计只计您有权查看的信访件。月报告末尾印有生成时签署的审计检查点。

    \b
    例：
      xinfang report --list
      xinfang report monthly-report --month 2026-10 --pdf --out 报表/
      xinfang report visit-register --case XF-2026-0002 --out 报表/
      xinfang report file-list --case XF-2026-0002 --out 报表/
      xinfang report duty-log --date 2026-10-01 --set on_duty=王文秘 --set leader=吴领导 --out 报表/
      xinfang report destruction-register --batch XH-2026-0001 --pdf --out 报表/
    """
    if show_list or kind is None:
        if kind is None and not show_list:
            raise click.UsageError("缺少报表种类 KIND；用 --list 查看可选的种类")
        _list_reports(as_json)
        return
    chosen = find_report(kind)
    result = make_report(
        runtime.archive(), runtime.session(), chosen.id, out, case_id=case_id, month=month, quarter=quarter,
        opening=opening, day=parse_date(day, "--date") if day else None, batch_id=batch_id,
        given=canonical(chosen.fields, parse_assignments(list(assignments))), pdf=pdf,
    )
    if as_json:
        echo_json({"kind": result.kind.id, "paths": [str(path) for path in result.paths]})
        return
    for path in result.paths:
        click.echo(f"{result.kind.name}：{path}")


@click.group()
def reportbox() -> None:
    """举报箱：每周开启一次，两人以上共同开启并登记；未开启的周会被列出。

    \b
    例：
      xinfang reportbox open --witness 王文秘 --witness 吴领导 --count 3
      xinfang reportbox list --weeks 8
    """


@reportbox.command("open")
@click.option("--witness", "witnesses", multiple=True, required=True, help="开启人（本档案库用户），至少两人。")
@click.option("--count", type=int, required=True, help="取出的信件数（没有则为 0）。")
@click.option("--on", "on", help="开启日期，默认今天。")
@click.option("--box", default="举报箱", show_default=True, help="举报箱名称（设多个箱时区分）。")
@pass_runtime
def open_box(runtime: Runtime, witnesses: tuple[str, ...], count: int, on: str | None, box: str) -> None:
    """登记一次举报箱开启。

    \b
    例：
      xinfang reportbox open --witness 王文秘 --witness 吴领导 --count 3
    """
    opening = record_opening(runtime.archive(), runtime.session(), opened_on=parse_date(on, "--on") if on else date.today(),
                             letters=count, witnesses=list(witnesses), box=box)
    click.echo(f"已登记第 {opening.opening_id} 次开启：{format_date(opening.opened_on)} {opening.box}，"
               f"开启人 {'、'.join(opening.witnesses)}，取出信件 {opening.letters} 件。")
    click.echo("取出的信件请逐件登记为信访件（xinfang case register --channel 举报箱）。")


@reportbox.command("list")
@click.option("--weeks", type=click.IntRange(1, 520), default=8, show_default=True, help="查看最近几周。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def list_box(runtime: Runtime, weeks: int, as_json: bool) -> None:
    """最近几周的开启记录，以及没有开启的周。

    \b
    例：
      xinfang reportbox list --weeks 8
    """
    runtime.session()  # opening records are the office's: only a logged-in user reads them
    today = date.today()
    start = today - timedelta(days=7 * weeks)
    openings = list_openings(runtime.archive(), start, today)
    missing = weeks_without_opening(openings, start, today)
    if as_json:
        echo_json({"openings": [o.to_json() for o in openings],
                   "weeks_without_opening": [{"from": a.isoformat(), "to": b.isoformat()} for a, b in missing]})
        return
    echo_table(("序号", "日期", "举报箱", "开启人", "信件", "登记人"),
               [(o.opening_id, o.opened_on.isoformat(), o.box, "、".join(o.witnesses), o.letters, o.recorded_by)
                for o in openings], empty="这段时间没有开启记录。")
    for first, last in missing:
        click.echo(f"注意：{first.isoformat()} 至 {last.isoformat()} 这一周没有开启举报箱。")
