"""The document kinds, one module each; KIND names a kind by English id or Chinese name.

Each kind is also a record kind of the archive (so the issued document is
filed as what it is), as are the signed-off draft (定稿) and the scan of a
paper sign-off form.
"""

from __future__ import annotations

from archive.kinds import RecordKind, register_kind

from ..kind import DocumentKind, lookup
from . import (
    assignment,
    forward,
    hearing_minutes,
    notice_accept,
    notice_decline,
    notice_extension,
    notice_forward,
    reminder,
    reply,
    supervision,
    talk_form,
    talk_notice,
)

__all__ = ["KINDS", "SIGNED_DRAFT", "SIGN_OFF_SCAN", "find_kind"]

KINDS: tuple[DocumentKind, ...] = tuple(module.KIND for module in (
    notice_accept, notice_decline, notice_forward, notice_extension, reply, talk_notice,
    assignment, forward, supervision, reminder, hearing_minutes, talk_form,
))
"""Every kind, in the order ``generate --list`` shows them."""

SIGNED_DRAFT = RecordKind("signed-draft", "发文定稿")
SIGN_OFF_SCAN = RecordKind("sign-off-scan", "纸质签发单扫描件")

for _kind in KINDS:
    register_kind(RecordKind(_kind.id, _kind.name))
register_kind(SIGNED_DRAFT)
register_kind(SIGN_OFF_SCAN)


def find_kind(name: str) -> DocumentKind:
    """A kind by English id (``notice-accept``) or Chinese name (``受理告知书``)."""
    return lookup(KINDS, name, "文书种类")
