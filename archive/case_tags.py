"""Blind tags of a case's parties and summary: finding the few cases that matter without opening every one.

Two questions need every case the asker may see: is a new petition a repeat
(same petitioner, same person reported, much the same summary), and which
cases name this user or his unit as reported (回避).  Answering them by
opening every case costs a key unwrap and a decryption per case, per
question: at 20,000 cases some seconds for each registration and each search.

So each case also carries blind tags, in ``case_tags``: 64-bit keyed digests
(HMAC-SHA-256 under a subkey of the case's level key, of the version the case
is wrapped under) of

- each petitioner's name and each reported person's name and unit, reduced by
  :func:`archive.need_to_know.comparable`, so they match as 回避 matches;
- the bands of a MinHash signature of the summary's bigrams (locality-sensitive
  hashing): two summaries whose bigram sets overlap by half (Jaccard 0.5, the
  threshold of "内容相似") share at least one band with probability 0.99.

A name tag answers its question: two cases sharing the tag of a petitioner
name share that petitioner (a 64-bit collision aside), and a case carrying the
tag of a user's name or unit as reported names him or his unit.  A band tag
only proposes a candidate: the candidate is opened and its summary compared,
so "内容相似" means exactly what it meant when every case was opened.

What the tags reveal, and to whom: without the level key nobody can compute a
tag, so nobody can test a name against them.  Someone who reads the catalogue
file sees which cases of one level share a tag, that is that they name the same
person or unit or have similar summaries - the linkage ``repeat_of`` already
shows in the clear for the repeats the office confirms.  Tags are per level and
key version: cases of different levels never share one, and a key rotation
re-tags every case (:func:`archive.cases.rewrap_case_key`).

Deleting a case's tags would hide it from 回避; the case's digest in the audit
log covers them (:func:`archive.cases.case_digests`), so verification notices.
Cases registered before tags existed have ``tag_version`` NULL: they are opened
the old way until the next registration tags them.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
import struct
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from . import crypto
from .keyring import LevelKey
from .need_to_know import comparable

__all__ = [
    "BANDS",
    "ROWS",
    "SUMMARY",
    "account_tags",
    "bigrams",
    "case_tags",
    "repeat_tags",
    "store_tags",
    "tag_matches",
    "tagged_cases",
    "tags_digest",
]

BANDS = 32
ROWS = 3
"""MinHash bands of three rows each: P(a shared band) = 1 - (1 - J^3)^32, 0.99 at J = 0.5 and 0.03 at J = 0.1."""

_SIGNATURE = struct.Struct(f"<{BANDS * ROWS}I")
"""One bigram's 96 hash values, little-endian, whatever the machine: tags must match wherever the archive is opened."""


@lru_cache(maxsize=64)
def _tag_key(level_key: bytes) -> bytes:
    return crypto.derive_subkey(level_key, "case tags")


def _tag(key: bytes, kind: str, value: str) -> int:
    digest = hmac.new(key, f"{kind}|{value}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def bigrams(text: str) -> set[str]:
    """The bigrams of a summary with white space removed: what "内容相似" compares."""
    compact = "".join(text.split())
    return {compact[i : i + 2] for i in range(len(compact) - 1)}


def _bands(summary: str) -> list[str]:
    """The MinHash signature of the summary's bigrams, cut into bands; none for a summary under two characters."""
    grams = bigrams(summary)
    if not grams:
        return []
    rows = [_SIGNATURE.unpack(hashlib.shake_128(gram.encode()).digest(_SIGNATURE.size)) for gram in grams]
    minima = [min(column) for column in zip(*rows, strict=True)]
    return [f"{band}:{','.join(map(str, minima[band * ROWS:(band + 1) * ROWS]))}" for band in range(BANDS)]


def _party_values(parties: Mapping[str, Any]) -> set[tuple[str, str]]:
    values = {("petitioner", comparable(p.get("name"))) for p in parties.get("petitioners", ())}
    for person in parties.get("reported", ()):
        values.add(("reported", comparable(person.get("name"))))
        values.add(("reported-unit", comparable(person.get("unit"))))
    return {(kind, value) for kind, value in values if value}


SUMMARY = "summary-band"
"""The kind of the MinHash band tags: a candidate for "内容相似", to be checked on the summaries."""


def _kinds(level_key: LevelKey, parties: Mapping[str, Any]) -> dict[int, str]:
    """Each tag a case with these parties carries under ``level_key``, and its kind."""
    key = _tag_key(level_key.key)
    tags = {_tag(key, kind, value): kind for kind, value in _party_values(parties)}
    tags.update((_tag(key, SUMMARY, band), SUMMARY) for band in _bands(str(parties.get("summary", ""))))
    return tags


def case_tags(level_key: LevelKey, parties: Mapping[str, Any]) -> set[int]:
    """The tags a case with these parties carries under ``level_key``."""
    return set(_kinds(level_key, parties))


def repeat_tags(level_key: LevelKey, parties: Mapping[str, Any]) -> dict[int, str]:
    """The tags a likely repeat of these parties would share with them, and their kinds.

    ``petitioner`` (同一信访人), ``reported`` (同一被反映人) and :data:`SUMMARY`; a
    reported person's unit alone does not make a repeat.
    """
    return {tag: kind for tag, kind in _kinds(level_key, parties).items() if kind != "reported-unit"}


def account_tags(level_key: LevelKey, name: str, unit: str | None) -> set[int]:
    """The tags under ``level_key`` of a case that reports on this person or on this unit (回避)."""
    key = _tag_key(level_key.key)
    values = {("reported", comparable(name)), ("reported-unit", comparable(unit))}
    return {_tag(key, kind, value) for kind, value in values if value}


def store_tags(conn: sqlite3.Connection, case_id: str, level_key: LevelKey, parties: Mapping[str, Any]) -> None:
    """Replace a case's tags with those of ``parties`` under ``level_key``, inside the caller's transaction."""
    conn.execute("DELETE FROM case_tags WHERE case_id = ?", (case_id,))
    conn.executemany("INSERT INTO case_tags (tag, case_id) VALUES (?, ?)",
                     [(tag, case_id) for tag in case_tags(level_key, parties)])
    conn.execute("UPDATE cases SET tag_version = ? WHERE case_id = ?", (level_key.version, case_id))


def tags_digest(conn: sqlite3.Connection, case_id: str) -> str | None:
    """SHA-256 over a case's tags and the version they were made under, or None for a case not yet tagged."""
    (version,) = conn.execute("SELECT tag_version FROM cases WHERE case_id = ?", (case_id,)).fetchone()
    if version is None:
        return None
    tags = [tag for (tag,) in conn.execute("SELECT tag FROM case_tags WHERE case_id = ? ORDER BY tag", (case_id,))]
    return crypto.sha256_hex(f"{version}|{','.join(map(str, tags))}".encode())


def tag_matches(conn: sqlite3.Connection, tags: Iterable[int]) -> dict[str, set[int]]:
    """Each case carrying any of ``tags``, with those of them it carries."""
    wanted = sorted(set(tags))
    found: dict[str, set[int]] = {}
    for start in range(0, len(wanted), 500):  # under SQLite's limit on bound parameters
        chunk = wanted[start:start + 500]
        for tag, case_id in conn.execute(
                f"SELECT tag, case_id FROM case_tags WHERE tag IN ({','.join('?' * len(chunk))})", chunk):
            found.setdefault(case_id, set()).add(tag)
    return found


def tagged_cases(conn: sqlite3.Connection, tags: Iterable[int]) -> set[str]:
    """The cases carrying any of ``tags``."""
    return set(tag_matches(conn, tags))
