"""Recovery sheets: made by the security officer, read back, recombined and granted — and every refusal."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import (
    IntegrityError,
    InvalidInput,
    Level,
    NotFound,
    PermissionDenied,
    Refused,
    Role,
    add_account,
    disable_account,
    login,
    recovery,
    recovery_sheets,
    verify_archive,
)
from archive import files as archive_files
from archive.recovery import Recovery, make_recovery_sheets, recover_level_keys
from archive.recovery_sheets import parse_sheet
from archive.shamir import Share, split_secret
from tests.conftest import ADMIN, KDF, OFFICER, PASSPHRASE, Office

NEW_OFFICER = "孙保密"
NEW_PASSPHRASE = "新保密员的口令 river stone"
CODE_LINE = re.compile(r"^(\d\d)  ((?:[0-9A-Z]{4} ){6}) ([0-9A-Z]{4})$", re.M)


def make_sheets(office: Office, out: Path, shares: int = 3, threshold: int = 2) -> list[Path]:
    with office.open() as archive:
        made = make_recovery_sheets(archive, office.session(archive, OFFICER), shares=shares, threshold=threshold,
                                    out=out)
    return list(made.paths)


def add_new_officer(office: Office) -> None:
    with office.open() as archive:
        add_account(archive, office.session(archive, ADMIN), NEW_OFFICER, [Role.SECURITY_OFFICER], NEW_PASSPHRASE, KDF)


def recover(office: Office, sheets: list[Path], to: str = NEW_OFFICER, by: str = NEW_OFFICER) -> Recovery:
    with office.open() as archive:
        session = login(archive, by, NEW_PASSPHRASE if by == NEW_OFFICER else PASSPHRASE)
        return recover_level_keys(archive, session, sheets, to=to)


def keys_of(office: Office, name: str, passphrase: str = PASSPHRASE) -> dict[Level, tuple[int, bytes]]:
    with office.open() as archive:
        return {level: (key.version, key.key) for level, key in login(archive, name, passphrase).level_keys.items()}


def grants(office: Office) -> list[tuple]:
    with office.raw_catalogue() as conn:
        return conn.execute("SELECT account_id, level, version, wrapped FROM level_key_grants ORDER BY 1, 2").fetchall()


def log_entries(office: Office, action: str) -> list[dict]:
    with office.raw_catalogue() as conn:
        bodies = [json.loads(body) for (body,) in conn.execute("SELECT body FROM audit_entries ORDER BY seq")]
    return [entry for entry in bodies if entry["action"] == action]


@pytest.fixture
def sheets(bare_office: Office, tmp_path: Path) -> list[Path]:
    """Three sheets, any two of which recover; and a new security officer with no keys to receive them."""
    add_new_officer(bare_office)
    return make_sheets(bare_office, tmp_path / "恢复单")


# --- making sheets ---------------------------------------------------------------------------


def test_sheets_are_private_files_that_say_what_they_are(bare_office: Office, sheets: list[Path]) -> None:
    assert [path.name for path in sheets] == [f"恢复单-第1套-第{k}张-共3张.txt" for k in (1, 2, 3)]
    for k, path in enumerate(sheets, 1):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        text = path.read_text(encoding="utf-8")
        assert "机关：伊金霍洛旗纪委监委" in text and f"本张：第 {k} 张，共 3 张；任意 2 张" in text
        assert "套次：第 1 套" in text and "绝密（第 1 版）" in text and "制作人：赵保密" in text
        assert len(CODE_LINE.findall(text)) == 15  # 5 levels: 215 bytes, 15 bytes a line
        sheet = parse_sheet(text, path.name)
        assert (sheet.set_no, sheet.threshold, sheet.share.x) == (1, 2, k)
        assert [level for level, _ in sheet.levels] == list(Level)
    fingerprints = {re.search(r"密钥指纹：(.+)", p.read_text(encoding="utf-8")).group(1) for p in sheets}
    assert len(fingerprints) == 1
    with bare_office.open() as archive:
        (digest,) = archive.conn.execute("SELECT secret_sha256 FROM recovery_sets").fetchone()
    assert fingerprints == {" ".join(digest[i : i + 4] for i in range(0, 32, 4))}


def test_making_sheets_is_audited_without_the_shares(bare_office: Office, sheets: list[Path]) -> None:
    (entry,) = log_entries(bare_office, "keys.recovery-sheets")
    assert entry["actor"] == OFFICER and entry["objects"] == ["recovery:1"]
    assert entry["info"] == {"set": 1, "shares": 3, "threshold": 2, "levels": ["公开", "内部", "秘密", "机密", "绝密"]}
    with bare_office.raw_catalogue() as conn:
        everything = "".join(body for (body,) in conn.execute("SELECT body FROM audit_entries"))
    for path in sheets:
        for _, groups, _ in CODE_LINE.findall(path.read_text(encoding="utf-8"))[2:]:
            assert groups.replace(" ", "") not in everything
    with bare_office.open() as archive:
        assert verify_archive(archive, login(archive, "钱审计", PASSPHRASE)).ok


def test_only_the_security_officer_makes_sheets(bare_office: Office, tmp_path: Path) -> None:
    with bare_office.open() as archive:
        for name in ("吴领导", ADMIN):
            with pytest.raises(PermissionDenied):
                make_recovery_sheets(archive, login(archive, name, PASSPHRASE), shares=3, threshold=2, out=tmp_path)
    assert not list(tmp_path.glob("恢复单*"))


@pytest.mark.parametrize(("shares", "threshold"), [(3, 1), (3, 4), (1, 1), (256, 2)])
def test_impossible_splits_are_refused(bare_office: Office, tmp_path: Path, shares: int, threshold: int) -> None:
    with bare_office.open() as archive:
        with pytest.raises(InvalidInput):
            make_recovery_sheets(archive, login(archive, OFFICER, PASSPHRASE), shares=shares, threshold=threshold,
                                 out=tmp_path / "out")


def test_sheets_never_go_into_the_archive_folder(bare_office: Office) -> None:
    with bare_office.open() as archive:
        with pytest.raises(InvalidInput, match="档案库文件夹内"):
            make_recovery_sheets(archive, login(archive, OFFICER, PASSPHRASE), shares=3, threshold=2,
                                 out=bare_office.path / "keyslots")


def test_a_failed_write_records_no_set_and_leaves_no_sheet(
    bare_office: Office, sheets: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = archive_files.write_atomic
    calls: list[Path] = []

    def failing(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(recovery, "write_atomic", failing)
    out = tmp_path / "第二套"
    with pytest.raises(OSError):
        make_sheets(bare_office, out)
    assert list(out.iterdir()) == []
    with bare_office.raw_catalogue() as conn:
        assert conn.execute("SELECT set_no FROM recovery_sets").fetchall() == [(1,)]
    assert recover(bare_office, sheets[:2]).set_no == 1  # the first set is still the valid one


def test_existing_sheet_files_are_not_overwritten(bare_office: Office, sheets: list[Path]) -> None:
    before = sheets[0].read_bytes()
    with bare_office.raw_catalogue() as conn:  # pretend the next set is number 1 again
        conn.execute("DELETE FROM recovery_sets")
    with pytest.raises(Refused, match="已有"):
        make_sheets(bare_office, sheets[0].parent)
    assert sheets[0].read_bytes() == before


# --- recovering ------------------------------------------------------------------------------


@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (2, 1)])
def test_any_two_of_three_sheets_give_the_new_officer_every_key(
    bare_office: Office, sheets: list[Path], pair: tuple[int, int]
) -> None:
    assert keys_of(bare_office, NEW_OFFICER, NEW_PASSPHRASE) == {}
    done = recover(bare_office, [sheets[i] for i in pair])
    assert done.granted == tuple(Level) and done.stale == () and done.sheets == tuple(sorted(i + 1 for i in pair))
    assert keys_of(bare_office, NEW_OFFICER, NEW_PASSPHRASE) == keys_of(bare_office, OFFICER)


def test_all_three_sheets_work_too_and_the_recovery_verifies(bare_office: Office, sheets: list[Path]) -> None:
    recover(bare_office, sheets)
    (entry,) = log_entries(bare_office, "keys.recover")
    assert entry["actor"] == NEW_OFFICER and entry["objects"][1] == "recovery:1"
    assert entry["info"]["sheets"] == [1, 2, 3] and entry["info"]["name"] == NEW_OFFICER
    assert all(name.startswith("grant:") for name in entry["digests"])
    with bare_office.open() as archive:
        assert verify_archive(archive, login(archive, "钱审计", PASSPHRASE)).ok


def test_a_departed_officers_keys_live_on(bare_office: Office, sheets: list[Path]) -> None:
    """The only officer's passphrase is lost: a new officer, the sheets, then the old account disabled."""
    recover(bare_office, sheets[1:])
    with bare_office.open() as archive:
        disable_account(archive, login(archive, ADMIN, PASSPHRASE), OFFICER)
    assert set(keys_of(bare_office, NEW_OFFICER, NEW_PASSPHRASE)) == set(Level)


def test_the_recovered_keys_open_the_records(filed_office: Office, tmp_path: Path) -> None:
    add_new_officer(filed_office)
    paths = make_sheets(filed_office, tmp_path / "恢复单", shares=5, threshold=3)
    recover(filed_office, [paths[4], paths[0], paths[2]])
    from archive.records import unwrap_record_key

    with filed_office.open() as archive:
        level_keys = login(archive, NEW_OFFICER, NEW_PASSPHRASE).level_keys
        for level, record_id in filed_office.records.items():
            (wrapped,) = archive.conn.execute(
                "SELECT wrapped_key FROM records WHERE record_id = ?", (record_id,)).fetchone()
            assert len(unwrap_record_key(level_keys[level], record_id, wrapped)) == 32


def test_only_a_security_officer_recovers_and_only_for_a_security_officer(
    bare_office: Office, sheets: list[Path]
) -> None:
    before = grants(bare_office)
    with pytest.raises(PermissionDenied):
        recover(bare_office, sheets[:2], by=ADMIN)
    with pytest.raises(PermissionDenied):
        recover(bare_office, sheets[:2], by="吴领导")
    with pytest.raises(Refused, match="三员分立"):
        recover(bare_office, sheets[:2], to="王文秘")
    with pytest.raises(NotFound):
        recover(bare_office, sheets[:2], to="无此人")
    assert grants(bare_office) == before


def test_too_few_sheets(bare_office: Office, sheets: list[Path]) -> None:
    with pytest.raises(InvalidInput, match="至少需要 2 张，只给了 1 张"):
        recover(bare_office, sheets[:1])


def test_a_sheet_given_twice(bare_office: Office, sheets: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "复印件.txt"
    copy.write_bytes(sheets[0].read_bytes())
    with pytest.raises(InvalidInput, match="第 1 张恢复单给出了两次"):
        recover(bare_office, [sheets[0], copy])


def test_a_new_set_retires_the_old_one(bare_office: Office, sheets: list[Path], tmp_path: Path) -> None:
    second = make_sheets(bare_office, tmp_path / "第二套", shares=2, threshold=2)
    assert second[0].name == "恢复单-第2套-第1张-共2张.txt"
    with pytest.raises(InvalidInput, match="来自不同的套次"):
        recover(bare_office, [sheets[0], second[1]])
    with pytest.raises(Refused, match="第 1 套恢复单已作废.*第 2 套"):
        recover(bare_office, sheets[:2])
    assert recover(bare_office, second).set_no == 2


def test_refusals_are_logged_and_grant_nothing(bare_office: Office, sheets: list[Path]) -> None:
    before = grants(bare_office)
    with pytest.raises(InvalidInput):
        recover(bare_office, sheets[:1])
    assert grants(bare_office) == before
    (entry,) = log_entries(bare_office, "keys.recover.refused")
    assert entry["actor"] == NEW_OFFICER and "至少需要 2 张" in entry["info"]["reason"]


def test_a_sheet_of_another_archive(bare_office: Office, sheets: list[Path], tmp_path: Path) -> None:
    from tests.conftest import build_office

    other = build_office(tmp_path / "另一个档案库")
    foreign = make_sheets(other, tmp_path / "外来")
    with pytest.raises(InvalidInput, match="属于另一个档案库"):
        recover(bare_office, [sheets[0], foreign[1]])


def test_an_unknown_set_is_refused(bare_office: Office, sheets: list[Path]) -> None:
    with bare_office.raw_catalogue() as conn:
        conn.execute("DELETE FROM recovery_sets")
    with pytest.raises(Refused, match="没有第 1 套"):
        recover(bare_office, sheets[:2])


# --- typed back, mistyped, tampered ----------------------------------------------------------


def code_lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if CODE_LINE.match(line)]


def test_a_sheet_typed_back_sloppily_still_reads(sheets: list[Path]) -> None:
    """Only the code lines count; case, spacing, order and O/I/L for 0/1/1 are forgiven."""
    typed = []
    for line in code_lines(sheets[0]):
        code = line[4:].lower().replace("0", "o").replace("1", "l").replace("  ", " ").replace(" ", "-", 2)
        typed.append(f"  {line[:2]} {code}  ")
    text = "我按行抄录的恢复码：\n" + "\n".join(reversed(typed))
    original = parse_sheet(sheets[0].read_text(encoding="utf-8"), "a")
    assert parse_sheet(text, "b").share == original.share


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(0, 14), position=st.integers(0, 27), char=st.sampled_from("0123456789ABCDEFGHJKMNPQRSTVWXYZ"))
def test_a_mistyped_character_is_caught_and_its_line_named(
    sheets: list[Path], line: int, position: int, char: str
) -> None:
    lines = code_lines(sheets[0])
    number, code = lines[line][:2], lines[line][4:].replace(" ", "")
    if code[position] == char:
        return
    code = code[:position] + char + code[position + 1 :]
    lines[line] = f"{number}  {code}"
    with pytest.raises(InvalidInput) as caught:
        parse_sheet("\n".join(lines), "录入.txt")
    # A changed line slips past its 20-bit check once in a million; the whole sheet's check then catches it.
    assert f"第 {number} 行校验不符" in str(caught.value) or "整张校验不符" in str(caught.value)


def test_broken_lines_are_named(sheets: list[Path]) -> None:
    lines = code_lines(sheets[0])
    with pytest.raises(InvalidInput, match="第 07 行应有 24 个数据字符"):
        parse_sheet("\n".join(lines[:6] + [lines[6][:-6]] + lines[7:]), "x")
    with pytest.raises(InvalidInput, match="第 07 行第 1 个字符无效"):
        parse_sheet("\n".join(lines[:6] + ["07  U" + lines[6][5:]] + lines[7:]), "x")
    with pytest.raises(InvalidInput, match="缺少第 07 行"):
        parse_sheet("\n".join(lines[:6] + lines[7:]), "x")
    with pytest.raises(InvalidInput, match="第 03 行出现了两次"):
        parse_sheet("\n".join(lines + [lines[2]]), "x")
    with pytest.raises(InvalidInput, match="缺少第 15 行起"):
        parse_sheet("\n".join(lines[:-1]), "x")
    with pytest.raises(InvalidInput, match="没有恢复码"):
        parse_sheet("机关：伊金霍洛旗纪委监委\n", "x")
    swapped = lines[:]
    swapped[3], swapped[4] = "04" + lines[4][2:], "05" + lines[3][2:]
    with pytest.raises(InvalidInput, match="第 04 行校验不符"):
        parse_sheet("\n".join(swapped), "x")


def test_a_line_of_another_sheet_fails_the_whole_sheet_check(sheets: list[Path]) -> None:
    mine, other = code_lines(sheets[0]), code_lines(sheets[1])
    assert mine[6] != other[6]
    with pytest.raises(InvalidInput, match="整张校验不符"):
        parse_sheet("\n".join(mine[:6] + [other[6]] + mine[7:]), "x")


def forge(path: Path, sheet_path: Path, y: bytes, threshold: int | None = None) -> None:
    """A sheet with every check right but another share: only someone writing sheets on purpose makes one."""
    sheet = parse_sheet(sheet_path.read_text(encoding="utf-8"), "x")
    share = Share(sheet.share.x, y)
    payload = recovery_sheets.encode_payload(sheet.archive_id, sheet.set_no, threshold or sheet.threshold,
                                             sheet.levels, share)
    path.write_text("\n".join(recovery_sheets.code_lines(payload)), encoding="utf-8")


def test_a_forged_sheet_is_an_integrity_failure_and_named_when_the_others_suffice(
    bare_office: Office, sheets: list[Path], tmp_path: Path
) -> None:
    forged = tmp_path / "伪造.txt"
    original = parse_sheet(sheets[2].read_text(encoding="utf-8"), "x").share.y
    forge(forged, sheets[2], bytes([original[0] ^ 1]) + original[1:])
    before = grants(bare_office)
    with pytest.raises(IntegrityError, match="密钥指纹不符"):
        recover(bare_office, [sheets[0], forged])
    with pytest.raises(IntegrityError, match="恢复单 伪造.txt 与同一套的其他恢复单不一致"):
        recover(bare_office, [sheets[0], sheets[1], forged])
    forge(forged, sheets[2], original, threshold=3)
    with pytest.raises(IntegrityError, match="门限或密钥清单"):
        recover(bare_office, [sheets[0], forged])
    assert grants(bare_office) == before


def test_keys_that_match_a_forged_digest_but_open_no_record_are_refused(filed_office: Office, tmp_path: Path) -> None:
    """Forged sheets and a digest edited to match them: the keys must still open a real record key."""
    add_new_officer(filed_office)
    real = make_sheets(filed_office, tmp_path / "恢复单")
    sheet = parse_sheet(real[0].read_text(encoding="utf-8"), "x")
    fake = os.urandom(32 * len(sheet.levels))
    forged = []
    for share in split_secret(fake, 2, 2):
        path = tmp_path / f"伪造{share.x}.txt"
        payload = recovery_sheets.encode_payload(sheet.archive_id, 1, 2, sheet.levels, share)
        path.write_text("\n".join(recovery_sheets.code_lines(payload)), encoding="utf-8")
        forged.append(path)
    with filed_office.raw_catalogue() as conn:
        digest = recovery._secret_digest(sheet.archive_id, 1, sheet.levels, fake)
        conn.execute("UPDATE recovery_sets SET secret_sha256 = ?", (digest,))
    with pytest.raises(IntegrityError, match="打不开记录"):
        recover(filed_office, forged)
    with filed_office.open() as archive:  # and the edited row is caught by verification
        report = verify_archive(archive, login(archive, "钱审计", PASSPHRASE))
    assert any("恢复单套次 recovery:1" in problem.where for problem in report.problems)


def test_levels_rotated_since_are_left_out_and_said_so(bare_office: Office, sheets: list[Path]) -> None:
    with bare_office.raw_catalogue() as conn:  # what a rotation of 秘密 leaves behind: a newer version
        conn.execute("INSERT INTO level_keys (level, version, created_at) VALUES (2, 2, '2026-12-01T00:00:00Z')")
    done = recover(bare_office, sheets[:2])
    assert done.stale == (Level.SECRET,) and Level.SECRET not in done.granted and len(done.granted) == 4
    with bare_office.raw_catalogue() as conn:
        for level in (0, 1, 3, 4):
            conn.execute("INSERT INTO level_keys (level, version, created_at) VALUES (?, 2, '2026-12-01T00:00:00Z')",
                         (level,))
    with pytest.raises(Refused, match="都已轮换"):
        recover(bare_office, sheets[:2])


def test_nothing_of_a_sheet_shows_in_a_repr(sheets: list[Path]) -> None:
    sheet = parse_sheet(sheets[0].read_text(encoding="utf-8"), "x")
    assert sheet.share.y.hex()[:8] not in repr(sheet) and "bytes" in repr(sheet)
