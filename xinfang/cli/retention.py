"""``xinfang retention``: items whose retention has run out, and the appraisal (鉴定) of each."""

from __future__ import annotations

from datetime import date

import click

from archive import parse_retention
from archive.appraisal import DueItem, appraise, due_items
from archive.days import parse_date

from ._output import echo_json, echo_table
from ._runtime import Runtime, pass_runtime
from .search import index_filed

__all__ = ["retention"]

_DECISIONS = {"destroy": "拟销毁", "extend": "延长保管期限", "review": "到期复审"}


@click.group()
def retention() -> None:
    """保管期限与鉴定：列出保管期限届满的档案，逐件作出销毁、延长期限或到期复审的鉴定结论。

    \b
    例：
      XINFANG_USER=孙档案 xinfang retention due
      XINFANG_USER=孙档案 xinfang retention appraise R-2026-000004 --extend D30 --note 仍有查考价值
    """


@retention.command("due")
@click.option("--as-of", "as_of", help="按哪一天计算，默认今天；如 2037-01-01。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def due(runtime: Runtime, as_of: str | None, as_json: bool) -> None:
    """列出保管期限已届满、待鉴定的档案（不含永久、保全中、已列入销毁批次和未到复审日期的）。

    期限自形成之年的次年 1 月 1 日起算。鉴定为销毁的档案仍列在此处，直到列入销毁批次。

    \b
    例：
      XINFANG_USER=孙档案 xinfang retention due --as-of 2037-01-01
    """
    day = parse_date(as_of, "--as-of") if as_of else date.today()
    items = due_items(runtime.archive(), runtime.session(), day)
    if as_json:
        echo_json([item.to_json() for item in items])
        return
    echo_table(
        ["记录号", "档号", "密级", "期限", "形成日期", "届满日期", "上次鉴定", "题名"],
        [(i.record_id, i.archival_code, i.classification, i.retention, i.formed, i.disposal, _last_decision(i),
          i.title) for i in items],
        empty=f"截至 {day.isoformat()} 没有保管期限届满、待鉴定的档案",
    )


def _last_decision(item: DueItem) -> str | None:
    if item.decision == "review":
        return f"复审（{item.review_on}）"
    return _DECISIONS.get(item.decision or "")


@retention.command("appraise")
@click.argument("record_id")
@click.option("--destroy", is_flag=True, help="鉴定为销毁（随后由档案员列入销毁批次，报领导批准）。")
@click.option("--extend", "retention_code", help="延长保管期限至 Y（永久）或 D30（30年）；已归档的重编档号。")
@click.option("--review-on", "review_on", help="暂予保留，到此日期再鉴定；如 2031-01-01。")
@click.option("--note", help="鉴定意见（加密保存）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出鉴定结果。")
@pass_runtime
def appraise_(runtime: Runtime, record_id: str, destroy: bool, retention_code: str | None, review_on: str | None,
              note: str | None, as_json: bool) -> None:
    """对一件档案作出鉴定结论：--destroy、--extend 或 --review-on，三者择一（档案员或领导）。

    \b
    例：
      xinfang retention appraise R-2026-000004 --destroy --note 已无保存价值
      xinfang retention appraise R-2026-000005 --extend Y
      xinfang retention appraise R-2026-000006 --review-on 2031-01-01
    """
    if destroy + (retention_code is not None) + (review_on is not None) != 1:
        raise click.UsageError("--destroy、--extend、--review-on 须且只须给出一个")
    decision = "destroy" if destroy else "extend" if retention_code is not None else "review"
    made = appraise(
        runtime.archive(), runtime.session(), record_id, decision=decision,
        retention=parse_retention(retention_code) if retention_code is not None else None,
        review_on=parse_date(review_on, "复审日期") if review_on is not None else None, note=note,
    )
    if made.old_archival_code is not None:
        index_filed(runtime)
    if as_json:
        echo_json(made.to_json())
        return
    outcome = {
        "destroy": "拟销毁，待列入销毁批次",
        "extend": f"保管期限 {made.old_retention} → {made.new_retention}",
        "review": f"暂予保留，{made.review_on} 复审",
    }[decision]
    click.echo(f"已鉴定 {made.appraisal_id}：{made.record_id} {outcome}")
    if made.old_archival_code is not None:
        click.echo(f"档号 {made.old_archival_code} → {made.archival_code}")
