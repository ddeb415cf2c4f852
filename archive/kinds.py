"""Record kinds: what a record is, by English id and Chinese name.

Intake kinds are the material a petition arrives as or gathers while it is
handled.  The document generators register their own kinds (notices, letters,
minutes) here too, so ``archive add --kind`` and the retention schedule know
every kind from one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidInput

__all__ = ["INTAKE_KINDS", "RecordKind", "all_kinds", "kind_label", "parse_kind", "register_kind"]


@dataclass(frozen=True)
class RecordKind:
    """A kind of record: ``id`` on the command line and in the catalogue, ``label`` for people."""

    id: str
    label: str


INTAKE_KINDS = (
    RecordKind("letter", "来信原件"),
    RecordKind("visit-record", "来访记录"),
    RecordKind("phone-record", "电话记录"),
    RecordKind("evidence", "证据材料"),
    RecordKind("report", "调查报告"),
    RecordKind("other", "其他"),
)
_KINDS: dict[str, RecordKind] = {kind.id: kind for kind in INTAKE_KINDS}


def register_kind(kind: RecordKind) -> None:
    """Make a kind known (the generators call this for each document kind)."""
    existing = _KINDS.get(kind.id)
    if existing is not None and existing != kind:
        raise ValueError(f"kind {kind.id!r} registered twice with different labels")
    _KINDS[kind.id] = kind


def all_kinds() -> list[RecordKind]:
    """Every known kind, intake kinds first."""
    return list(_KINDS.values())


def kind_label(kind_id: str) -> str:
    """The Chinese name of a kind id, or the id itself for a kind this process has not loaded."""
    kind = _KINDS.get(kind_id)
    return kind.label if kind is not None else kind_id


def parse_kind(text: str) -> RecordKind:
    """A kind by English id or Chinese name."""
    wanted = text.strip()
    for kind in _KINDS.values():
        if wanted in (kind.id, kind.label):
            return kind
    names = "、".join(f"{k.id}（{k.label}）" for k in _KINDS.values())
    raise InvalidInput(f"未知的记录类别“{text}”，可选：{names}")
