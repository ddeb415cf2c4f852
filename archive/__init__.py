"""xinfang's records system: encrypted records, keys by clearance, the audit log.

This package is the base layer.  It never prints, prompts or imports click,
and it imports nothing else of xinfang; the front door (``xinfang``) composes it.
FORMAT.md describes the folder it keeps.
"""

from __future__ import annotations

from .accounts import (
    Account,
    AccountSummary,
    Session,
    add_account,
    change_passphrase,
    check_may_add_account,
    disable_account,
    list_accounts,
    login,
    set_unit,
)
from .clearance import ClearanceChange, set_clearance
from .config import ArchiveConfig
from .create import Founder, create_archive
from .errors import (
    ArchiveError,
    CredentialsError,
    IntegrityError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    Refused,
)
from .folder import Archive
from .keyslots import KdfParams
from .kinds import RecordKind, all_kinds, parse_kind
from .levels import Level, parse_level
from .records import RecordInfo, add_records, list_records, read_record
from .retention import Retention, parse_retention
from .roles import Role, parse_role
from .verify import VerifyReport, verify_archive

__all__ = [
    "Account",
    "AccountSummary",
    "Archive",
    "ArchiveConfig",
    "ArchiveError",
    "ClearanceChange",
    "CredentialsError",
    "Founder",
    "IntegrityError",
    "InvalidInput",
    "KdfParams",
    "Level",
    "NotFound",
    "PermissionDenied",
    "RecordInfo",
    "RecordKind",
    "Refused",
    "Retention",
    "Role",
    "Session",
    "VerifyReport",
    "add_account",
    "add_records",
    "all_kinds",
    "change_passphrase",
    "check_may_add_account",
    "create_archive",
    "disable_account",
    "list_accounts",
    "list_records",
    "login",
    "parse_kind",
    "parse_level",
    "parse_retention",
    "parse_role",
    "read_record",
    "set_clearance",
    "set_unit",
    "verify_archive",
]
