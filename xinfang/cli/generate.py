"""``xinfang generate``: drafts (拟稿) of the office's documents, one sub-command per kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from archive.days import parse_date
from generators.errors import UnknownKind
from generators.fields import FIELD_TYPES, canonical, parse_assignments, read_data_file
from generators.issuing import DraftResult, document_series, draft_reminders, generate_draft
from generators.kind import AUDIENCES, DocumentKind
from generators.kinds import KINDS, find_kind

from ._errors import EXIT_INVALID
from ._output import echo_json, echo_table, progress_bar
from ._runtime import Runtime, pass_runtime

__all__ = ["generate"]

_OUT = click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
                    show_default=True, help="草稿写入的文件夹（明文文件，请妥善保管）。")
_JSON = click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")


def _echo_draft(result: DraftResult) -> None:
    click.echo(f"草稿 {result.draft.draft_id}（{result.kind.name}，信访件 {result.draft.case_id}）：{result.path}")
    for warning in result.warnings:
        click.echo(f"注意：{warning}", err=True)


def _kind_command(kind: DocumentKind) -> click.Command:
    """``generate KIND``: the same options for every kind; the fields are listed in the help."""
    fields = "\n".join(
        f"  {f.name:<22}{f.label}{'' if f.required else '（可选）'}" + (f"；默认：{f.source}" if f.source else "")
        for f in kind.all_fields
    )

    @click.command(kind.id, help=(
        f"拟稿：{kind.name}（{kind.summary}）。生成的草稿不占用发文字号。\n\n"
        f"\b\n字段（--set 字段=值，字段名可用英文或中文）：\n{fields}\n\n"
        f"\b\n例：\n  xinfang generate {kind.id} --case XF-2026-0001 --out 草稿/"
    ), short_help=f"{kind.name}：{kind.summary}")
    @click.option("--case", "case_id", required=True, help="信访件编号。")
    @click.option("--set", "assignments", multiple=True, metavar="字段=值", help="字段的值，可重复。")
    @click.option("--data", "data", type=click.Path(dir_okay=False, exists=True, path_type=Path),
                  help="字段值文件（JSON 或 YAML）；--set 优先。")
    @_OUT
    @_JSON
    @pass_runtime
    def command(runtime: Runtime, case_id: str, assignments: tuple[str, ...], data: Path | None, out: Path,
                as_json: bool) -> None:
        given = canonical(kind.all_fields, read_data_file(data)) if data else {}
        given.update(canonical(kind.all_fields, parse_assignments(list(assignments))))
        result = generate_draft(runtime.archive(), runtime.session(), kind.id, case_id, given, out)
        if as_json:
            echo_json({"draft_id": result.draft.draft_id, "path": str(result.path), "warnings": result.warnings})
        else:
            _echo_draft(result)

    return command


@click.command("reminders")
@click.option("--as-of", "as_of", help="以哪一天为准判断应催办的信访件，默认今天。")
@_OUT
@_JSON
@pass_runtime
def reminders(runtime: Runtime, as_of: str | None, out: Path, as_json: bool) -> None:
    """为今天（或 --as-of 那天）应催办的每件纪群字交办件拟一份催办函草稿。

    \b
    例：
      xinfang generate reminders --out 催办/
      xinfang issue 催办/NG-*.docx --signer 吴领导
    """
    day = parse_date(as_of, "--as-of") if as_of else date.today()
    with progress_bar("拟写催办函") as bar:
        done = draft_reminders(runtime.archive(), runtime.session(), day, out, progress=bar.update)
    if as_json:
        echo_json({"drafts": [{"draft_id": r.draft.draft_id, "case_id": r.draft.case_id, "path": str(r.path)}
                              for r in done.drafted],
                   "waiting": [{"case_id": case_id, "draft_id": draft_id} for case_id, draft_id in done.waiting],
                   "failed": [{"case_id": case_id, "reason": reason} for case_id, reason in done.failed]})
    else:
        for result in done.drafted:
            _echo_draft(result)
        for case_id, draft_id in done.waiting:
            click.echo(f"信访件 {case_id} 已有待签发的催办函草稿 {draft_id}，未再拟稿")
        for case_id, reason in done.failed:
            click.echo(f"信访件 {case_id} 未能拟稿：{reason}", err=True)
        total = len(done.drafted) + len(done.waiting) + len(done.failed)
        waiting = f"已有待签发草稿 {len(done.waiting)} 件，" if done.waiting else ""
        click.echo(f"共 {total} 件应催办：已拟稿 {len(done.drafted)} 件，{waiting}失败 {len(done.failed)} 件。")
    if done.failed:
        raise click.exceptions.Exit(EXIT_INVALID)


class _KindGroup(click.Group):
    """Sub-commands are the document kinds (by English id or Chinese name), plus ``reminders``."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return ["reminders", *(kind.id for kind in KINDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "reminders":
            return reminders
        try:
            return _kind_command(find_kind(cmd_name))
        except UnknownKind:
            return None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None, list[str]]:
        if args and self.get_command(ctx, args[0]) is None and not args[0].startswith("-"):
            try:
                find_kind(args[0])
            except UnknownKind as exc:
                raise click.UsageError(str(exc), ctx) from exc
        return super().resolve_command(ctx, args)


@click.group(cls=_KindGroup, invoke_without_command=True)
@click.option("--list", "show_list", is_flag=True, help="列出文书种类及其字段。")
@_JSON
@click.pass_context
def generate(ctx: click.Context, show_list: bool, as_json: bool) -> None:
    """拟稿：按信访件生成文书草稿（发文字号留空，标“草稿”），签发编号见 xinfang issue。

    KIND 可用英文或中文名，如 notice-accept 或 受理告知书。缺少或不合格的字段一次全部列出，不写任何文件。

    \b
    例：
      xinfang generate --list
      xinfang generate assignment --case XF-2026-0001 --set report_due=2027-01-12 --out 草稿/
      xinfang generate 不予受理告知书 --case XF-2026-0002 --set reason=不属于本机关受理范围 \\
          --set refer_to=旗人民法院 --out 草稿/
    """
    if ctx.invoked_subcommand is not None:
        return
    if not show_list:
        click.echo(ctx.get_help())
        return
    runtime: Runtime = ctx.find_object(Runtime)
    settings = runtime.archive().config.sections.get("documents", {}) if runtime.archive_dir else {}
    org_code = runtime.archive().config.org_code if runtime.archive_dir else "××"

    def series(kind: DocumentKind) -> str:
        return f"{org_code}{document_series(kind, settings)}字"

    if as_json:
        echo_json({"kinds": [kind.to_json(series(kind)) for kind in KINDS]})
        return
    for kind in KINDS:
        click.echo(f"{kind.id}  {kind.name}  —— {kind.summary}")
        click.echo(f"  格式：{kind.template}；发文字号：{series(kind)}〔年份〕n号；收件：{AUDIENCES[kind.audience]}")
        echo_table(
            ("字段", "含义", "类型", "必填", "默认值来源"),
            [(f.name, f.label, FIELD_TYPES[f.type] + (f"：{'、'.join(f.choices)}" if f.choices else ""),
              "是" if f.required else "否", f.source) for f in kind.all_fields],
            empty="",
        )
        click.echo("")
