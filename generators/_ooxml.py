"""WordprocessingML written element by element, and a package saved so that its bytes never vary.

python-docx models a document's parts but not the formatting GB/T 9704 needs
(exact line heights, grid snapping, paragraph borders, text boxes), so
:mod:`generators.templates` writes its stories as raw ``w:`` elements made
here.  Nothing in this module knows a template; it turns formatting values
(:class:`Format`, :class:`~generators.layout.TextStyle`) into XML.

- The schema fixes the order of the children of ``w:pPr``, ``w:rPr`` and
  ``w:pBdr`` and Word holds files to it; lxml only appends, so children are
  sorted into that order before they are attached.
- Every run names its faces explicitly (the Chinese one in ``w:eastAsia``) and
  says ``w:lang w:eastAsia="zh-CN"``: without it LibreOffice picks the
  Japanese glyph forms of Noto CJK.
- Text boxes are DrawingML inside ``mc:AlternateContent``, as Word writes
  them, with a fixed size and no insets: LibreOffice places a box that grows
  with its text 2 mm too high.
- Reproducible output: fixed core properties (no author, fixed dates, no
  revision), parts python-docx's default template carries but the letters do
  not use (thumbnail, custom XML, numbering, web settings, 150 table styles)
  dropped, and the zip rewritten with fixed entry times and no compression, so
  the bytes do not depend on the clock or on the zlib build.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import OxmlElement, parse_xml
from lxml import etree

from . import layout
from .layout import GRID, TextStyle

__all__ = [
    "EMU_PER_TWIP",
    "Border",
    "Box",
    "Format",
    "Run",
    "Style",
    "border",
    "cell",
    "drop_unused_parts",
    "field",
    "fill",
    "paragraph",
    "paragraph_properties",
    "reproducible",
    "run_properties",
    "t",
    "text_box",
    "w",
    "write_core_properties",
]

EMU_PER_TWIP = 635
"""DrawingML and python-docx lengths are EMU (914400 an inch); WordprocessingML's are twips."""

_FIXED_TIME = datetime.datetime(2026, 1, 1)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_LANG = {"val": "en-US", "eastAsia": "zh-CN", "bidi": "ar-SA"}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# Child order the schema requires (CT_PPr, CT_RPr, CT_PBdr); lxml only appends, so children are sorted.
_PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
    "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd "
    "snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr"
).split()
_RPR_ORDER = "rStyle rFonts b bCs i iCs color spacing w kern position sz szCs u vertAlign lang".split()
_BORDER_ORDER = ("top", "left", "bottom", "right", "between")


# --------------------------------------------------------------------------- elements


def w(tag: str, *children: etree._Element | None, **attrs: object) -> etree._Element:
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
    return w(tag, *present)


def t(text: str) -> etree._Element:
    """A ``w:t`` holding ``text``, its leading or trailing blanks kept (``xml:space``)."""
    element = w("t")
    element.text = text
    if text != text.strip():
        element.set(_XML_SPACE, "preserve")
    return element


def run_properties(style: TextStyle, width: int) -> etree._Element:
    """Explicit run formatting: faces (the Chinese one in ``w:eastAsia``), width, size, colour, language."""
    face = style.face.name
    return _ordered(
        "rPr",
        [
            w("rFonts", ascii=face, hAnsi=face, eastAsia=face, cs=face, hint="eastAsia"),
            w("b") if style.bold else None,
            w("color", val=style.color) if style.color else None,
            w("w", val=width),
            w("sz", val=style.size.half_points),
            w("szCs", val=style.size.half_points),
            w("lang", **_LANG),
        ],
        _RPR_ORDER,
    )


def border(side: str, rule: layout.Rule, space: int = 0) -> etree._Element:
    """One side of a paragraph's, table's or cell's border: ``rule`` drawn ``space`` points from the text."""
    return w(side, val=rule.style, sz=rule.eighths, space=space, color=rule.color)


# --------------------------------------------------------------------------- paragraphs


@dataclass(frozen=True)
class Border:
    """One side of a paragraph border: the rule and its distance from the text in points."""

    side: str
    rule: layout.Rule
    space: int = 0


@dataclass(frozen=True)
class Format:
    """Paragraph formatting in twips, written out as ``w:pPr`` by :func:`paragraph_properties`."""

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
    borders: tuple[Border, ...] = ()
    right_tab: int | None = None

    def width_for(self, style: TextStyle) -> int:
        """Character width: grid-size text on the grid is narrowed so LibreOffice gives it one cell."""
        if self.snap_to_grid and style.size is GRID.base_size:
            return GRID.glyph_width_percent
        return 100


def paragraph_properties(fmt: Format, style_id: str | None) -> etree._Element:
    """``w:pPr`` for ``fmt``, every value written out (a style's own, or a paragraph's over its style)."""
    borders = sorted(fmt.borders, key=lambda side: _BORDER_ORDER.index(side.side))
    indent: dict[str, int] = {"left": fmt.left, "right": fmt.right}
    if fmt.hanging:
        indent["hanging"] = fmt.hanging
    elif fmt.first_line:
        indent["firstLine"] = fmt.first_line
    return _ordered(
        "pPr",
        [
            w("pStyle", val=style_id) if style_id else None,
            w("keepNext") if fmt.keep_next else None,
            w("widowControl", val=0),
            w("pBdr", *(border(b.side, b.rule, b.space) for b in borders)) if borders else None,
            w("tabs", w("tab", val="right", pos=fmt.right_tab)) if fmt.right_tab is not None else None,
            # No extra space between Chinese and Latin letters or digits: 公文 set 2026年 tight.
            w("autoSpaceDE", val=0),
            w("autoSpaceDN", val=0),
            None if fmt.snap_to_grid else w("snapToGrid", val=0),
            w("spacing", before=fmt.before, after=fmt.after, line=fmt.line, lineRule="exact"),
            w("ind", **indent),
            w("jc", val=fmt.align),
            w("outlineLvl", val=fmt.outline_level) if fmt.outline_level is not None else None,
        ],
        _PPR_ORDER,
    )


@dataclass(frozen=True)
class Style:
    """A paragraph style: its id, the name offices see in Word/WPS, its text style and formatting."""

    style_id: str
    name: str
    text: TextStyle
    fmt: Format = Format()


@dataclass(frozen=True)
class Run:
    """Text in one text style; ``width`` overrides the grid's character width (the narrowed organ mark)."""

    text: str
    style: TextStyle
    width: int | None = None


def paragraph(style: Style, *runs: Run, fmt: Format | None = None) -> etree._Element:
    """A paragraph in ``style`` with its formatting written out (``fmt`` replacing the style's)."""
    fmt = fmt or style.fmt
    element = w("p", paragraph_properties(fmt, style.style_id))
    for run in runs:
        width = run.width if run.width is not None else fmt.width_for(run.style)
        element.append(w("r", run_properties(run.style, width), w("tab") if run.text == "\t" else t(run.text)))
    return element


def field(instruction: str, result: str, style: TextStyle) -> list[etree._Element]:
    """The runs of a field (``PAGE``): begin, instruction, separator, the result shown until it updates, end."""
    code = w("instrText")
    code.text = f" {instruction} "
    code.set(_XML_SPACE, "preserve")
    return [
        w("r", run_properties(style, 100), content)
        for content in (w("fldChar", fldCharType="begin"), code, w("fldChar", fldCharType="separate"), t(result),
                        w("fldChar", fldCharType="end"))
    ]


def fill(story: etree._Element, elements: Iterable[etree._Element]) -> None:
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


# --------------------------------------------------------------------------- text boxes and tables


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
class Box:
    """Where a text box goes: its size in twips and its vertical place (on the type area's foot, or from the page top)."""

    box_id: int
    name: str
    width: int
    height: int
    from_page_top: int | None = None  # twips; None: on the bottom edge of the type area, text bottom-aligned


def text_box(box: Box, content: Iterable[etree._Element]) -> etree._Element:
    """A run holding a fixed-size text box, centred on the type area, with ``content`` inside.

    At the foot (``from_page_top`` None) the box keeps body text off its lines
    (wrap top and bottom) and lands on the page of its anchor paragraph: after
    the body, the last page.  The size is fixed and its text aligned to the
    box's bottom because LibreOffice places an auto-growing box 2 mm too high.
    """
    at_foot = box.from_page_top is None
    xml = _TEXT_BOX.format(
        ns=_TEXT_BOX_NAMESPACES, box_id=box.box_id, name=box.name, layer=box.box_id,
        cx=box.width * EMU_PER_TWIP, cy=box.height * EMU_PER_TWIP,
        vertical_from="margin" if at_foot else "page",
        vertical="<wp:align>bottom</wp:align>" if at_foot else f"<wp:posOffset>{box.from_page_top * EMU_PER_TWIP}</wp:posOffset>",
        wrap="<wp:wrapTopAndBottom/>" if at_foot else "<wp:wrapNone/>",
        text_anchor="b" if at_foot else "t",
    )
    drawing = parse_xml(xml)
    drawing.find(".//" + qn("w:txbxContent")).extend(content)
    return w("r", drawing)


def cell(width: int | None, *content: etree._Element, left: int, right: int, span: int = 1,
         top: layout.Rule | None = None, bottom: layout.Rule | None = None,
         v_align: str | None = None) -> etree._Element:
    """A table cell with its own side margins and, if given, its own top and bottom rules and vertical alignment.

    ``width`` None leaves the width to the table grid (``w:type="auto"``): a
    cell repeated by a column loop cannot know its width when it is written.
    ``content`` must hold a paragraph last: Word refuses a cell that does not end with one.
    """
    rules = [border(side, rule) for side, rule in (("top", top), ("bottom", bottom)) if rule]
    return w("tc", w(
        "tcPr",
        w("tcW", w=0, type="auto") if width is None else w("tcW", w=width, type="dxa"),
        w("gridSpan", val=span) if span > 1 else None,
        w("tcBorders", *rules) if rules else None,
        w("tcMar", w("left", w=left, type="dxa"), w("right", w=right, type="dxa")),
        w("vAlign", val=v_align) if v_align else None,
    ), *content)


# --------------------------------------------------------------------------- package


def drop_unused_parts(document: DocxDocument) -> None:
    """Remove what python-docx's default template carries and letters never use; unrelated parts are not saved."""
    package_rels = document.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rid]
    unused = {RT.CUSTOM_XML, RT.NUMBERING, RT.WEB_SETTINGS, _STYLES_WITH_EFFECTS}
    for rid, rel in list(document.part.rels.items()):
        if rel.reltype in unused:
            del document.part.rels[rid]


def write_core_properties(document: DocxDocument) -> None:
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


def reproducible(document: DocxDocument) -> bytes:
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
