"""The base .docx templates, written from code so that their layout is reviewable and rebuilt identically.

``python -m generators.templates`` writes ``templates/official.docx`` (通用公文格式),
``templates/letter.docx`` (信函格式) and ``templates/minutes.docx`` (纪要格式).
Every number comes from :mod:`generators.layout`; this module only turns them
into WordprocessingML.  The files hold docxtpl placeholders (Jinja ``{{ … }}``
and ``{%p … %}`` paragraphs); :data:`TEMPLATE_FIELDS` lists the context each
one needs — all of it, since rendering uses ``StrictUndefined`` (pass "" for an
element that is absent).  ``body`` is a list whose items are a string (a body
paragraph) or a mapping ``{"level": 1–4, "text": …}`` (一、/（一）/1./（1） heading).

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
- Page numbers are a ``PAGE`` field between 一字线 in odd (right) and even
  (left) footers, with ``w:evenAndOddHeaders`` in the settings; the 信函
  format's first page has its own footer, holding the lower rule instead.
- Every paragraph has an exact line height (the grid pitch unless it is a mark
  placed by distance), so the page holds 22 lines whichever font a machine
  substitutes; grid-snapped 3号 runs are 98 % wide so LibreOffice, too, sets
  28 to a line (see :mod:`generators.layout`).  One-line elements (份号, 密级,
  title, marks, signer, date, 版记) are off the character grid, so digits and
  a 22-pt title are not spread over grid cells.  Runs name their faces
  explicitly (``w:eastAsia``) and every style and run says
  ``w:lang w:eastAsia="zh-CN"``.  Text boxes are DrawingML inside
  ``mc:AlternateContent``, as Word writes them.
- Reproducible output: fixed core properties (no author, fixed dates, no
  revision), settings without rsids or document ids, parts python-docx's
  default template carries but the letters do not use (thumbnail, custom XML,
  numbering, web settings, 150 table styles) dropped, and the zip rewritten
  with fixed entry times and no compression, so the bytes do not depend on
  the clock or on the zlib build.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from copy import deepcopy as copy_of
from dataclasses import dataclass, replace
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement, parse_xml
from lxml import etree

from . import layout
from .layout import GRID, HEAD, LETTER, MINUTES, PAGE, PAGE_NUMBER, SIGNATURE, TEXT, TextStyle

__all__ = [
    "TEMPLATES_FOLDER",
    "TEMPLATE_FIELDS",
    "TEMPLATE_FILES",
    "build_all",
    "build_letter",
    "build_minutes",
    "build_official",
]

TEMPLATES_FOLDER = Path(__file__).resolve().parent.parent / "templates"
"""Where the built templates are kept in the repository (a data folder, not a package)."""

TEMPLATE_FILES: Mapping[str, str] = {"official": "official.docx", "letter": "letter.docx", "minutes": "minutes.docx"}
"""Template name → file name inside the templates folder."""

_HEAD_FIELDS = frozenset({"copy_number", "classification", "urgency", "document_number", "title", "body", "cc"})
TEMPLATE_FIELDS: Mapping[str, frozenset[str]] = {
    "official": _HEAD_FIELDS | {"organ_mark", "recipient", "signer_unit", "date", "print_organ", "print_date"},
    "letter": _HEAD_FIELDS | {"organ_mark", "recipient", "signer_unit", "date"},
    "minutes": _HEAD_FIELDS | {"meeting_name", "attendees", "observers", "on_leave", "print_organ", "print_date"},
}
"""The context variables each template reads; rendering with StrictUndefined needs every one.

``copy_number``: :func:`layout.copy_number` or ""; ``classification``:
:func:`layout.classification_mark` ("" for 内部/公开); ``urgency``: 特急, 加急 or "";
dates: :func:`layout.format_date`; ``cc``: the 抄送 list without the closing
``。`` (the template adds it), "" for none; ``meeting_name``: the ××× of
``×××纪要``; ``attendees``/``observers``/``on_leave``: 出席/列席/请假 names, the
last two "" when there are none.
"""

_FIXED_TIME = datetime.datetime(2026, 1, 1)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_LANG = {"val": "en-US", "eastAsia": "zh-CN", "bidi": "ar-SA"}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_EMU_PER_TWIP = 635
_END_MARK = 14  # twips: the paragraph a text box must end with, as low as Word allows (0.7 pt)

# Child order the schema requires (CT_PPr, CT_RPr, CT_PBdr); lxml only appends, so children are sorted.
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr"
).split()
_RPR_ORDER = "rStyle rFonts b bCs i iCs color spacing w kern position sz szCs u vertAlign lang".split()
_BORDER_ORDER = ("top", "left", "bottom", "right", "between")


# --------------------------------------------------------------------------- XML helpers


def _w(tag: str, *children: etree._Element | None, **attrs: object) -> etree._Element:
    """A ``w:`` element with ``w:`` attributes (keyword names) and children (None skipped)."""
    element = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), str(value))
    for child in children:
        if child is not None:
            element.append(child)
    return element


def _ordered(tag: str, children: Iterable[etree._Element | None], order: Sequence[str]) -> etree._Element:
    present = [child for child in children if child is not None]
    present.sort(key=lambda child: order.index(etree.QName(child).localname))
    return _w(tag, *present)


def _t(text: str) -> etree._Element:
    element = _w("t")
    element.text = text
    if text != text.strip():
        element.set(_XML_SPACE, "preserve")
    return element


def _run_properties(style: TextStyle, width: int) -> etree._Element:
    """Explicit run formatting: faces (the Chinese one in ``w:eastAsia``), width, size, colour, language."""
    face = style.face.name
    return _ordered(
        "rPr",
        [
            _w("rFonts", ascii=face, hAnsi=face, eastAsia=face, cs=face, hint="eastAsia"),
            _w("b") if style.bold else None,
            _w("color", val=style.color) if style.color else None,
            _w("w", val=width),
            _w("sz", val=style.size.half_points),
            _w("szCs", val=style.size.half_points),
            _w("lang", **_LANG),
        ],
        _RPR_ORDER,
    )


@dataclass(frozen=True)
class _Border:
    """One side of a paragraph border: the rule and its distance from the text in points."""

    side: str
    rule: layout.Rule
    space: int = 0


@dataclass(frozen=True)
class _Format:
    """Paragraph formatting in twips, written out as ``w:pPr`` by :func:`_paragraph_properties`."""

    align: str = "both"
    line: int = GRID.line_pitch
    before: int = 0
    after: int = 0
    left: int = 0
    right: int = 0
    first_line: int = 0
    hanging: int = 0
    snap_to_grid: bool = True
    keep_next: bool = False
    outline_level: int | None = None
    borders: tuple[_Border, ...] = ()
    right_tab: int | None = None

    def width_for(self, style: TextStyle) -> int:
        """Character width: grid-size text on the grid is narrowed so LibreOffice gives it one cell."""
        if self.snap_to_grid and style.size is GRID.base_size:
            return GRID.glyph_width_percent
        return 100


def _paragraph_properties(fmt: _Format, style_id: str | None) -> etree._Element:
    borders = sorted(fmt.borders, key=lambda border: _BORDER_ORDER.index(border.side))
    indent: dict[str, int] = {"left": fmt.left, "right": fmt.right}
    if fmt.hanging:
        indent["hanging"] = fmt.hanging
    elif fmt.first_line:
        indent["firstLine"] = fmt.first_line
    return _ordered(
        "pPr",
        [
            _w("pStyle", val=style_id) if style_id else None,
            _w("keepNext") if fmt.keep_next else None,
            _w("widowControl", val=0),
            _w("pBdr", *(_w(b.side, val=b.rule.style, sz=b.rule.eighths, space=b.space, color=b.rule.color)
                         for b in borders)) if borders else None,
            _w("tabs", _w("tab", val="right", pos=fmt.right_tab)) if fmt.right_tab is not None else None,
            # No extra space between Chinese and Latin letters or digits: 公文 set 2026年 tight.
            _w("autoSpaceDE", val=0),
            _w("autoSpaceDN", val=0),
            None if fmt.snap_to_grid else _w("snapToGrid", val=0),
            _w("spacing", before=fmt.before, after=fmt.after, line=fmt.line, lineRule="exact"),
            _w("ind", **indent),
            _w("jc", val=fmt.align),
            _w("outlineLvl", val=fmt.outline_level) if fmt.outline_level is not None else None,
        ],
        _PPR_ORDER,
    )


# --------------------------------------------------------------------------- styles


@dataclass(frozen=True)
class _Style:
    """A paragraph style: its id, the name offices see in Word/WPS, its text style and formatting."""

    style_id: str
    name: str
    text: TextStyle
    fmt: _Format = _Format()


_TWO_CHARS = layout.chars_to_twips(2)  # 每个自然段左空二字
_IMPRINT_CHAR = TEXT.imprint.size.twips  # "空一字" in the 4号 版记
_LINE = GRID.line_pitch

NORMAL = _Style("Normal", "Normal", TEXT.body)
BODY = _Style("BodyText", "Body Text", TEXT.body, _Format(first_line=_TWO_CHARS))
TITLE = _Style("Title", "Title", TEXT.title,
               _Format(align="center", before=HEAD.title_gap_lines * _LINE, snap_to_grid=False))
HEADINGS = tuple(
    _Style(f"Heading{level}", f"heading {level}", text,
           _Format(first_line=_TWO_CHARS, keep_next=True, outline_level=level - 1))
    for level, text in enumerate(layout.HEADING_STYLES, start=1)
)
COPY_NUMBER = _Style("CopyNumber", "份号", TEXT.copy_number, _Format(align="left", snap_to_grid=False))
CLASSIFICATION = _Style("ClassificationMark", "密级和保密期限", TEXT.classification,
                        _Format(align="left", snap_to_grid=False))
URGENCY = _Style("UrgencyMark", "紧急程度", TEXT.urgency, _Format(align="left", snap_to_grid=False))
ORGAN_MARK = _Style(
    "OrganMark", "发文机关标志", TEXT.organ_mark,
    _Format(align="center", line=TEXT.organ_mark.size.twips, before=HEAD.mark_space_before, snap_to_grid=False),
)
DOCUMENT_NUMBER = _Style(
    "DocumentNumber", "发文字号", TEXT.document_number,
    _Format(align="center", line=TEXT.document_number.size.twips, before=HEAD.number_gap_lines * _LINE,
            snap_to_grid=False, borders=(_Border("bottom", layout.RED_RULE, HEAD.rule_space_points),)),
)
RECIPIENT = _Style("Recipient", "主送机关", TEXT.body, _Format(align="left", before=HEAD.recipient_gap_lines * _LINE))
SIGNER = _Style("SignerUnit", "发文机关署名", TEXT.body,
                _Format(align="center", before=SIGNATURE.gap_lines * _LINE, snap_to_grid=False,
                        left=layout.chars_to_twips(SIGNATURE.signer_left_chars)))
DATE = _Style("SignatureDate", "成文日期", TEXT.body,
              _Format(align="right", right=layout.chars_to_twips(SIGNATURE.date_right_chars), snap_to_grid=False))
IMPRINT = _Style("Imprint", "版记", TEXT.imprint,
                 _Format(align="left", left=_IMPRINT_CHAR, right=_IMPRINT_CHAR, snap_to_grid=False))
ATTENDANCE = _Style(
    "Attendance", "出席人员", TEXT.body,
    _Format(align="left", left=layout.chars_to_twips(MINUTES.label_indent_chars + MINUTES.label_chars),
            hanging=layout.chars_to_twips(MINUTES.label_chars)),
)
PAGE_NUMBER_STYLE = _Style("PageNumber", "页码", TEXT.page_number,
                           _Format(align="right", line=TEXT.page_number.size.twips, snap_to_grid=False))
FOOTER = _Style("Footer", "footer", TEXT.body, _Format(align="center", snap_to_grid=False))
_STYLES = (
    NORMAL, BODY, TITLE, *HEADINGS, COPY_NUMBER, CLASSIFICATION, URGENCY, ORGAN_MARK, DOCUMENT_NUMBER,
    RECIPIENT, SIGNER, DATE, IMPRINT, ATTENDANCE, PAGE_NUMBER_STYLE, FOOTER,
)


# --------------------------------------------------------------------------- paragraphs


@dataclass(frozen=True)
class _Run:
    """Text in one text style; ``width`` overrides the grid's character width (the narrowed organ mark)."""

    text: str
    style: TextStyle
    width: int | None = None


def _paragraph(style: _Style, *runs: _Run, fmt: _Format | None = None) -> etree._Element:
    """A paragraph in ``style`` with its formatting written out (``fmt`` replacing the style's)."""
    fmt = fmt or style.fmt
    paragraph = _w("p", _paragraph_properties(fmt, style.style_id))
    for run in runs:
        width = run.width if run.width is not None else fmt.width_for(run.style)
        paragraph.append(_w("r", _run_properties(run.style, width), _w("tab") if run.text == "\t" else _t(run.text)))
    return paragraph


def _tag(statement: str) -> etree._Element:
    """A docxtpl ``{%p … %}`` paragraph: rendering removes it and keeps the Jinja statement."""
    return _w("p", _w("r", _run_properties(TEXT.body, 100), _t(f"{{%p {statement} %}}")))


def _head_lines() -> list[etree._Element]:
    """份号, 密级★期限, 紧急程度 on lines 1–3, always present (empty when absent) so the mark never moves."""
    return [
        _paragraph(COPY_NUMBER, _Run("{{ copy_number }}", TEXT.copy_number)),
        _paragraph(CLASSIFICATION, _Run("{{ classification }}", TEXT.classification)),
        _paragraph(URGENCY, _Run("{{ urgency }}", TEXT.urgency)),
    ]


def _organ_mark(expression: str, length: str, fmt: _Format | None = None) -> list[etree._Element]:
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
        elements.append(_paragraph(ORGAN_MARK, _Run(expression, TEXT.organ_mark, percent), fmt=fmt))
    return [*elements, _tag("endif")]


def _body() -> list[etree._Element]:
    """The body loop: a string is a paragraph, ``{"level": 1–4, "text": …}`` a heading of that level."""
    elements = [_tag("for paragraph in body"), _tag("if paragraph is string"),
                _paragraph(BODY, _Run("{{ paragraph }}", TEXT.body))]
    for level, style in enumerate(HEADINGS, start=1):
        elements.append(_tag(f"elif paragraph.level == {level}") if level < len(HEADINGS) else _tag("else"))
        elements.append(_paragraph(style, _Run("{{ paragraph.text }}", style.text)))
    return [*elements, _tag("endif"), _tag("endfor")]


def _recipient() -> etree._Element:
    return _paragraph(RECIPIENT, _Run("{{ recipient }}：", TEXT.body))


def _signature() -> list[etree._Element]:
    """署名 centred on the 成文日期 (right, 4 characters in); a signer too long for that is set flush right."""
    flush_right = replace(SIGNER.fmt, align="right", left=0)
    return [
        _tag(f"if signer_unit|length <= {SIGNATURE.centred_max_chars}"),
        _paragraph(SIGNER, _Run("{{ signer_unit }}", TEXT.body)),
        _tag("else"),
        _paragraph(SIGNER, _Run("{{ signer_unit }}", TEXT.body), fmt=flush_right),
        _tag("endif"),
        _paragraph(DATE, _Run("{{ date }}", TEXT.body)),
    ]


_TEXT_BOX_NAMESPACES = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in {
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
}.items())
_TEXT_BOX = (
    '<mc:AlternateContent {ns}><mc:Choice Requires="wps"><w:drawing>'
    '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{layer}" behindDoc="0"'
    ' locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
    '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
    '<wp:positionV relativeFrom="{vertical_from}">{vertical}</wp:positionV>'
    '<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>{wrap}'
    '<wp:docPr id="{box_id}" name="{name}"/><wp:cNvGraphicFramePr/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
    '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
    '<wps:txbx><w:txbxContent/></wps:txbx>'
    '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="{text_anchor}"'
    ' anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'
    "</mc:Choice></mc:AlternateContent>"
)


@dataclass(frozen=True)
class _Box:
    """Where a text box goes: its size in twips and its vertical place (on the type area's foot, or from the page top)."""

    box_id: int
    name: str
    width: int
    height: int
    from_page_top: int | None = None  # twips; None: on the bottom edge of the type area, text bottom-aligned


def _text_box(box: _Box, content: Iterable[etree._Element]) -> etree._Element:
    """A run holding a fixed-size text box, centred on the type area, with ``content`` inside.

    At the foot (``from_page_top`` None) the box keeps body text off its lines
    (wrap top and bottom) and lands on the page of its anchor paragraph: after
    the body, the last page.  The size is fixed and its text aligned to the
    box's bottom because LibreOffice places an auto-growing box 2 mm too high.
    """
    at_foot = box.from_page_top is None
    xml = _TEXT_BOX.format(
        ns=_TEXT_BOX_NAMESPACES, box_id=box.box_id, name=box.name, layer=box.box_id,
        cx=box.width * _EMU_PER_TWIP, cy=box.height * _EMU_PER_TWIP,
        vertical_from="margin" if at_foot else "page",
        vertical="<wp:align>bottom</wp:align>" if at_foot else f"<wp:posOffset>{box.from_page_top * _EMU_PER_TWIP}</wp:posOffset>",
        wrap="<wp:wrapTopAndBottom/>" if at_foot else "<wp:wrapNone/>",
        text_anchor="b" if at_foot else "t",
    )
    drawing = parse_xml(xml)
    drawing.find(".//" + qn("w:txbxContent")).extend(content)
    return _w("r", drawing)


def _foot_box(box: _Box, content: Iterable[etree._Element]) -> etree._Element:
    """A paragraph one point high anchoring a text box on the bottom edge of the type area."""
    anchor_fmt = _Format(align="left", line=layout.pt_to_twips(1), snap_to_grid=False)
    return _w("p", _paragraph_properties(anchor_fmt, NORMAL.style_id), _text_box(box, content))


def _cell(width: int, paragraph: etree._Element, *, left: int, right: int, span: int = 1,
          top: layout.Rule | None = None, bottom: layout.Rule | None = None) -> etree._Element:
    """A table cell with its own side margins and, if given, its own top and bottom rules."""
    rules = [_rule(side, rule) for side, rule in (("top", top), ("bottom", bottom)) if rule]
    return _w("tc", _w(
        "tcPr",
        _w("tcW", w=width, type="dxa"),
        _w("gridSpan", val=span) if span > 1 else None,
        _w("tcBorders", *rules) if rules else None,
        _w("tcMar", _w("left", w=left, type="dxa"), _w("right", w=right, type="dxa")),
    ), paragraph)


def _rule(side: str, line: layout.Rule) -> etree._Element:
    return _w(side, val=line.style, sz=line.eighths, space=0, color=line.color)


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
    table = _w(
        "tbl",
        _w("tblPr", _w("tblW", w=width, type="dxa"), _w("jc", val="center"),
           _w("tblBorders", _rule("top", thick), _w("left", val="nil"), _rule("bottom", thick), _w("right", val="nil"),
              _rule("insideH", thin), _w("insideV", val="nil")),
           _w("tblLayout", type="fixed"),
           _w("tblCellMar", _w("top", w=0, type="dxa"), _w("bottom", w=0, type="dxa")),
           _w("tblLook", val="0000")),
        _w("tblGrid", _w("gridCol", w=width - date_width), _w("gridCol", w=date_width)),
    )
    if with_copy_to:
        hanging = 3 * _IMPRINT_CHAR
        copy_to = _paragraph(IMPRINT, _Run("抄送：{{ cc }}。", TEXT.imprint),
                             fmt=replace(cell_fmt, left=hanging, hanging=hanging))
        table.append(_w("tr", _cell(width, copy_to, left=_IMPRINT_CHAR, right=_IMPRINT_CHAR, span=2, top=thick)))
    # LibreOffice lets the thin inside rule win over the table's outer ones unless the cells repeat them.
    first_row_top = None if with_copy_to else thick
    organ = _paragraph(IMPRINT, _Run("{{ print_organ }}", TEXT.imprint), fmt=cell_fmt)
    date = _paragraph(IMPRINT, _Run("{{ print_date }}印发", TEXT.imprint), fmt=replace(cell_fmt, align="right"))
    table.append(_w(
        "tr",
        _w("trPr", _w("trHeight", val=_LINE, hRule="atLeast")),
        _cell(width - date_width, organ, left=_IMPRINT_CHAR, right=0, top=first_row_top, bottom=thick),
        _cell(date_width, date, left=0, right=_IMPRINT_CHAR, top=first_row_top, bottom=thick),
    ))
    return table


def _imprint() -> list[etree._Element]:
    """The 版记 box, one variant per number of 抄送 lines so the box fits its text exactly."""
    rules = layout.IMPRINT_THICK_RULE.eighths * 2 + layout.IMPRINT_THIN_RULE.eighths  # eighths of a point
    end_mark = _paragraph(IMPRINT, fmt=replace(IMPRINT.fmt, line=_END_MARK))
    slack = layout.pt_to_twips(1)

    def box(copy_lines: int, box_id: int) -> etree._Element:
        height = (copy_lines + 1) * _LINE + rules * 20 // 8 + _END_MARK + slack
        return _foot_box(_Box(box_id, "版记", PAGE.type_area_width_twips, height),
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
        return _foot_box(_Box(box_id, "版记", PAGE.type_area_width_twips, height),
                         [_paragraph(IMPRINT, _Run("抄送：{{ cc }}。", TEXT.imprint), fmt=fmt)])

    return _by_copy_lines(box, include_none=False)


def _page_number(align: str) -> etree._Element:
    """``— 1 —`` in 4号宋体, one character in from the outer edge, lifted to 7 mm under the type area."""
    indent = PAGE_NUMBER.indent_twips
    fmt = replace(PAGE_NUMBER_STYLE.fmt, align=align, after=PAGE_NUMBER.space_after_twips,
                  left=indent if align == "left" else 0, right=indent if align == "right" else 0)
    paragraph = _paragraph(PAGE_NUMBER_STYLE, _Run(f"{PAGE_NUMBER.dash} ", TEXT.page_number), fmt=fmt)

    def run(content: etree._Element) -> etree._Element:
        return _w("r", _run_properties(TEXT.page_number, 100), content)

    instruction = _w("instrText")
    instruction.text = " PAGE "
    instruction.set(_XML_SPACE, "preserve")
    paragraph.extend([
        run(_w("fldChar", fldCharType="begin")), run(instruction), run(_w("fldChar", fldCharType="separate")),
        run(_t("1")), run(_w("fldChar", fldCharType="end")),
    ])
    paragraph.append(run(_t(f" {PAGE_NUMBER.dash}")))
    return paragraph


def _fill(story: etree._Element, elements: Iterable[etree._Element]) -> None:
    """Replace a story's content (a body keeps its sectPr, last) with ``elements``."""
    section = story.find(qn("w:sectPr"))
    for child in list(story):
        if child is not section:
            story.remove(child)
    for element in elements:
        if section is not None:
            section.addprevious(element)
        else:
            story.append(element)


# --------------------------------------------------------------------------- package


def _new_document(*, first_page_different: bool = False) -> DocxDocument:
    """python-docx's default document made over: A4, the standard's margins and grid, our styles, page numbers."""
    document = Document()
    _drop_unused_parts(document)
    _write_styles(document)
    _write_settings(document)
    _write_font_table(document)
    _write_properties(document)
    section = document.sections[0]
    emu = _EMU_PER_TWIP  # python-docx lengths are EMU
    section.page_width = layout.mm_to_twips(PAGE.width_mm) * emu
    section.page_height = layout.mm_to_twips(PAGE.height_mm) * emu
    section.top_margin = layout.mm_to_twips(PAGE.top_mm) * emu
    section.bottom_margin = layout.mm_to_twips(PAGE.bottom_mm) * emu
    section.left_margin = layout.mm_to_twips(PAGE.left_mm) * emu
    section.right_margin = layout.mm_to_twips(PAGE.right_mm) * emu
    section.gutter = 0
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
    _fill(section.footer._element, [_page_number("right")])  # odd pages: right, one character in
    _fill(section.even_page_footer._element, [_page_number("left")])
    return document


def _drop_unused_parts(document: DocxDocument) -> None:
    """Remove what python-docx's default template carries and letters never use; unrelated parts are not saved."""
    package_rels = document.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rid]
    unused = {RT.CUSTOM_XML, RT.NUMBERING, RT.WEB_SETTINGS, _STYLES_WITH_EFFECTS}
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype in unused:
            del document.part.rels[rid]


def _write_styles(document: DocxDocument) -> None:
    """Document defaults and exactly the styles the templates use, instead of the default template's."""
    styles = document.styles.element
    for child in list(styles):
        styles.remove(child)
    styles.append(_w(
        "docDefaults",
        _w("rPrDefault", _run_properties(TEXT.body, 100)),
        _w("pPrDefault", _w("pPr", _w("widowControl", val=0),
                            _w("spacing", after=0, line=_LINE, lineRule="exact"))),
    ))
    for style in _STYLES:
        element = _w("style", type="paragraph", styleId=style.style_id)
        if style is NORMAL:
            element.set(qn("w:default"), "1")
        element.append(_w("name", val=style.name))
        if style is not NORMAL:
            element.append(_w("basedOn", val=NORMAL.style_id))
        element.append(_w("qFormat"))
        element.append(_paragraph_properties(style.fmt, None))
        element.append(_run_properties(style.text, style.fmt.width_for(style.text)))
        styles.append(element)
    default_font = _w("style", _w("name", val="Default Paragraph Font"), _w("uiPriority", val=1), _w("semiHidden"),
                      _w("unhideWhenUsed"), type="character", styleId="DefaultParagraphFont")
    default_font.set(qn("w:default"), "1")
    styles.append(default_font)


def _write_settings(document: DocxDocument) -> None:
    """Settings written whole: no rsids or ids, odd/even footers, mirrored margins, Chinese line breaking."""
    settings = document.settings.element
    for child in list(settings):
        settings.remove(child)
    settings.extend([
        _w("zoom", percent=100),
        _w("removePersonalInformation"),
        _w("removeDateAndTime"),
        # 订口 (binding margin) left on odd pages and right on even ones, so both sides of a sheet printed
        # double-sided register (§6.2); pgMar left/right then mean inside/outside.
        _w("mirrorMargins"),
        _w("defaultTabStop", val=420),
        _w("evenAndOddHeaders"),
        _w("characterSpacingControl", val="compressPunctuation"),
        _w("compat", _w("useFELayout"),
           _w("compatSetting", name="compatibilityMode", uri="http://schemas.microsoft.com/office/word", val=15)),
        _w("themeFontLang", val="en-US", eastAsia="zh-CN"),
        _w("decimalSymbol", val="."),
        _w("listSeparator", val=","),
    ])


def _write_font_table(document: DocxDocument) -> None:
    """The font table: every face, the Chinese ones with the GB2312 charset and their substitute (``w:altName``)."""
    part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.FONT_TABLE)
    fonts = _w("fonts")
    for face in (layout.FANGSONG, layout.XIAOBIAOSONG, layout.HEITI, layout.KAITI, layout.SONGTI):
        fonts.append(_w(
            "font",
            _w("altName", val=face.substitute) if face.substitute else None,
            _w("charset", val="86"), _w("family", val="modern"), _w("pitch", val="fixed"),
            name=face.name,
        ))
    part._blob = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)


def _write_properties(document: DocxDocument) -> None:
    """Core properties with nothing personal, fixed dates and no revision count; a bare app.xml."""
    core = document.core_properties
    core.author = core.title = core.subject = core.keywords = core.comments = core.category = ""
    core.last_modified_by = ""
    core.language = "zh-CN"
    core.created = core.modified = _FIXED_TIME
    revision = core._element.find(qn("cp:revision"))
    if revision is not None:
        core._element.remove(revision)
    app = next(rel.target_part for rel in document.part.package.rels.values() if rel.reltype == RT.EXTENDED_PROPERTIES)
    app._blob = (
        b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        b"<DocSecurity>0</DocSecurity></Properties>"
    )


def _reproducible(document: DocxDocument) -> bytes:
    """The saved package, every zip entry stored uncompressed under one fixed time and mode."""
    buffer = io.BytesIO()
    document.save(buffer)
    output = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(output, "w", compression=zipfile.ZIP_STORED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.create_system = 3
            entry.external_attr = 0o100644 << 16
            target.writestr(entry, source.read(info.filename))
    return output.getvalue()


# --------------------------------------------------------------------------- the three templates


def build_official() -> bytes:
    """通用公文格式 (§7): red organ mark, 发文字号 over the red rule, title, body, signer and date, 版记."""
    document = _new_document()
    _fill(document.element.body, [
        *_head_lines(),
        *_organ_mark("{{ organ_mark }}", "organ_mark|length"),
        _paragraph(DOCUMENT_NUMBER, _Run("{{ document_number }}", TEXT.document_number)),
        _paragraph(TITLE, _Run("{{ title }}", TEXT.title)),
        _recipient(),
        *_body(),
        *_signature(),
        *_imprint(),
    ])
    return _reproducible(document)


def build_letter() -> bytes:
    """信函格式 (§10.1): mark and double rules on page one only, no page number there, 抄送 at the foot."""
    document = _new_document(first_page_different=True)
    section = document.sections[0]
    overhang = LETTER.rule_overhang_twips
    # The mark, 30 mm from the paper's top, its double rule 4 mm under it: a text box 170 mm wide.
    mark = replace(ORGAN_MARK.fmt, before=0, borders=(_Border("bottom", layout.LETTER_TOP_RULE, HEAD.rule_space_points),))
    mark_box = _Box(1, "发文机关标志", PAGE.type_area_width_twips + 2 * overhang, LETTER.mark_box_height_twips,
                    from_page_top=layout.mm_to_twips(LETTER.mark_top_mm))
    lower_rule = replace(FOOTER.fmt, line=layout.pt_to_twips(1), left=-overhang, right=-overhang,
                         borders=(_Border("bottom", layout.LETTER_BOTTOM_RULE),))
    _fill(section.first_page_footer._element, [_paragraph(FOOTER, fmt=lower_rule)])
    # 份号 left and 发文字号 right on the first line, 7/8 of a 3号 character under the rule.
    first_line = replace(COPY_NUMBER.fmt, line=TEXT.copy_number.size.twips, snap_to_grid=False,
                         before=LETTER.first_line_space_twips, right_tab=PAGE.type_area_width_twips)
    head = _paragraph(COPY_NUMBER, _Run("{{ copy_number }}", TEXT.copy_number), _Run("\t", TEXT.document_number),
                      _Run("{{ document_number }}", TEXT.document_number), fmt=first_line)
    # The mark's box is anchored in the first line, placed from the page's top: on page one only.
    head.find(qn("w:pPr")).addnext(_text_box(mark_box, _organ_mark("{{ organ_mark }}", "organ_mark|length", mark)))
    _fill(document.element.body, [
        head,
        _tag("if classification"), _paragraph(CLASSIFICATION, _Run("{{ classification }}", TEXT.classification)),
        _tag("endif"),
        _tag("if urgency"), _paragraph(URGENCY, _Run("{{ urgency }}", TEXT.urgency)), _tag("endif"),
        _paragraph(TITLE, _Run("{{ title }}", TEXT.title), fmt=replace(TITLE.fmt, before=LETTER.title_gap_lines * _LINE)),
        _recipient(),
        *_body(),
        *_signature(),
        *_letter_copy_to(),
    ])
    return _reproducible(document)


def build_minutes() -> bytes:
    """纪要格式 (§10.3): red ``×××纪要``, number over the red rule, title, body, 出席/列席/请假, 版记."""
    document = _new_document()
    attendance: list[etree._Element] = []
    for key, label in zip(("attendees", "observers", "on_leave"), MINUTES.labels, strict=True):
        runs = (_Run(f"{label}：", TEXT.minutes_label), _Run(f"{{{{ {key} }}}}", TEXT.body))
        if key == "attendees":  # 出席 always, one line under the body (§10.3)
            attendance.append(_paragraph(ATTENDANCE, *runs, fmt=replace(ATTENDANCE.fmt, before=_LINE)))
        else:
            attendance += [_tag(f"if {key}"), _paragraph(ATTENDANCE, *runs), _tag("endif")]
    suffix = MINUTES.mark_suffix
    _fill(document.element.body, [
        *_head_lines(),
        *_organ_mark(f"{{{{ meeting_name }}}}{suffix}", f"(meeting_name|length + {len(suffix)})"),
        _paragraph(DOCUMENT_NUMBER, _Run("{{ document_number }}", TEXT.document_number)),
        _paragraph(TITLE, _Run("{{ title }}", TEXT.title)),
        *_body(),
        *attendance,
        *_imprint(),
    ])
    return _reproducible(document)


_BUILDERS = {"official": build_official, "letter": build_letter, "minutes": build_minutes}


def build_all(folder: Path) -> list[Path]:
    """Write the three templates into ``folder`` (created if missing); returns their paths, official first.

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
