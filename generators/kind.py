"""What a document kind is: its fields, its format, its numbering series, who receives it, and how it reads.

Each kind lives in its own module under :mod:`generators.kinds` and declares
one :class:`DocumentKind`.  A kind turns the facts of a case into default
values (:attr:`DocumentKind.defaults`) and resolved values into a
:class:`Composition` — the title, addressee and body paragraphs — which
:mod:`generators.rendering` lays into a template.  ``compose`` reads only the
values, never the case, so a draft and the issued document made from the same
stored values say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .errors import UnknownKind
from .facts import CaseFacts
from .fields import Field

__all__ = ["AUDIENCES", "COMMON_FIELDS", "Composition", "DocumentKind", "Paragraph", "lookup"]

Paragraph = str | dict[str, Any]
"""A body paragraph: text, or ``{"level": 1–4, "text": …}`` for a heading."""

AUDIENCES = {
    "petitioner": "信访人（仅可出现收件信访人本人的姓名、住址）",
    "unit": "承办单位（不得出现信访人、证人的任何身份信息）",
    "cadre": "被反映的干部（不得出现信访人、证人的任何身份信息）",
    "internal": "本机关内部存档（不外发，不经外发检查）",
}
"""Who receives a kind, and what the leak gate lets through to them."""

COMMON_FIELDS = (
    Field("urgency", "紧急程度", "choice", required=False, choices=("特急", "加急")),
    Field("secrecy_years", "保密期限（年）", "integer", required=False),
    Field("cc", "抄送", "list", required=False),
)
"""Fields every kind takes: 紧急程度, 保密期限 (for 秘密 and above) and 抄送."""


@dataclass(frozen=True)
class Composition:
    """A document's words, ready for a template."""

    title: str
    recipient: str = ""
    body: list[Paragraph] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    """A form's ``{"label", "lines"}`` rows, or a table's rows of cell texts."""
    columns: list[str] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    """A table's column headings and their relative widths."""
    subtitle: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Lines under a table's title (填报单位, 统计期间) and after it (说明, the audit checkpoint)."""
    meeting_name: str = ""
    attendees: str = ""
    observers: str = ""
    on_leave: str = ""
    addressee: int | None = None
    """For a notice, the index of the petitioner it is addressed to (the leak gate lets that person through)."""


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document the office issues."""

    id: str
    name: str
    template: str
    series: str
    audience: str
    summary: str
    fields: tuple[Field, ...]
    defaults: Callable[[CaseFacts], Mapping[str, Any]]
    compose: Callable[[Mapping[str, Any]], Composition]
    check: Callable[[Mapping[str, Any]], list[str]] | None = None
    """A rule across fields (a hearing needs a ruling or a deferral), reported with the other field problems."""

    @property
    def all_fields(self) -> tuple[Field, ...]:
        """The kind's own fields, then the common ones (a form has no 抄送)."""
        common = tuple(f for f in COMMON_FIELDS if not (self.template == "form" and f.name == "cc"))
        return self.fields + common

    def to_json(self, series_prefix: str) -> dict[str, Any]:
        """The kind as ``generate --list --json`` prints it."""
        return {"id": self.id, "name": self.name, "format": self.template, "series": series_prefix,
                "audience": self.audience, "summary": self.summary,
                "fields": [f.to_json() for f in self.all_fields]}


class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


NamedKind = TypeVar("NamedKind", bound=_Named)


def lookup(kinds: Sequence[NamedKind], wanted: str, what: str) -> NamedKind:
    """The kind named ``wanted`` by English id or Chinese name; UnknownKind lists them all, named ``what``."""
    text = wanted.strip()
    for kind in kinds:
        if text in (kind.id, kind.name):
            return kind
    listed = "、".join(f"{k.id}（{k.name}）" for k in kinds)
    raise UnknownKind(f"没有{what}“{wanted}”，可选：{listed}")
