"""``xinfang search``: what each user sees, the exit codes of the contract, and repairing an index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import Level, login
from search import indexes
from search.indexes import INDEX_DIR, LevelIndex
from search.storage import HEADER_SIZE
from tests.conftest import PASSPHRASE, CliRun
from tests.search.conftest import Library

LEADER, ARCHIVIST, CLERK, INVESTIGATOR, RECUSED, AUDITOR = "吴领导", "孙档案", "王文秘", "周调查", "郑秘书", "钱审计"


def test_search_prints_hits_with_snippets_and_no_scores(library: Library, cli: CliRun) -> None:
    result = cli("search", "退耕还林", user=LEADER)
    assert result.exit_code == 0, result.output
    assert library.ids["letter"] in result.output and "关于截留退耕还林补助款的来信" in result.output
    assert "【退耕还林】" in result.output and "XF-2026-0001" in result.output
    assert "score" not in result.output.lower() and "评分" not in result.output


def test_search_json_is_the_contract_shape(library: Library, cli: CliRun) -> None:
    result = cli("search", "补助款", "--json", "--limit", "2", user=LEADER)
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["count"] == 3 and [hit["rank"] for hit in shown["results"]] == [1, 2]
    assert set(shown["results"][0]) == {"rank", "record_id", "archival_code", "case_id", "title", "date", "snippet"}


def test_search_query_is_the_default_sub_command(library: Library, cli: CliRun) -> None:
    assert cli("search", "query", "补助款", user=LEADER).output == cli("search", "补助款", user=LEADER).output


def test_filters_reach_the_search(library: Library, cli: CliRun) -> None:
    result = cli("search", "补助款", "--case", "XF-2026-0003", "--kind", "来信原件", "--from", "2026-11-01",
                 "--to", "2026-11-30", "--json", user=LEADER)
    assert [hit["case_id"] for hit in json.loads(result.output)["results"]] == ["XF-2026-0003"]


def test_a_forbidden_case_and_an_absent_one_answer_alike(library: Library, cli: CliRun) -> None:
    forbidden = cli("search", "公车私用", "--case", "XF-2026-0002", user=RECUSED)
    absent = cli("search", "公车私用", "--case", "XF-2026-0099", user=RECUSED)
    assert (forbidden.exit_code, forbidden.output) == (absent.exit_code, absent.output) == (0, "没有找到符合条件的记录。\n")


def test_an_investigator_without_grants_finds_nothing(library: Library, cli: CliRun) -> None:
    result = cli("search", "补助款", "--json", user=INVESTIGATOR)
    assert (result.exit_code, json.loads(result.output)) == (0, {"count": 0, "results": []})


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["补助款 AND"], 1, "缺少检索词"),
        (["(补助款"], 1, "括号不成对"),
        (["补助款", "--from", "2026-13-01"], 1, "不存在"),
        (["补助款", "--from", "2026-11-30", "--to", "2026-11-01"], 1, "晚于"),
        (["补助款", "--kind", "照片"], 1, "未知的记录类别"),
        (["补助款", "--limit", "0"], 2, ""),
    ],
)
def test_bad_input_gets_a_message_and_an_exit_code(library: Library, cli: CliRun, args: list[str], code: int,
                                                   message: str) -> None:
    result = cli("search", *args, user=LEADER)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output


def test_the_auditor_may_not_search(library: Library, cli: CliRun) -> None:
    result = cli("search", "补助款", user=AUDITOR)
    assert result.exit_code == 3 and "检索档案" in result.output


def test_a_tampered_index_exits_4_and_reindex_repairs_it(library: Library, cli: CliRun) -> None:
    folder = library.path / INDEX_DIR / "L1"
    segment = max((p for p in folder.iterdir() if not p.name.startswith(".")), key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    data[HEADER_SIZE + 7] ^= 0x80
    segment.write_bytes(bytes(data))
    broken = cli("search", "退耕还林", user=LEADER)
    assert broken.exit_code == 4 and "完整性校验失败" in broken.output and "reindex" in broken.output
    assert cli("search", "reindex", user=CLERK).exit_code == 3
    rebuilt = cli("search", "reindex", "--level", "内部", user=ARCHIVIST)
    assert rebuilt.exit_code == 0 and "内部级检索索引：已编入 3 件记录" in rebuilt.output
    assert "只按题名和著录项编入" in rebuilt.output  # the photograph
    assert cli("search", "退耕还林", user=LEADER).exit_code == 0


def test_archive_add_indexes_at_once(library: Library, cli: CliRun, tmp_path: Path) -> None:
    source = tmp_path / "补充.txt"
    source.write_text("补充反映：站长虚列青苗补偿款。", encoding="utf-8")
    added = cli("archive", "add", str(source), "--case", "XF-2026-0001", "--title", "补充材料", "--kind", "letter",
                "--classification", "内部", user=CLERK)
    assert added.exit_code == 0, added.output
    hits = json.loads(cli("search", "青苗补偿款", "--json", user=CLERK).output)
    assert hits["count"] == 1 and hits["results"][0]["title"] == "补充材料"


def test_a_busy_index_does_not_fail_the_filing_and_the_record_stays_queued(
    library: Library, cli: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexes, "WRITER_WAIT", 0.3)
    source = tmp_path / "补充.txt"
    source.write_text("补充反映：站长虚列青苗补偿款。", encoding="utf-8")
    with library.open() as archive:
        target = LevelIndex(archive, login(archive, LEADER, PASSPHRASE).level_keys[Level.INTERNAL])
        with target.write_lock():
            added = cli("archive", "add", str(source), "--case", "XF-2026-0001", "--title", "补充材料",
                        "--kind", "letter", "--classification", "内部", user=CLERK)
    assert added.exit_code == 0 and "暂未编入检索索引" in added.output
    waiting = cli("search", "青苗补偿款", user=CLERK)
    assert "有 1 件记录尚未编入检索索引" in waiting.output
    verified = cli("archive", "verify", user=AUDITOR)
    assert verified.exit_code == 0 and "尚未编入检索索引" in verified.output
    assert cli("search", "reindex", user=ARCHIVIST).exit_code == 0
    assert "补充材料" in cli("search", "青苗补偿款", user=CLERK).output
