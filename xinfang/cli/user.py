"""``xinfang user``: accounts (system administrator) and clearances (security officer)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from archive import (
    add_account,
    change_passphrase,
    check_may_add_account,
    disable_account,
    list_accounts,
    parse_level,
    parse_role,
    set_clearance,
    set_unit,
)
from archive.handover import hand_over

from ._output import echo_json, echo_table
from ._runtime import Runtime, pass_runtime, read_secret

__all__ = ["user"]

_NEW_PASSPHRASE_FILE = click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="从文件读取新口令（否则取 XINFANG_NEW_PASSPHRASE，或提示输入两次）。",
)
_NONE = {"none", "无"}


@click.group()
def user() -> None:
    """账户与密级授权。

    \b
    例：
      xinfang user add 王文秘 --role secretary --unit 伊金霍洛旗纪委监委
      xinfang user clearance 王文秘 秘密
    """


@user.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="角色，可重复：secretary 文秘、archivist 档案员、investigator 调查员、leader 领导、auditor 安全审计员、admin、security-officer。")
@click.option("--unit", help="所在单位：信访件的被反映人属于该单位时，本人回避，看不到该件。")
@_NEW_PASSPHRASE_FILE
@pass_runtime
def add(
    runtime: Runtime, name: str, roles: tuple[str, ...], unit: str | None, new_passphrase_file: Path | None
) -> None:
    """创建账户（系统管理员）。新账户没有任何密级授权。

    \b
    例：
      XINFANG_USER=李管理 xinfang user add 王文秘 --role secretary --role archivist --unit 伊金霍洛旗纪委监委
    """
    archive, session = runtime.archive(), runtime.session()
    chosen = [parse_role(role) for role in roles]
    check_may_add_account(archive, session, name, chosen, unit=unit)
    passphrase = read_secret("XINFANG_NEW_PASSPHRASE", new_passphrase_file, f"{name} 的初始口令", confirm=True)
    account = add_account(archive, session, name, chosen, passphrase, runtime.kdf(), unit=unit)
    click.echo(f"已创建账户 {account.name}（{'、'.join(r.label for r in account.roles)}），尚无密级授权")


@user.command("clearance")
@click.argument("name")
@click.argument("level")
@pass_runtime
def clearance(runtime: Runtime, name: str, level: str) -> None:
    """授予或降低密级（安全保密管理员；领导可授予其本人持有的密级）。

    LEVEL 为 公开、内部、秘密、机密、绝密，或 无（撤销全部）。

    \b
    例：
      XINFANG_USER=赵保密 xinfang user clearance 王文秘 机密
    """
    archive, session = runtime.archive(), runtime.session()
    target = None if level.strip().lower() in _NONE else parse_level(level)
    change = set_clearance(archive, session, name, target)
    before = change.previous.label if change.previous is not None else "无"
    after = change.current.label if change.current is not None else "无"
    click.echo(f"{name} 的密级授权：{before} → {after}")
    if change.rotation_due:
        levels = "、".join(level.label for level in change.rotation_due)
        click.echo(f"注意：{name} 曾持有{levels}级密钥，密钥轮换待办：应由安全保密管理员尽快轮换。")


@user.command("unit")
@click.argument("name")
@click.argument("unit")
@pass_runtime
def unit_(runtime: Runtime, name: str, unit: str) -> None:
    """设置账户的所在单位（系统管理员），用于回避。

    信访件的被反映人是本人，或属于本人所在单位时，本人看不到该件及其记录。
    UNIT 为 无 时清除所在单位。变更记入审计日志。

    \b
    例：
      XINFANG_USER=李管理 xinfang user unit 王文秘 伊金霍洛旗纪委监委
    """
    target = None if unit.strip().lower() in _NONE else unit
    account = set_unit(runtime.archive(), runtime.session(), name, target)
    click.echo(f"{account.name} 的所在单位：{account.unit or '无'}")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def list_(runtime: Runtime, as_json: bool) -> None:
    """列出账户、角色、状态、密级授权与所在单位。

    \b
    例：
      xinfang user list --json
    """
    accounts = list_accounts(runtime.archive(), runtime.session())
    if as_json:
        echo_json([asdict(account) for account in accounts])
        return
    echo_table(
        ["用户", "角色", "状态", "密级授权", "所在单位", "创建时间", "创建人"],
        [
            (a.name, "、".join(a.roles), "正常" if a.status == "active" else "已停用", a.clearance or "无", a.unit,
             a.created_at, a.created_by)
            for a in accounts
        ],
        empty="没有账户",
    )


@user.command("passwd")
@_NEW_PASSPHRASE_FILE
@pass_runtime
def passwd(runtime: Runtime, new_passphrase_file: Path | None) -> None:
    """修改本人口令：只重新封装本人的口令槽，旧口令立即失效。

    \b
    例：
      XINFANG_USER=王文秘 xinfang user passwd
    """
    archive = runtime.archive()
    if not runtime.user:
        raise click.UsageError("请用 --user 或 XINFANG_USER 指明要修改口令的用户")
    old = read_secret("XINFANG_PASSPHRASE", runtime.passphrase_file, f"{runtime.user} 的当前口令")
    new = read_secret("XINFANG_NEW_PASSPHRASE", new_passphrase_file, "新口令", confirm=True)
    change_passphrase(archive, runtime.user, old, new, runtime.kdf())
    click.echo(f"{runtime.user} 的口令已更改，旧口令已失效")


@user.command("disable")
@click.argument("name")
@pass_runtime
def disable(runtime: Runtime, name: str) -> None:
    """停用账户（系统管理员）：擦除其口令槽，收回其密级密钥。

    \b
    例：
      XINFANG_USER=李管理 xinfang user disable 王文秘
    """
    held = disable_account(runtime.archive(), runtime.session(), name)
    click.echo(f"已停用 {name}，其口令槽已擦除")
    if held:
        levels = "、".join(level.label for level in held)
        click.echo(f"注意：{name} 曾持有{levels}级密钥，密钥轮换待办：应由安全保密管理员尽快轮换。")


@user.command("handover")
@click.argument("from_user", metavar="FROM")
@click.argument("to_user", metavar="TO")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出移交的信访件和草稿。")
@pass_runtime
def handover(runtime: Runtime, from_user: str, to_user: str, as_json: bool) -> None:
    """交接（领导）：把 FROM 首问负责的未结信访件和未签发的草稿移交给 TO。

    FROM 可以已停用。TO 须为在职的文秘或领导，持有各件的密级且无须回避，否则不作任何移交。
    FROM 待审批的查阅申请、仍有效的查阅授权和未收回的副本不移交，列出待领导处理。

    \b
    例：
      XINFANG_USER=吴领导 xinfang user handover 王文秘 郑秘书
    """
    done = hand_over(runtime.archive(), runtime.session(), from_user, to_user)
    if as_json:
        echo_json(done.to_json())
    else:
        click.echo(f"{done.from_user} → {done.to_user}：移交信访件 {len(done.cases)} 件{_listed(done.cases)}，"
                   f"草稿 {len(done.drafts)} 份{_listed(done.drafts)}")
    for label, ids in (("待审批的查阅申请", done.requests), ("仍有效的查阅授权", done.grants),
                       ("未收回的副本", done.copies)):
        if ids:
            click.echo(f"注意：{done.from_user} 尚有{label}（不移交，请另行处理）：{'、'.join(ids)}", err=True)


def _listed(ids: list[str]) -> str:
    return f"（{'、'.join(ids)}）" if ids else ""
