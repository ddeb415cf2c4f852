"""GB/T 9704-2012 《党政机关公文格式》 in numbers: the one place the letter layout is decided.

The templates builder (:mod:`generators.templates`) and anything that checks a
rendered page take every size, distance, face and colour from here, so a reviewer
compares this file with the standard and nothing else.  Section numbers (§) are
those of GB/T 9704-2012.

Units.  The standard speaks in millimetres, type sizes (号) and "lines" and
"characters"; WordprocessingML speaks in twips (1/20 pt), half-points (font
sizes), eighths of a point (border widths) and 1/4096 pt (grid character
spacing).  Conversions are made once, here, and rounded the way Word rounds.

Why the grid numbers are what they are (§5.2.3: 22 lines of 28 characters that
fill the 156 × 225 mm type area):

- The type area in twips is the page minus the margins as they are written
  into the file: 11906 − 1587 − 1474 = 8845 wide, 16838 − 2098 − 1984 = 12756
  high.
- ``linePitch`` is the line height in twips.  12756 / 22 = 579.8; rounding up
  to 580 would need 12760 > 12756, so Word would fit only 21 lines.  Rounding
  down gives **579** (28.95 pt, 10.21 mm): 22 lines take 12738 twips (224.7 mm).
- ``charSpace`` is how much each character cell differs from the size of the
  Normal style's font (16 pt), in 1/4096 pt.  A cell of 8845 / 28 = 315.89
  twips = 15.794 pt is 0.2054 pt narrower than 16 pt: −0.2054 × 4096 = −841.1.
  Rounding towards zero (−841) would make 28 cells 442.251 pt, a thousandth
  of a point more than the 442.250 pt available, and Word would set 27
  characters; rounding down gives **−842**: 28 cells of 15.7944 pt take
  442.24 pt.  (LibreOffice reads the value as
  −1 pt plus 3254/4095 of a point, truncated to whole twips: 315 twips a
  cell, still 28 to a line.)  Both programs measure the cell from the Normal
  style's size, which is why Normal must carry 16 pt itself, not only the
  document defaults.

LibreOffice reads the same grid differently in one respect: it gives a
character wider than a cell *two* cells where Word squeezes it into one.  A
16-pt character (320 twips) is wider than LibreOffice's 315-twip cell, so a
line would hold 14 characters.  Characters of the grid's size are therefore set
at 98 % width (15.68 pt, :attr:`DocumentGrid.glyph_width_percent`): one cell in
LibreOffice, one cell in Word, a difference no reader sees.  Indents given in
characters are whole LibreOffice cells for the same reason (2 characters = 630
twips, not 632, which LibreOffice would round up to three cells).

LibreOffice also rounds each run of digits or Latin letters up to whole cells
("2026　年11　月"), where Word sets them at their own width.  The copy
LibreOffice converts to PDF therefore has a line grid only
(:func:`generators.conversion.drop_character_grid`; the DOCX keeps
``linesAndChars`` for Word and WPS).  Every character then takes its own
width, and the 98 % width keeps the count: 28 × 15.68 = 439.04 pt fit the
442.24 pt line where 29 would need 454.72 pt, 26 fit after a 630-twip indent,
and the line pitch still gives 22 lines a page.

The standard's own definition of a line (a character's height plus 7/8 of a
3号 character, 16 + 14 = 30 pt) would not fit 22 lines into 225 mm; "撑满版心"
wins, and every paragraph uses the grid pitch as an exact line height so that
the count does not depend on which font a machine substitutes.
"""

from __future__ import annotations

import datetime
import enum
import math
from dataclasses import dataclass

from .errors import LayoutError

__all__ = [
    "BLACK",
    "CLASSIFICATION_LEVELS",
    "DRAFT_MARK",
    "DocumentGrid",
    "DraftMarkLayout",
    "FANGSONG",
    "FORM",
    "FORM_RULE",
    "FormLayout",
    "GRID",
    "HEAD",
    "HEADING_STYLES",
    "HEITI",
    "HeadLayout",
    "IMPRINT",
    "IMPRINT_THICK_RULE",
    "IMPRINT_THIN_RULE",
    "ImprintLayout",
    "KAITI",
    "LETTER",
    "LETTER_BOTTOM_RULE",
    "LETTER_TOP_RULE",
    "LetterLayout",
    "MINUTES",
    "MinutesLayout",
    "ORGAN_MARK_WIDTH_STEPS",
    "PAGE",
    "PAGE_NUMBER",
    "PageGeometry",
    "PageNumberLayout",
    "RED",
    "RED_RULE",
    "Rule",
    "SIGNATURE",
    "SONGTI",
    "STATE_SECRET_LEVELS",
    "SignatureLayout",
    "TABLE",
    "TABLE_RULE",
    "TEXT",
    "TableLayout",
    "TextStyle",
    "TextStyles",
    "TypeSize",
    "Typeface",
    "URGENCY_LEVELS",
    "XIAOBIAOSONG",
    "chars_to_twips",
    "classification_mark",
    "copy_number",
    "format_date",
    "format_document_number",
    "mm_to_twips",
    "organ_mark_width_percent",
    "pt_to_twips",
    "twips_to_mm",
]

# --------------------------------------------------------------------------- units

TWIPS_PER_POINT = 20
POINTS_PER_INCH = 72
MM_PER_INCH = 25.4


def mm_to_twips(mm: float) -> int:
    """Millimetres as whole twips, the unit of page sizes, margins and indents in DOCX."""
    return round(mm * POINTS_PER_INCH * TWIPS_PER_POINT / MM_PER_INCH)


def twips_to_mm(twips: float) -> float:
    """Twips back to millimetres, for tests and for checking a rendered page."""
    return twips * MM_PER_INCH / (POINTS_PER_INCH * TWIPS_PER_POINT)


def pt_to_twips(points: float) -> int:
    """Points as whole twips (line heights and paragraph spacing are written in twips)."""
    return round(points * TWIPS_PER_POINT)


# --------------------------------------------------------------------------- page (§5.1, §5.2.1)


@dataclass(frozen=True)
class PageGeometry:
    """The paper and its margins in millimetres; the type area (版心) is what is left.

    The standard fixes the top (天头) and binding (订口) margins and the type area,
    so the right and bottom margins follow: 210 − 28 − 156 = 26 and
    297 − 37 − 225 = 35.
    """

    width_mm: float = 210.0
    height_mm: float = 297.0
    top_mm: float = 37.0
    bottom_mm: float = 35.0
    left_mm: float = 28.0
    right_mm: float = 26.0

    @property
    def type_area_width_mm(self) -> float:
        """The type area's width: 156 mm on A4."""
        return self.width_mm - self.left_mm - self.right_mm

    @property
    def type_area_height_mm(self) -> float:
        """The type area's height: 225 mm on A4."""
        return self.height_mm - self.top_mm - self.bottom_mm

    @property
    def type_area_width_twips(self) -> int:
        """The width Word computes from the rounded page and margins (8845 twips)."""
        return mm_to_twips(self.width_mm) - mm_to_twips(self.left_mm) - mm_to_twips(self.right_mm)

    @property
    def type_area_height_twips(self) -> int:
        """The height Word computes from the rounded page and margins (12756 twips)."""
        return mm_to_twips(self.height_mm) - mm_to_twips(self.top_mm) - mm_to_twips(self.bottom_mm)


PAGE = PageGeometry()
"""A4 with the standard's margins: top 37, binding 28, right 26, bottom 35 mm."""

# --------------------------------------------------------------------------- type sizes and faces (§5.2.2)


class TypeSize(enum.Enum):
    """The Chinese type sizes (字号) with their sizes in points."""

    INITIAL = ("初号", 42.0)
    SMALL_INITIAL = ("小初", 36.0)
    ONE = ("一号", 26.0)
    SMALL_ONE = ("小一", 24.0)
    TWO = ("二号", 22.0)
    SMALL_TWO = ("小二", 18.0)
    THREE = ("三号", 16.0)
    SMALL_THREE = ("小三", 15.0)
    FOUR = ("四号", 14.0)
    SMALL_FOUR = ("小四", 12.0)
    FIVE = ("五号", 10.5)
    SMALL_FIVE = ("小五", 9.0)
    SIX = ("六号", 7.5)
    SMALL_SIX = ("小六", 6.5)
    SEVEN = ("七号", 5.5)
    EIGHT = ("八号", 5.0)

    def __init__(self, label: str, points: float) -> None:
        self.label = label
        self.points = points

    @property
    def half_points(self) -> int:
        """The size as DOCX writes it in ``w:sz`` (half-points): 三号 → 32."""
        return round(self.points * 2)

    @property
    def twips(self) -> int:
        """The size in twips: the height (and the width) of one character of this size."""
        return pt_to_twips(self.points)


@dataclass(frozen=True)
class Typeface:
    """A face under the name GB/T 9704 uses, which is also the key of the PDF font map.

    The name goes into ``w:eastAsia`` and, so that digits and Latin letters do
    not fall to some other face, into ``w:ascii``/``w:hAnsi`` too.  The names are
    exactly :data:`generators.fonts.STANDARD_FACES`, which maps each to an
    installed family when LibreOffice makes a PDF.  ``substitute`` is written to
    the font table as ``w:altName``: the face an office's Word or WPS uses when
    the standard name is not installed (仿宋_GB2312 is not, on Windows 10 and
    later; 小标宋 is installed as 方正小标宋简体).
    """

    name: str
    substitute: str | None = None


FANGSONG = Typeface("仿宋_GB2312", "仿宋")
"""仿宋: the body face (§5.2.2)."""
XIAOBIAOSONG = Typeface("小标宋", "方正小标宋简体")
"""小标宋: titles and the organ mark (§7.2.4, §7.3.1)."""
HEITI = Typeface("黑体")
"""黑体: 密级, 紧急程度, first-level headings and the 纪要 labels."""
KAITI = Typeface("楷体_GB2312", "楷体")
"""楷体: second-level headings."""
SONGTI = Typeface("宋体")
"""宋体: page numbers (§7.5: 4号半角宋体阿拉伯数字)."""

RED = "FF0000"
"""The standard's red (§7.2.4: 红色) for the organ mark and the head rules, as ``w:color``."""
BLACK = "000000"
"""Black (§5.2.4), written explicitly for the imprint rules so no theme colour applies."""


@dataclass(frozen=True)
class TextStyle:
    """How one element of a document is set: face, size, weight and colour."""

    face: Typeface
    size: TypeSize
    bold: bool = False
    color: str | None = None


@dataclass(frozen=True)
class TextStyles:
    """Every element's face and size, as §7 prescribes them."""

    body: TextStyle = TextStyle(FANGSONG, TypeSize.THREE)
    title: TextStyle = TextStyle(XIAOBIAOSONG, TypeSize.TWO)
    copy_number: TextStyle = TextStyle(FANGSONG, TypeSize.THREE)
    classification: TextStyle = TextStyle(HEITI, TypeSize.THREE)
    urgency: TextStyle = TextStyle(HEITI, TypeSize.THREE)
    organ_mark: TextStyle = TextStyle(XIAOBIAOSONG, TypeSize.SMALL_INITIAL, color=RED)
    document_number: TextStyle = TextStyle(FANGSONG, TypeSize.THREE)
    imprint: TextStyle = TextStyle(FANGSONG, TypeSize.FOUR)
    page_number: TextStyle = TextStyle(SONGTI, TypeSize.FOUR)
    minutes_label: TextStyle = TextStyle(HEITI, TypeSize.THREE)
    draft_mark: TextStyle = TextStyle(HEITI, TypeSize.THREE)
    form_label: TextStyle = TextStyle(HEITI, TypeSize.THREE)
    table_header: TextStyle = TextStyle(HEITI, TypeSize.SMALL_FOUR)
    table_cell: TextStyle = TextStyle(FANGSONG, TypeSize.SMALL_FOUR)
    table_subtitle: TextStyle = TextStyle(FANGSONG, TypeSize.SMALL_FOUR)
    table_note: TextStyle = TextStyle(FANGSONG, TypeSize.FOUR)


TEXT = TextStyles()
"""Body 3号仿宋, title 2号小标宋, 密级/紧急 3号黑体, 抄送/印发 4号仿宋, page numbers 4号宋体.

The draft mark and the labels of a form are not in the standard; they take
3号黑体, the face and size it gives 密级 and the 纪要 labels.  A table's cells
and the lines above it are 小四, its notes 4号 (see :class:`TableLayout` for why).

The organ mark's size is not fixed by the standard ("醒目、美观、庄重"); 小初
(36 pt) holds twelve characters across 156 mm, and longer marks are narrowed
(see :data:`ORGAN_MARK_WIDTH_STEPS`) rather than made smaller.
"""

HEADING_STYLES: tuple[TextStyle, ...] = (
    TextStyle(HEITI, TypeSize.THREE),
    TextStyle(KAITI, TypeSize.THREE),
    TextStyle(FANGSONG, TypeSize.THREE),
    TextStyle(FANGSONG, TypeSize.THREE),
)
"""§7.3.3: 一、 in 黑体, （一） in 楷体, 1. and （1） in 仿宋, all 3号 like the body."""

ORGAN_MARK_WIDTH_STEPS: tuple[tuple[int, int], ...] = ((12, 100), (15, 80), (18, 66), (24, 50))
"""(most characters, character width in %) for the organ mark at 小初.

156 mm is 442 pt: twelve 36-pt characters at full width, fifteen at 80 %,
eighteen at 66 %, twenty-four at 50 % (a joint mark).  Narrowing keeps the mark
one line high, so nothing below it moves.
"""


def organ_mark_width_percent(mark: str) -> int:
    """The character width (``w:w``) that keeps ``mark`` on one line of the type area."""
    for most, percent in ORGAN_MARK_WIDTH_STEPS:
        if len(mark) <= most:
            return percent
    return ORGAN_MARK_WIDTH_STEPS[-1][1]


# --------------------------------------------------------------------------- grid (§5.2.3)


@dataclass(frozen=True)
class DocumentGrid:
    """The document grid (``w:docGrid w:type="linesAndChars"``): lines per page, characters per line.

    The derivation of the two numbers is in this module's docstring.
    """

    lines_per_page: int = 22
    chars_per_line: int = 28
    base_size: TypeSize = TypeSize.THREE
    page: PageGeometry = PAGE

    @property
    def line_pitch(self) -> int:
        """``w:linePitch`` in twips: the largest whole pitch that still fits all lines (579)."""
        return self.page.type_area_height_twips // self.lines_per_page

    @property
    def char_space(self) -> int:
        """``w:charSpace`` in 1/4096 pt: the cell's difference from the base size, rounded down (−842)."""
        cell_points = self.page.type_area_width_twips / self.chars_per_line / TWIPS_PER_POINT
        return math.floor((cell_points - self.base_size.points) * 4096)

    @property
    def char_pitch_twips(self) -> float:
        """Word's character cell in twips (≈ 315.9)."""
        return (self.base_size.points + self.char_space / 4096) * TWIPS_PER_POINT

    @property
    def libreoffice_cell_twips(self) -> int:
        """LibreOffice's character cell (315): whole points in the top 20 bits, 4095ths in the low 12, truncated."""
        whole_points = self.char_space >> 12
        fraction_twips = (self.char_space & 0xFFF) * TWIPS_PER_POINT // 0xFFF
        return self.base_size.twips + whole_points * TWIPS_PER_POINT + fraction_twips

    @property
    def glyph_width_percent(self) -> int:
        """``w:w`` for characters of the base size: the widest that still fits one LibreOffice cell (98)."""
        return 100 * self.libreoffice_cell_twips // self.base_size.twips


GRID = DocumentGrid()
"""22 lines × 28 characters of 3号: linePitch 579, charSpace −842."""


def chars_to_twips(chars: float) -> int:
    """An indent of ``chars`` characters in whole twips that both Word and LibreOffice read as that many cells."""
    return math.floor(chars * GRID.libreoffice_cell_twips)


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    """A horizontal rule drawn as a paragraph border.

    ``style`` is the ``w:val`` of the border; ``eighths`` its ``w:sz`` in eighths
    of a point.  For the double styles Word and LibreOffice draw the thick line
    at ``eighths`` and add a fixed 0.75 pt thin line and 0.75 pt gap.
    """

    style: str
    eighths: int
    color: str

    @property
    def points(self) -> float:
        """The (thick) line's width in points."""
        return self.eighths / 8


RED_RULE = Rule("single", 12, RED)
"""§7.2.7 版头中的分隔线: red, as wide as the type area; 1.5 pt (0.53 mm), the usual office weight."""
LETTER_TOP_RULE = Rule("thickThinSmallGap", 12, RED)
"""§10.1 信函格式, first rule: red double, thick (1.5 pt) over thin (0.75 pt)."""
LETTER_BOTTOM_RULE = Rule("thinThickSmallGap", 12, RED)
"""§10.1 信函格式, second rule: red double, thin over thick."""
IMPRINT_THICK_RULE = Rule("single", 8, BLACK)
"""§7.4.1 版记 first and last rules: 0.35 mm recommended; 1 pt = 0.353 mm."""
IMPRINT_THIN_RULE = Rule("single", 6, BLACK)
"""§7.4.1 版记 middle rule: 0.25 mm recommended; 0.75 pt = 0.265 mm."""
FORM_RULE = Rule("single", 6, BLACK)
"""The borders of every cell of a form's table: single, black, 0.75 pt."""
TABLE_RULE = FORM_RULE
"""The borders of every cell of a register's or list's table: the form's single black 0.75 pt."""

# --------------------------------------------------------------------------- vertical layout


@dataclass(frozen=True)
class HeadLayout:
    """The 版头 of the general format (§7.2), measured from the top of the type area.

    Lines 1–3 hold 份号, 密级★期限 and 紧急程度 (empty lines when absent, so the
    mark never moves).  The mark and the 发文字号 are set with an exact line
    height equal to their font size, so that their boxes are their glyphs' em
    boxes and the distances below can be written as paragraph spacing.
    """

    mark_top_mm: float = 35.0
    """§7.2.4: the mark's upper edge 35 mm below the type area's top."""
    number_gap_lines: int = 2
    """§7.2.5: 发文字号 two (empty) lines under the mark."""
    rule_below_number_mm: float = 4.0
    """§7.2.7: the red rule 4 mm under the 发文字号."""
    title_gap_lines: int = 2
    """§7.3.1: the title two lines under the red rule."""
    recipient_gap_lines: int = 1
    """§7.3.2: 主送机关 one line under the title."""
    head_lines: int = 3
    """份号, 密级★期限, 紧急程度: one grid line each above the mark."""

    @property
    def mark_space_before(self) -> int:
        """Twips between the end of line 3 and the mark's top (247: 35 mm − 3 × 579)."""
        return mm_to_twips(self.mark_top_mm) - self.head_lines * GRID.line_pitch

    @property
    def rule_space_points(self) -> int:
        """The border's ``w:space`` in whole points (11 pt = 3.9 mm; the unit allows no closer)."""
        return round(self.rule_below_number_mm * POINTS_PER_INCH / MM_PER_INCH)


HEAD = HeadLayout()


@dataclass(frozen=True)
class LetterLayout:
    """信函格式 (§10.1), measured from the paper's edges.

    The mark and its rule sit above the type area (30 mm from the top against
    a 37 mm margin): they are a text box placed 30 mm from the paper's top and
    anchored in the first body line, so they appear on page one only.  Not in
    the first-page header: LibreOffice adds 4–5 mm between a header that
    outgrows the margin and the body.  The body starts at the margin on every
    page and the first line is pushed down by :attr:`first_line_space_twips`.
    The lower rule is the first-page footer: ``w:footer`` (paper bottom to the
    footer's bottom edge) is exactly that rule's distance.
    """

    mark_top_mm: float = 30.0
    """Mark's upper edge from the paper's top."""
    rule_below_mark_mm: float = 4.0
    """First double rule under the mark."""
    bottom_rule_mm: float = 20.0
    """Second double rule from the paper's bottom."""
    rule_length_mm: float = 170.0
    """Both rules, centred on the type area (7 mm beyond it on each side)."""
    first_line_gap_points: float = 14.0
    """份号 and 发文字号 under the first rule: 7/8 of a 3号 character (16 pt)."""
    title_gap_lines: int = 2
    """The title two lines under the last element above it."""

    @property
    def rule_overhang_twips(self) -> int:
        """How far each rule reaches beyond the type area on either side (7 mm), as a negative indent."""
        return mm_to_twips((self.rule_length_mm - PAGE.type_area_width_mm) / 2)

    @property
    def mark_box_height_twips(self) -> int:
        """The mark's box: the mark's line, the rule's distance and the double rule (1.5 + 0.75 + 0.75 pt)."""
        double_rule_points = LETTER_TOP_RULE.points + 1.5
        return TEXT.organ_mark.size.twips + pt_to_twips(HEAD.rule_space_points + double_rule_points)

    @property
    def first_line_space_twips(self) -> int:
        """Space before the first body line: from the margin (37 mm) to 7/8 of a character under the rule."""
        rule_bottom = mm_to_twips(self.mark_top_mm) + self.mark_box_height_twips
        return rule_bottom + pt_to_twips(self.first_line_gap_points) - mm_to_twips(PAGE.top_mm)


LETTER = LetterLayout()


@dataclass(frozen=True)
class PageNumberLayout:
    """Page numbers (§7.5): 4号 宋体 ``— 1 —``, 7 mm under the type area, odd right and even left.

    "一字线上距版心下边缘7mm": the dashes, which sit at mid-height of the
    character, are 7 mm under the type area, i.e. 35 − 7 = 28 mm above the
    paper's bottom.  The number's line is set exactly as high as the character,
    so its middle is half a 四号 character (2.47 mm) above the line's bottom.
    """

    below_type_area_mm: float = 7.0
    indent_chars: int = 1
    """One character in from the right (odd pages) or left (even pages) edge."""
    dash: str = "\u2014"
    """一字线: the em dash, a full character wide in Chinese faces."""

    @property
    def footer_distance_twips(self) -> int:
        """``w:footer``: the letter format's lower rule fixes it at 20 mm for all three formats."""
        return mm_to_twips(LETTER.bottom_rule_mm)

    @property
    def space_after_twips(self) -> int:
        """Spacing under the number that lifts its dashes to 28 mm above the paper's bottom."""
        dash_mm = PAGE.bottom_mm - self.below_type_area_mm
        line_mid_mm = twips_to_mm(TEXT.page_number.size.twips) / 2
        return mm_to_twips(dash_mm - line_mid_mm) - self.footer_distance_twips

    @property
    def indent_twips(self) -> int:
        """One 四号 character (14 pt = 280 twips)."""
        return self.indent_chars * TEXT.page_number.size.twips


PAGE_NUMBER = PageNumberLayout()


@dataclass(frozen=True)
class SignatureLayout:
    """发文机关署名 and 成文日期 of a sealed document (§7.3.5.1).

    The date is set 4 characters in from the right; the signer is centred on
    the date.  A date is 6 to 7 characters wide (``2026年1月1日`` to
    ``2026年11月15日``, digits half a character), so its middle is about 7.25
    characters in from the right: a centred paragraph starting 13.5 characters
    in has its middle there.  Signers longer than ``centred_max_chars`` cannot
    be centred on the date inside the type area and are set flush right.
    """

    date_right_chars: float = 4.0
    signer_left_chars: float = 13.5
    centred_max_chars: int = 14
    gap_lines: int = 2
    """Empty lines between the body and the signer, room for the seal's top."""


SIGNATURE = SignatureLayout()


@dataclass(frozen=True)
class MinutesLayout:
    """纪要格式 (§10.3): the mark ``×××纪要``, and the 出席/列席/请假 lines.

    Each line starts two characters in with its label in 3号黑体 and a
    full-width colon; names follow in 仿宋, and continuation lines align with
    the first name (a hanging indent of the label's three characters).
    """

    mark_suffix: str = "纪要"
    label_indent_chars: int = 2
    label_chars: int = 3
    labels: tuple[str, str, str] = ("出席", "列席", "请假")


MINUTES = MinutesLayout()


@dataclass(frozen=True)
class ImprintLayout:
    """版记 (§7.4): 抄送 and 印发 in 4号, one character in from both sides, at the foot of the last page.

    They sit in a fixed-height text box whose text is bottom-aligned, so the
    last rule lies on the type area's bottom edge; the box is chosen among
    heights for 1 to :attr:`max_copy_lines` lines of 抄送 by the list's length
    (a box that grows with its text is placed 2 mm too high by LibreOffice).
    One 4号 line of the type area holds 29 characters: one in on either side
    and "抄送：" (or its hanging indent) leave 26 for the list, counted with
    one to spare for line-breaking rules.
    """

    chars_per_line: int = 25
    max_copy_lines: int = 6
    date_cell_chars: float = 12.5
    """The 印发日期 cell, one character of margin included: ``2026年12月31日印发`` is about 10 characters,
    11 with a stand-in face's wider digits.  印发机关 keep 18 characters on the left."""

    def copy_lines(self, copy_to: str) -> int:
        """Lines the 抄送 paragraph is reserved for ``copy_to`` (closing 。 included), at most the maximum."""
        return min(self.max_copy_lines, max(1, math.ceil((len(copy_to) + 1) / self.chars_per_line)))


IMPRINT = ImprintLayout()


@dataclass(frozen=True)
class DraftMarkLayout:
    """The draft mark in the page header, right-aligned: 草稿, or 定稿 with who signed it off and when.

    Not part of GB/T 9704: an office's own mark on copies that are not the
    issued document (a final document prints none).  It is one line of
    3号黑体, held exactly as high as its characters, in the top margin above
    everything the standard places there (the 信函 mark starts 30 mm from the
    top): so the header stays far inside the 37 mm margin, and LibreOffice,
    which moves the body down when a header outgrows the margin, leaves every
    line of the page where it was.
    """

    top_mm: float = 15.0
    """The header's distance from the paper's top (``w:header``): the mark takes 15–20.6 mm."""
    max_chars: int = 26
    """The longest mark kept on one line: 26 characters of 16 pt take 416 of the type area's 442 pt.

    ``定稿　签发：吴领导　2026年11月28日`` is about 17 wide (digits are half a character)."""

    @property
    def header_distance_twips(self) -> int:
        """``w:header`` in twips (850)."""
        return mm_to_twips(self.top_mm)


DRAFT_MARK = DraftMarkLayout()


@dataclass(frozen=True)
class FormLayout:
    """表格格式: a registration form (信访谈话登记表 and the like) — title, 编号, a two-column table.

    Not a format of GB/T 9704; it keeps the standard's page, head lines (份号,
    密级, 紧急程度) and title, and puts the answers in a table as wide as the
    type area.  The label column holds five 3号 characters (``来访人姓名``)
    inside its padding and rules; every line in either column is one grid pitch high,
    off the character grid, so cells have the same height in Word and
    LibreOffice.
    """

    title_gap_lines: int = 1
    """The title one line under the head lines."""
    number_label: str = "编号："
    label_chars: int = 5
    cell_padding_mm: float = 2.0
    """Between a cell's borders and its text, on the left and on the right."""

    @property
    def cell_padding_twips(self) -> int:
        """The cell padding in twips (113)."""
        return mm_to_twips(self.cell_padding_mm)

    @property
    def label_width_twips(self) -> int:
        """The label column: five 3号 characters, the padding and the rule either side (1856 twips, 32.7 mm).

        The rules count because LibreOffice sets a cell's text inside its
        borders as well as its padding; without them a five-character label
        wraps there.
        """
        margin = self.cell_padding_twips + pt_to_twips(FORM_RULE.points)
        return self.label_chars * TEXT.form_label.size.twips + 2 * margin


FORM = FormLayout()


@dataclass(frozen=True)
class TableLayout:
    """表格格式 for registers, statistics and archival lists: title, lines under it, a table, notes.

    Not a format of GB/T 9704, like the form: the standard's page, 份号 and 密级
    lines and title, then lines in 仿宋 (填报单位, 统计期间), a table as wide as
    the type area whose header row repeats on every page and whose rows never
    break across pages, and notes after it (说明, the audit checkpoint).

    Why 小四 (12 pt) in every cell, header and body alike.  The widest table the
    office prints is the 归档文件目录 (DA/T 22-2015): 件号, 文号, 责任者, 题名,
    日期, 页数, 密级, 备注 in 156 mm.  A column of n characters needs n
    characters plus 2 mm of padding and a 0.26 mm rule: at 小四 (4.23 mm a
    character) the four two-character headings (件号, 页数, 密级, 备注) need 11 mm
    each, ``伊纪群字〔2026〕7号`` on two lines 30 mm (digits are wider than
    half a character in the PDF faces), ``伊金霍洛旗纪委监委`` on two lines 24
    mm, ``20261105`` 20 mm: 题名 keeps 38 mm, eight characters a line.  At 4号
    (4.94 mm) the same columns take 136 mm and leave 题名 20 mm, three
    characters a line: every title would stand nearly three times as high
    and the list take twice the pages.  12 pt is the smallest size 公文 tables are
    usually set in and reads well on paper; the header keeps the same size so
    that a two-character heading fits the narrowest column.  The lines above
    the table are 小四 too: ``填报单位：…　　统计期间：…`` is about 35
    characters, which one line of 小四 holds (36) and one of 4号 (31) does
    not.  Notes after the table are 4号, the size the standard gives 抄送 and
    印发.

    Every line is set exactly 1.5 times its size high (18 pt in the cells, 21
    pt in the notes), off the character grid, so a row is as high in Word as
    in LibreOffice whatever face a machine substitutes; the rules are
    :data:`TABLE_RULE`.
    """

    title_gap_lines: int = 1
    """The title one line under the head lines, as in the form."""
    line_factor: float = 1.5
    """Line height as a multiple of the type size."""
    cell_padding_mm: float = 1.0
    """Between a cell's rules and its text on every side: half the form's, which eight columns cannot spare."""
    table_gap_points: float = 6.0
    """Above the table: below the last line under the title, or below the title when there is none."""
    notes_gap_points: float = 6.0
    """Between the table and the first note."""

    @property
    def cell_padding_twips(self) -> int:
        """The cell padding in twips (57)."""
        return mm_to_twips(self.cell_padding_mm)

    def line_twips(self, size: TypeSize) -> int:
        """The exact line height for text of ``size``: 360 twips for 小四, 420 for 4号."""
        return pt_to_twips(size.points * self.line_factor)


TABLE = TableLayout()

# --------------------------------------------------------------------------- element texts

STATE_SECRET_LEVELS = ("秘密", "机密", "绝密")
"""The 密级 that are marked on a document with ★ (保密法); 内部 is a handling level, not a 密级."""
CLASSIFICATION_LEVELS = ("公开", "内部", *STATE_SECRET_LEVELS)
"""Every level label the archive knows, lowest first."""
URGENCY_LEVELS = ("特急", "加急")
"""§7.2.3 紧急程度 for paper documents."""


def format_date(day: datetime.date) -> str:
    """A date as documents print it (§7.3.5.4): Arabic numerals, full year, no leading zeros.

    ``2026年11月5日`` — never ``2026年11月05日`` nor 二〇二六年.
    """
    return f"{day.year}年{day.month}月{day.day}日"


def format_document_number(org_code: str, series: str, year: int, number: int | None) -> str:
    """A 发文字号 (§7.2.5): ``伊纪群字〔2026〕7号``.

    六角括号 around the full year, the sequence number without 第 and without
    leading zeros.  ``number=None`` gives the draft form ``伊纪群字〔2026〕  号``
    with the number left blank, because numbers are allocated only at sign-off.
    Raises LayoutError for a year that is not four digits or a number below 1.
    """
    if not org_code:
        raise LayoutError("发文机关代字不能为空")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise LayoutError(f"年份应为四位数字：{year!r}")
    if number is None:
        sequence = "  "
    elif isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise LayoutError(f"发文顺序号应为正整数：{number!r}")
    else:
        sequence = str(number)
    return f"{org_code}{series}字〔{year}〕{sequence}号"


def classification_mark(level_label: str, years: int | None = None) -> str:
    """密级和保密期限 (§7.2.2): ``机密★10年``; ``机密`` without a period; "" for 内部 and 公开.

    Only 秘密, 机密 and 绝密 are state-secret levels and get a ★; 内部 and 公开
    print nothing.  Raises LayoutError for an unknown label or a period below 1.
    """
    if level_label not in CLASSIFICATION_LEVELS:
        raise LayoutError(f"未知密级：{level_label!r}")
    if level_label not in STATE_SECRET_LEVELS:
        return ""
    if years is None:
        return level_label
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise LayoutError(f"保密期限应为正整数年：{years!r}")
    return f"{level_label}★{years}年"


def copy_number(number: int) -> str:
    """份号 (§7.2.1): six Arabic digits, ``000003``.  Raises LayoutError outside 1–999999."""
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 999_999:
        raise LayoutError(f"份号应为1至999999：{number!r}")
    return f"{number:06d}"
