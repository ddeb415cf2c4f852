"""The archive's exceptions: one tree, one base, each class saying when it is raised.

The front door maps the five direct subclasses of :class:`ArchiveError` to exit
codes; nothing here knows about exit codes or prints.  Messages are Chinese,
addressed to the person at the keyboard, and never carry a protected value
(a petitioner's name, a title, a passphrase)::

    ArchiveError
    ├── InvalidInput            a value, option or file given to us is wrong
    │   └── NotFound            the named thing does not exist — or is not visible
    ├── Refused                 the request is well formed but not allowed now
    ├── PermissionDenied        the acting account's role or clearance forbids it
    ├── IntegrityError          stored data fails a check: tampering or damage
    └── CredentialsError        unknown or disabled account, wrong passphrase

``NotFound`` is deliberately the answer for a record the user may not see as well
as for one that does not exist, so the two cannot be told apart.
"""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "CredentialsError",
    "IntegrityError",
    "InvalidInput",
    "NotFound",
    "PermissionDenied",
    "Refused",
]


class ArchiveError(Exception):
    """Base of every error the archive raises on purpose."""


class InvalidInput(ArchiveError):
    """Raised when a value, option or file given to the archive is not acceptable."""


class NotFound(InvalidInput):
    """Raised for an absent object and, identically, for one the user may not see."""


class Refused(ArchiveError):
    """Raised when a well-formed request is not allowed in the current state."""


class PermissionDenied(ArchiveError):
    """Raised when the acting account's role or clearance does not allow the action."""


class IntegrityError(ArchiveError):
    """Raised when stored data fails an authentication or digest check."""


class CredentialsError(ArchiveError):
    """Raised for an unknown or disabled account or a wrong passphrase."""
