"""``xinfang search``: full-text search within clearance and need-to-know, and rebuilding the indexes."""

from __future__ import annotations

import click

from archive import parse_level
from archive.days import parse_date
from search.errors import IndexBusy, IndexCorrupted
from search.searching import DEFAULT_LIMIT, SearchFilters, search_archive

from ._groups import DefaultCommandGroup
from ._output import echo_json, echo_table, progress_bar
from ._runtime import Runtime, pass_runtime

__all__ = ["index_filed", "search"]


def index_filed(runtime: Runtime) -> None:
    """Index what a command just filed.  The records are filed either way; if indexing fails they stay queued.

    A busy index is a note (the next filing or a reindex catches up); a corrupted
    one is an integrity failure and ends the command with exit code 4; a failed
    write (a full disk) ends it as any file error does, after saying what was filed.
    """
    from search.indexing import index_queued  # (the indexer reads DOCX and PDF: only filing commands load it)

    try:
        with progress_bar("编入检索索引") as bar:
            index_queued(runtime.archive(), runtime.session(), bar.update)
    except IndexBusy as exc:
        click.echo(f"注意：记录已归入，但暂未编入检索索引（{exc}）；下一次归入或 xinfang search reindex 时编入", err=True)
    except IndexCorrupted as exc:
        raise IndexCorrupted(f"记录已归入（留在待索引队列中），但{exc}") from exc
    except OSError:  # a full disk, say: the message below names it; what was filed stays filed
        click.echo("注意：记录已归入（留在待索引队列中），但未能编入检索索引；问题解决后，下一次归入或 xinfang search reindex 时编入",
                   err=True)
        raise


class _SearchGroup(DefaultCommandGroup):
    """``search QUERY`` is ``search query QUERY``."""

    default_command = "query"


@click.group(cls=_SearchGroup)
def search() -> None:
    """全文检索：只在您的密级授权和知悉范围内检索，结果不显示评分。

    检索式：词语之间默认为“并且”；可用 AND、OR、NOT、括号、引号内的短语，
    以及 字段:值（case_id、kind、archival_code、channel、category、parties 当事人、unit 单位）。

    \b
    例：
      xinfang search 扶贫资金
      xinfang search '"挪用扶贫" OR 截留' --from 2026-01-01 --kind letter
      xinfang search reindex --level 秘密
    """


@search.command("query")
@click.argument("text")
@click.option("--case", "case_id", help="只检索该信访件的记录。")
@click.option("--kind", help="只检索该类别的记录，如 letter 或 来信原件。")
@click.option("--from", "date_from", help="形成日期不早于，如 2026-01-01。")
@click.option("--to", "date_to", help="形成日期不晚于，如 2026-12-31。")
@click.option("--limit", type=click.IntRange(1, 10_000), default=DEFAULT_LIMIT, show_default=True, help="最多显示几条。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出。")
@pass_runtime
def query(runtime: Runtime, text: str, case_id: str | None, kind: str | None, date_from: str | None,
          date_to: str | None, limit: int, as_json: bool) -> None:
    """检索记录的题名、正文和当事人。

    \b
    例：
      xinfang search query 张某某 --case XF-2026-0001 --json
    """
    if kind is not None:
        import generators.kinds  # noqa: F401  (registers the issued documents' kinds: 催办函 is a kind too)
    filters = SearchFilters(
        case_id, kind,
        parse_date(date_from, "--from") if date_from else None,
        parse_date(date_to, "--to") if date_to else None,
    )
    found = search_archive(runtime.archive(), runtime.session(), text, filters, limit=limit)
    if found.not_yet_indexed:
        click.echo(f"注意：有 {found.not_yet_indexed} 件记录尚未编入检索索引，结果可能不全；"
                   "请档案员运行 xinfang search reindex", err=True)
    if as_json:
        echo_json(found.to_json())
        return
    rows = [
        (hit["rank"], hit["archival_code"] or hit["record_id"], hit["title"], hit["date"], hit["case_id"], hit["snippet"])
        for hit in found.results
    ]
    echo_table(["序号", "档号/记录号", "题名", "日期", "信访件", "摘要"], rows, empty="没有找到符合条件的记录。")
    if found.results:
        shown = f"，显示前 {len(found.results)} 条" if len(found.results) < found.count else ""
        click.echo(f"共 {found.count} 条{shown}。")


@search.command("reindex")
@click.option("--level", "levels", multiple=True, help="只重建该密级的索引，可重复；默认重建您持有的各级。")
@pass_runtime
def reindex_command(runtime: Runtime, levels: tuple[str, ...]) -> None:
    """从档案记录重建检索索引（档案员、领导、安全保密管理员）。

    索引损坏、被回滚，或有记录已归入而未编入索引时使用。新索引建好后整体替换旧索引，
    重建期间检索照常使用旧索引。

    \b
    例：
      xinfang search reindex
      xinfang search reindex --level 机密
    """
    from search.indexing import reindex  # (as in index_filed)

    archive, session = runtime.archive(), runtime.session()
    chosen = [parse_level(level) for level in levels] or None
    with progress_bar("重建检索索引") as bar:
        report = reindex(archive, session, chosen, bar.update)
    for level, count in sorted(report.indexed.items()):
        click.echo(f"{level.label}级检索索引：已编入 {count} 件记录")
    if report.title_only:
        click.echo(f"其中 {len(report.title_only)} 件的内容中没有可提取的文字（扫描件、图片等），只按题名和著录项编入", err=True)
    if report.left_queued:
        click.echo(f"注意：{report.left_queued} 件记录所属信访件的密级超出您的授权，未能编入；请由持有相应密级的人员重建", err=True)
