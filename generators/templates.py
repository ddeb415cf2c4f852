"""The base .docx templates, written from code so that their layout is reviewable and rebuilt identically.

``python -m generators.templates`` writes ``templates/official.docx`` (通用公文格式),
``templates/letter.docx`` (信函格式), ``templates/minutes.docx`` (纪要格式),
``templates/form.docx`` (表格格式, registration forms such as 信访谈话登记表) and
``templates/table.docx`` (表格格式, registers, statistics and archival lists such
as 信访工作月报告登记表 and 归档文件目录).
Every number comes from :mod:`generators.layout`; this module decides what
goes where, and :mod:`generators._ooxml` writes it as WordprocessingML.  The
files hold docxtpl placeholders (Jinja ``{{ … }}``, ``{%p … %}`` paragraphs,
``{%tr … %}`` table rows and ``{%tc … %}`` table columns); :data:`TEMPLATE_FIELDS`
lists the context each one needs — all of it, since rendering uses
``StrictUndefined`` (pass "" for an element that is absent).  ``body`` is a
list whose items are a string (a body paragraph) or a mapping
``{"level": 1–4, "text": …}`` (一、/（一）/1./（1） heading).

How things are drawn, and why (every choice checked by converting with
LibreOffice 7.4 and measuring the page image):

- Red rules are paragraph borders (``w:pBdr``), which Word, WPS and
  LibreOffice all draw the same way and which move with their text: the 版头
  rule is the bottom border of the 发文字号 paragraph, 11 pt (3.9 mm) under it
  and exactly as wide as the type area.  The 信函 double rules are
  ``thickThinSmallGap`` (thick over thin) under the mark and
  ``thinThickSmallGap`` (thin over thick) on an empty first-page-footer
  paragraph whose bottom edge is the footer distance, 20 mm; negative indents
  make both 170 mm long.
- The 信函 mark sits above the type area, so it and its rule are a text box
  placed 30 mm from the paper's top and anchored in the first body line (so it
  appears on page one only).  A first-page header would do in Word, but
  LibreOffice adds 4–5 mm between a header that outgrows the margin and the
  body, which would move every line of page one.
- The draft mark (草稿, or 定稿 with its sign-off) is the one thing in the
  headers: every header part, the 信函's first page included, holds one
  right-aligned line of 3号黑体 exactly 16 pt high, 15 mm from the paper's
  top.  It stays far inside the 37 mm margin, so LibreOffice sets the page
  exactly as without a header; off the grid, so 26 characters fit a line.
- 版记 (抄送/印发) are a table in a text box on the bottom edge of the type
  area (``wp:positionV relativeFrom="margin"`` ``bottom``, wrap top and
  bottom), so they are at the foot of the last page whatever the body's
  length and the last rule lies on the type area's bottom edge.  A table,
  because its rules span the type area while the text stays one character
  in; the box has a fixed height with its text aligned to the bottom, one
  variant per number of 抄送 lines, because LibreOffice places a box that
  grows with its text 2 mm too high.  The tools tried first fail there: a
  ``w:framePr`` frame of paragraphs with different borders is dropped (text
  inline, rules lost) and a full-width floating table is laid out inline.
- The form's table is an ordinary (inline) table centred on the type area and
  exactly as wide, so its outer rules are the type area's edges in Word and
  LibreOffice alike; a row loop makes one row per item, and a loop in the
  answer cell one paragraph per line.
- The register's table is the same kind of table, with a column loop in
  its header row and in its one data row.  The header row is marked
  ``w:tblHeader``, so Word and LibreOffice repeat it at the top of every
  page, and every row ``w:cantSplit``, so a row that does not fit moves to
  the next page whole; its lines are 小四 (12 pt) so that eight columns fit
  (why, in :class:`generators.layout.TableLayout`).  The columns share the
  width evenly until :func:`generators.tables.size_columns` sets them.
- Page numbers are a ``PAGE`` field between 一字线 in odd (right) and even
  (left) footers, with ``w:evenAndOddHeaders`` in the settings; the 信函
  format's first page has its own footer, holding the lower rule instead.
- Every paragraph has an exact line height (the grid pitch unless it is a mark
  placed by distance), so the page holds 22 lines whichever font a machine
  substitutes; grid-snapped 3号 runs are 98 % wide so LibreOffice, too, sets
  28 to a line (see :mod:`generators.layout`).  One-line elements (份号, 密级,
  title, marks, signer, date, 版记) and table cells are off the character
  grid, so digits and a 22-pt title are not spread over grid cells.
- The styles and settings are written whole: exactly the styles the
  templates use (each under the name offices see in Word/WPS), settings
  without rsids or document ids, and a font table naming each standard face's
  usual substitute.  The rest of what makes a build byte-identical is in
  :mod:`generators._ooxml`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from copy import deepcopy as copy_of
from dataclasses import replace
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree

from . import layout
from ._ooxml import (
    EMU_PER_TWIP,
    Border,
    Box,
    Format,
    Run,
    Style,
    border,
    cell,
    drop_unused_parts,
    field,
    fill,
    paragraph,
    paragraph_properties,
    reproducible,
    run_properties,
    t,
    text_box,
    w,
    write_core_properties,
)
from .layout import DRAFT_MARK, FORM, GRID, HEAD, LETTER, MINUTES, PAGE, PAGE_NUMBER, SIGNATURE, TABLE, TEXT

__all__ = [
    "TEMPLATES_FOLDER",
    "TEMPLATE_FIELDS",
    "TEMPLATE_FILES",
    "build_all",
    "build_form",
    "build_letter",
    "build_minutes",
    "build_official",
    "build_table",
]

TEMPLATES_FOLDER = Path(__file__).resolve().parent.parent / "templates"
"""Where the built templates are kept in the repository (a data folder, not a package)."""

TEMPLATE_FILES: Mapping[str, str] = {
    "official": "official.docx", "letter": "letter.docx", "minutes": "minutes.docx", "form": "form.docx",
    "table": "table.docx",
}
"""Template name → file name inside the templates folder."""

_HEAD_FIELDS = frozenset({"copy_number", "classification", "urgency", "document_number", "title", "draft_mark"})
_LETTER_FIELDS = _HEAD_FIELDS | {"body", "cc"}
TEMPLATE_FIELDS: Mapping[str, frozenset[str]] = {
    "official": _LETTER_FIELDS | {"organ_mark", "recipient", "signer_unit", "date", "print_organ", "print_date"},
    "letter": _LETTER_FIELDS | {"organ_mark", "recipient", "signer_unit", "date"},
    "minutes": _LETTER_FIELDS | {"meeting_name", "attendees", "observers", "on_leave", "print_organ", "print_date"},
    "form": _HEAD_FIELDS | {"rows"},
    "table": frozenset({"copy_number", "classification", "title", "draft_mark", "subtitle", "columns", "rows", "notes"}),
}
"""The context variables each template reads; rendering with StrictUndefined needs every one.

``copy_number``: :func:`layout.copy_number` or ""; ``classification``:
:func:`layout.classification_mark` ("" for 内部/公开); ``urgency``: 特急, 加急 or "";
``draft_mark``: "" for the issued document, ``草稿`` for a draft, ``定稿　签发：…　日期``
for the signed-off draft (one line, at most :attr:`layout.DraftMarkLayout.max_chars`);
dates: :func:`layout.format_date`; ``cc``: the 抄送 list without the closing
``。`` (the template adds it), "" for none; ``meeting_name``: the ××× of
``×××纪要``; ``attendees``/``observers``/``on_leave``: 出席/列席/请假 names, the
last two "" when there are none.  The form's ``document_number`` follows the
printed ``编号：``; its ``rows`` are mappings ``{"label": str, "lines": [str, …]}``,
one table row each, every string of ``lines`` a paragraph of the answer (an
empty list leaves the cell blank; no rows, no table).  The table's ``columns``
are its headings (one string each; no columns, no table), ``rows`` lists of
cell texts, as many as there are columns (no rows: the header row alone);
``subtitle`` and ``notes`` are lists of lines printed above and below the
table (填报单位/统计期间; 说明, the audit checkpoint), each possibly empty.
Its columns share the width evenly until :func:`generators.tables.size_columns`
sizes them.
"""

_END_MARK = 14  # twips: the paragraph a text box must end with, as low as Word allows (0.7 pt)


# --------------------------------------------------------------------------- styles


_TWO_CHARS = layout.chars_to_twips(2)  # 每个自然段左空二字
_IMPRINT_CHAR = TEXT.imprint.size.twips  # "空一字" in the 4号 版记
_LINE = GRID.line_pitch

NORMAL = Style("Normal", "Normal", TEXT.body)
BODY = Style("BodyText", "Body Text", TEXT.body, Format(first_line=_TWO_CHARS))
TITLE = Style("Title", "Title", TEXT.title,
              Format(align="center", before=HEAD.title_gap_lines * _LINE, snap_to_grid=False))
HEADINGS = tuple(
    Style(f"Heading{level}", f"heading {level}", text,
          Format(first_line=_TWO_CHARS, keep_next=True, outline_level=level - 1))
    for level, text in enumerate(layout.HEADING_STYLES, start=1)
)
COPY_NUMBER = Style("CopyNumber", "份号", TEXT.copy_number, Format(align="left", snap_to_grid=False))
CLASSIFICATION = Style("ClassificationMark", "密级和保密期限", TEXT.classification,
                       Format(align="left", snap_to_grid=False))
URGENCY = Style("UrgencyMark", "紧急程度", TEXT.urgency, Format(align="left", snap_to_grid=False))
ORGAN_MARK = Style(
    "OrganMark", "发文机关标志", TEXT.organ_mark,
    Format(align="center", line=TEXT.organ_mark.size.twips, before=HEAD.mark_space_before, snap_to_grid=False),
)
DOCUMENT_NUMBER = Style(
    "DocumentNumber", "发文字号", TEXT.document_number,
    Format(align="center", line=TEXT.document_number.size.twips, before=HEAD.number_gap_lines * _LINE,
           snap_to_grid=False, borders=(Border("bottom", layout.RED_RULE, HEAD.rule_space_points),)),
)
RECIPIENT = Style("Recipient", "主送机关", TEXT.body, Format(align="left", before=HEAD.recipient_gap_lines * _LINE))
SIGNER = Style("SignerUnit", "发文机关署名", TEXT.body,
               Format(align="center", before=SIGNATURE.gap_lines * _LINE, snap_to_grid=False,
                      left=layout.chars_to_twips(SIGNATURE.signer_left_chars)))
DATE = Style("SignatureDate", "成文日期", TEXT.body,
             Format(align="right", right=layout.chars_to_twips(SIGNATURE.date_right_chars), snap_to_grid=False))
IMPRINT = Style("Imprint", "版记", TEXT.imprint,
                Format(align="left", left=_IMPRINT_CHAR, right=_IMPRINT_CHAR, snap_to_grid=False))
ATTENDANCE = Style(
    "Attendance", "出席人员", TEXT.body,
    Format(align="left", left=layout.chars_to_twips(MINUTES.label_indent_chars + MINUTES.label_chars),
           hanging=layout.chars_to_twips(MINUTES.label_chars)),
)
PAGE_NUMBER_STYLE = Style("PageNumber", "页码", TEXT.page_number,
                          Format(align="right", line=TEXT.page_number.size.twips, snap_to_grid=False))
FOOTER = Style("Footer", "footer", TEXT.body, Format(align="center", snap_to_grid=False))
DRAFT_MARK_STYLE = Style("DraftMark", "草稿标识", TEXT.draft_mark,
                         Format(align="right", line=TEXT.draft_mark.size.twips, snap_to_grid=False))
FORM_NUMBER = Style("FormNumber", "表格编号", TEXT.document_number, Format(align="right", snap_to_grid=False))
# The labels in 黑体, the face the standard gives the 纪要's 出席/列席/请假 labels and the 密级: a 仿宋 answer
# of several paragraphs then never reads as part of its label.
FORM_LABEL = Style("FormLabel", "表格栏目", TEXT.form_label, Format(align="center", snap_to_grid=False))
FORM_VALUE = Style("FormValue", "表格内容", TEXT.body, Format(align="both", snap_to_grid=False))
TABLE_SUBTITLE = Style("TableSubtitle", "表格副题", TEXT.table_subtitle,
                       Format(align="center", line=TABLE.line_twips(TEXT.table_subtitle.size), snap_to_grid=False))
TABLE_HEADER = Style("TableHeader", "表头", TEXT.table_header,
                     Format(align="center", line=TABLE.line_twips(TEXT.table_header.size), snap_to_grid=False))
TABLE_CELL = Style("TableCell", "表格正文", TEXT.table_cell,
                   Format(align="center", line=TABLE.line_twips(TEXT.table_cell.size), snap_to_grid=False))
# Left, not justified: a note's Latin words and hashes (the audit checkpoint) would stretch a CJK line's spacing.
TABLE_NOTE = Style("TableNote", "表注", TEXT.table_note,
                   Format(align="left", line=TABLE.line_twips(TEXT.table_note.size), snap_to_grid=False))
_STYLES = (
    NORMAL, BODY, TITLE, *HEADINGS, COPY_NUMBER, CLASSIFICATION, URGENCY, ORGAN_MARK, DOCUMENT_NUMBER,
    RECIPIENT, SIGNER, DATE, IMPRINT, ATTENDANCE, PAGE_NUMBER_STYLE, FOOTER, DRAFT_MARK_STYLE, FORM_NUMBER, FORM_LABEL,
    FORM_VALUE, TABLE_SUBTITLE, TABLE_HEADER, TABLE_CELL, TABLE_NOTE,
)


# --------------------------------------------------------------------------- paragraphs


def _tag(statement: str) -> etree._Element:
    """A docxtpl ``{%p … %}`` paragraph: rendering removes it and keeps the Jinja statement."""
    return w("p", w("r", run_properties(TEXT.body, 100), t(f"{{%p {statement} %}}")))


def _head_lines(*, urgency: bool = True) -> list[etree._Element]:
    """份号, 密级★期限, 紧急程度 on lines 1–3, always present (empty when absent) so the mark never moves.

    The table has the first two only: registers and lists carry no 紧急程度.
    """
    lines = [
        paragraph(COPY_NUMBER, Run("{{ copy_number }}", TEXT.copy_number)),
        paragraph(CLASSIFICATION, Run("{{ classification }}", TEXT.classification)),
    ]
    if urgency:
        lines.append(paragraph(URGENCY, Run("{{ urgency }}", TEXT.urgency)))
    return lines


def _organ_mark(expression: str, length: str, fmt: Format | None = None) -> list[etree._Element]:
    """The mark once per width step, chosen by its length: a long mark is narrowed, never wrapped."""
    steps = layout.ORGAN_MARK_WIDTH_STEPS
    elements = []
    for index, (most, percent) in enumerate(steps):
        if index == 0:
            elements.append(_tag(f"if {length} <= {most}"))
        elif index < len(steps) - 1:
            elements.append(_tag(f"elif {length} <= {most}"))
        else:
            elements.append(_tag("else"))
        elements.append(paragraph(ORGAN_MARK, Run(expression, TEXT.organ_mark, percent), fmt=fmt))
    return [*elements, _tag("endif")]


def _body() -> list[etree._Element]:
    """The body loop: a string is a paragraph, ``{"level": 1–4, "text": …}`` a heading of that level."""
    elements = [_tag("for paragraph in body"), _tag("if paragraph is string"),
                paragraph(BODY, Run("{{ paragraph }}", TEXT.body))]
    for level, style in enumerate(HEADINGS, start=1):
        elements.append(_tag(f"elif paragraph.level == {level}") if level < len(HEADINGS) else _tag("else"))
        elements.append(paragraph(style, Run("{{ paragraph.text }}", style.text)))
    return [*elements, _tag("endif"), _tag("endfor")]


def _recipient() -> etree._Element:
    return paragraph(RECIPIENT, Run("{{ recipient }}：", TEXT.body))


def _signature() -> list[etree._Element]:
    """署名 centred on the 成文日期 (right, 4 characters in); a signer too long for that is set flush right."""
    flush_right = replace(SIGNER.fmt, align="right", left=0)
    return [
        _tag(f"if signer_unit|length <= {SIGNATURE.centred_max_chars}"),
        paragraph(SIGNER, Run("{{ signer_unit }}", TEXT.body)),
        _tag("else"),
        paragraph(SIGNER, Run("{{ signer_unit }}", TEXT.body), fmt=flush_right),
        _tag("endif"),
        paragraph(DATE, Run("{{ date }}", TEXT.body)),
    ]


def _foot_box(box: Box, content: Iterable[etree._Element]) -> etree._Element:
    """A paragraph one point high anchoring a text box on the bottom edge of the type area."""
    anchor_fmt = Format(align="left", line=layout.pt_to_twips(1), snap_to_grid=False)
    return w("p", paragraph_properties(anchor_fmt, NORMAL.style_id), text_box(box, content))


def _imprint_table(with_copy_to: bool) -> etree._Element:
    """版记 (§7.4.1–3) as a table without side borders: thick rules above and below, a thin one between rows.

    A table because its rules span the whole type area while the text keeps
    one character from either edge (cell margins); paragraph borders would
    stop at the indents.  抄送 continuation lines align after "抄送："; 印发机关
    sits one character in on the left and 印发日期 one character in on the right
    of the last row.
    """
    thick, thin = layout.IMPRINT_THICK_RULE, layout.IMPRINT_THIN_RULE
    width = PAGE.type_area_width_twips
    date_width = round(layout.IMPRINT.date_cell_chars * _IMPRINT_CHAR)
    cell_fmt = replace(IMPRINT.fmt, left=0, right=0)
    table = w(
        "tbl",
        w("tblPr", w("tblW", w=width, type="dxa"), w("jc", val="center"),
          w("tblBorders", border("top", thick), w("left", val="nil"), border("bottom", thick), w("right", val="nil"),
            border("insideH", thin), w("insideV", val="nil")),
          w("tblLayout", type="fixed"),
          w("tblCellMar", w("top", w=0, type="dxa"), w("bottom", w=0, type="dxa")),
          w("tblLook", val="0000")),
        w("tblGrid", w("gridCol", w=width - date_width), w("gridCol", w=date_width)),
    )
    if with_copy_to:
        hanging = 3 * _IMPRINT_CHAR
        copy_to = paragraph(IMPRINT, Run("抄送：{{ cc }}。", TEXT.imprint),
                            fmt=replace(cell_fmt, left=hanging, hanging=hanging))
        table.append(w("tr", cell(width, copy_to, left=_IMPRINT_CHAR, right=_IMPRINT_CHAR, span=2, top=thick)))
    # LibreOffice lets the thin inside rule win over the table's outer ones unless the cells repeat them.
    first_row_top = None if with_copy_to else thick
    organ = paragraph(IMPRINT, Run("{{ print_organ }}", TEXT.imprint), fmt=cell_fmt)
    date = paragraph(IMPRINT, Run("{{ print_date }}印发", TEXT.imprint), fmt=replace(cell_fmt, align="right"))
    table.append(w(
        "tr",
        w("trPr", w("trHeight", val=_LINE, hRule="atLeast")),
        cell(width - date_width, organ, left=_IMPRINT_CHAR, right=0, top=first_row_top, bottom=thick),
        cell(date_width, date, left=0, right=_IMPRINT_CHAR, top=first_row_top, bottom=thick),
    ))
    return table


def _imprint() -> list[etree._Element]:
    """The 版记 box, one variant per number of 抄送 lines so the box fits its text exactly."""
    rules = layout.IMPRINT_THICK_RULE.eighths * 2 + layout.IMPRINT_THIN_RULE.eighths  # eighths of a point
    end_mark = paragraph(IMPRINT, fmt=replace(IMPRINT.fmt, line=_END_MARK))
    slack = layout.pt_to_twips(1)

    def box(copy_lines: int, box_id: int) -> etree._Element:
        height = (copy_lines + 1) * _LINE + rules * 20 // 8 + _END_MARK + slack
        return _foot_box(Box(box_id, "版记", PAGE.type_area_width_twips, height),
                         [_imprint_table(copy_lines > 0), copy_of(end_mark)])

    return _by_copy_lines(box, include_none=True)


def _by_copy_lines(variant: Callable[[int, int], etree._Element], include_none: bool) -> list[etree._Element]:
    """``variant(lines, box_id)`` for no 抄送 (if wanted) and for 1 … max lines, chosen by ``cc|length``."""
    per_line = layout.IMPRINT.chars_per_line
    most = layout.IMPRINT.max_copy_lines
    elements = [_tag("if not cc")]
    if include_none:
        elements.append(variant(0, 1))
    for lines in range(1, most + 1):
        elements.append(_tag(f"elif (cc|length + 1) <= {lines * per_line}") if lines < most else _tag("else"))
        elements.append(variant(lines, lines + 1))
    return [*elements, _tag("endif")]


def _letter_copy_to() -> list[etree._Element]:
    """信函 版记 (§10.1): only 抄送, no rules, at the foot of the last page."""
    hanging = 3 * _IMPRINT_CHAR
    fmt = replace(IMPRINT.fmt, left=_IMPRINT_CHAR + hanging, hanging=hanging)

    def box(copy_lines: int, box_id: int) -> etree._Element:
        height = copy_lines * _LINE + layout.pt_to_twips(1)
        return _foot_box(Box(box_id, "版记", PAGE.type_area_width_twips, height),
                         [paragraph(IMPRINT, Run("抄送：{{ cc }}。", TEXT.imprint), fmt=fmt)])

    return _by_copy_lines(box, include_none=False)


def _form_table() -> list[etree._Element]:
    """The form's rows between 0.75-pt black rules: label (vertically centred) and answer, one row per item.

    A row of its own carries each ``{%tr %}`` tag, which docxtpl replaces by
    the loop statement; the answer cell loops over its lines, and holds one
    empty paragraph when there are none, because Word refuses a cell without
    one (and a table without rows: so no rows, no table).
    """
    width = PAGE.type_area_width_twips
    label_width = FORM.label_width_twips
    value_width = width - label_width
    padding = FORM.cell_padding_twips
    rule = layout.FORM_RULE

    def tag_row(statement: str) -> etree._Element:
        tag = w("p", w("r", run_properties(TEXT.body, 100), t(f"{{%tr {statement} %}}")))
        return w("tr", cell(width, tag, left=padding, right=padding, span=2))

    label = paragraph(FORM_LABEL, Run("{{ row.label }}", TEXT.form_label))
    answer = [_tag("for line in row.lines"), paragraph(FORM_VALUE, Run("{{ line }}", TEXT.body)), _tag("else"),
              paragraph(FORM_VALUE), _tag("endfor")]
    table = w(
        "tbl",
        w("tblPr", w("tblW", w=width, type="dxa"), w("jc", val="center"),
          w("tblBorders", *(border(side, rule) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))),
          w("tblLayout", type="fixed"),
          w("tblCellMar", w("top", w=0, type="dxa"), w("bottom", w=0, type="dxa")),
          w("tblLook", val="0000")),
        w("tblGrid", w("gridCol", w=label_width), w("gridCol", w=value_width)),
        tag_row("for row in rows"),
        w("tr", cell(label_width, label, left=padding, right=padding, v_align="center"),
          cell(value_width, *answer, left=padding, right=padding)),
        tag_row("endfor"),
    )
    # Word ends a document with a paragraph, not a table: one 0.7 pt high adds no line.
    end = paragraph(NORMAL, fmt=Format(align="left", line=_END_MARK, snap_to_grid=False))
    return [_tag("if rows"), table, _tag("endif"), end]


def _data_table() -> list[etree._Element]:
    """A table as wide as the type area: a header row repeated on every page, then one row per item.

    Each row is a cell loop (``{%tc for … %}`` in a cell of its own before
    the repeated cell, ``{%tc endfor %}`` in one after it: docxtpl replaces each
    tagged cell by its statement), so the template has three grid columns
    and its cells leave their width to the grid; docxtpl sets the rendered
    number of grid columns, evenly, and :func:`generators.tables.size_columns`
    may size them after.  The header row is ``w:tblHeader`` (repeated on each
    page); every row is ``w:cantSplit`` (moved whole to the next page rather
    than broken; LibreOffice still breaks a row taller than a page, so no
    text is lost).  With no rows the header row is the table, which Word
    accepts; with no columns there would be rows without cells, which it does
    not, so no columns, no table.
    """
    width = PAGE.type_area_width_twips
    loop_columns = 3
    padding = TABLE.cell_padding_twips
    rule = layout.TABLE_RULE

    def tag_cell(statement: str) -> etree._Element:
        tag = w("p", w("r", run_properties(TEXT.table_cell, 100), t(f"{{%tc {statement} %}}")))
        return cell(None, tag, left=padding, right=padding)

    def tag_row(statement: str) -> etree._Element:
        tag = w("p", w("r", run_properties(TEXT.table_cell, 100), t(f"{{%tr {statement} %}}")))
        return w("tr", cell(width, tag, left=padding, right=padding, span=loop_columns))

    def looped_row(loop: str, style: Style, expression: str, *, header: bool) -> etree._Element:
        content = paragraph(style, Run(f"{{{{ {expression} }}}}", style.text))
        return w(
            "tr",
            w("trPr", w("cantSplit"), w("tblHeader") if header else None),
            tag_cell(loop),
            cell(None, content, left=padding, right=padding, v_align="center"),
            tag_cell("endfor"),
        )

    grid = [width // loop_columns] * (loop_columns - 1)
    table = w(
        "tbl",
        w("tblPr", w("tblW", w=width, type="dxa"), w("jc", val="center"),
          w("tblBorders", *(border(side, rule) for side in ("top", "left", "bottom", "right", "insideH", "insideV"))),
          w("tblLayout", type="fixed"),
          w("tblCellMar", w("top", w=padding, type="dxa"), w("bottom", w=padding, type="dxa")),
          w("tblLook", val="0000")),
        w("tblGrid", *(w("gridCol", w=column) for column in [*grid, width - sum(grid)])),
        looped_row("for column in columns", TABLE_HEADER, "column", header=True),
        tag_row("for row in rows"),
        looped_row("for cell in row", TABLE_CELL, "cell", header=False),
        tag_row("endfor"),
    )
    return [_tag("if columns"), table, _tag("endif")]


def _page_number(align: str) -> etree._Element:
    """``— 1 —`` in 4号宋体, one character in from the outer edge, lifted to 7 mm under the type area."""
    indent = PAGE_NUMBER.indent_twips
    fmt = replace(PAGE_NUMBER_STYLE.fmt, align=align, after=PAGE_NUMBER.space_after_twips,
                  left=indent if align == "left" else 0, right=indent if align == "right" else 0)
    number = paragraph(PAGE_NUMBER_STYLE, Run(f"{PAGE_NUMBER.dash} ", TEXT.page_number), fmt=fmt)
    number.extend(field("PAGE", "1", TEXT.page_number))
    number.append(w("r", run_properties(TEXT.page_number, 100), t(f" {PAGE_NUMBER.dash}")))
    return number


# --------------------------------------------------------------------------- package


def _new_document(*, first_page_different: bool = False) -> DocxDocument:
    """python-docx's default document made over: A4, the standard's margins and grid, our styles, page numbers.

    Every header (the first page's too, when it has its own) holds the draft
    mark, so a draft says so on each page.
    """
    document = Document()
    drop_unused_parts(document)
    _write_styles(document)
    _write_settings(document)
    _write_font_table(document)
    write_core_properties(document)
    section = document.sections[0]
    emu = EMU_PER_TWIP  # python-docx lengths are EMU
    section.page_width = layout.mm_to_twips(PAGE.width_mm) * emu
    section.page_height = layout.mm_to_twips(PAGE.height_mm) * emu
    section.top_margin = layout.mm_to_twips(PAGE.top_mm) * emu
    section.bottom_margin = layout.mm_to_twips(PAGE.bottom_mm) * emu
    section.left_margin = layout.mm_to_twips(PAGE.left_mm) * emu
    section.right_margin = layout.mm_to_twips(PAGE.right_mm) * emu
    section.gutter = 0
    section.header_distance = DRAFT_MARK.header_distance_twips * emu
    section.footer_distance = PAGE_NUMBER.footer_distance_twips * emu
    section.different_first_page_header_footer = first_page_different
    sect_pr = section._sectPr
    sect_pr.attrib.clear()  # rsids
    sect_pr.remove(sect_pr.find(qn("w:cols")))
    grid = sect_pr.find(qn("w:docGrid"))
    grid.attrib.clear()
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(GRID.line_pitch))
    grid.set(qn("w:charSpace"), str(GRID.char_space))
    fill(section.footer._element, [_page_number("right")])  # odd pages: right, one character in
    fill(section.even_page_footer._element, [_page_number("left")])
    headers = [section.header, section.even_page_header]
    if first_page_different:
        headers.append(section.first_page_header)
    for header in headers:
        fill(header._element, [paragraph(DRAFT_MARK_STYLE, Run("{{ draft_mark }}", TEXT.draft_mark))])
    return document


def _write_styles(document: DocxDocument) -> None:
    """Document defaults and exactly the styles the templates use, instead of the default template's."""
    styles = document.styles.element
    for child in list(styles):
        styles.remove(child)
    styles.append(w(
        "docDefaults",
        w("rPrDefault", run_properties(TEXT.body, 100)),
        w("pPrDefault", w("pPr", w("widowControl", val=0),
                           w("spacing", after=0, line=_LINE, lineRule="exact"))),
    ))
    for style in _STYLES:
        element = w("style", type="paragraph", styleId=style.style_id)
        if style is NORMAL:
            element.set(qn("w:default"), "1")
        element.append(w("name", val=style.name))
        if style is not NORMAL:
            element.append(w("basedOn", val=NORMAL.style_id))
        element.append(w("qFormat"))
        element.append(paragraph_properties(style.fmt, None))
        element.append(run_properties(style.text, style.fmt.width_for(style.text)))
        styles.append(element)
    default_font = w("style", w("name", val="Default Paragraph Font"), w("uiPriority", val=1), w("semiHidden"),
                     w("unhideWhenUsed"), type="character", styleId="DefaultParagraphFont")
    default_font.set(qn("w:default"), "1")
    styles.append(default_font)


def _write_settings(document: DocxDocument) -> None:
    """Settings written whole: no rsids or ids, odd/even footers, mirrored margins, Chinese line breaking."""
    settings = document.settings.element
    for child in list(settings):
        settings.remove(child)
    settings.extend([
        w("zoom", percent=100),
        w("removePersonalInformation"),
        w("removeDateAndTime"),
        # 订口 (binding margin) left on odd pages and right on even ones, so both sides of a sheet printed
        # double-sided register (§6.2); pgMar left/right then mean inside/outside.
        w("mirrorMargins"),
        w("defaultTabStop", val=420),
        w("evenAndOddHeaders"),
        w("characterSpacingControl", val="compressPunctuation"),
        w("compat", w("useFELayout"),
          w("compatSetting", name="compatibilityMode", uri="http://schemas.microsoft.com/office/word", val=15)),
        w("themeFontLang", val="en-US", eastAsia="zh-CN"),
        w("decimalSymbol", val="."),
        w("listSeparator", val=","),
    ])


def _write_font_table(document: DocxDocument) -> None:
    """The font table: every face, the Chinese ones with the GB2312 charset and their substitute (``w:altName``)."""
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = w("fonts")
    for face in (layout.FANGSONG, layout.XIAOBIAOSONG, layout.HEITI, layout.KAITI, layout.SONGTI):
        fonts.append(w(
            "font",
            w("altName", val=face.substitute) if face.substitute else None,
            w("charset", val="86"), w("family", val="modern"), w("pitch", val="fixed"),
            name=face.name,
        ))
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- the templates


def build_official() -> bytes:
    """通用公文格式 (§7): red organ mark, 发文字号 over the red rule, title, body, signer and date, 版记."""
    document = _new_document()
    fill(document.element.body, [
        *_head_lines(),
        *_organ_mark("{{ organ_mark }}", "organ_mark|length"),
        paragraph(DOCUMENT_NUMBER, Run("{{ document_number }}", TEXT.document_number)),
        paragraph(TITLE, Run("{{ title }}", TEXT.title)),
        _recipient(),
        *_body(),
        *_signature(),
        *_imprint(),
    ])
    return reproducible(document)


def build_letter() -> bytes:
    """信函格式 (§10.1): mark and double rules on page one only, no page number there, 抄送 at the foot."""
    document = _new_document(first_page_different=True)
    section = document.sections[0]
    overhang = LETTER.rule_overhang_twips
    # The mark, 30 mm from the paper's top, its double rule 4 mm under it: a text box 170 mm wide.
    mark = replace(ORGAN_MARK.fmt, before=0, borders=(Border("bottom", layout.LETTER_TOP_RULE, HEAD.rule_space_points),))
    mark_box = Box(1, "发文机关标志", PAGE.type_area_width_twips + 2 * overhang, LETTER.mark_box_height_twips,
                   from_page_top=layout.mm_to_twips(LETTER.mark_top_mm))
    lower_rule = replace(FOOTER.fmt, line=layout.pt_to_twips(1), left=-overhang, right=-overhang,
                         borders=(Border("bottom", layout.LETTER_BOTTOM_RULE),))
    fill(section.first_page_footer._element, [paragraph(FOOTER, fmt=lower_rule)])
    # 份号 left and 发文字号 right on the first line, 7/8 of a 3号 character under the rule.
    first_line = replace(COPY_NUMBER.fmt, line=TEXT.copy_number.size.twips, snap_to_grid=False,
                         before=LETTER.first_line_space_twips, right_tab=PAGE.type_area_width_twips)
    head = paragraph(COPY_NUMBER, Run("{{ copy_number }}", TEXT.copy_number), Run("\t", TEXT.document_number),
                     Run("{{ document_number }}", TEXT.document_number), fmt=first_line)
    # The mark's box is anchored in the first line, placed from the page's top: on page one only.
    head.find(qn("w:pPr")).addnext(text_box(mark_box, _organ_mark("{{ organ_mark }}", "organ_mark|length", mark)))
    fill(document.element.body, [
        head,
        _tag("if classification"), paragraph(CLASSIFICATION, Run("{{ classification }}", TEXT.classification)),
        _tag("endif"),
        _tag("if urgency"), paragraph(URGENCY, Run("{{ urgency }}", TEXT.urgency)), _tag("endif"),
        paragraph(TITLE, Run("{{ title }}", TEXT.title), fmt=replace(TITLE.fmt, before=LETTER.title_gap_lines * _LINE)),
        _recipient(),
        *_body(),
        *_signature(),
        *_letter_copy_to(),
    ])
    return reproducible(document)


def build_minutes() -> bytes:
    """纪要格式 (§10.3): red ``×××纪要``, number over the red rule, title, body, 出席/列席/请假, 版记."""
    document = _new_document()
    attendance: list[etree._Element] = []
    for key, label in zip(("attendees", "observers", "on_leave"), MINUTES.labels, strict=True):
        runs = (Run(f"{label}：", TEXT.minutes_label), Run(f"{{{{ {key} }}}}", TEXT.body))
        if key == "attendees":  # 出席 always, one line under the body (§10.3)
            attendance.append(paragraph(ATTENDANCE, *runs, fmt=replace(ATTENDANCE.fmt, before=_LINE)))
        else:
            attendance += [_tag(f"if {key}"), paragraph(ATTENDANCE, *runs), _tag("endif")]
    suffix = MINUTES.mark_suffix
    fill(document.element.body, [
        *_head_lines(),
        *_organ_mark(f"{{{{ meeting_name }}}}{suffix}", f"(meeting_name|length + {len(suffix)})"),
        paragraph(DOCUMENT_NUMBER, Run("{{ document_number }}", TEXT.document_number)),
        paragraph(TITLE, Run("{{ title }}", TEXT.title)),
        *_body(),
        *attendance,
        *_imprint(),
    ])
    return reproducible(document)


def build_form() -> bytes:
    """表格格式: head lines, title, ``编号：`` on the right, then a label/answer table as wide as the type area."""
    document = _new_document()
    fill(document.element.body, [
        *_head_lines(),
        paragraph(TITLE, Run("{{ title }}", TEXT.title), fmt=replace(TITLE.fmt, before=FORM.title_gap_lines * _LINE)),
        paragraph(FORM_NUMBER, Run(f"{FORM.number_label}{{{{ document_number }}}}", TEXT.document_number)),
        *_form_table(),
    ])
    return reproducible(document)


def build_table() -> bytes:
    """表格格式 for registers, statistics and lists: 份号, 密级, title, lines, a table that repeats its header, notes."""
    document = _new_document()
    table_gap = layout.pt_to_twips(TABLE.table_gap_points)
    notes_gap = layout.pt_to_twips(TABLE.notes_gap_points)
    title = paragraph(TITLE, Run("{{ title }}", TEXT.title), fmt=replace(TITLE.fmt, before=TABLE.title_gap_lines * _LINE))
    # The gaps are empty paragraphs of their own height; the one after the table only when notes follow.
    fill(document.element.body, [
        *_head_lines(urgency=False),
        title,
        _tag("for line in subtitle"), paragraph(TABLE_SUBTITLE, Run("{{ line }}", TEXT.table_subtitle)), _tag("endfor"),
        paragraph(NORMAL, fmt=Format(align="left", line=table_gap, snap_to_grid=False)),
        *_data_table(),
        _tag("if notes"), paragraph(NORMAL, fmt=Format(align="left", line=notes_gap, snap_to_grid=False)), _tag("endif"),
        _tag("for line in notes"), paragraph(TABLE_NOTE, Run("{{ line }}", TEXT.table_note)), _tag("endfor"),
        # Word ends a document with a paragraph, not a table: one 0.7 pt high adds no line.
        paragraph(NORMAL, fmt=Format(align="left", line=_END_MARK, snap_to_grid=False)),
    ])
    return reproducible(document)


_BUILDERS = {"official": build_official, "letter": build_letter, "minutes": build_minutes, "form": build_form,
             "table": build_table}


def build_all(folder: Path) -> list[Path]:
    """Write the five templates into ``folder`` (created if missing); returns their paths, official first.

    Run as ``python -m generators.templates`` to refresh the repository's
    ``templates/``; a test fails when the committed files differ from a build.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in _BUILDERS.items():
        path = folder / TEMPLATE_FILES[name]
        path.write_bytes(build())
        paths.append(path)
    return paths


if __name__ == "__main__":
    build_all(TEMPLATES_FOLDER)
