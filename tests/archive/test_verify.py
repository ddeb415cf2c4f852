"""Tests for archive.verify: `archive verify` finds tampering, with content keys and without.

Every tampering below is something an insider with write access to the archive
folder could do.  Each must be reported by the security officer (who holds every
level key) and by the auditor (who holds none), naming the object that was
touched, and the command must exit 4 so that a script notices.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from archive import IntegrityError, Level, add_records, crypto, parse_kind, read_record, verify_archive
from archive.accounts import find_account
from archive.chunks import CHUNK_SIZE
from tests.conftest import ADMIN, OFFICER, STAFF, CliRun, Office
from xinfang.cli._errors import EXIT_INTEGRITY

AUDITOR = "钱审计"
VERIFIERS = [OFFICER, AUDITOR]  # with every level key / with no key at all
HEADER = 16
SEALED_CHUNK = CHUNK_SIZE + crypto.TAG_SIZE


# --- tampering helpers ------------------------------------------------------------------------


def _record_path(office: Office, record_id: str) -> Path:
    with office.open() as archive:
        return archive.record_path(record_id)


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _file_large_record(office: Office) -> str:
    """File a 秘密 record of three chunks (two full, one partial) and return its id."""
    source = office.path.parent / "large.bin"
    source.write_bytes(os.urandom(2 * CHUNK_SIZE + 1000))
    with office.open() as archive:
        (info,) = add_records(
            archive,
            office.session(archive, "王文秘"),
            [source],
            case_id="XF-2026-0002",
            title="大体积的证据材料",
            kind=parse_kind("evidence"),
            classification=Level.SECRET,
        )
    source.unlink()
    assert _record_path(office, info.record_id).stat().st_size == HEADER + 2 * SEALED_CHUNK + 1000 + crypto.TAG_SIZE
    return info.record_id


# Each record tampering changes the archive and returns the ids of the records it touched.


def _flip_record_header(office: Office) -> list[str]:
    record_id = office.records[Level.CONFIDENTIAL]
    _flip_byte(_record_path(office, record_id), 10)  # inside the chunk-size field
    return [record_id]


def _flip_record_middle(office: Office) -> list[str]:
    record_id = office.records[Level.CONFIDENTIAL]
    path = _record_path(office, record_id)
    _flip_byte(path, path.stat().st_size // 2)
    return [record_id]


def _flip_record_last_byte(office: Office) -> list[str]:
    record_id = office.records[Level.CONFIDENTIAL]
    path = _record_path(office, record_id)
    _flip_byte(path, path.stat().st_size - 1)
    return [record_id]


def _flip_wrapped_key(office: Office) -> list[str]:
    record_id = office.records[Level.SECRET]
    with office.raw_catalogue() as conn:
        (wrapped,) = conn.execute("SELECT wrapped_key FROM records WHERE record_id = ?", (record_id,)).fetchone()
        tampered = bytearray(wrapped)
        tampered[len(tampered) // 2] ^= 0x01
        conn.execute("UPDATE records SET wrapped_key = ? WHERE record_id = ?", (bytes(tampered), record_id))
    return [record_id]


def _truncate_at_chunk_boundary(office: Office) -> list[str]:
    record_id = _file_large_record(office)
    os.truncate(_record_path(office, record_id), HEADER + 2 * SEALED_CHUNK)  # the last chunk dropped whole
    return [record_id]


def _truncate_mid_chunk(office: Office) -> list[str]:
    record_id = _file_large_record(office)
    os.truncate(_record_path(office, record_id), HEADER + SEALED_CHUNK + CHUNK_SIZE // 2)
    return [record_id]


def _delete_record_file(office: Office) -> list[str]:
    record_id = office.records[Level.INTERNAL]
    _record_path(office, record_id).unlink()
    return [record_id]


def _swap_record_files(office: Office) -> list[str]:
    first, second = office.records[Level.SECRET], office.records[Level.CONFIDENTIAL]
    first_path, second_path = _record_path(office, first), _record_path(office, second)
    parked = first_path.with_name("parked")
    first_path.rename(parked)
    second_path.rename(first_path)
    parked.rename(second_path)
    return [first, second]


def _replace_record_and_fix_catalogue_digest(office: Office) -> list[str]:
    """An insider who also updates the catalogue's SHA-256: the signed log still disagrees."""
    record_id = office.records[Level.TOP_SECRET]
    path = _record_path(office, record_id)
    _flip_byte(path, path.stat().st_size // 2)
    with office.raw_catalogue() as conn:
        conn.execute("UPDATE records SET blob_sha256 = ? WHERE record_id = ?", (crypto.sha256_file(path), record_id))
    return [record_id]


RECORD_TAMPERINGS: dict[str, Callable[[Office], list[str]]] = {
    "flipped byte in the header": _flip_record_header,
    "flipped byte in the middle": _flip_record_middle,
    "flipped last byte": _flip_record_last_byte,
    "flipped byte of the wrapped key": _flip_wrapped_key,
    "truncated at a chunk boundary": _truncate_at_chunk_boundary,
    "truncated mid-chunk": _truncate_mid_chunk,
    "deleted file": _delete_record_file,
    "two files swapped": _swap_record_files,
    "file replaced, catalogue digest fixed": _replace_record_and_fix_catalogue_digest,
}


# Each other tampering returns the `where` of the problems it must cause.


def _edit_keyslot(office: Office) -> list[str]:
    with office.open() as archive:
        account = find_account(archive.conn, "周调查")
        assert account is not None
        path = archive.slot_path(account.account_id)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["kdf"]["time_cost"] += 1
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return ["用户“周调查”的口令槽"]


def _edit_level_key_grant(office: Office) -> list[str]:
    with office.raw_catalogue() as conn:
        (account_id,) = conn.execute("SELECT account_id FROM accounts WHERE name = '王文秘'").fetchone()
        (wrapped,) = conn.execute(
            "SELECT wrapped FROM level_key_grants WHERE account_id = ? AND level = ?",
            (account_id, Level.CONFIDENTIAL.value),
        ).fetchone()
        tampered = bytearray(wrapped)
        tampered[-1] ^= 0x01
        conn.execute(
            "UPDATE level_key_grants SET wrapped = ? WHERE account_id = ? AND level = ?",
            (bytes(tampered), account_id, Level.CONFIDENTIAL.value),
        )
    return ["用户“王文秘”的机密级密钥封装"]


def _delete_catalogue_row(office: Office) -> list[str]:
    """A record removed from the catalogue, its file left behind: the log says it was filed."""
    record_id = office.records[Level.TOP_SECRET]
    with office.raw_catalogue() as conn:
        conn.execute("DELETE FROM records WHERE record_id = ?", (record_id,))
    return [f"记录 {record_id}"]


def _delete_catalogue_row_and_file(office: Office) -> list[str]:
    """A record made to vanish without a destruction: no row, no file, only the log remembers."""
    record_id = office.records[Level.TOP_SECRET]
    path = _record_path(office, record_id)
    with office.raw_catalogue() as conn:
        conn.execute("DELETE FROM records WHERE record_id = ?", (record_id,))
    path.unlink()
    return [f"记录 {record_id}"]


def _edit_catalogue_row(column: str, value: object) -> Callable[[Office], list[str]]:
    """Change one descriptive column of a record's catalogue row, e.g. shorten its retention."""

    def tamper(office: Office) -> list[str]:
        record_id = office.records[Level.TOP_SECRET]
        with office.raw_catalogue() as conn:
            conn.execute(f"UPDATE records SET {column} = ? WHERE record_id = ?", (value, record_id))
        return [f"记录 {record_id}"]

    return tamper


def _record_problems(tamper: Callable[[Office], list[str]]) -> Callable[[Office], list[str]]:
    return lambda office: [f"记录 {record_id}" for record_id in tamper(office)]


TAMPERINGS: dict[str, Callable[[Office], list[str]]] = {
    **{name: _record_problems(tamper) for name, tamper in RECORD_TAMPERINGS.items()},
    "edited keyslot": _edit_keyslot,
    "edited level key grant": _edit_level_key_grant,
    # The catalogue row itself: the log recorded the filing, so an auditor must notice these too.
    "record deleted from the catalogue": _delete_catalogue_row,
    "record deleted from the catalogue and the folder": _delete_catalogue_row_and_file,
    "retention shortened in the catalogue": _edit_catalogue_row("retention", "D10"),
    "classification lowered in the catalogue": _edit_catalogue_row("level", Level.INTERNAL.value),
    "record moved to another case in the catalogue": _edit_catalogue_row("case_id", "XF-2026-0999"),
}


# --- tampering is found -----------------------------------------------------------------------


@pytest.mark.parametrize("verifier", VERIFIERS)
@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_verify_names_exactly_what_was_tampered_with(filed_office: Office, tampering: str, verifier: str) -> None:
    expected = set(TAMPERINGS[tampering](filed_office))
    with filed_office.open() as archive:
        report = verify_archive(archive, filed_office.session(archive, verifier))
    assert not report.ok
    assert {problem.where for problem in report.problems} == expected


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_the_auditor_sees_tampering_through_the_cli_with_exit_4(
    filed_office: Office, cli: CliRun, tampering: str
) -> None:
    expected = TAMPERINGS[tampering](filed_office)
    result = cli("archive", "verify", user=AUDITOR)
    assert result.exit_code == EXIT_INTEGRITY, result.output
    for where in expected:
        assert where in result.output
    assert "校验通过" not in result.output


@pytest.mark.parametrize("verifier", VERIFIERS)
def test_a_role_changed_behind_the_archives_back_is_a_problem(filed_office: Office, cli: CliRun, verifier: str) -> None:
    """The investigator makes himself an archivist in the catalogue and so reads without a grant."""
    with filed_office.raw_catalogue() as conn:
        conn.execute("UPDATE accounts SET roles = 'archivist,investigator' WHERE name = '周调查'")
    with filed_office.open() as archive:
        report = verify_archive(archive, filed_office.session(archive, verifier))
    assert not report.ok
    assert any("周调查" in problem.where for problem in report.problems)
    result = cli("archive", "verify", user=verifier)
    assert result.exit_code == EXIT_INTEGRITY, result.output


def test_the_json_report_lists_the_problem(filed_office: Office, cli: CliRun) -> None:
    (record_id,) = _flip_record_middle(filed_office)
    result = cli("archive", "verify", "--json", user=AUDITOR)
    assert result.exit_code == EXIT_INTEGRITY
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [problem["where"] for problem in report["problems"]] == [f"记录 {record_id}"]


@pytest.mark.parametrize("tampering", RECORD_TAMPERINGS)
def test_reading_a_tampered_record_raises_integrity_error(filed_office: Office, tampering: str) -> None:
    record_ids = RECORD_TAMPERINGS[tampering](filed_office)
    with filed_office.open() as archive:
        session = filed_office.session(archive, OFFICER)
        for record_id in record_ids:
            with pytest.raises(IntegrityError, match=record_id):
                read_record(archive, session, record_id)


# --- a clean archive verifies -----------------------------------------------------------------


@pytest.mark.parametrize("verifier", VERIFIERS)
def test_a_clean_archive_verifies(filed_office: Office, cli: CliRun, verifier: str) -> None:
    with filed_office.open() as archive:
        report = verify_archive(archive, filed_office.session(archive, verifier))
    assert report.ok, report.problems
    assert report.records_checked == len(filed_office.records)
    result = cli("archive", "verify", user=verifier)
    assert result.exit_code == 0, result.output
    assert "校验通过" in result.output
    assert "问题" not in result.output


def test_only_level_keys_let_verify_decrypt_the_records(filed_office: Office) -> None:
    with filed_office.open() as archive:
        with_keys = verify_archive(archive, filed_office.session(archive, OFFICER))
        without_keys = verify_archive(archive, filed_office.session(archive, AUDITOR))
    assert with_keys.records_decrypted == with_keys.records_checked == len(filed_office.records)
    assert without_keys.records_decrypted == 0
    assert without_keys.records_checked == len(filed_office.records)


def test_verify_warns_about_every_keyslot_with_test_kdf_parameters(filed_office: Office, cli: CliRun) -> None:
    with filed_office.open() as archive:
        report = verify_archive(archive, filed_office.session(archive, AUDITOR))
    assert report.ok
    weak = " ".join(warning for warning in report.warnings if "弱口令派生参数" in warning)
    for name in [ADMIN, OFFICER, *STAFF]:
        assert name in weak
    result = cli("archive", "verify", user=AUDITOR)
    assert result.exit_code == 0
    assert "弱口令派生参数" in result.output


@pytest.mark.parametrize("leftover", ["complete file", "temporary file"])
def test_a_file_left_by_an_interrupted_add_is_a_warning_not_a_problem(
    filed_office: Office, cli: CliRun, leftover: str
) -> None:
    """A crash after the ciphertext is written but before the catalogue commits leaves a file no row names."""
    existing = _record_path(filed_office, filed_office.records[Level.SECRET])
    year = filed_office.records[Level.SECRET].split("-")[1]
    uncommitted = _record_path(filed_office, f"R-{year}-000099")
    if leftover == "temporary file":
        uncommitted = uncommitted.with_name(f".{uncommitted.name}.tmp-4242")
    uncommitted.write_bytes(existing.read_bytes())
    with filed_office.open() as archive:
        report = verify_archive(archive, filed_office.session(archive, AUDITOR))
    assert report.ok, report.problems
    assert any(uncommitted.name in warning for warning in report.warnings)
    result = cli("archive", "verify", user=AUDITOR)
    assert result.exit_code == 0, result.output
    assert uncommitted.name in result.output
    assert "校验通过" in result.output
