from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from archive import InvalidInput, list_records, login
from archive.anchors import parse_checkpoint
from archive.audit import Act
from archive.auditing import export_checkpoint, verify_audit
from archive.catalogue import write_transaction
from tests.conftest import PASSPHRASE, Office


def _export(office: Office, path: Path, name: str = "钱审计") -> Path:
    with office.open() as archive:
        path.write_text(export_checkpoint(archive, login(archive, name, PASSPHRASE)), encoding="utf-8")
    return path


def _touch(office: Office, name: str = "王文秘") -> None:
    with office.open() as archive:
        list_records(archive, login(archive, name, PASSPHRASE))


def _problems(office: Office, *anchors: Path) -> list[str]:
    with office.open() as archive:
        report = verify_audit(archive, list(anchors))
    return [f"{p.where} {p.message}" for p in report.archive.problems] + [
        f"{p.where} {p.message}" for r in report.anchors for p in r.problems
    ]


def test_a_growing_log_extends_every_earlier_checkpoint(filed_office: Office, tmp_path: Path) -> None:
    first = _export(filed_office, tmp_path / "cp1.txt")
    _touch(filed_office)
    second = _export(filed_office, tmp_path / "cp2.txt", name="赵保密")
    _touch(filed_office)
    assert _problems(filed_office, first, second) == []


def test_a_rollback_to_an_older_copy_is_caught_by_a_later_checkpoint(filed_office: Office, tmp_path: Path) -> None:
    older = tmp_path / "older"
    shutil.copytree(filed_office.path, older)
    _touch(filed_office)
    later = _export(filed_office, tmp_path / "later.txt")
    shutil.rmtree(filed_office.path)
    shutil.copytree(older, filed_office.path)
    problems = _problems(filed_office, later)
    assert len(problems) == 1 and "later.txt" in problems[0] and "回滚" in problems[0]


def test_a_history_rewritten_and_re_signed_by_an_insider_is_caught_only_by_the_anchor(
    filed_office: Office, tmp_path: Path
) -> None:
    """An insider deletes an entry, rebuilds the chain and re-signs it with her own key."""
    _touch(filed_office, "吴领导")
    anchor = _export(filed_office, tmp_path / "anchor.txt")
    with filed_office.open() as archive:
        insider = login(archive, "王文秘", PASSPHRASE)
        entries = [json.loads(body) for (body,) in archive.conn.execute("SELECT body FROM audit_entries ORDER BY seq")]
        kept = [e for e in entries if e["action"] != "record.list"]
        assert len(kept) < len(entries)
        with write_transaction(archive.conn):
            for table in ("audit_entries", "audit_state", "audit_checkpoints"):
                archive.conn.execute(f"DELETE FROM {table}")
            act = Act(archive.conn, archive.config.archive_id, insider.account.name, insider.keys.sign_private)
            for e in kept:
                act.log(e["action"], e["objects"], digests=e["digests"], info=e["info"])
            act.sign_checkpoint()
    assert _problems(filed_office) == []
    problems = _problems(filed_office, anchor)
    assert len(problems) == 1 and "anchor.txt" in problems[0]


def test_a_forged_checkpoint_file_is_rejected(filed_office: Office, tmp_path: Path) -> None:
    anchor = _export(filed_office, tmp_path / "cp.txt")
    text = anchor.read_text(encoding="utf-8")
    forged = tmp_path / "forged.txt"
    forged.write_text(text.replace("条目数：", "条目数：1"), encoding="utf-8")
    problems = _problems(filed_office, forged)
    assert problems and ("签名无效" in problems[0] or "少于" in problems[0])


def test_a_replaced_signing_key_in_the_catalogue_is_seen(filed_office: Office, tmp_path: Path) -> None:
    anchor = _export(filed_office, tmp_path / "cp.txt")
    conn = sqlite3.connect(filed_office.path / "catalogue.sqlite")
    conn.execute("UPDATE accounts SET sign_public = ? WHERE name = '钱审计'", (bytes(32),))
    conn.commit()
    conn.close()
    problems = _problems(filed_office, anchor)
    assert any("指纹不符" in p for p in problems)
    assert any("钱审计" in p and "公钥" in p for p in problems)


@pytest.mark.parametrize("text", ["", "hello\n", "xinfang 审计检查点\n条目数：abc\n"])
def test_a_file_that_is_not_a_checkpoint_is_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_checkpoint(text, "x.txt")
