"""Exit codes and the one place library errors become messages.

Commands never catch our exceptions themselves: :class:`XinfangGroup` maps each
base class of the archive's tree to an exit code and writes its Chinese
message to stderr.  ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

import click

from archive import errors
from archive.catalogue import catalogue_damage
from archive.files import describe_os_error
from generators.errors import GeneratorError
from search.errors import IndexCorrupted, SearchError

__all__ = [
    "ChineseUsageError",
    "EXIT_CREDENTIALS",
    "EXIT_INTEGRITY",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_PERMISSION",
    "EXIT_USAGE",
    "XinfangGroup",
    "exit_code_for",
    "translate_usage_error",
]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_PERMISSION = 3
EXIT_INTEGRITY = 4
EXIT_CREDENTIALS = 5
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a process stopped by Ctrl-C."""

_CODES: list[tuple[type[errors.ArchiveError], int, str]] = [
    (errors.CredentialsError, EXIT_CREDENTIALS, "身份验证失败"),
    (errors.IntegrityError, EXIT_INTEGRITY, "完整性校验失败"),
    (errors.PermissionDenied, EXIT_PERMISSION, "权限不足"),
    (errors.Refused, EXIT_INVALID, "操作被拒绝"),
    (errors.InvalidInput, EXIT_INVALID, "输入有误"),
]


_USAGE_MESSAGES = [
    (re.compile(r"Missing option '(.+?)'.*", re.S), "缺少选项 {0}"),
    (re.compile(r"Missing argument '(.+?)'.*", re.S), "缺少参数 {0}"),
    (re.compile(r"No such option:? '?([^'\s]+?)'?\.?(?:\s|$)", re.S), "没有选项 {0}"),
    (re.compile(r"No such command '(.+?)'.*", re.S), "没有命令 {0}"),
    (re.compile(r"Got unexpected extra arguments? \((.+)\)", re.S), "多余的参数：{0}"),
    (re.compile(r"Option '(.+?)' requires an argument.*", re.S), "选项 {0} 需要一个值"),
    (re.compile(r"Invalid value for '(.+?)': (?:File|Directory|Path) '(.+?)' is a directory\.?", re.S), "{0}：{1} 是文件夹，不是文件"),
    (re.compile(r"Invalid value for '(.+?)': (?:File|Directory|Path) '(.+?)' is a file\.?", re.S), "{0}：{1} 是文件，不是文件夹"),
    (re.compile(r"Invalid value for '(.+?)': (?:File|Directory|Path) '(.+?)' does not exist\.?", re.S), "{0}：{1} 不存在"),
    (re.compile(r"Invalid value for '(.+?)': (.+)", re.S), "{0} 的值无效：{1}"),
]


def translate_usage_error(message: str) -> str:
    """Click's usage messages in Chinese (click itself ships no Chinese catalogue)."""
    for pattern, template in _USAGE_MESSAGES:
        match = pattern.match(message.strip())
        if match:
            return template.format(*match.groups())
    return message


def exit_code_for(error: errors.ArchiveError) -> tuple[int, str]:
    """The exit code and message prefix for one of our errors."""
    for cls, code, prefix in _CODES:
        if isinstance(error, cls):
            return code, prefix
    return EXIT_INVALID, "错误"


class ChineseUsageError(click.UsageError):
    """A usage error shown in Chinese, with the failing command's usage line and where to find help."""

    def __init__(self, original: click.UsageError) -> None:
        super().__init__(translate_usage_error(original.format_message()), original.ctx)

    def show(self, file: Any = None) -> None:
        if self.ctx is not None:
            click.echo(self.ctx.get_usage(), err=True)
        click.echo(f"用法错误：{self.message}", err=True)
        if self.ctx is not None:
            click.echo(f"运行 “{self.ctx.command_path} --help” 查看说明和示例。", err=True)


class XinfangGroup(click.Group):
    """The root group: runs a command and turns any error into a message and an exit code.

    Commands are imported when they are used (``lazy_commands``: name to
    ``module:attribute`` under this package), so ``xinfang search`` starts without
    loading the document generators, LibreOffice glue and PDF libraries.
    """

    def __init__(self, *args: Any, lazy_commands: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module, attribute = self.lazy_commands[cmd_name].split(":")
            self.add_command(getattr(importlib.import_module(f"{__package__}.{module}"), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise  # bare `xinfang`: click shows the help itself
        except click.UsageError as exc:
            raise ChineseUsageError(exc) from exc

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except errors.ArchiveError as exc:
            if debug:
                raise
            code, prefix = exit_code_for(exc)
            click.echo(f"{prefix}：{exc}", err=True)
            ctx.exit(code)
        except GeneratorError as exc:
            if debug:
                raise
            click.echo(f"无法生成文书：{exc}", err=True)
            ctx.exit(EXIT_INVALID)
        except SearchError as exc:
            if debug:
                raise
            corrupted = isinstance(exc, IndexCorrupted)
            click.echo(f"{'完整性校验失败' if corrupted else '检索失败'}：{exc}", err=True)
            if corrupted and "reindex" not in str(exc):
                click.echo("检索索引由档案记录派生：档案员或领导可用 xinfang search reindex 重建。", err=True)
            ctx.exit(EXIT_INTEGRITY if corrupted else EXIT_INVALID)
        except KeyboardInterrupt:
            # Ctrl-C: what was committed stays whole; an interrupted batch is finished by running it again.
            click.echo("已中断：已完成的部分完整保存；批量操作可再次运行以续完。", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_INVALID)
        except OSError as exc:
            if debug:
                raise
            where = f"：{exc.filename}" if exc.filename else ""
            click.echo(f"文件操作失败{where}：{describe_os_error(exc)}", err=True)
            ctx.exit(EXIT_INVALID)
        except UnicodeEncodeError:
            if debug:
                raise
            # An argument from a terminal that is not UTF-8 (lone surrogates, PEP 383) reached SQLite or a file
            # name as an id or a path: free text is checked where it is taken (archive.text), lookups are not.
            click.echo("输入有误：参数中含有无法识别的字符（终端的编码可能不是 UTF-8）", err=True)
            ctx.exit(EXIT_INVALID)
        except (ChineseUsageError, click.exceptions.NoArgsIsHelpError):
            raise
        except click.UsageError as exc:
            if debug:
                raise
            raise ChineseUsageError(exc) from exc
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # the promise: no traceback reaches a user
            if debug:
                raise
            damage = catalogue_damage(exc)
            if damage is not None:
                code, prefix = exit_code_for(damage)
                click.echo(f"{prefix}：{damage}", err=True)
                ctx.exit(code)
            click.echo(f"程序内部错误（{type(exc).__name__}）。请加 --debug 重新运行，并把输出报告给维护者。", err=True)
            ctx.exit(EXIT_INVALID)
