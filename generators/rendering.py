"""Laying a composition into its template: the context, the sandboxed rendering, the glyph check.

Rendering uses a sandboxed Jinja environment with autoescaping and
``StrictUndefined``: values are text, never template code; ``&``, ``<`` and
quotes arrive in the document as typed; a template that reaches for Python
internals or a variable nobody gave fails instead of printing a blank.  The
document's core properties stay the template's fixed, empty ones, so nothing
of the case leaks into the file's metadata.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.sandbox
from docxtpl import DocxTemplate
from jinja2.utils import LRUCache

from archive import Archive

from .errors import GeneratorError, TemplateMissing
from .fonts import font_map, require_glyphs
from .kind import Composition
from .tables import size_columns
from .templates import TEMPLATE_FIELDS, TEMPLATE_FILES, TEMPLATES_FOLDER

__all__ = ["Letterhead", "Office", "Stamp", "check_glyphs", "render", "template_context", "template_folder"]


@dataclass(frozen=True)
class Letterhead:
    """The issuing organ as documents name it."""

    organisation: str
    print_organ: str


@dataclass(frozen=True)
class Stamp:
    """What differs between a draft, the issued original, its copies and the 定稿 of one composition."""

    document_number: str
    date: str
    draft_mark: str = ""
    copy_number: str = ""
    classification: str = ""
    urgency: str = ""


class Office:
    """What every document of one archive shares: the letterhead, the templates, the font map."""

    def __init__(self, archive: Archive) -> None:
        settings = archive.config.sections.get("documents", {})
        self.archive = archive
        self.settings: Mapping[str, Any] = settings if isinstance(settings, dict) else {}
        self.letterhead = Letterhead(archive.config.organisation,
                                     str(self.settings.get("print_organ") or archive.config.organisation))
        self.templates = template_folder(self.settings, archive.root)
        self.faces = font_map(archive.config.sections.get("fonts"))

    def render(self, template: str, composition: Composition, stamp: Stamp, cc: list[str]
               ) -> tuple[bytes, dict[str, Any]]:
        """The DOCX of ``composition`` in ``template``, and the context it was rendered from."""
        context = template_context(template, composition, self.letterhead, stamp, cc)
        data = render(self.templates, template, context)
        if composition.widths:
            data = size_columns(data, composition.widths)
        return data, context


def template_folder(settings: Mapping[str, Any], archive_root: Path) -> Path:
    """The office's own template folder (``documents.templates`` in xinfang.toml, relative to the archive) or ours."""
    configured = settings.get("templates")
    if configured is None:
        return TEMPLATES_FOLDER
    if not isinstance(configured, str) or not configured.strip():
        raise TemplateMissing("xinfang.toml 的 documents.templates 应为模板文件夹的路径")
    folder = archive_root / Path(configured).expanduser()
    if not folder.is_dir():
        raise TemplateMissing(f"xinfang.toml 的 documents.templates 指向的文件夹 {folder} 不存在")
    return folder


def template_context(template: str, composition: Composition, letterhead: Letterhead, stamp: Stamp,
                     cc: list[str]) -> dict[str, Any]:
    """Exactly the variables ``template`` reads, from the composition and the stamp."""
    organ_mark = {"official": f"{letterhead.organisation}文件"}.get(template, letterhead.organisation)
    values: dict[str, Any] = {
        "copy_number": stamp.copy_number,
        "classification": stamp.classification,
        "urgency": stamp.urgency,
        "document_number": stamp.document_number,
        "draft_mark": stamp.draft_mark,
        "title": composition.title,
        "body": composition.body,
        "cc": "，".join(cc),
        "organ_mark": organ_mark,
        "recipient": composition.recipient,
        "signer_unit": letterhead.organisation,
        "date": stamp.date,
        "print_organ": letterhead.print_organ,
        "print_date": stamp.date,
        "meeting_name": composition.meeting_name,
        "attendees": composition.attendees,
        "observers": composition.observers,
        "on_leave": composition.on_leave,
        "rows": composition.rows,
        "columns": composition.columns,
        "subtitle": composition.subtitle,
        "notes": composition.notes,
    }
    return {name: values[name] for name in TEMPLATE_FIELDS[template]}


class _Environment(jinja2.sandbox.SandboxedEnvironment):
    """The sandbox, compiling each distinct template source once.

    docxtpl hands every XML part of the template to ``from_string`` on every render;
    compiling them was about a fifth of the cost of a letter.  A compiled template
    depends on its source and this environment alone, so it is kept.
    """

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined)
        self._compiled = LRUCache(64)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> jinja2.Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = self._compiled[source] = super().from_string(source)
        return compiled


class _Template(DocxTemplate):  # type: ignore[misc]  # docxtpl is untyped
    """docxtpl's template, cleaning each distinct XML part for Jinja once.

    ``patch_xml`` runs some forty regular expressions over a part's XML on every
    render; its result depends on that XML alone (it reads nothing of the instance).
    """

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)


@lru_cache(maxsize=64)
def _patched(src_xml: str) -> str:
    return DocxTemplate.patch_xml(None, src_xml)  # type: ignore[no-any-return]


_ENVIRONMENT = _Environment()


def render(folder: Path, template: str, context: Mapping[str, Any]) -> bytes:
    """The rendered DOCX of ``template`` from ``folder``."""
    path = folder / TEMPLATE_FILES[template]
    try:
        document = _Template(path)
        document.render(dict(context), jinja_env=_ENVIRONMENT, autoescape=True)
        buffer = io.BytesIO()
        document.save(buffer)
    except OSError as exc:
        raise TemplateMissing(f"无法读取模板 {path}：{exc.strerror or exc}") from exc
    except jinja2.TemplateError as exc:
        raise GeneratorError(f"模板 {path.name} 有误：{exc}") from exc
    return buffer.getvalue()


def _texts(context: Mapping[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(standard face, what it is, text) of everything a template prints."""
    heading_faces = {1: "黑体", 2: "楷体"}
    for key in ("organ_mark", "title", "meeting_name"):
        if context.get(key):
            yield "小标宋", key, context[key]
    if context.get("draft_mark"):
        yield "黑体", "草稿标记", context["draft_mark"]
    for key in ("recipient", "document_number", "signer_unit", "date", "cc", "attendees", "observers", "on_leave",
                "print_organ"):
        if context.get(key):
            yield "仿宋", key, context[key]
    for paragraph in context.get("body", []):
        if isinstance(paragraph, str):
            yield "仿宋", "正文", paragraph
        else:
            yield heading_faces.get(paragraph["level"], "仿宋"), "标题", paragraph["text"]
    for line in (*context.get("subtitle", []), *context.get("notes", [])):
        yield "仿宋", "说明", line
    for column in context.get("columns", []):
        yield "黑体", "表头", column
    for row in context.get("rows", []):
        if isinstance(row, dict):  # a form: labels in 黑体, answers in 仿宋
            yield "黑体", row["label"], row["label"]
            for line in row["lines"]:
                yield "仿宋", row["label"], line
        else:  # a table's row of cells
            for cell in row:
                yield "仿宋", "表格", cell


def check_glyphs(context: Mapping[str, Any], faces: Mapping[str, str]) -> None:
    """Every printed character has a glyph in the family its face maps to, or GlyphMissing naming it."""
    for face, label, text in _texts(context):
        require_glyphs(text, faces[face], label=label)
