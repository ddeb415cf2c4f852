"""``xinfang destroy``: propose, approve or reject, witness and execute a destruction batch."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from archive import InvalidInput
from archive.appraisal import due_items
from archive.days import parse_date
from archive.destruction import (
    approve_batch,
    execute_batch,
    find_batch,
    propose_batch,
    reject_batch,
    witness_batch,
)
from generators.reporting import render_destruction_register

from ._output import echo_json
from ._runtime import Runtime, pass_runtime
from .search import index_filed

__all__ = ["destroy"]

_STATES = {"proposed": "待批准", "approved": "已批准", "rejected": "已驳回", "executing": "执行中（可续行）",
           "executed": "已销毁"}


@click.group()
def destroy() -> None:
    """档案销毁：档案员提出 → 领导批准 → 至少两名监销人确认 → 档案员执行（密码擦除）。

    \b
    例：
      XINFANG_USER=孙档案 xinfang destroy propose --due
      XINFANG_USER=吴领导 xinfang destroy approve XH-2026-0001
      XINFANG_USER=王文秘 xinfang destroy witness XH-2026-0001
      XINFANG_USER=孙档案 xinfang destroy execute XH-2026-0001
    """


@destroy.command("propose")
@click.argument("record_ids", nargs=-1)
@click.option("--due", is_flag=True, help="列入所有保管期限已满、未被保全、未在其他批次中的档案。")
@click.option("--as-of", "as_of", help="与 --due 同用：按该日（不晚于今天）判断是否到期，默认今天。")
@click.option("--note", help="说明。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def propose(runtime: Runtime, record_ids: tuple[str, ...], due: bool, as_of: str | None, note: str | None,
            as_json: bool) -> None:
    """提出一个销毁批次（档案员）：指定档案，或 --due 列入全部到期档案。被保全的档案不能列入。

    \b
    例：
      xinfang destroy propose R-2026-000004 R-2026-000005 --note 2026年度到期档案
      xinfang destroy propose --due --as-of 2026-11-01
    """
    if due == bool(record_ids):
        raise click.UsageError("请给出档案号，或使用 --due（二者择一）")
    archive, session = runtime.archive(), runtime.session()
    if due:
        day = parse_date(as_of, "--as-of") if as_of else date.today()
        if day > date.today():
            raise InvalidInput("--as-of 不能晚于今天：保管期限未满的档案不能销毁")
        record_ids = tuple(item.record_id for item in due_items(archive, session, day))
    batch = propose_batch(archive, session, list(record_ids), note=note)
    if as_json:
        echo_json({"batch_id": batch.batch_id})
        return
    click.echo(f"已提出销毁批次 {batch.batch_id}：{len(batch.items)} 件（{'、'.join(batch.items)}），待领导批准")


@destroy.command("approve")
@click.argument("batch_id")
@click.option("--signed-on-paper", "paper", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="领导签字的纸质销毁审批单扫描件（由档案员登记时使用，随档归存并标明）。")
@click.option("--leader", help="纸质审批单上签字的领导（与 --signed-on-paper 同用）。")
@pass_runtime
def approve(runtime: Runtime, batch_id: str, paper: Path | None, leader: str | None) -> None:
    """批准一个销毁批次（提出人以外的领导）。

    \b
    例：
      xinfang destroy approve XH-2026-0001
    """
    if (paper is None) != (leader is None):
        raise click.UsageError("--signed-on-paper 与 --leader 须同时给出")
    batch = approve_batch(runtime.archive(), runtime.session(), batch_id, paper_scan=paper, leader=leader)
    click.echo(f"已批准销毁批次 {batch.batch_id}（{batch.approved_by}{'，纸质审批单' if batch.on_paper else ''}）；"
               "待至少两名监销人确认")


@destroy.command("reject")
@click.argument("batch_id")
@click.option("--reason", required=True, help="驳回理由。")
@pass_runtime
def reject(runtime: Runtime, batch_id: str, reason: str) -> None:
    """驳回一个销毁批次（提出人以外的领导）。

    \b
    例：
      xinfang destroy reject XH-2026-0001 --reason 须再鉴定
    """
    batch = reject_batch(runtime.archive(), runtime.session(), batch_id, reason=reason)
    click.echo(f"已驳回销毁批次 {batch.batch_id}")


@destroy.command("witness")
@click.argument("batch_id")
@click.option("--external", help="无本系统账户的外单位监销人姓名（由档案员登记）。")
@click.option("--unit", help="外单位监销人的单位。")
@click.option("--scan", type=click.Path(dir_okay=False, exists=True, path_type=Path), help="外单位监销人的签名扫描件。")
@pass_runtime
def witness(runtime: Runtime, batch_id: str, external: str | None, unit: str | None, scan: Path | None) -> None:
    """监销人本人确认监销；或由档案员登记外单位监销人（姓名、单位、签名扫描件）。

    \b
    例：
      XINFANG_USER=王文秘 xinfang destroy witness XH-2026-0001
      XINFANG_USER=孙档案 xinfang destroy witness XH-2026-0001 --external 刘保密 --unit 旗保密办 --scan 签名.pdf
    """
    batch = witness_batch(runtime.archive(), runtime.session(), batch_id, external=external, unit=unit, scan=scan)
    names = "、".join(w.name + ("（外单位，扫描件）" if w.external else "") for w in batch.witnesses)
    click.echo(f"销毁批次 {batch.batch_id} 的监销人：{names}")


@destroy.command("execute")
@click.argument("batch_id")
@pass_runtime
def execute(runtime: Runtime, batch_id: str) -> None:
    """执行销毁（档案员）：擦除记录密钥、删除密文、清除检索索引条目，留存不含内容的存根。中断后重新执行即可续完。

    \b
    例：
      xinfang destroy execute XH-2026-0001
    """
    archive, session = runtime.archive(), runtime.session()
    batch = execute_batch(archive, session, batch_id, render_destruction_register(archive, session))
    index_filed(runtime)
    click.echo(f"销毁批次 {batch.batch_id} 已执行：{len(batch.done)} 件以密码擦除方式销毁")
    click.echo(f"销毁清册已作为永久档案归入 {batch.register_record}"
               f"（打印：xinfang report destruction-register --batch {batch.batch_id} --pdf）")
    click.echo("执行后签署的审计检查点（已印入销毁清册）：")
    click.echo(batch.checkpoint or "")


@destroy.command("show")
@click.argument("batch_id")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def show(runtime: Runtime, batch_id: str, as_json: bool) -> None:
    """查看一个销毁批次：状态、档案、批准人、监销人。

    \b
    例：
      xinfang destroy show XH-2026-0001 --json
    """
    batch = find_batch(runtime.archive(), runtime.session(), batch_id)
    if as_json:
        echo_json(batch.to_json())
        return
    click.echo(f"{batch.batch_id}  {_STATES[batch.state]}  提出：{batch.proposed_by} {batch.proposed_at}")
    if batch.approved_by:
        click.echo(f"批准：{batch.approved_by} {batch.approved_at}{'（纸质审批单）' if batch.on_paper else ''}")
    click.echo(f"档案：{'、'.join(batch.items)}（已销毁 {len(batch.done)} 件）")
    click.echo(f"监销人：{'、'.join(w.name for w in batch.witnesses) or '—'}")
    if batch.register_record:
        click.echo(f"销毁清册：{batch.register_record}")
