"""``xinfang audit``: the auditor's view of the log, its anchors and their verification."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from archive import InvalidInput
from archive.auditing import export_checkpoint, list_log_entries, verify_audit
from archive.days import parse_date
from archive.files import write_atomic

from ._errors import EXIT_INTEGRITY
from ._output import echo_destructions, echo_json, echo_table, progress_bar
from ._runtime import Runtime, pass_runtime

__all__ = ["audit"]


@click.group()
def audit() -> None:
    """审计日志：查阅、导出检查点、校验。

    \b
    例：
      XINFANG_USER=钱审计 xinfang audit checkpoint --out 检查点-2026-11.txt
      xinfang audit verify --against 检查点-2026-11.txt
    """


@audit.command("checkpoint")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="检查点文件（可打印、异地保存）。")
@pass_runtime
def checkpoint(runtime: Runtime, out: Path) -> None:
    """签署并导出当前审计日志的检查点，供异地或纸质保存，日后用来发现截短与回滚。

    \b
    例：
      XINFANG_USER=钱审计 xinfang audit checkpoint --out 检查点-2026-11.txt
    """
    if out.exists():
        raise InvalidInput(f"输出文件 {out} 已存在，请换一个文件名")
    text = export_checkpoint(runtime.archive(), runtime.session())
    write_atomic(out, text.encode("utf-8"))
    click.echo(text, nl=False)
    click.echo(f"已导出到 {out}。请打印或异地保存。")


@audit.command("verify")
@click.option("--against", "anchors", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="此前导出的检查点文件，可重复。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
@pass_runtime
def verify(runtime: Runtime, anchors: tuple[Path, ...], as_json: bool) -> None:
    """不需口令、只用公钥校验审计日志与记录文件，并证明当前日志是每个已导出检查点的延续。

    发现篡改、截短或回滚时退出码为 4。

    \b
    例：
      xinfang audit verify --against 检查点-2026-10.txt --against 检查点-2026-11.txt
    """
    with progress_bar("校验") as bar:
        report = verify_audit(runtime.archive(), list(anchors), progress=bar.update)
    problems = report.archive.problems + [p for result in report.anchors for p in result.problems]
    if as_json:
        echo_json({
            "ok": report.ok,
            "problems": [{"where": p.where, "message": p.message} for p in problems],
            "warnings": report.archive.warnings,
            "log_entries": report.archive.log_entries,
            "destructions": [asdict(check) for check in report.archive.destructions],
            "anchors": [{"file": r.source, "size": r.size, "signer": r.signer, "ok": not r.problems} for r in report.anchors],
            "stretches": [{"from": a, "to": b, "signer": s} for a, b, s in report.stretches],
        })
    else:
        for problem in problems:
            click.echo(f"问题  {problem.where}：{problem.message}")
        for warning in report.archive.warnings:
            click.echo(f"提示  {warning}")
        for start, end, signer in _abridged(report.stretches):
            span = f"第 {start} 条" if start == end else f"第 {start}–{end} 条"
            click.echo(f"{span}：由 {signer} 签署")
        if len(report.stretches) > 2 * _STRETCHES_SHOWN:
            click.echo(f"（共 {len(report.stretches)} 段，以上只列出首尾各 {_STRETCHES_SHOWN} 段；--json 列出全部）")
        echo_destructions(report.archive.destructions)
        for result in report.anchors:
            if not result.problems:
                click.echo(f"检查点 {result.source}（{result.size} 条，{result.signer}）：当前日志是其延续")
        click.echo(f"审计日志 {report.archive.log_entries} 条；记录 {report.archive.records_checked} 条")
        click.echo("校验通过" if report.ok else f"发现 {len(problems)} 个问题")
    if not report.ok:
        click.get_current_context().exit(EXIT_INTEGRITY)


_STRETCHES_SHOWN = 10


def _abridged(stretches: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    if len(stretches) <= 2 * _STRETCHES_SHOWN:
        return stretches
    return stretches[:_STRETCHES_SHOWN] + stretches[-_STRETCHES_SHOWN:]


@audit.command("log")
@click.option("--user", "actor", help="只看该用户的操作。")
@click.option("--action", help="只看该类操作（前缀），如 record、login.failed。")
@click.option("--since", help="起始日期，如 2026-11-01。")
@click.option("--record", help="只看涉及该记录的操作。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def log(runtime: Runtime, actor: str | None, action: str | None, since: str | None, record: str | None,
        as_json: bool) -> None:
    """查阅审计日志（安全审计员、安全保密管理员）。无权解密的详情不显示。

    \b
    例：
      XINFANG_USER=钱审计 xinfang audit log --action login.failed --since 2026-11-01
    """
    entries = list_log_entries(runtime.archive(), runtime.session(), user=actor, action=action,
                               since=parse_date(since, "起始日期") if since else None, record=record)
    if as_json:
        echo_json([asdict(entry) for entry in entries])
        return
    echo_table(
        ["序号", "时间", "操作人", "操作", "对象", "说明"],
        [(e.seq, e.time, e.actor, e.action, "、".join(e.objects),
          "；".join(f"{k}={v}" for k, v in {**e.info, **(e.details or {})}.items() if k not in ("box_public", "sign_public")))
         for e in entries],
        empty="没有符合条件的日志条目",
    )
