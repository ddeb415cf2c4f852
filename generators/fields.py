"""The fields a document kind asks for: what each means, whether it is required, where its default comes from.

Values arrive as text (``--set key=value``) or as JSON/YAML data; both go
through :func:`resolve`, which reports every problem at once — a secretary
fixing one field at a time would otherwise run the command once per mistake —
and returns values in one canonical form (str, list of str, ISO date, int)
that is stored with the draft and rendered from, so issuing renders exactly
what the draft showed.
"""

from __future__ import annotations

import datetime
import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archive import ArchiveError
from archive.days import parse_date
from archive.files import describe_os_error
from archive.text import check_text

from .errors import InvalidFields

__all__ = ["FIELD_TYPES", "Field", "canonical", "parse_assignments", "read_data_file", "resolve"]

FIELD_TYPES = {
    "text": "文字",
    "paragraphs": "多段文字（每行一段）",
    "list": "多项（以顿号、逗号或换行分隔）",
    "date": "日期",
    "integer": "整数",
    "choice": "选项",
}
"""Field type → how ``generate --list`` describes it."""
_LIST_SEPARATORS = re.compile(r"[、，,；;\n]+")
_WRITTEN_AS = {"date": "日期", "integer": "正整数"}
MAX_DATA_FILE = 1 << 20


@dataclass(frozen=True)
class Field:
    """One value a document kind needs."""

    name: str
    label: str
    type: str = "text"
    required: bool = True
    source: str | None = None
    """Where the default comes from when the secretary gives none (None: no default)."""
    choices: tuple[str, ...] = ()
    max_length: int = 2_000
    max_items: int = 500
    """Most items or paragraphs of a list field: each costs its own paragraph in the document, and 100,000
    short ones (a 1 MiB data file) take docxtpl a quarter of a minute."""

    def to_json(self) -> dict[str, Any]:
        """The field as ``generate --list --json`` prints it."""
        return {"name": self.name, "label": self.label, "type": self.type, "required": self.required,
                "default_from": self.source, "choices": list(self.choices)}

    def parse(self, value: Any) -> Any:
        """``value`` in canonical form, or ValueError with a Chinese reason."""
        if self.type == "date":
            if isinstance(value, datetime.date):
                return value.isoformat()
            try:
                return parse_date(self._scalar(value), self.label).isoformat()
            except ArchiveError as exc:
                raise ValueError(str(exc)) from None
        if self.type == "integer":
            text = unicodedata.normalize("NFKC", self._scalar(value)).strip()
            if not text.isdecimal() or len(text) > 9 or int(text) < 1:
                raise ValueError(f"{self.label}应为正整数")
            return int(text)
        if self.type in ("list", "paragraphs"):
            items = value if isinstance(value, list) else (
                self._scalar(value).splitlines() if self.type == "paragraphs"
                else _LIST_SEPARATORS.split(self._scalar(value)))
            texts = [self._scalar(item) for item in items if item is not None]
            parsed = [self._text(text) for text in texts if text.strip()]
            if not parsed:
                raise ValueError(f"{self.label}不能为空")
            if len(parsed) > self.max_items:
                raise ValueError(f"{self.label}过多（最多 {self.max_items} {'段' if self.type == 'paragraphs' else '项'}）")
            return parsed
        text = self._text(self._scalar(value))
        if self.type == "choice" and text not in self.choices:
            raise ValueError(f"{self.label}“{text}”无效，可选：{'、'.join(self.choices)}")
        return text

    def _scalar(self, value: Any) -> str:
        """One value as the text it was written as: JSON or YAML gives numbers and dates as such, but a
        mapping, a list (inside a list), true/false, null, NaN or bytes is no text a document can print."""
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float, datetime.date)) and not isinstance(value, bool) and (
                not isinstance(value, float) or math.isfinite(value)):
            return str(value)
        raise ValueError(f"{self.label}应为{_WRITTEN_AS.get(self.type, '文字')}")

    def _text(self, value: str) -> str:
        try:
            return check_text(value, self.label, max_length=self.max_length)
        except ArchiveError as exc:
            raise ValueError(str(exc)) from None


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``["key=value", …]`` from ``--set``; a pair without ``=`` is an error naming it."""
    values: dict[str, str] = {}
    bad = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            bad.append(pair)
        else:
            values[key.strip()] = value
    if bad:
        raise InvalidFields(["--set 应写成 字段=值：" + "、".join(f"“{b}”" for b in bad)])
    return values


class _AliasRefused(yaml.composer.ComposerError):
    """A YAML alias (``*name``) in a data file."""


class _DataLoader(yaml.SafeLoader):
    """Safe YAML without aliases: field values need none, and nested aliases repeat a value exponentially
    often (a "billion laughs": a few hundred bytes that become gigabytes of text once printed)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused(None, None, "alias", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def read_data_file(path: Path) -> dict[str, Any]:
    """A JSON or YAML mapping of field values (``--data``)."""
    try:
        if path.stat().st_size > MAX_DATA_FILE:
            raise InvalidFields([f"数据文件 {path.name} 超过 1 MiB"])
        text = path.read_text(encoding="utf-8-sig")  # Windows editors save UTF-8 with a BOM
    except UnicodeDecodeError as exc:
        raise InvalidFields([f"无法读取数据文件 {path.name}：不是 UTF-8 编码，请另存为 UTF-8 后再试"]) from exc
    except OSError as exc:
        raise InvalidFields([f"无法读取数据文件 {path.name}：{describe_os_error(exc)}"]) from exc
    form = "YAML" if path.suffix.lower() in (".yaml", ".yml") else "JSON"
    try:
        data = yaml.load(text, Loader=_DataLoader) if form == "YAML" else json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidFields([f"数据文件 {path.name} 格式错误：不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行第 {mark.column + 1} 列）" if mark is not None else ""
        if isinstance(exc, _AliasRefused):
            raise InvalidFields([f"数据文件 {path.name} 格式错误：不允许 YAML 别名（*…）{where}，请直接写出每个值"]) from exc
        raise InvalidFields([f"数据文件 {path.name} 格式错误：不是有效的 YAML{where}"]) from exc
    except RecursionError as exc:
        raise InvalidFields([f"数据文件 {path.name} 格式错误：嵌套层次过深"]) from exc
    except ValueError as exc:  # a number of thousands of digits; a YAML date like 2026-13-45
        raise InvalidFields([f"数据文件 {path.name} 格式错误：含有无效的数值或日期（不是有效的 {form}）"]) from exc
    if not isinstance(data, dict):
        raise InvalidFields([f"数据文件 {path.name} 应为“字段: 值”的映射"])
    return {str(key): value for key, value in data.items()}


def canonical(fields: tuple[Field, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """``given`` keyed by field name: a Chinese label becomes its field's name, unknown keys stay as typed.

    Layers of values (``--data`` under ``--set``) are merged after this, so the
    same field given in English in one and in Chinese in the other is one field.
    """
    names = {f.label: f.name for f in fields}
    return {names.get(key.strip(), key.strip()): value for key, value in given.items()}


def resolve(fields: tuple[Field, ...], given: Mapping[str, Any], defaults: Mapping[str, Any],
            check: Callable[[Mapping[str, Any]], list[str]] | None = None) -> dict[str, Any]:
    """Every field's value from ``given`` (by name or Chinese label), else its default.

    Raises :class:`InvalidFields` listing every unknown name, missing required
    field, invalid value and failed ``check`` (a kind's rule across fields,
    run on the values that parsed) together; returns only when all are fine.
    """
    by_key = {f.name: f for f in fields} | {f.label: f for f in fields}
    problems: list[str] = []
    chosen: dict[str, Any] = {}
    for key, value in given.items():
        field = by_key.get(key.strip())
        if field is None:
            problems.append(f"没有字段“{key}”")
        elif field.name in chosen:
            problems.append(f"字段“{field.label}”给了两次")
        else:
            chosen[field.name] = value
    values: dict[str, Any] = {}
    for field in fields:
        value = chosen.get(field.name, defaults.get(field.name))
        if value is None or (isinstance(value, str) and not value.strip() and field.name not in chosen):
            if field.required:
                where = f"（默认取自{field.source}，但该信访件没有此项）" if field.source else ""
                problems.append(f"缺少{field.label}（{field.name}）{where}")
            continue
        if isinstance(value, str) and not value.strip() and not field.required:
            continue  # an optional field set to "" on purpose: leave it out
        try:
            values[field.name] = field.parse(value)
        except ValueError as exc:
            problems.append(str(exc))
    if check is not None:
        problems += check(values)
    if problems:
        raise InvalidFields(problems)
    return values
