"""The ``xinfang`` command: thin commands over the archive, generators and search libraries.

Each command takes the open archive and session from :class:`Runtime`, makes
one library call and renders the result.  Errors are turned into messages and
exit codes in one place (:mod:`xinfang.cli._errors`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from xinfang import __version__

from ._errors import XinfangGroup
from ._runtime import Runtime

__all__ = ["main"]

_COMMANDS = {
    "init": "init:init",
    "user": "user:user",
    "archive": "archive:archive_group",
    "record": "record:record",
    "audit": "audit:audit",
    "case": "case:case",
    "demo": "demo:demo",
    "redact": "redact:redact",
    "gate": "redact:gate",
    "generate": "generate:generate",
    "issue": "issue:issue",
    "report": "report:report",
    "reportbox": "report:reportbox",
    "search": "search:search",
    "access": "access:access",
    "retention": "retention:retention",
    "hold": "hold:hold",
    "destroy": "destroy:destroy",
    "backup": "backup:backup",
    "keys": "keys:keys",
}
"""Each command and the module under :mod:`xinfang.cli` that defines it, loaded only when it runs."""


@click.group(cls=XinfangGroup, lazy_commands=_COMMANDS, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="XINFANG_ARCHIVE",
    help="档案库文件夹（或环境变量 XINFANG_ARCHIVE）。",
)
@click.option("--user", envvar="XINFANG_USER", help="操作用户（或环境变量 XINFANG_USER）。")
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="从文件读取口令（否则取 XINFANG_PASSPHRASE，或提示输入）。",
)
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 调用栈。")
@click.version_option(__version__, prog_name="xinfang")
@click.pass_context
def main(ctx: click.Context, archive_dir: Path | None, user: str | None, passphrase_file: Path | None, debug: bool) -> None:
    """信访室与纪检监察信访举报的公文与加密档案工具。

    \b
    例：
      export XINFANG_ARCHIVE=./档案库 XINFANG_USER=王文秘
      xinfang archive list
    """
    ctx.obj = Runtime(archive_dir, user, passphrase_file, debug)
    if not debug:  # pypdf logs English notes on damaged files; our own message says what is wrong
        logging.getLogger("pypdf").addHandler(logging.NullHandler())
        logging.getLogger("pypdf").propagate = False
