"""Number allocation: the one owner of every sequence the office hands out.

Record ids, case ids, 发文字号 and 件号 all come from one table of counters,
one row per series and year.  A number is allocated inside the caller's write
transaction, so it is consumed exactly when the thing it numbers is committed:
two processes never get the same number and a rolled-back allocation leaves no
gap.
"""

from __future__ import annotations

import sqlite3

__all__ = ["BATCH_PREFIX", "allocate_document_number", "allocate_number", "format_batch_id", "format_draft_id",
           "format_record_id"]

BATCH_PREFIX = "XH-"
"""Destruction batches (销毁): their ids also name the file their scans and 销毁清册 belong to."""


def allocate_number(conn: sqlite3.Connection, series: str, year: int) -> int:
    """The next number of ``series`` in ``year``; the caller must hold the write lock."""
    if not conn.in_transaction:
        raise RuntimeError("allocate_number needs an open write transaction")
    row = conn.execute("SELECT last FROM sequences WHERE series = ? AND year = ?", (series, year)).fetchone()
    number = (row[0] if row else 0) + 1
    conn.execute(
        "INSERT INTO sequences (series, year, last) VALUES (?, ?, ?) "
        "ON CONFLICT (series, year) DO UPDATE SET last = excluded.last",
        (series, year, number),
    )
    return number


def format_record_id(year: int, number: int) -> str:
    """``R-2026-000123``: records are numbered per year of filing, six digits."""
    return f"R-{year}-{number:06d}"


def format_batch_id(year: int, number: int) -> str:
    """``XH-2026-0001``: destruction batches are numbered per year, four digits."""
    return f"{BATCH_PREFIX}{year}-{number:04d}"


def allocate_document_number(conn: sqlite3.Connection, series: str, year: int) -> int:
    """The next 发文顺序号 of ``series`` (``伊纪群字``) in ``year``: 1, 2, 3 … with no gaps or reuse.

    A voided number stays consumed: the counter only moves forward.
    """
    return allocate_number(conn, f"document {series}", year)


def format_draft_id(year: int, number: int) -> str:
    """``NG-2026-000012``: 拟稿 (drafts) carry their own ids and never a 发文字号."""
    return f"NG-{year}-{number:06d}"
