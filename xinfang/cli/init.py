"""``xinfang init``: create an archive folder with its administrator and security officer."""

from __future__ import annotations

from pathlib import Path

import click

from archive import Founder, InvalidInput, create_archive

from ._runtime import Runtime, pass_runtime, read_secret

__all__ = ["init"]

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command()
@click.option("--org", "organisation", required=True, help="机关名称，如 伊金霍洛旗纪委监委。")
@click.option("--org-code", required=True, help="机关代字，用于发文字号，如 伊纪。")
@click.option("--fonds", required=True, help="全宗号，如 J001。")
@click.option("--admin", "admin_name", required=True, help="系统管理员的用户名。")
@click.option("--security-officer", "officer_name", required=True, help="安全保密管理员的用户名。")
@click.option("--admin-passphrase-file", type=_FILE, help="系统管理员初始口令文件（或 XINFANG_ADMIN_PASSPHRASE）。")
@click.option(
    "--security-passphrase-file", type=_FILE, help="安全保密管理员初始口令文件（或 XINFANG_SECURITY_PASSPHRASE）。"
)
@pass_runtime
def init(
    runtime: Runtime,
    organisation: str,
    org_code: str,
    fonds: str,
    admin_name: str,
    officer_name: str,
    admin_passphrase_file: Path | None,
    security_passphrase_file: Path | None,
) -> None:
    """新建档案库（文件夹须不存在或为空）。

    同时创建系统管理员与安全保密管理员两个账户；各密级密钥只封装给安全保密管理员。

    \b
    例：
      xinfang --archive ./档案库 init --org 伊金霍洛旗纪委监委 --org-code 伊纪 \\
          --fonds J001 --admin 李管理 --security-officer 赵保密
    """
    if runtime.archive_dir is None:
        raise InvalidInput("请用 --archive DIR 或 XINFANG_ARCHIVE 指定新档案库的文件夹")
    admin_pass = read_secret(
        "XINFANG_ADMIN_PASSPHRASE", admin_passphrase_file, f"系统管理员 {admin_name} 的初始口令", confirm=True
    )
    officer_pass = read_secret(
        "XINFANG_SECURITY_PASSPHRASE", security_passphrase_file, f"安全保密管理员 {officer_name} 的初始口令", confirm=True
    )
    archive = create_archive(
        runtime.archive_dir,
        organisation=organisation,
        org_code=org_code,
        fonds=fonds,
        admin=Founder(admin_name, admin_pass),
        security_officer=Founder(officer_name, officer_pass),
        kdf=runtime.kdf(),
    )
    archive.close()
    click.echo(f"已创建档案库：{runtime.archive_dir}")
    click.echo(f"系统管理员：{admin_name}；安全保密管理员：{officer_name}（持有全部密级密钥）")
    click.echo("下一步：系统管理员用 xinfang user add 创建账户，安全保密管理员用 xinfang user clearance 授予密级。")
