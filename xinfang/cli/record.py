"""``xinfang record``: acts on one filed record that change how it is kept - its level (定密变更, 解密)."""

from __future__ import annotations

import click

from archive import parse_level
from archive.reclassify import reclassify_record

from ._output import echo_json
from ._runtime import Runtime, pass_runtime
from .search import index_filed

__all__ = ["record"]


@click.group()
def record() -> None:
    """单件档案的保管事项：变更密级（定密变更、解密）。

    \b
    例：
      XINFANG_USER=赵保密 xinfang record reclassify R-2026-000002 --to 内部 --reason 已公开通报，解密
    """


@record.command("reclassify")
@click.argument("record_id")
@click.option("--to", "to", required=True, help="新的密级：公开、内部、秘密、机密、绝密。")
@click.option("--reason", required=True, help="变更理由（加密保存，记入审计日志）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出变更结果。")
@pass_runtime
def reclassify(runtime: Runtime, record_id: str, to: str, reason: str, as_json: bool) -> None:
    """变更一件档案的密级（安全保密管理员或领导，须同时持有原密级和新密级）。

    只重新封装记录密钥，内容不重新加密；检索索引条目随之移到新密级的索引。
    定为内部或公开即不再是国家秘密（不标★）。已销毁或已列入销毁批次的档案不能变更。

    \b
    例：
      XINFANG_USER=赵保密 xinfang record reclassify R-2026-000002 --to 内部 --reason 已公开通报，解密
      XINFANG_USER=吴领导 xinfang record reclassify R-2026-000004 --to 机密 --reason 涉及在查案件
    """
    change = reclassify_record(runtime.archive(), runtime.session(), record_id, to=parse_level(to), reason=reason)
    index_filed(runtime)
    if as_json:
        echo_json(change.to_json())
        return
    click.echo(f"已变更密级 {change.reclassification_id}：{change.record_id} {change.from_level} → {change.to_level}")
