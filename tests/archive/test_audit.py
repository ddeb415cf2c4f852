"""Tests for archive.audit: the hash-chained, checkpointed audit log and its verification.

The log lives in the catalogue (``audit_entries``, ``audit_checkpoints``,
``audit_state``).  The tamperings below are done with plain sqlite3, as an
insider with the file in hand would; ``verify_log`` must name the entry or
checkpoint where the log stops adding up, using public keys only.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from archive import IntegrityError, Level, crypto, merkle
from archive.audit import LogSummary, checkpoint_message, latest_checkpoint, read_sealed_details, verify_log
from archive.keyslots import AccountKeys
from archive.records import record_digests, unwrap_record_key
from tests.conftest import ADMIN, OFFICER, PASSPHRASE, SECRET_TITLE, CliRun, Office, sqlite_steps
from xinfang.cli._errors import EXIT_CREDENTIALS, EXIT_INTEGRITY

AUDITOR = "钱审计"


# --- helpers ----------------------------------------------------------------------------------


def _verify(office: Office) -> LogSummary:
    with office.open() as archive:
        return verify_log(archive.conn, archive.config.archive_id)


def _problems(summary: LogSummary) -> dict[str, str]:
    """Each place named, with all its messages joined."""
    found: dict[str, list[str]] = {}
    for problem in summary.problems:
        found.setdefault(problem.where, []).append(problem.message)
    return {where: "；".join(messages) for where, messages in found.items()}


def _count(office: Office, table: str) -> int:
    with office.raw_catalogue() as conn:
        (count,) = conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
    return int(count)


def _entries(office: Office) -> list[dict]:
    with office.raw_catalogue() as conn:
        return [json.loads(body) for (body,) in conn.execute("SELECT body FROM audit_entries ORDER BY seq")]


def _canonical(entry: dict) -> str:
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _rewrite_entry(conn: sqlite3.Connection, seq: int, entry: dict) -> None:
    """Store ``entry`` at ``seq`` with a matching entry hash, as a careful forger would."""
    body = _canonical(entry)
    conn.execute(
        "UPDATE audit_entries SET body = ?, entry_hash = ? WHERE seq = ?",
        (body, hashlib.sha256(body.encode()).digest(), seq),
    )


def _rebuild_state(conn: sqlite3.Connection) -> None:
    """Make ``audit_state`` agree with whatever entries remain."""
    frontier: list[bytes] = []
    bodies = [body for (body,) in conn.execute("SELECT body FROM audit_entries ORDER BY seq")]
    for size, body in enumerate(bodies):
        frontier = merkle.extend_frontier(frontier, size, merkle.leaf_hash(body.encode()))
    conn.execute("UPDATE audit_state SET size = ?, frontier = ?", (len(bodies), b"".join(frontier)))


def _first_checkpoint_covering(office: Office, seq: int) -> int:
    """The earliest checkpoint signed over entry ``seq``: the first signature a change to it breaks."""
    with office.raw_catalogue() as conn:
        (cid,) = conn.execute("SELECT MIN(checkpoint_id) FROM audit_checkpoints WHERE size >= ?", (seq,)).fetchone()
    return int(cid)


def _checkpoint_problems(summary: LogSummary) -> dict[int, str]:
    """Problems that name one checkpoint, by checkpoint id."""
    found: dict[int, list[str]] = {}
    for problem in summary.problems:
        if problem.where.startswith("检查点 #"):
            cid = int(problem.where.removeprefix("检查点 #").split("（")[0])
            found.setdefault(cid, []).append(problem.message)
    return {cid: "；".join(messages) for cid, messages in found.items()}


def _entry_problems(summary: LogSummary) -> list[str]:
    return [problem.where for problem in summary.problems if problem.where.startswith("审计日志第")]


def _append_forged_entry(conn: sqlite3.Connection, entry: dict) -> int:
    """Chain ``entry`` onto the log as the library would, but with no checkpoint: an unsigned entry."""
    size, previous = conn.execute("SELECT seq, entry_hash FROM audit_entries ORDER BY seq DESC LIMIT 1").fetchone()
    body = _canonical(entry | {"seq": size + 1, "prev": previous.hex()})
    conn.execute(
        "INSERT INTO audit_entries (seq, body, entry_hash, sealed_details) VALUES (?, ?, ?, NULL)",
        (size + 1, body, hashlib.sha256(body.encode()).digest()),
    )
    _rebuild_state(conn)
    return size + 1


# --- every command leaves a signed trace ------------------------------------------------------


def test_a_filed_office_has_a_sound_log(filed_office: Office) -> None:
    summary = _verify(filed_office)
    assert summary.problems == []
    assert summary.size == _count(filed_office, "audit_entries")
    assert summary.unsigned_tail == 0


@pytest.mark.parametrize(
    ("command", "user"),
    [(("archive", "list"), "王文秘"), (("archive", "verify"), AUDITOR), (("user", "list"), ADMIN)],
)
def test_every_command_appends_entries_and_a_checkpoint_signed_by_the_actor(
    filed_office: Office, cli: CliRun, command: tuple[str, ...], user: str
) -> None:
    entries_before = _count(filed_office, "audit_entries")
    checkpoints_before = _count(filed_office, "audit_checkpoints")
    result = cli(*command, user=user)
    assert result.exit_code == 0, result.output
    entries = _entries(filed_office)
    assert len(entries) > entries_before
    assert {entry["actor"] for entry in entries[entries_before:]} == {user}
    assert _count(filed_office, "audit_checkpoints") == checkpoints_before + 1
    with filed_office.open() as archive:
        checkpoint = latest_checkpoint(archive.conn, archive.config.archive_id)
        (sign_public,) = archive.conn.execute("SELECT sign_public FROM accounts WHERE name = ?", (user,)).fetchone()
    assert checkpoint is not None
    assert checkpoint.signer == user
    assert checkpoint.size == len(entries)
    assert crypto.verify_signature(sign_public, checkpoint.signature, checkpoint.message())
    assert _verify(filed_office).problems == []


# --- tampering with entries -------------------------------------------------------------------


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_chain_to_the_next(filed_office: Office) -> None:
    seq = len(_entries(filed_office)) // 2
    entry = _entries(filed_office)[seq - 1]
    assert entry["actor"] != AUDITOR
    with filed_office.raw_catalogue() as conn:
        _rewrite_entry(conn, seq, entry | {"actor": AUDITOR})
    summary = _verify(filed_office)
    problems = _problems(summary)
    assert "哈希链断开" in problems[f"审计日志第 {seq + 1} 条"]
    assert "根哈希" in _checkpoint_problems(summary)[_first_checkpoint_covering(filed_office, seq)]


def test_an_edited_last_entry_is_caught_by_the_signed_checkpoint(filed_office: Office) -> None:
    """No later entry links to the last one, and the forger even fixes audit_state: the signature remains."""
    entries = _entries(filed_office)
    with filed_office.raw_catalogue() as conn:
        _rewrite_entry(conn, len(entries), entries[-1] | {"actor": AUDITOR})
        _rebuild_state(conn)
    summary = _verify(filed_office)
    assert _entry_problems(summary) == [f"审计日志第 {len(entries)} 条"]  # its actor did not sign it
    assert "根哈希" in _checkpoint_problems(summary)[_first_checkpoint_covering(filed_office, len(entries))]


def test_a_deleted_entry_in_the_middle_is_named(filed_office: Office) -> None:
    seq = len(_entries(filed_office)) // 2
    with filed_office.raw_catalogue() as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq = ?", (seq,))
    problems = _problems(_verify(filed_office))
    assert f"应为第 {seq} 条" in problems[f"审计日志第 {seq + 1} 条"]


def test_a_deleted_entry_with_the_rest_renumbered_is_caught_by_the_checkpoints(filed_office: Office) -> None:
    """The forger closes the gap and rebuilds the chain after it; only the signatures cannot be redone."""
    entries = _entries(filed_office)
    gap = len(entries) // 2
    with filed_office.raw_catalogue() as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq >= ?", (gap,))
        previous = conn.execute("SELECT entry_hash FROM audit_entries WHERE seq = ?", (gap - 1,)).fetchone()[0]
        for seq, entry in enumerate(entries[gap:], start=gap):
            body = _canonical(entry | {"seq": seq, "prev": previous.hex()})
            previous = hashlib.sha256(body.encode()).digest()
            conn.execute(
                "INSERT INTO audit_entries (seq, body, entry_hash, sealed_details) VALUES (?, ?, ?, NULL)",
                (seq, body, previous),
            )
        _rebuild_state(conn)
    summary = _verify(filed_office)
    assert "根哈希" in _checkpoint_problems(summary)[_first_checkpoint_covering(filed_office, gap)]


def test_two_swapped_entries_are_named(filed_office: Office) -> None:
    seq = len(_entries(filed_office)) // 2
    with filed_office.raw_catalogue() as conn:
        rows = dict(conn.execute("SELECT seq, body FROM audit_entries WHERE seq IN (?, ?)", (seq, seq + 1)))
        for here, there in ((seq, seq + 1), (seq + 1, seq)):
            body = rows[there]
            conn.execute(
                "UPDATE audit_entries SET body = ?, entry_hash = ? WHERE seq = ?",
                (body, hashlib.sha256(body.encode()).digest(), here),
            )
    problems = _problems(_verify(filed_office))
    assert "重排" in problems[f"审计日志第 {seq} 条"]
    assert f"审计日志第 {seq + 1} 条" in problems


def test_a_log_cut_short_is_caught_by_the_checkpoints_it_outlived(filed_office: Office) -> None:
    size = len(_entries(filed_office))
    kept = size - 3
    with filed_office.raw_catalogue() as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq > ?", (kept,))
        _rebuild_state(conn)
    summary = _verify(filed_office)
    assert summary.size == kept
    assert _entry_problems(summary) == []
    assert "截短" in _checkpoint_problems(summary)[_first_checkpoint_covering(filed_office, kept + 1)]


# --- entries no checkpoint signed --------------------------------------------------------------


def test_an_unsigned_entry_cannot_vouch_for_a_replaced_record(filed_office: Office, cli: CliRun) -> None:
    """Anyone can append what looks like a failed login; it must not be able to re-log a record's digests."""
    record_id = filed_office.records[Level.TOP_SECRET]
    with filed_office.open() as archive:
        path = archive.record_path(record_id)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with filed_office.raw_catalogue() as conn:
        conn.execute("UPDATE records SET blob_sha256 = ? WHERE record_id = ?", (crypto.sha256_file(path), record_id))
        forged = _append_forged_entry(
            conn,
            {
                "time": "2026-11-28T00:00:00Z", "actor": "周调查", "action": "login.failed", "objects": [],
                "digests": {record_id: record_digests(conn, record_id)},
                "info": {}, "details": None,
            },
        )
    assert f"审计日志第 {forged} 条" in _problems(_verify(filed_office))
    refused = cli("archive", "list", user="王文秘")  # an honest user will not sign over the forgery
    assert refused.exit_code == EXIT_INTEGRITY and "未经签署" in refused.output
    assert f"审计日志第 {forged} 条" in _problems(_verify(filed_office))
    assert cli("archive", "verify", user=AUDITOR).exit_code == EXIT_INTEGRITY


def test_deleting_the_latest_checkpoint_leaves_a_signed_action_unsigned(filed_office: Office) -> None:
    """Only a failed login may stand without a checkpoint; a filing whose checkpoint vanished is a problem."""
    last = len(_entries(filed_office))
    assert _entries(filed_office)[-1]["action"] == "record.add"
    with filed_office.raw_catalogue() as conn:
        conn.execute("DELETE FROM audit_checkpoints WHERE size = ?", (last,))
    assert f"审计日志第 {last} 条" in _problems(_verify(filed_office))


# --- tampering with checkpoints ---------------------------------------------------------------


def test_a_checkpoint_with_a_forged_signature_is_named(filed_office: Office) -> None:
    """Someone without 吴领导's key signs in his name: the signature does not check out."""
    stranger = AccountKeys.generate()
    with filed_office.open() as archive:
        checkpoint = latest_checkpoint(archive.conn, archive.config.archive_id)
    assert checkpoint is not None and checkpoint.signer == "吴领导"
    with filed_office.raw_catalogue() as conn:
        (cid,) = conn.execute("SELECT MAX(checkpoint_id) FROM audit_checkpoints").fetchone()
        conn.execute(
            "UPDATE audit_checkpoints SET signature = ? WHERE checkpoint_id = ?",
            (crypto.sign(stranger.sign_private, checkpoint.message()), cid),
        )
    summary = _verify(filed_office)
    assert [(problem.where, problem.message) for problem in summary.problems] == [
        (f"检查点 #{cid}（吴领导，{checkpoint.signed_at}，{checkpoint.size} 条）", "签名无效")
    ]


def test_a_checkpoint_signed_by_a_name_that_is_no_account_is_named(filed_office: Office) -> None:
    stranger = AccountKeys.generate()
    with filed_office.open() as archive:
        current = latest_checkpoint(archive.conn, archive.config.archive_id)
        assert current is not None
        message = checkpoint_message(archive.config.archive_id, current.size, current.root, current.signed_at, "冒名者")
    with filed_office.raw_catalogue() as conn:
        cid = conn.execute(
            "INSERT INTO audit_checkpoints (size, root, signed_at, signer, signature) VALUES (?, ?, ?, ?, ?)",
            (current.size, current.root, current.signed_at, "冒名者", crypto.sign(stranger.sign_private, message)),
        ).lastrowid
    problems = _problems(_verify(filed_office))
    assert problems == {f"检查点 #{cid}（冒名者，{current.signed_at}，{current.size} 条）": "签名者“冒名者”不是本档案库的账户"}


# --- failed logins ----------------------------------------------------------------------------


def _snapshot(office: Office) -> dict[str, list[tuple]]:
    with office.raw_catalogue() as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("accounts", "level_key_grants", "level_keys", "records", "sequences", "audit_checkpoints")
        }


def test_a_failed_login_appends_one_unsigned_entry_and_nothing_else(filed_office: Office, cli: CliRun) -> None:
    wrong = "错误的口令 wrong horse"
    before = _snapshot(filed_office)
    entries_before = len(_entries(filed_office))
    result = cli("archive", "list", user="王文秘", passphrase=wrong)
    assert result.exit_code == EXIT_CREDENTIALS
    entries = _entries(filed_office)
    assert len(entries) == entries_before + 1
    assert entries[-1]["action"] == "login.failed"
    assert entries[-1]["actor"] == "王文秘"
    assert _snapshot(filed_office) == before
    with filed_office.raw_catalogue() as conn:
        raw = b"".join(body.encode() for (body,) in conn.execute("SELECT body FROM audit_entries"))
    assert wrong.encode() not in raw and PASSPHRASE.encode() not in raw
    summary = _verify(filed_office)
    assert summary.problems == []
    assert summary.unsigned_tail == 1


def test_a_failed_login_is_covered_by_the_next_signed_checkpoint(filed_office: Office, cli: CliRun) -> None:
    assert cli("archive", "list", user="王文秘", passphrase="错误的口令 wrong horse").exit_code == EXIT_CREDENTIALS
    failed = len(_entries(filed_office))
    result = cli("archive", "verify", user=AUDITOR)
    assert result.exit_code == 0, result.output
    assert "未签名条目" in result.output  # the verify run itself saw the unsigned tail before signing
    with filed_office.open() as archive:
        checkpoint = latest_checkpoint(archive.conn, archive.config.archive_id)
    assert checkpoint is not None and checkpoint.signer == AUDITOR and checkpoint.size > failed
    summary = _verify(filed_office)
    assert summary.problems == []
    assert summary.unsigned_tail == 0


# --- sealed details ---------------------------------------------------------------------------


def _record_add_seq(office: Office, record_id: str) -> int:
    (seq,) = [
        entry["seq"]
        for entry in _entries(office)
        if entry["action"] == "record.add" and entry["objects"] == [record_id]
    ]
    return seq


def _record_key(office: Office, record_id: str) -> bytes:
    with office.open() as archive:
        level_value, wrapped = archive.conn.execute(
            "SELECT level, wrapped_key FROM records WHERE record_id = ?", (record_id,)
        ).fetchone()
        level_key = office.session(archive, OFFICER).level_keys[Level(level_value)]
    return unwrap_record_key(level_key, record_id, wrapped)


def test_record_titles_never_appear_in_the_log_in_the_clear(filed_office: Office) -> None:
    with filed_office.raw_catalogue() as conn:
        rows = conn.execute("SELECT CAST(body AS BLOB), sealed_details FROM audit_entries").fetchall()
    assert rows
    for body, sealed in rows:
        assert SECRET_TITLE.encode() not in body
        assert sealed is None or SECRET_TITLE.encode() not in sealed


def test_the_record_key_opens_the_details_of_its_filing_entry(filed_office: Office) -> None:
    record_id = filed_office.records[Level.CONFIDENTIAL]
    seq = _record_add_seq(filed_office, record_id)
    with filed_office.open() as archive:
        details = read_sealed_details(archive.conn, seq, _record_key(filed_office, record_id))
    assert details == {"title": f"{SECRET_TITLE}（机密）", "filename": "CONFIDENTIAL.txt"}


def test_another_record_key_does_not_open_the_details(filed_office: Office) -> None:
    seq = _record_add_seq(filed_office, filed_office.records[Level.CONFIDENTIAL])
    other_key = _record_key(filed_office, filed_office.records[Level.SECRET])
    with filed_office.open() as archive, pytest.raises(IntegrityError, match=f"第 {seq} 条"):
        read_sealed_details(archive.conn, seq, other_key)


# --- an act costs the same however long the log ---------------------------------------------------


def _steps_of_one_act(office: Office, earlier_checkpoints: int) -> int:
    """SQLite virtual-machine steps of one logged act, after ``earlier_checkpoints`` more checkpoints.

    Steps, not seconds: a deterministic count, so the test says what scales, whatever the machine.
    """
    with office.raw_catalogue() as conn:
        latest = conn.execute(
            "SELECT size, root, signed_at, signer, signature FROM audit_checkpoints ORDER BY checkpoint_id DESC LIMIT 1"
        ).fetchone()
        conn.executemany(
            "INSERT INTO audit_checkpoints (size, root, signed_at, signer, signature) VALUES (?, ?, ?, ?, ?)",
            [latest] * earlier_checkpoints,
        )
    with office.open() as archive:
        session = office.session(archive, ADMIN)
        with sqlite_steps(archive.conn) as steps, archive.act(session) as act:
            act.log("test.probe")
    return steps[0]


def test_an_act_does_not_read_every_earlier_checkpoint(filed_office: Office) -> None:
    short = _steps_of_one_act(filed_office, 0)
    long = _steps_of_one_act(filed_office, 5000)
    assert long - short < 500, (short, long)  # reading 5,000 checkpoints would take tens of thousands of steps
