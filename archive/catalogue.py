"""The catalogue: one SQLite database holding everything but record content.

Opened in WAL mode with ``secure_delete`` (deleted rows are overwritten, which
destruction relies on) and foreign keys on.  Writers take the write lock at the
start of their transaction (``BEGIN IMMEDIATE``) so that number allocation and
audit appends never race; a writer that cannot get the lock within the busy
timeout gets a clear message instead of "database is locked".

The schema carries a version; :func:`open_catalogue` migrates an older
catalogue forward in one transaction and refuses a newer one.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import IntegrityError, Refused

__all__ = ["SCHEMA_VERSION", "catalogue_damage", "create_catalogue", "open_catalogue", "row_digests", "write_transaction"]

BUSY_TIMEOUT_MS = 30_000

_MIGRATIONS: list[str] = [
    # version 1
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE accounts (
        account_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        roles TEXT NOT NULL,
        box_public BLOB NOT NULL,
        sign_public BLOB NOT NULL,
        slot_sha256 TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
        created_at TEXT NOT NULL,
        created_by TEXT,
        disabled_at TEXT
    );
    CREATE TABLE level_keys (
        level INTEGER NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        rotation_due TEXT,
        PRIMARY KEY (level, version)
    );
    CREATE TABLE level_key_grants (
        account_id INTEGER NOT NULL REFERENCES accounts (account_id),
        level INTEGER NOT NULL,
        version INTEGER NOT NULL,
        wrapped BLOB NOT NULL,
        granted_by TEXT NOT NULL,
        granted_at TEXT NOT NULL,
        PRIMARY KEY (account_id, level, version),
        FOREIGN KEY (level, version) REFERENCES level_keys (level, version)
    );
    CREATE TABLE sequences (
        series TEXT NOT NULL,
        year INTEGER NOT NULL,
        last INTEGER NOT NULL,
        PRIMARY KEY (series, year)
    );
    CREATE TABLE records (
        record_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        level INTEGER NOT NULL,
        key_version INTEGER NOT NULL,
        retention TEXT NOT NULL,
        formed TEXT NOT NULL,
        filed_at TEXT NOT NULL,
        archival_code TEXT UNIQUE,
        wrapped_key BLOB NOT NULL,
        sealed_description BLOB NOT NULL,
        content_mac TEXT NOT NULL,
        size INTEGER NOT NULL,
        blob_sha256 TEXT NOT NULL,
        created_by TEXT NOT NULL,
        FOREIGN KEY (level, key_version) REFERENCES level_keys (level, version)
    );
    CREATE INDEX records_by_case ON records (case_id);
    CREATE TABLE audit_entries (
        seq INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        entry_hash BLOB NOT NULL,
        sealed_details BLOB
    );
    CREATE TABLE audit_state (
        singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
        size INTEGER NOT NULL,
        frontier BLOB NOT NULL
    );
    CREATE TABLE audit_checkpoints (
        checkpoint_id INTEGER PRIMARY KEY,
        size INTEGER NOT NULL,
        root BLOB NOT NULL,
        signed_at TEXT NOT NULL,
        signer TEXT NOT NULL,
        signature BLOB NOT NULL
    );
    """,
    # version 2: the case register
    """
    CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        category TEXT NOT NULL,
        importance TEXT NOT NULL,
        received TEXT NOT NULL,
        level INTEGER NOT NULL,
        key_version INTEGER NOT NULL,
        wrapped_key BLOB NOT NULL,
        sealed_parties BLOB NOT NULL,
        real_name INTEGER NOT NULL,
        disciplines TEXT NOT NULL,
        people INTEGER,
        representatives INTEGER,
        first_receiver TEXT NOT NULL,
        above_number TEXT,
        above_deadline TEXT,
        repeat_of TEXT REFERENCES cases (case_id),
        major_incident INTEGER NOT NULL,
        state TEXT NOT NULL,
        deadline TEXT NOT NULL,
        deadline_nominal TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        registered_by TEXT NOT NULL,
        FOREIGN KEY (level, key_version) REFERENCES level_keys (level, version)
    );
    CREATE TABLE case_events (
        event_id INTEGER PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        kind TEXT NOT NULL,
        on_date TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        data TEXT NOT NULL,
        sealed_text BLOB
    );
    CREATE INDEX case_events_by_case ON case_events (case_id, event_id);
    """,
    # version 3: drafts and the 发文登记簿
    """
    CREATE TABLE drafts (
        draft_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        kind TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        file_mac TEXT NOT NULL,
        sealed_content BLOB NOT NULL
    );
    CREATE INDEX drafts_by_case ON drafts (case_id);
    CREATE TABLE dispatches (
        document_number TEXT PRIMARY KEY,
        series TEXT NOT NULL,
        year INTEGER NOT NULL,
        number INTEGER NOT NULL,
        draft_id TEXT NOT NULL UNIQUE REFERENCES drafts (draft_id),
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        kind TEXT NOT NULL,
        level INTEGER NOT NULL,
        signer TEXT NOT NULL,
        signed_on TEXT NOT NULL,
        on_paper INTEGER NOT NULL,
        copies INTEGER NOT NULL,
        issued_by TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        records TEXT NOT NULL,
        voided_at TEXT,
        voided_by TEXT,
        sealed_void_reason BLOB,
        UNIQUE (series, year, number)
    );
    CREATE INDEX dispatches_by_case ON dispatches (case_id);
    """,
    # version 4: the report box's openings
    """
    CREATE TABLE reportbox_openings (
        opening_id INTEGER PRIMARY KEY,
        opened_on TEXT NOT NULL,
        box TEXT NOT NULL,
        letters INTEGER NOT NULL,
        witnesses TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX reportbox_by_day ON reportbox_openings (opened_on);
    """,
    # version 5: 回避 by unit; the search indexes' queue and generations (records filed
    # before this version are queued, so the first reindex covers them)
    """
    ALTER TABLE accounts ADD COLUMN unit TEXT;
    CREATE TABLE index_queue (
        record_id TEXT PRIMARY KEY REFERENCES records (record_id),
        ticket INTEGER NOT NULL,
        queued_at TEXT NOT NULL
    );
    INSERT INTO index_queue (record_id, ticket, queued_at) SELECT record_id, rowid, filed_at FROM records;
    INSERT INTO sequences (series, year, last) SELECT 'index queue', 0, COALESCE(MAX(rowid), 0) FROM records;
    CREATE TABLE search_indexes (
        level INTEGER PRIMARY KEY,
        key_version INTEGER NOT NULL,
        generation INTEGER NOT NULL,
        updated_at TEXT NOT NULL
    );
    """,
    # version 6: access under permission - requests, grants, and the register of numbered copies
    """
    CREATE TABLE access_requests (
        request_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        requester TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        reason_level INTEGER NOT NULL,
        sealed_reason BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied')),
        decided_by TEXT,
        decided_at TEXT,
        sealed_denial BLOB,
        grant_id TEXT
    );
    CREATE TABLE access_grants (
        grant_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        grantee TEXT NOT NULL,
        consented_by TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        request_id TEXT REFERENCES access_requests (request_id),
        starts_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        sealed_reason BLOB NOT NULL,
        on_paper INTEGER NOT NULL,
        scan_record TEXT REFERENCES records (record_id),
        revoked_at TEXT,
        revoked_by TEXT
    );
    CREATE INDEX grants_by_grantee ON access_grants (grantee, case_id);
    CREATE TABLE copies (
        copy_id TEXT PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records (record_id),
        copy_no INTEGER NOT NULL,
        viewer TEXT NOT NULL,
        exported_at TEXT NOT NULL,
        format TEXT NOT NULL CHECK (format IN ('pdf', 'docx')),
        grant_id TEXT REFERENCES access_grants (grant_id),
        state TEXT NOT NULL CHECK (state IN ('out', 'returned', 'destroyed')),
        state_at TEXT,
        state_by TEXT,
        UNIQUE (record_id, copy_no)
    );
    """,
    # version 7: retention and destruction - holds, appraisal decisions, destruction batches
    """
    ALTER TABLE records ADD COLUMN review_on TEXT;
    ALTER TABLE records ADD COLUMN destroyed_batch TEXT;
    ALTER TABLE cases ADD COLUMN erased_batch TEXT;
    CREATE TABLE holds (
        hold_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        record_id TEXT REFERENCES records (record_id),
        sealed_reason BLOB NOT NULL,
        placed_by TEXT NOT NULL,
        placed_at TEXT NOT NULL,
        released_by TEXT,
        released_at TEXT
    );
    CREATE INDEX holds_by_case ON holds (case_id);
    CREATE TABLE appraisals (
        appraisal_id TEXT PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records (record_id),
        decision TEXT NOT NULL CHECK (decision IN ('destroy', 'extend', 'review')),
        old_retention TEXT NOT NULL,
        new_retention TEXT,
        old_archival_code TEXT,
        review_on TEXT,
        sealed_note BLOB,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL
    );
    CREATE INDEX appraisals_by_record ON appraisals (record_id);
    CREATE TABLE destruction_batches (
        batch_id TEXT PRIMARY KEY,
        proposed_by TEXT NOT NULL,
        proposed_at TEXT NOT NULL,
        sealed_note BLOB,
        note_level INTEGER,
        state TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'rejected', 'executing', 'executed')),
        approved_by TEXT,
        approved_at TEXT,
        on_paper INTEGER NOT NULL DEFAULT 0,
        scan_record TEXT,
        rejected_by TEXT,
        rejected_at TEXT,
        sealed_rejection BLOB,
        executed_by TEXT,
        executed_at TEXT,
        checkpoint TEXT
    );
    CREATE TABLE destruction_items (
        batch_id TEXT NOT NULL REFERENCES destruction_batches (batch_id),
        record_id TEXT NOT NULL REFERENCES records (record_id),
        done INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (batch_id, record_id)
    );
    CREATE TABLE destruction_witnesses (
        batch_id TEXT NOT NULL REFERENCES destruction_batches (batch_id),
        witness TEXT NOT NULL,
        unit TEXT,
        external INTEGER NOT NULL,
        scan_record TEXT,
        recorded_by TEXT NOT NULL,
        confirmed_at TEXT NOT NULL,
        PRIMARY KEY (batch_id, witness)
    );
    """,
    # version 8: the 销毁清册 - what each batch destroyed, sealed before it was wiped
    """
    CREATE TABLE destruction_registers (
        register_id TEXT PRIMARY KEY,
        batch_id TEXT NOT NULL UNIQUE REFERENCES destruction_batches (batch_id),
        level INTEGER NOT NULL,
        key_version INTEGER NOT NULL,
        sealed_items BLOB NOT NULL,
        record_id TEXT REFERENCES records (record_id)
    );
    """,
    # version 9: recovery sheets - each set of Shamir shares of the level keys, the latest one valid
    """
    CREATE TABLE recovery_sets (
        set_id TEXT PRIMARY KEY,
        set_no INTEGER NOT NULL UNIQUE,
        shares INTEGER NOT NULL,
        threshold INTEGER NOT NULL,
        levels TEXT NOT NULL,
        secret_sha256 TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    """,
    # version 10: reclassifications (定密变更, 解密) - a record's level changed, and why
    """
    CREATE TABLE reclassifications (
        reclassification_id TEXT PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES records (record_id),
        from_level INTEGER NOT NULL,
        to_level INTEGER NOT NULL,
        sealed_reason BLOB NOT NULL,
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL
    );
    CREATE INDEX reclassifications_by_record ON reclassifications (record_id);
    """,
    # version 11: blind tags of cases' parties and summaries (archive/case_tags.py), for repeats and 回避
    """
    ALTER TABLE cases ADD COLUMN tag_version INTEGER;
    CREATE TABLE case_tags (
        tag INTEGER NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases (case_id),
        PRIMARY KEY (tag, case_id)
    ) WITHOUT ROWID;
    CREATE INDEX case_tags_by_case ON case_tags (case_id);
    """,
    # version 12: the cases still to be tagged, found by every registration without reading every case
    """
    CREATE INDEX cases_untagged ON cases (case_id) WHERE tag_version IS NOT key_version;
    """,
]

SCHEMA_VERSION = len(_MIGRATIONS)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA secure_delete = ON")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def create_catalogue(path: Path) -> sqlite3.Connection:
    """Create a new catalogue at the current schema version, readable by its owner only."""
    path.touch(mode=0o600, exist_ok=False)
    conn = _connect(path)
    with write_transaction(conn):
        _migrate(conn, 0)
    return conn


def open_catalogue(path: Path) -> sqlite3.Connection:
    """Open an existing catalogue, migrating it forward if it is older than this program."""
    if not path.is_file():
        raise IntegrityError(f"目录数据库 {path.name} 缺失")
    try:
        conn = _connect(path)
        version = _schema_version(conn)
    except sqlite3.DatabaseError as exc:
        raise IntegrityError(f"目录数据库 {path.name} 已损坏：{exc}") from exc
    if version > SCHEMA_VERSION:
        conn.close()
        raise Refused(f"档案库的目录版本 {version} 高于本程序支持的版本 {SCHEMA_VERSION}，请升级 xinfang")
    if version < SCHEMA_VERSION:
        with write_transaction(conn):
            if _schema_version(conn) < SCHEMA_VERSION:
                _migrate(conn, _schema_version(conn))
    return conn


_DAMAGED = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


def catalogue_damage(exc: BaseException) -> IntegrityError | None:
    """A damaged catalogue page met by a query after opening ("database disk image is malformed"), as ours; else None.

    Opening reads only the header and the schema, so damage deeper in the file
    shows when some query of some command first reaches it, wherever that is.
    """
    if isinstance(exc, sqlite3.DatabaseError) and (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF in _DAMAGED:
        return IntegrityError(f"目录数据库已损坏：{exc}；请从备份恢复（xinfang backup restore）")
    return None


def _schema_version(conn: sqlite3.Connection) -> int:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    return int(version)


def _migrate(conn: sqlite3.Connection, current: int) -> None:
    for version, script in enumerate(_MIGRATIONS[current:], start=current + 1):
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Hold the write lock for the whole block; commit on success, roll back on any exception."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise Refused("档案库正忙（另一进程正在写入），请稍后重试") from exc
        raise IntegrityError(f"目录数据库无法写入：{exc}") from exc
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as exc:
        conn.execute("ROLLBACK")
        raise IntegrityError(f"目录数据库提交失败：{exc}") from exc


def row_digests(conn: sqlite3.Connection, table: str, key_column: str, key: object) -> dict[str, str]:
    """``{"meta": SHA-256 of the JSON array of the whole row}`` for the audit log; bytes as hex.

    ``table`` and ``key_column`` come from the calling module, never from input.
    """
    row = conn.execute(f"SELECT * FROM {table} WHERE {key_column} = ?", (key,)).fetchone()
    encoded = [value.hex() if isinstance(value, bytes) else value for value in row]
    return {"meta": hashlib.sha256(json.dumps(encoded, ensure_ascii=False).encode()).hexdigest()}
