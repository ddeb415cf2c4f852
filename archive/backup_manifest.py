"""A backup's manifest: every file with its size and SHA-256, where the log stood, signed.

The file has exactly one accepted spelling (sorted keys, fixed indentation), so a
changed byte anywhere is caught even where JSON would read it the same; the paths
it lists must stay inside the snapshot.  See FORMAT.md, "Backup folders".
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from .errors import IntegrityError, Refused

__all__ = ["MANIFEST_FORMAT", "MANIFEST_NAME", "BackupFile", "Manifest", "safe_path"]

MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
_SIGNED_PREFIX = b"xinfang-backup v1\n"


@dataclass(frozen=True)
class BackupFile:
    """One file of the snapshot: its path under ``snapshot/`` (``/``-separated), size and SHA-256 (hex)."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and where the log stood, as signed by the 系统管理员 who made it."""

    archive_id: str
    organisation: str
    created_at: str
    signer: str
    signer_fingerprint: str
    catalogue_version: int
    log_size: int
    log_root: str
    files: tuple[BackupFile, ...]
    signature: bytes = b""

    def body(self) -> dict[str, Any]:
        """Every field but the signature."""
        return {
            "format": MANIFEST_FORMAT,
            "archive_id": self.archive_id,
            "organisation": self.organisation,
            "created_at": self.created_at,
            "signer": self.signer,
            "signer_fingerprint": self.signer_fingerprint,
            "catalogue_version": self.catalogue_version,
            "log": {"size": self.log_size, "root": self.log_root},
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in self.files],
        }

    def signed_message(self) -> bytes:
        """The exact bytes the signer signs: a prefix of its own, so no other signature can stand in for it."""
        return _SIGNED_PREFIX + json.dumps(self.body(), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def to_bytes(self) -> bytes:
        """The manifest file: the only accepted spelling of its content, so any changed byte is caught."""
        document = self.body() | {"signature": base64.b64encode(self.signature).decode("ascii")}
        return (json.dumps(document, ensure_ascii=False, sort_keys=True, indent=2) + "\n").encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Manifest:
        """Parse a manifest file; anything malformed or respelled is an IntegrityError, an unknown version Refused."""
        try:
            doc = json.loads(data.decode("utf-8"))
            version = doc.get("format")
            if version != MANIFEST_FORMAT:
                raise Refused(f"备份清单格式版本 {version!r} 不受本程序支持（支持 {MANIFEST_FORMAT}）")
            manifest = cls(
                archive_id=doc["archive_id"], organisation=doc["organisation"], created_at=doc["created_at"],
                signer=doc["signer"], signer_fingerprint=doc["signer_fingerprint"],
                catalogue_version=doc["catalogue_version"], log_size=doc["log"]["size"], log_root=doc["log"]["root"],
                files=tuple(BackupFile(f["path"], f["size"], f["sha256"]) for f in doc["files"]),
                signature=base64.b64decode(doc["signature"], validate=True),
            )
            ok = manifest.to_bytes() == data and _well_typed(manifest)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise IntegrityError("备份清单无法解析（被改动或损坏）") from exc
        if not ok:
            raise IntegrityError("备份清单的内容被改动（文本与其字段不符，或含有不合法的路径）")
        return manifest


def _well_typed(manifest: Manifest) -> bool:
    """Fields of the types the format gives, and paths that stay inside the snapshot."""
    texts = (manifest.archive_id, manifest.organisation, manifest.created_at, manifest.signer,
             manifest.signer_fingerprint, manifest.log_root)
    numbers = (manifest.catalogue_version, manifest.log_size, *(f.size for f in manifest.files))
    return (all(isinstance(t, str) for t in texts)
            and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in numbers)
            and all(safe_path(f.path) and isinstance(f.sha256, str) for f in manifest.files))


def safe_path(path: object) -> bool:
    """A relative path that stays inside the snapshot: no ``..``, not absolute, no backslash."""
    if not isinstance(path, str) or not path or "\\" in path or "\x00" in path:
        return False
    parts = PurePosixPath(path).parts
    return not PurePosixPath(path).is_absolute() and all(p not in (".", "..") for p in parts)
