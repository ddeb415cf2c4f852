"""``xinfang backup``: a still-encrypted snapshot of the archive in use, checking it, and restoring it."""

from __future__ import annotations

from pathlib import Path

import click

from archive import CredentialsError
from archive.backup import create_backup, restore_backup, verify_backup

from ._errors import EXIT_INTEGRITY
from ._output import echo_json, progress_bar
from ._runtime import Runtime, pass_runtime, read_secret

__all__ = ["backup"]

_KINDS = (("records/", "记录文件"), ("keyslots/", "口令槽"), ("index/", "检索索引文件"))


def _size(count: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} 字节"


@click.group()
def backup() -> None:
    """备份：系统管理员在档案库照常使用时制作一致的加密快照；任何人可不用口令校验；系统管理员恢复。

    备份与档案库一样是密文，制作时不解密任何内容。销毁之前做的备份仍保存着被销毁档案的密钥，
    直到备份本身到期销毁：备份只保存本机关规定的期限，不多保存。

    \b
    例：
      XINFANG_USER=李管理 xinfang backup create /mnt/备份盘/档案库-2026-11-28
      xinfang backup verify /mnt/备份盘/档案库-2026-11-28
      XINFANG_USER=李管理 xinfang backup restore /mnt/备份盘/档案库-2026-11-28 --archive ./档案库
    """


@backup.command("create")
@click.argument("dest", type=click.Path(path_type=Path))
@pass_runtime
def create(runtime: Runtime, dest: Path) -> None:
    """把档案库备份到 DEST（不存在或为空的文件夹），附系统管理员签名的清单（系统管理员）。

    备份取档案库某一时刻的一致状态：目录数据库、口令槽、记录文件、检索索引和 xinfang.toml，
    每个文件都与目录中的摘要核对过；此时审计日志的条目数和根哈希写入清单。

    \b
    例：
      XINFANG_USER=李管理 xinfang backup create /mnt/备份盘/档案库-2026-11-28
    """
    with progress_bar("备份") as bar:
        result = create_backup(runtime.archive(), runtime.session(), dest, progress=bar.update)
    manifest = result.manifest
    for warning in result.warnings:
        click.echo(f"提示  {warning}")
    counts = "，".join(f"{label} {sum(f.path.startswith(prefix) for f in manifest.files)} 个" for prefix, label in _KINDS)
    click.echo(f"已备份到 {result.path}：{len(manifest.files)} 个文件，共 {_size(result.total_bytes)}（{counts}）")
    click.echo(f"备份时审计日志 {manifest.log_size} 条，根哈希 {manifest.log_root}")
    click.echo(f"清单由 {manifest.signer} 签署（公钥指纹 {manifest.signer_fingerprint}）")


@backup.command("verify")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
def verify(dest: Path, as_json: bool) -> None:
    """不恢复、不需口令地校验备份 DEST：清单的签名、每个文件的 SHA-256，以及与 audit verify 相同的审计日志和记录校验。

    发现问题时退出码为 4。

    \b
    例：
      xinfang backup verify /mnt/备份盘/档案库-2026-11-28
    """
    with progress_bar("校验备份") as bar:
        check = verify_backup(dest, progress=bar.update)
    manifest, audit = check.manifest, check.audit
    if as_json:
        echo_json({
            "ok": check.ok,
            "problems": [{"where": p.where, "message": p.message} for p in check.problems],
            "warnings": check.warnings,
            "created_at": manifest.created_at if manifest else None,
            "signer": manifest.signer if manifest else None,
            "files_checked": check.files_checked,
            "log_entries": manifest.log_size if manifest else None,
        })
    else:
        for problem in check.problems:
            click.echo(f"问题  {problem.where}：{problem.message}")
        for warning in check.warnings:
            click.echo(f"提示  {warning}")
        if manifest is not None:
            click.echo(f"备份于 {manifest.created_at}，{manifest.signer} 签署；文件 {check.files_checked} 个")
        if audit is not None:
            click.echo(f"审计日志 {audit.log_entries} 条；记录 {audit.records_checked} 条")
        click.echo("校验通过" if check.ok else f"发现 {len(check.problems)} 个问题")
    if not check.ok:
        click.get_current_context().exit(EXIT_INTEGRITY)


@backup.command("restore")
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--archive", "target", type=click.Path(file_okay=False, path_type=Path),
              help="恢复到此文件夹（不存在或为空）；默认取 xinfang --archive 或 XINFANG_ARCHIVE。")
@click.option("--later-checkpoint", "later_checkpoints", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="备份之后从原档案库导出的检查点文件，可重复：恢复记录写明它之前的条目被丢弃。")
@pass_runtime
def restore(runtime: Runtime, dest: Path, target: Path | None, later_checkpoints: tuple[Path, ...]) -> None:
    """把备份 DEST 恢复到空文件夹（系统管理员，用备份时的口令）；恢复后的审计日志记下这次恢复。

    档案库回到备份时的状态：之后的归入、办理、销毁和日志条目都不在其中。用备份之后导出的检查点
    运行 audit verify 会报告这次回滚。

    \b
    例：
      XINFANG_USER=李管理 xinfang backup restore /mnt/备份盘/档案库-2026-11-28 --archive ./档案库 \\
          --later-checkpoint 检查点-2026-12.txt
    """
    target = target or runtime.archive_dir
    if target is None:
        raise click.UsageError("未指定恢复到哪里：请使用 --archive DIR")
    if not runtime.user:
        raise CredentialsError("未指定用户：请使用 --user 或设置环境变量 XINFANG_USER")
    passphrase = read_secret("XINFANG_PASSPHRASE", runtime.passphrase_file, f"{runtime.user} 的口令（备份时的口令）")
    with progress_bar("恢复") as bar:
        result = restore_backup(dest, target, user=runtime.user, passphrase=passphrase,
                                later_checkpoints=list(later_checkpoints), progress=bar.update)
    manifest = result.manifest
    click.echo(f"已恢复到 {result.path}（备份于 {manifest.created_at}，{manifest.signer} 签署）")
    click.echo(f"审计日志：备份时 {manifest.log_size} 条；恢复记录（backup.restore）为第 {result.log_size} 条")
    for later in result.later:
        unchecked = "" if later.verified else "；签署人不在备份中，签名未能核对"
        click.echo(f"丢弃：检查点 {later.source}（{later.size} 条，{later.signer}，{later.signed_at}{unchecked}）")
    if result.discarded_entries is None:
        click.echo("未提供备份之后导出的检查点：恢复记录无法写明丢弃了多少日志条目")
    else:
        click.echo(f"原档案库在备份之后至少还有 {result.discarded_entries} 条日志条目，随恢复丢弃；"
                   "以这些检查点运行 audit verify 会报告回滚")
    for warning in result.warnings:
        click.echo(f"提示  {warning}")
    click.echo("请重新办理备份之后的账户停用、口令更改和密钥轮换，并请安全审计员运行 xinfang audit verify")
