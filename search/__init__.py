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

from .analysis import ChineseAnalyzer, chinese_text_field, fold_text
from .errors import IndexBusy, IndexCorrupted, QueryError, SearchError
from .indexing import IndexingReport, index_queued, reindex
from .query import SearchResults, search_index, search_indexes
from .searching import ArchiveSearch, SearchFilters, search_archive
from .storage import EncryptedStorage

__all__ = [
    "ArchiveSearch",
    "ChineseAnalyzer",
    "EncryptedStorage",
    "IndexBusy",
    "IndexCorrupted",
    "IndexingReport",
    "QueryError",
    "SearchError",
    "SearchFilters",
    "SearchResults",
    "chinese_text_field",
    "fold_text",
    "index_queued",
    "reindex",
    "search_archive",
    "search_index",
    "search_indexes",
]
