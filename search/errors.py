"""The search package's exceptions: one tree, one base.

The front door maps :class:`IndexCorrupted` to exit code 4 (an integrity
failure was found): a search index that fails authentication is never read
around, it is rebuilt from the archive::

    SearchError
    ├── IndexCorrupted     an index is tampered, truncated, rolled back, missing, or opened with the wrong key
    ├── IndexBusy          another process kept the index's write lock longer than we wait
    └── QueryError         a query is malformed (also a ValueError)

IndexBusy maps to exit code 1 (a refused operation: try again later).
"""

from __future__ import annotations

__all__ = ["IndexBusy", "IndexCorrupted", "QueryError", "SearchError"]


class SearchError(Exception):
    """Base of every error the search package raises on purpose."""


class IndexCorrupted(SearchError):
    """Raised when an index file fails a check: tampered, truncated, renamed, or opened with the wrong key.

    Deliberately not an OSError: whoosh retries a reader on IOError, which
    would only delay the message.
    """


class QueryError(SearchError, ValueError):
    """Raised when a search query is malformed: empty, unbalanced, an unknown field, a dangling operator."""


class IndexBusy(SearchError):
    """Raised when another process holds an index's write lock for longer than a writer waits."""
