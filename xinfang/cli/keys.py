"""``xinfang keys``: the level keys themselves — rotating them, recovery sheets, and recovering from them."""

from __future__ import annotations

from pathlib import Path

import click

from archive import parse_level
from archive.recovery import make_recovery_sheets, recover_level_keys
from archive.rotation import rotate_level_keys
from search.indexing import reindex

from ._output import progress_bar
from ._runtime import Runtime, pass_runtime

__all__ = ["keys"]


@click.group()
def keys() -> None:
    """密级密钥的保管与恢复（安全保密管理员）。

    \b
    例：
      XINFANG_USER=赵保密 xinfang keys rotate
      XINFANG_USER=赵保密 xinfang keys recovery-sheets --shares 3 --threshold 2 --out 恢复单
      XINFANG_USER=孙保密 xinfang keys recover 恢复单甲.txt 恢复单乙.txt --to 孙保密
    """


@keys.command("rotate")
@click.option("--level", "levels", multiple=True, help="只轮换该密级的密钥，可重复；默认轮换您持有的各级。")
@pass_runtime
def rotate(runtime: Runtime, levels: tuple[str, ...]) -> None:
    """轮换密级密钥：启用新版本，把以旧版本封装的一切转到新版本，再删除旧版本。

    账户停用、密级授权降低或恢复单遗失之后使用（archive verify 提示“待轮换”）。新版本自动
    封装给每个持有该密级的在用账户，无需他们输入口令；记录密钥和信访件密钥重新封装，记录内容
    不重新加密；检索索引用新密钥重建。中途中断时档案照常可读，再次运行本命令即续完。
    轮换后，此前制作的恢复单不再能恢复被轮换的密级，须制作新的一套。

    \b
    例：
      XINFANG_USER=赵保密 xinfang keys rotate
      XINFANG_USER=赵保密 xinfang keys rotate --level 机密 --level 绝密
    """
    archive, session = runtime.archive(), runtime.session()
    chosen = [parse_level(level) for level in levels] or None
    with progress_bar("轮换密钥") as bar:
        done = rotate_level_keys(archive, session, chosen, progress=bar.update,
                                 rebuild_index=lambda rotated, level: reindex(archive, rotated, [level], bar.update))
    for level in done.levels:
        resumed = "（续完上次中断的轮换）" if level.resumed else ""
        click.echo(f"{level.level.label}级密钥已轮换到第 {level.version} 版{resumed}：封装给 {level.accounts} 个账户；"
                   f"本次重新封装记录密钥 {level.records} 件、信访件密钥 {level.cases} 件、其他密文 {level.resealed} 项")
    click.echo(f"旧版本密钥的封装已删除（{done.grants_removed} 份），检索索引已用新密钥重建。")
    if done.outdated_recovery is not None:
        set_no, stale = done.outdated_recovery
        click.echo(f"第 {set_no} 套恢复单已不能恢复{'、'.join(level.label for level in stale)}级密钥：请制作新的一套恢复单"
                   "（xinfang keys recovery-sheets），并取出销毁旧的。")
    if done.still_due:
        click.echo(f"注意：{'、'.join(level.label for level in done.still_due)}级密钥仍待轮换（见 xinfang archive verify）。",
                   err=True)
    if not done.wal_truncated:
        click.echo("注意：另有进程正在读取档案库，旧密钥的封装可能暂留在 catalogue.sqlite-wal 中，直到下一次完整检查点。",
                   err=True)


@keys.command("recovery-sheets")
@click.option("--shares", type=int, default=3, show_default=True, help="恢复单张数（2–255）。")
@click.option("--threshold", type=int, default=2, show_default=True,
              help="恢复所需的最少张数（门限，至少 2，不超过张数）。")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="写入恢复单的文件夹（档案库以外；不存在时创建）。")
@pass_runtime
def recovery_sheets(runtime: Runtime, shares: int, threshold: int, out: Path) -> None:
    """把本人持有的全部现行密级密钥按 Shamir 门限方案拆分为编号的恢复单，各张单独密封保管。

    任意达到门限张数的同一套恢复单可恢复密钥；少于门限不泄露任何信息。新制作的一套
    取代此前各套：旧套恢复单此后一律拒收。每张恢复单是一个文本文件（仅本人可读），
    打印后应删除电子文件。

    \b
    例：
      XINFANG_USER=赵保密 xinfang keys recovery-sheets --shares 3 --threshold 2 --out 恢复单
    """
    made = make_recovery_sheets(runtime.archive(), runtime.session(), shares=shares, threshold=threshold, out=out)
    levels = "、".join(level.label for level, _ in made.levels)
    click.echo(f"已制作第 {made.set_no} 套恢复单：共 {made.shares} 张，任意 {made.threshold} 张可恢复{levels}级密钥")
    for path in made.paths:
        click.echo(f"  {path}")
    click.echo(f"密钥指纹：{made.fingerprint}")
    if made.set_no > 1:
        older = "第 1 套" if made.set_no == 2 else f"第 1–{made.set_no - 1} 套"
        click.echo(f"此前的{older}恢复单自即日起作废，请取出销毁。")
    click.echo("请打印后删除电子文件；各张分别密封，交不同的人存入保密柜。")


@keys.command("recover")
@click.argument("sheets", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--to", required=True, help="接受密钥的安全保密管理员账户（须为在用账户）。")
@pass_runtime
def recover(runtime: Runtime, sheets: tuple[Path, ...], to: str) -> None:
    """用同一套中达到门限张数的恢复单恢复密级密钥，授予一名安全保密管理员。

    用于口令遗忘或人员离任：系统管理员先为新的安全保密管理员创建账户，该人用新口令
    登录后运行本命令（不需要持有任何密钥）。张数不足、套次不同或已作废、重复给出、
    有行抄错时一律拒绝，不授予任何密钥。

    \b
    例：
      XINFANG_USER=孙保密 xinfang keys recover 恢复单-第1套-第1张-共3张.txt 恢复单-第1套-第3张-共3张.txt --to 孙保密
    """
    done = recover_level_keys(runtime.archive(), runtime.session(), list(sheets), to=to)
    numbers = "、".join(str(x) for x in done.sheets)
    levels = "、".join(level.label for level in done.granted)
    click.echo(f"已用第 {done.set_no} 套恢复单（第 {numbers} 张）恢复{levels}级密钥，授予 {done.account}")
    if done.stale:
        stale = "、".join(level.label for level in done.stale)
        click.echo(f"注意：{stale}级密钥在制作这套恢复单后已轮换，恢复单中的旧密钥不再授予；请由持有该密级的人员授权。")
    click.echo(f"恢复单已启封：请重新密封，并由 {done.account} 尽快制作新的一套取代它（keys recovery-sheets）。")
