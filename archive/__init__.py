"""xinfang's records system: encrypted records, keys by clearance, the audit log.

This package is the base layer.  It never prints, prompts or imports click,
and it imports nothing else of xinfang; the front door (``xinfang``) composes it.
FORMAT.md describes the folder it keeps.
"""

from __future__ import annotations

from .lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Account": "accounts",
    "AccountSummary": "accounts",
    "Session": "accounts",
    "add_account": "accounts",
    "change_passphrase": "accounts",
    "check_may_add_account": "accounts",
    "disable_account": "accounts",
    "list_accounts": "accounts",
    "login": "accounts",
    "set_unit": "accounts",
    "ClearanceChange": "clearance",
    "set_clearance": "clearance",
    "ArchiveConfig": "config",
    "Founder": "create",
    "create_archive": "create",
    "ArchiveError": "errors",
    "CredentialsError": "errors",
    "IntegrityError": "errors",
    "InvalidInput": "errors",
    "NotFound": "errors",
    "PermissionDenied": "errors",
    "Refused": "errors",
    "Archive": "folder",
    "KdfParams": "keyslots",
    "RecordKind": "kinds",
    "all_kinds": "kinds",
    "parse_kind": "kinds",
    "Level": "levels",
    "parse_level": "levels",
    "RecordInfo": "records",
    "add_records": "records",
    "list_records": "records",
    "read_record": "records",
    "Retention": "retention",
    "parse_retention": "retention",
    "Role": "roles",
    "parse_role": "roles",
    "VerifyReport": "verify",
    "verify_archive": "verify",
}
"""Each public name and the module that holds it, loaded on first use (:mod:`archive.lazy`): a command
pays only for the modules it uses."""

__all__ = sorted(_EXPORTS)
__getattr__ = lazy_exports(__name__, _EXPORTS)
