"""Chinese full-text search over encrypted per-level indexes, filtered by permission.

Builds on :mod:`archive`.  So far it holds the two foundations the search
issue builds on: the Chinese analyzer (:mod:`search.analysis`: folding, CJK
bigrams and unigrams, exact phrases) and the encrypted whoosh storage
(:mod:`search.storage`: every index file sealed in authenticated chunks,
read on demand, temporary files in memory) — and the query core
(:mod:`search.query`: the permission filter applied before anything is
counted or ranked, and a ranking that uses no statistics of other records).
The per-level indexes in the archive folder, indexing at filing time and the
``xinfang search`` command are not built yet.
"""

from __future__ import annotations

from .analysis import ChineseAnalyzer, chinese_text_field, fold_text
from .errors import IndexCorrupted, QueryError, SearchError
from .query import SearchResults, search_index
from .storage import EncryptedStorage

__all__ = [
    "ChineseAnalyzer",
    "EncryptedStorage",
    "IndexCorrupted",
    "QueryError",
    "SearchError",
    "SearchResults",
    "chinese_text_field",
    "fold_text",
    "search_index",
]
