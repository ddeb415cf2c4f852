"""``xinfang demo``: run the end-to-end demonstration into a fresh folder."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from xinfang.demo import ADMIN, DEMO_PASSPHRASE, DEMO_STAFF, OFFICER, run_demo

from ._runtime import Runtime, pass_runtime

__all__ = ["demo"]


@click.command()
@click.argument("folder", default="demo-archive", type=click.Path(file_okay=False, path_type=Path))
@click.option("--documents", type=click.Path(file_okay=False, path_type=Path),
              help="演示文书（草稿与印制件，明文）写入的文件夹，默认为档案库旁的“FOLDER-文书”。")
@pass_runtime
def demo(runtime: Runtime, folder: Path, documents: Path | None) -> None:
    """演示：新建一个档案库，各岗位各走一遍，每种文书各签发一份（文件夹须不存在或为空）。

    \b
    例：
      xinfang demo ./demo-archive
    """
    documents = documents or folder.parent / f"{folder.name}-文书"
    result = run_demo(folder, documents, click.echo, runtime.kdf())
    names = "、".join([ADMIN, OFFICER, *DEMO_STAFF])
    click.echo("")
    click.echo(f"档案库在 {result.folder.resolve()}（FORMAT.md 说明其中每个文件）。")
    click.echo(f"文书在 {result.documents.resolve()}：草稿/ 是拟稿，发文/ 是签发编号后的印制件，"
               "报表/ 是登记表、统计报表和归档目录（DOCX 与 PDF），副本/ 是调查员导出的带水印编号副本。")
    click.echo(f"演示账户：{names}；口令均为“{DEMO_PASSPHRASE}”（仅供试用）。接着可以试：")
    here = Path(sys.executable).parent
    if shutil.which("xinfang") != str(here / "xinfang") and (here / "activate").is_file():
        click.echo(f"  source {os.path.relpath(here / 'activate')}")
    click.echo(f"  export XINFANG_ARCHIVE={result.folder} XINFANG_PASSPHRASE={DEMO_PASSPHRASE}")
    click.echo("  XINFANG_USER=王文秘 xinfang archive list")
    click.echo(f"  XINFANG_USER=王文秘 xinfang case show {result.case_ids[0]}")
    month_later = (date.today() + timedelta(days=31)).isoformat()
    click.echo(f"  XINFANG_USER=王文秘 xinfang case list --due-for reminder --as-of {month_later}")
    click.echo(f"  XINFANG_USER=王文秘 xinfang archive get {result.record_ids[0]} --out 来信.txt")
    click.echo("  XINFANG_USER=王文秘 xinfang search 扶贫资金")
    click.echo("  XINFANG_USER=吴领导 xinfang access list")
    click.echo("  XINFANG_USER=王文秘 xinfang issue list")
    click.echo("  XINFANG_USER=王文秘 xinfang generate --list")
    click.echo("  XINFANG_USER=李管理 xinfang user list")
    click.echo("  XINFANG_USER=钱审计 xinfang archive verify")
