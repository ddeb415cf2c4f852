from __future__ import annotations

from pathlib import Path

from archive import Archive, login, verify_archive
from tests.conftest import CliRun
from xinfang.demo import DEMO_PASSPHRASE


def test_demo_builds_an_archive_that_verifies_and_says_what_to_try(cli: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "demo-archive"
    result = cli("demo", str(folder))
    assert result.exit_code == 0, result.output
    assert "被拒绝" in result.output and "校验审计日志与密文摘要：通过" in result.output
    assert "应催办：XF-2026-0001" in result.output and "J001-WS·" in result.output
    assert "XINFANG_USER=王文秘 xinfang archive list" in result.output
    with Archive.open(folder) as archive:
        officer = login(archive, "赵保密", DEMO_PASSPHRASE)
        report = verify_archive(archive, officer)
    assert report.ok and report.records_decrypted == 5


def test_demo_refuses_to_overwrite(cli: CliRun, tmp_path: Path) -> None:
    folder = tmp_path / "demo-archive"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    result = cli("demo", str(folder))
    assert result.exit_code == 1 and "拒绝覆盖" in result.output
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
