from __future__ import annotations

from pathlib import Path

from archive import Archive, login, verify_archive
from generators.kinds import KINDS
from generators.reports import REPORTS
from tests.conftest import CliRun
from xinfang.demo import DEMO_PASSPHRASE


def test_demo_builds_an_archive_that_verifies_issues_every_kind_and_says_what_to_try(cli: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "demo-archive"
    result = cli("demo", str(folder))
    assert result.exit_code == 0, result.output
    assert "被拒绝" in result.output and "校验审计日志与密文摘要：通过" in result.output
    assert "应催办：XF-2026-0001" in result.output and "J001-WS·" in result.output
    assert "XINFANG_USER=王文秘 xinfang archive list" in result.output
    with Archive.open(folder) as archive:
        officer = login(archive, "赵保密", DEMO_PASSPHRASE)
        report = verify_archive(archive, officer)
    assert report.ok and report.records_decrypted == report.records_checked - report.records_destroyed > 0
    assert report.records_destroyed == 1 and report.destructions[0].register_filed
    # one document of every kind, drafted and issued into a folder beside the archive
    documents = tmp_path / "demo-archive-文书"
    assert f"文书在 {documents.resolve()}" in result.output
    issued = sorted(p.name for p in (documents / "发文").glob("*.docx"))
    for kind in KINDS:
        assert any(kind.name in name for name in issued), f"no {kind.id} issued"
        assert f"{kind.name}  " in result.output
    assert len(list((documents / "草稿").glob("NG-*（草稿）.docx"))) == len(KINDS)
    reports = sorted(p.name for p in (documents / "报表").glob("*.docx"))
    for report in REPORTS:  # and one of every register, statistic and list
        assert any(name.startswith(f"{report.name}-") for name in reports), f"no {report.id} made"
    assert not list(folder.rglob("*.docx")) and not list(folder.rglob("*.pdf"))  # plaintext stays outside


def test_demo_refuses_a_documents_folder_that_is_not_empty(cli: CliRun, tmp_path: Path) -> None:
    documents = tmp_path / "demo-archive-文书"
    documents.mkdir()
    (documents / "keep.txt").write_text("mine")
    result = cli("demo", str(tmp_path / "demo-archive"))
    assert result.exit_code == 1 and "不会覆盖" in result.output
    assert not (tmp_path / "demo-archive").exists()


def test_demo_refuses_to_overwrite(cli: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "demo-archive"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = cli("demo", str(folder))
    assert result.exit_code == 1 and "拒绝覆盖" in result.output
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
