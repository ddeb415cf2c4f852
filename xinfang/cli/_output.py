"""Rendering results: JSON for programs, tables for people, progress on stderr."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:  # rich loads only when a table or a progress bar is shown: a --json answer starts sooner
    from rich.progress import Progress, TaskID

    from archive.verify import DestructionCheck

__all__ = ["ProgressReport", "echo_destructions", "echo_json", "echo_table", "progress_bar"]


def echo_json(value: Any) -> None:
    """Print ``value`` as JSON, Chinese left readable."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


def echo_destructions(checks: Sequence[DestructionCheck]) -> None:
    """One line per executed destruction as verification found it."""
    for check in checks:
        verdict = "与存根一致" if check.ok else "有问题（见上）"
        register = "" if check.register_filed else "，销毁清册未归档"
        click.echo(f"销毁批次 {check.batch_id}：{check.items} 件，{(check.executed_at or '')[:10]} 执行，"
                   f"批准 {check.approver}，监销 {'、'.join(check.witnesses)}{register}——{verdict}")


def echo_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, empty: str) -> None:
    """Print rows as a table, or ``empty`` when there are none."""
    if not rows:
        click.echo(empty)
        return
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("—" if value is None else str(value) for value in row))
    Console(width=160, highlight=False, soft_wrap=False).print(table)


class ProgressReport:
    """What a library's ``progress=`` callback talks to: ``advance(n)`` or ``update(done, total)``."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` more units done."""
        self._progress.advance(self._task, amount)

    def update(self, done: int, total: int) -> None:
        """Set the position directly."""
        self._progress.update(self._task, completed=done, total=total)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[ProgressReport]:
    """A progress bar on stderr, shown only on a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn(description),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        yield ProgressReport(progress, progress.add_task(description, total=total))
