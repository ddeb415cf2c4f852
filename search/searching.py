"""Searching the archive as a user: the indexes their keys open, the cases they may see, audited.

Two gates, in this order, before whoosh counts or ranks anything:

1. Clearance picks the indexes: a level's index opens only with that level's key.
2. Need-to-know picks the records inside them: the records of the cases the user
   may see (:func:`archive.cases.visible_case_ids`: role, clearance, 回避; grants
   later), narrowed by the user's own filters (case, kind, dates), handed to
   whoosh as the filter of every index searched.

The hits of all indexes are merged by :class:`~search.query.RecordWeighting`,
whose scores depend on a record and the query alone.  A case id given with
``--case`` that the user may not see - or that does not exist - gives what any
query without matches gives: nothing, and no different message.

Every search is audited: who and when in the clear, the number of results and
the record ids shown as the entry's objects, the query and filters sealed under
the highest level key the user holds (a query can hold a name).
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from archive import Archive, InvalidInput, PermissionDenied, Role, Session
from archive.audit import SEARCH_ACTION
from archive.cases import visible_case_ids
from archive.kinds import parse_kind
from archive.roles import require_role

from .indexes import SCHEMA, LevelIndex, pending_count
from .query import SearchResults, parse_query, search_indexes

__all__ = ["DEFAULT_LIMIT", "SEARCHERS", "ArchiveSearch", "SearchFilters", "case_filter", "search_archive"]

SEARCHERS = frozenset({Role.SECRETARY, Role.ARCHIVIST, Role.LEADER, Role.INVESTIGATOR, Role.SECURITY_OFFICER})
DEFAULT_LIMIT = 20
MAX_LIMIT = 10_000


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search besides the query: one case, one record kind, a span of formed dates."""

    case_id: str | None = None
    kind: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        """The filters as the audit entry seals them."""
        return {
            "case": self.case_id,
            "kind": self.kind,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
        }


@dataclass(frozen=True)
class ArchiveSearch:
    """A search's outcome: the permitted matches, and how many records at the user's levels await indexing."""

    count: int
    results: list[dict[str, Any]] = field(default_factory=list)
    not_yet_indexed: int = 0

    def to_json(self) -> dict[str, Any]:
        """The search shape of the command-line contract."""
        return {"count": self.count, "results": self.results}


def _checked(filters: SearchFilters) -> SearchFilters:
    kind = parse_kind(filters.kind).id if filters.kind else None
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput(f"起始日期 {filters.date_from} 晚于截止日期 {filters.date_to}")
    case_id = filters.case_id.strip() if filters.case_id else None
    return SearchFilters(case_id, kind, filters.date_from, filters.date_to)


def case_filter(cases: set[str], hidden: set[str]) -> wq.Query:
    """The records of ``cases``, by whichever list is shorter: the permitted cases or the hidden ones.

    A leader sees nearly every case, an investigator a handful: naming the few
    hidden cases (or the few granted ones) keeps the filter a few postings long
    instead of one lookup per case in the archive.
    """
    if len(cases) <= len(hidden):
        return wq.Or([wq.Term("case_id", case_id) for case_id in sorted(cases)])
    if not hidden:
        return wq.Every()
    return wq.And([wq.Every(), wq.Not(wq.Or([wq.Term("case_id", case_id) for case_id in sorted(hidden)]))])


def _permission(cases: set[str], hidden: set[str], filters: SearchFilters) -> wq.Query:
    """The records of the permitted cases that pass the user's filters, as one whoosh query."""
    parts: list[wq.Query] = [case_filter(cases, hidden)]
    if filters.kind:
        parts.append(wq.Term("kind", filters.kind))
    if filters.date_from or filters.date_to:
        start = dt.datetime.combine(filters.date_from, dt.time.min) if filters.date_from else None
        end = dt.datetime.combine(filters.date_to, dt.time.max) if filters.date_to else None
        parts.append(wq.DateRange("date", start, end))
    return wq.And(parts)


def search_archive(
    archive: Archive,
    session: Session,
    text: str,
    filters: SearchFilters | None = None,
    *,
    limit: int = DEFAULT_LIMIT,
) -> ArchiveSearch:
    """Search what ``session`` may see; raises QueryError for a malformed query, IndexCorrupted for a bad index."""
    require_role(session.roles, SEARCHERS, "检索档案")
    if not session.level_keys:
        raise PermissionDenied("您没有任何密级授权，不能检索档案")
    if not 0 < limit <= MAX_LIMIT:
        raise InvalidInput(f"显示条数须在 1 到 {MAX_LIMIT} 之间")
    filters = _checked(filters or SearchFilters())
    parse_query(SCHEMA, text)
    cases = visible_case_ids(archive, session)
    if filters.case_id is not None:
        cases &= {filters.case_id}
    hidden = {case_id for (case_id,) in archive.conn.execute("SELECT case_id FROM cases")} - cases
    with ExitStack() as stack:
        sources = []
        if cases:
            for _level, level_key in sorted(session.level_keys.items()):
                level_index = LevelIndex(archive, level_key)
                index = level_index.open()
                if index is not None:
                    with level_index.missing_files_are_damage():
                        searcher = stack.enter_context(index.searcher())
                    sources.append((searcher, _permission(cases, hidden, filters)))
        found: SearchResults = search_indexes(sources, text, schema=SCHEMA, limit=limit)
    pending = pending_count(archive, session.level_keys)
    highest = session.level_keys[max(session.level_keys)]
    with archive.act(session) as act:
        act.log(
            SEARCH_ACTION,
            [hit["record_id"] for hit in found.results],
            info={"count": found.count, "shown": len(found.results)},
            details={"query": text, "filters": filters.to_json()},
            details_key=highest.key,
        )
    return ArchiveSearch(found.count, found.results, pending)
