"""The archive folder: where each file lives, and the handle every operation takes.

An :class:`Archive` is an opened folder: its settings, its catalogue
connection and the paths of keyslots and record files.  Operations elsewhere in
the package take it as their first argument.  :meth:`Archive.act` is the one
way to change anything: a write transaction whose audit entries are signed by
the acting account before the commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .audit import Act
from .catalogue import open_catalogue, write_transaction
from .config import CONFIG_NAME, ArchiveConfig, read_config
from .errors import IntegrityError, InvalidInput

if TYPE_CHECKING:
    from .accounts import Session

__all__ = ["CATALOGUE_NAME", "INDEX_DIR", "INDEX_WRITE_LOCK", "KEYSLOT_DIR", "RECORD_DIR", "Archive"]

CATALOGUE_NAME = "catalogue.sqlite"
KEYSLOT_DIR = "keyslots"
RECORD_DIR = "records"
INDEX_DIR = "index"
"""The search indexes, one folder ``L<level>`` each (written by :mod:`search`)."""
INDEX_WRITE_LOCK = "MAIN_WRITELOCK"
"""The writer lock of a level index: ``fcntl.flock`` on ``.<name>.lock`` in its folder, as whoosh takes it.
A backup holds it too, so no index commit lands between its catalogue and index copies."""


class Archive:
    """An open archive folder."""

    def __init__(self, root: Path, config: ArchiveConfig, conn: sqlite3.Connection) -> None:
        self.root = root
        self.config = config
        self.conn = conn

    @classmethod
    def open(cls, root: Path) -> Archive:
        """Open an existing archive folder, checking that its parts belong together."""
        root = Path(root)
        if not (root / CONFIG_NAME).is_file():
            if (root / CATALOGUE_NAME).is_file():  # an archive that lost its settings, not some other folder
                raise IntegrityError(f"档案库的配置文件 {CONFIG_NAME} 缺失（被删除或移走）")
            raise InvalidInput(f"{root} 不是 xinfang 档案库（缺少 {CONFIG_NAME}）")
        config = read_config(root / CONFIG_NAME)
        conn = open_catalogue(root / CATALOGUE_NAME)
        row = conn.execute("SELECT value FROM meta WHERE key = 'archive_id'").fetchone()
        if row is None or row[0] != config.archive_id:
            conn.close()
            raise IntegrityError("配置文件与目录数据库不属于同一个档案库（archive_id 不符）")
        return cls(root, config, conn)

    def close(self) -> None:
        """Close the catalogue connection."""
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def slot_path(self, account_id: int) -> Path:
        """Where an account's keyslot file lives."""
        return self.root / KEYSLOT_DIR / f"{account_id:04d}.slot.json"

    def record_path(self, record_id: str) -> Path:
        """Where a record's ciphertext lives: one folder per filing year."""
        year = record_id.split("-")[1]
        return self.root / RECORD_DIR / year / f"{record_id}.xfr"

    @contextmanager
    def act(self, session: Session) -> Iterator[Act]:
        """A write transaction for one command, its audit entries signed by ``session`` at the end."""
        with write_transaction(self.conn):
            act = Act(self.conn, self.config.archive_id, session.account.name, session.keys.sign_private)
            yield act
            if act.appended:
                act.sign_checkpoint()
