"""Column widths of a rendered table: the one thing the table template cannot know when it is built.

The table template (``table.docx``, :func:`generators.templates.build_table`)
repeats one cell per column with a docxtpl column loop, so it is written
before anyone knows how many columns there will be, let alone which need room:
docxtpl gives the rendered columns equal shares.  A 归档文件目录 needs its
题名 column four times as wide as its 件号, so after rendering
:func:`size_columns` rewrites the widths of the first table in the document
from relative weights::

    size_columns(rendered, [11, 30, 24, 38, 20, 11, 11, 11])  # 件号 … 备注, in mm or any unit

Why it is done this way:

- The table is set with a fixed layout (``w:tblLayout w:type="fixed"``) as
  wide as the type area, its columns in twips that add up to exactly that
  width: Word's automatic layout sizes columns from their contents, and
  LibreOffice's reading of it differs from Word's, so a long 题名 would make
  the table wider than the type area in one program and not in the other.
- Both the grid (``w:tblGrid/w:gridCol``) and every cell's ``w:tcW`` are
  written, with the same numbers: Word takes the cells' widths where the two
  disagree, LibreOffice the grid's.
- Widths are rounded down and the remainder goes to the last column, so the
  columns always fill the type area to the twip.
- Only ``word/document.xml`` changes.  Every zip entry keeps its place, name,
  time, compression and attributes, so the same document and weights give the
  same bytes, and a document whose entries carry a fixed time (as the
  templates' do) keeps it.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence

from lxml import etree

from .errors import GeneratorError, LayoutError
from .layout import PAGE

__all__ = ["column_widths", "size_columns"]

_DOCUMENT = "word/document.xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Children of w:tblPr that the schema puts before w:tblW, and before w:tblLayout (CT_TblPr is a sequence).
_BEFORE_TBL_W = {f"{_W}{name}" for name in
                 "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize".split()}
_BEFORE_TBL_LAYOUT = _BEFORE_TBL_W | {f"{_W}{name}" for name in "tblW jc tblCellSpacing tblInd tblBorders shd".split()}


def column_widths(weights: Sequence[float], total: int = PAGE.type_area_width_twips) -> list[int]:
    """``total`` twips shared in proportion to ``weights``, rounded down, the remainder to the last column.

    Raises LayoutError when there are no weights or one is not a positive number.
    """
    if not weights:
        raise LayoutError("表格栏宽比例不能为空")
    for weight in weights:
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight) or weight <= 0:
            raise LayoutError(f"表格栏宽比例应为正数：{weight!r}")
    whole = sum(weights)
    widths = [math.floor(total * weight / whole) for weight in weights[:-1]]
    return [*widths, total - sum(widths)]


def size_columns(docx: bytes, weights: Sequence[float]) -> bytes:
    """``docx`` with its first table as wide as the type area and its columns in proportion to ``weights``.

    One weight per column, in any unit (millimetres, characters, shares).
    Raises LayoutError when the document has no table, when the number of
    weights is not the number of columns of its header row, when a row has
    another number of columns, or when a weight is not a positive number.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as source:
            entries = [(info, source.read(info)) for info in source.infolist()]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise GeneratorError(f"不是有效的 DOCX 文件：{exc}") from exc
    parts = {info.filename: data for info, data in entries}
    if _DOCUMENT not in parts:
        raise GeneratorError(f"不是有效的 DOCX 文件：缺少 {_DOCUMENT}")
    try:
        root = etree.fromstring(parts[_DOCUMENT])
    except etree.XMLSyntaxError as exc:
        raise GeneratorError(f"DOCX 的正文无法解析：{exc}") from exc
    table = next(root.iter(f"{_W}tbl"), None)
    if table is None:
        raise LayoutError("文档中没有表格，无法设置栏宽")
    _set_widths(table, weights)
    document = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for info, data in entries:
            entry = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            entry.compress_type = info.compress_type
            entry.create_system = info.create_system
            entry.external_attr = info.external_attr
            target.writestr(entry, document if info.filename == _DOCUMENT else data)
    return output.getvalue()


def _set_widths(table: etree._Element, weights: Sequence[float]) -> None:
    """Grid, cell widths, table width and fixed layout of ``table``, checked against its rows first."""
    rows = table.findall(f"{_W}tr")
    spans = [[_span(cell) for cell in row.findall(f"{_W}tc")] for row in rows]
    columns = sum(spans[0]) if spans else 0
    if len(weights) != columns:
        raise LayoutError(f"表格有 {columns} 栏，却给了 {len(weights)} 个栏宽比例")
    for number, row in enumerate(spans[1:], start=2):
        if sum(row) != columns:
            raise LayoutError(f"表格第 {number} 行有 {sum(row)} 栏，与表头的 {columns} 栏不符")
    widths = column_widths(weights)
    total = sum(widths)

    properties = table.find(f"{_W}tblPr")
    if properties is None:
        properties = etree.Element(f"{_W}tblPr")
        table.insert(0, properties)
    _put(properties, "tblW", _BEFORE_TBL_W, w=total, type="dxa")
    _put(properties, "tblLayout", _BEFORE_TBL_LAYOUT, type="fixed")

    grid = table.find(f"{_W}tblGrid")
    if grid is None:
        grid = etree.Element(f"{_W}tblGrid")
        properties.addnext(grid)
    for column in list(grid):
        grid.remove(column)
    for width in widths:
        etree.SubElement(grid, f"{_W}gridCol").set(f"{_W}w", str(width))

    for row, row_spans in zip(rows, spans, strict=True):
        start = 0
        for cell, span in zip(row.findall(f"{_W}tc"), row_spans, strict=True):
            cell_properties = cell.find(f"{_W}tcPr")
            if cell_properties is None:
                cell_properties = etree.Element(f"{_W}tcPr")
                cell.insert(0, cell_properties)
            _put(cell_properties, "tcW", {f"{_W}cnfStyle"}, w=sum(widths[start:start + span]), type="dxa")
            start += span


def _span(cell: etree._Element) -> int:
    """How many grid columns a cell covers (``w:gridSpan``, 1 without it)."""
    span = cell.find(f"{_W}tcPr/{_W}gridSpan")
    value = None if span is None else span.get(f"{_W}val")
    return int(value) if value and value.isdigit() and int(value) > 0 else 1


def _put(parent: etree._Element, tag: str, preceding: set[str], **attributes: object) -> None:
    """Set ``parent``'s child ``tag`` to exactly ``attributes``, inserting it after the children the schema puts first."""
    element = parent.find(f"{_W}{tag}")
    if element is None:
        element = etree.Element(f"{_W}{tag}")
        position = sum(1 for child in parent if child.tag in preceding)
        parent.insert(position, element)
    element.attrib.clear()
    for key, value in attributes.items():
        element.set(f"{_W}{key}", str(value))
