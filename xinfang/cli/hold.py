"""``xinfang hold``: holds (保全) that bar an item or a whole case from destruction."""

from __future__ import annotations

import click

from archive.holds import list_holds, place_hold, release_hold

from ._output import echo_json, echo_table
from ._runtime import Runtime, pass_runtime

__all__ = ["hold"]


@click.group()
def hold() -> None:
    """保全：审查、审计或诉讼需要时，禁止销毁某件档案或整个信访件的档案，直至领导解除。

    \b
    例：
      XINFANG_USER=孙档案 xinfang hold add --case XF-2026-0001 --reason 纪律审查调卷 --mandate 伊纪审调〔2026〕3号
      XINFANG_USER=吴领导 xinfang hold release HD-2026-0001
    """


@hold.command("add")
@click.option("--case", "case_id", help="保全整个信访件的全部档案（与 --record 二者择一）。")
@click.option("--record", "record_id", help="只保全这一件档案（与 --case 二者择一）。")
@click.option("--reason", required=True, help="保全理由（加密保存）。")
@click.option("--mandate", help="保全依据，如调卷通知或法院文书的文号（加密保存）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def add(runtime: Runtime, case_id: str | None, record_id: str | None, reason: str, mandate: str | None,
        as_json: bool) -> None:
    """设置保全（领导或档案员）：保全中的档案不列入到期清单，不能列入或执行销毁。

    一件档案可有多项保全，任何一项未解除都不能销毁。

    \b
    例：
      xinfang hold add --record R-2026-000004 --reason 审计调阅
      xinfang hold add --case XF-2026-0001 --reason 纪律审查调卷 --mandate 伊纪审调〔2026〕3号 --json
    """
    if (case_id is None) == (record_id is None):
        raise click.UsageError("--case 与 --record 须且只须给出一个")
    made = place_hold(runtime.archive(), runtime.session(), case_id=case_id, record_id=record_id, reason=reason,
                      mandate=mandate)
    if as_json:
        echo_json({"hold_id": made.hold_id})
        return
    click.echo(f"已保全 {made.hold_id}：{made.record_id or f'信访件 {made.case_id} 的全部档案'}，解除前不得销毁")


@hold.command("release")
@click.argument("hold_id")
@pass_runtime
def release(runtime: Runtime, hold_id: str) -> None:
    """解除一项保全（仅限领导）。

    \b
    例：
      xinfang hold release HD-2026-0001
    """
    done = release_hold(runtime.archive(), runtime.session(), hold_id)
    click.echo(f"已解除 {done.hold_id}（{done.record_id or done.case_id}）")


@hold.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def list_(runtime: Runtime, as_json: bool) -> None:
    """保全登记：您有权查看的信访件上的全部保全，未解除的在前（领导、档案员、安全保密管理员）。

    \b
    例：
      xinfang hold list --json
    """
    holds = list_holds(runtime.archive(), runtime.session())
    if as_json:
        echo_json([h.to_json() for h in holds])
        return
    echo_table(["保全号", "信访件", "记录号", "设置人", "设置时间", "状态", "解除人", "理由", "依据"],
               [(h.hold_id, h.case_id, h.record_id or "（全案）", h.placed_by, h.placed_at,
                 "保全中" if h.active else f"已于 {h.released_at} 解除", h.released_by, h.reason, h.mandate)
                for h in holds], empty="没有保全")
