"""Chinese full-text search over encrypted per-level indexes, filtered by permission.

Builds on :mod:`archive`:

- :mod:`search.analysis` - the Chinese analyzer: folding, CJK bigrams and unigrams, exact phrases;
- :mod:`search.storage` - the encrypted whoosh storage: every index file sealed in authenticated
  chunks, read on demand, temporary files in memory;
- :mod:`search.query` - the query core: the permission filter applied before anything is counted
  or ranked, and a ranking that uses no statistics of other records;
- :mod:`search.indexes` - one index per level in the archive folder, opened with that level's key,
  checked against the generation the catalogue recorded;
- :mod:`search.indexing` - indexing queued records after filing, and rebuilding a level's index;
- :mod:`search.searching` - a user's search: clearance picks the indexes, need-to-know the
  records; audited.
"""

from __future__ import annotations

from archive.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "ChineseAnalyzer": "analysis",
    "chinese_text_field": "analysis",
    "fold_text": "analysis",
    "IndexBusy": "errors",
    "IndexCorrupted": "errors",
    "QueryError": "errors",
    "SearchError": "errors",
    "IndexingReport": "indexing",
    "index_queued": "indexing",
    "reindex": "indexing",
    "SearchResults": "query",
    "search_index": "query",
    "search_indexes": "query",
    "ArchiveSearch": "searching",
    "SearchFilters": "searching",
    "search_archive": "searching",
    "EncryptedStorage": "storage",
}
"""Each public name and the module that holds it, loaded on first use (:mod:`archive.lazy`)."""

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_exports(__name__, _EXPORTS)
