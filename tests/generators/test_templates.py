"""The built templates: page, grid, styles, rules and footers as written, sandboxed rendering, reproducibility."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import docx
import jinja2
import jinja2.sandbox
import pytest
from docxtpl import DocxTemplate
from lxml import etree
from pypdf import PageObject, PdfReader

from generators import layout, templates
from generators.fonts import STANDARD_FACES
from generators.templates import TEMPLATE_FIELDS, TEMPLATE_FILES, TEMPLATES_FOLDER

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
BUILDERS: Mapping[str, Callable[[], bytes]] = {
    "official": templates.build_official,
    "letter": templates.build_letter,
    "minutes": templates.build_minutes,
    "form": templates.build_form,
    "table": templates.build_table,
}
NAMES = list(BUILDERS)
LETTERS = ["official", "letter", "minutes"]  # the formats with a body
HOSTILE = 'A&B <b>粗</b> "双引号" \'单引号\' {{ 7*7 }} {% raw %}'
LONG = "信访举报" * 500  # 2,000 characters in one paragraph
SIGNED_OFF = "定稿　签发：吴领导　2026年11月28日"
ROWS = [
    {"label": "来访人姓名", "lines": ["张三"]},
    {"label": "联系电话", "lines": ["13800000000"]},
    {"label": "反映问题", "lines": ["反映某村村委会主任违规发放补贴。", "补充：涉及金额约三万元。", LONG]},
    {"label": HOSTILE, "lines": [HOSTILE, "{{ row.label }}"]},
    {"label": "谈话人", "lines": []},
]
COLUMNS = ["件号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注"]
TABLE_ROWS = [
    ["1", "伊纪群字〔2026〕7号", "伊金霍洛旗纪委监委", "关于某村违规发放补贴问题的调查报告", "20261105", "12", "机密", ""],
    ["2", HOSTILE, "{{ row }}", '<w:p>&amp; "引号"', "{% endfor %}", "3", "", "&"],
    ["3", "", "", LONG, "", "", "", ""],
]
SUBTITLE = ["填报单位：伊金霍洛旗纪委监委信访室　　统计期间：2026年10月1日至10月31日"]
NOTES = ["说明：本月无信访事项，零报告。",
         "审计检查点：第 124 条 根哈希 3f9a…c2 由 王文秘 于 2026-11-28T16:40:31Z 签署"]


def context(template: str = "official", **changes: object) -> dict[str, object]:
    """Every variable any template reads, with text that must survive rendering untouched.

    ``rows`` is the one name two templates read differently: a form's labelled rows, a table's rows of cells.
    """
    values: dict[str, object] = {
        "copy_number": layout.copy_number(3),
        "classification": layout.classification_mark("机密", 10),
        "urgency": "特急",
        "organ_mark": "伊金霍洛旗纪委监委文件",
        "meeting_name": "伊金霍洛旗纪委信访听证会议",
        "document_number": layout.format_document_number("伊纪", "群", 2026, 7),
        "title": f"关于{HOSTILE}的函",
        "draft_mark": "",
        "rows": TABLE_ROWS if template == "table" else ROWS,
        "columns": COLUMNS,
        "subtitle": SUBTITLE,
        "notes": NOTES,
        "recipient": "旗审计局",
        "body": [HOSTILE, {"level": 1, "text": "一、办理要求"}, {"level": 2, "text": "（一）按期办结"},
                 {"level": 3, "text": "1.材料齐全"}, {"level": 4, "text": "（1）回答举报人提出的问题"}, LONG],
        "signer_unit": "伊金霍洛旗纪委监委",
        "date": layout.format_date(datetime.date(2026, 11, 5)),
        "cc": "旗委办公室，旗政府办公室",
        "print_organ": "伊金霍洛旗纪委办公室",
        "print_date": "2026年11月5日",
        "attendees": "张三、李四",
        "observers": "王五",
        "on_leave": "",
    }
    values.update(changes)
    return values


def sandbox() -> jinja2.sandbox.SandboxedEnvironment:
    return jinja2.sandbox.SandboxedEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


def render(source: bytes, values: Mapping[str, object]) -> bytes:
    template = DocxTemplate(io.BytesIO(source))
    template.render(dict(values), jinja_env=sandbox(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def stories(data: bytes) -> list[etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = [n for n in package.namelist() if n == "word/document.xml" or n.startswith(("word/footer", "word/header"))]
        return [etree.fromstring(package.read(n)) for n in sorted(names)]


def texts(root: etree._Element) -> list[str]:
    """The text of each paragraph, text boxes' paragraphs included."""
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]


def attr(element: etree._Element | None, name: str) -> str | None:
    return None if element is None else element.get(f"{W}{name}")


def headers(data: bytes) -> dict[str, etree._Element]:
    """Each header part of a package by its reference type (default, even, first)."""
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]._sectPr
    return {
        reference.get(f"{W}type"): etree.fromstring(document.part.related_parts[reference.get(f"{R}id")].blob)
        for reference in section.iter(f"{W}headerReference")
    }


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    return {name: build() for name, build in BUILDERS.items()}


@pytest.fixture(scope="module")
def opened(built: dict[str, bytes]) -> dict[str, docx.document.Document]:
    return {name: docx.Document(io.BytesIO(data)) for name, data in built.items()}


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("name", NAMES)
def test_a4_with_the_standards_margins(opened: dict, name: str) -> None:
    section = opened[name].sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert section.top_margin.mm == pytest.approx(37, abs=0.1)
    assert section.left_margin.mm == pytest.approx(28, abs=0.1)
    assert section.right_margin.mm == pytest.approx(26, abs=0.1)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.1)
    assert section.gutter == 0


@pytest.mark.parametrize("name", NAMES)
def test_document_grid_of_22_lines_by_28_characters(opened: dict, name: str) -> None:
    grid = opened[name].sections[0]._sectPr.find(f"{W}docGrid")
    assert (attr(grid, "type"), attr(grid, "linePitch"), attr(grid, "charSpace")) == ("linesAndChars", "579", "-842")


@pytest.mark.parametrize("name", NAMES)
def test_odd_and_even_footers_carry_dashed_page_numbers_on_the_outer_side(opened: dict, name: str) -> None:
    document = opened[name]
    assert document.settings.odd_and_even_pages_header_footer
    assert document.settings.element.find(f"{W}mirrorMargins") is not None
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        assert not footer.is_linked_to_previous
        (paragraph,) = footer._element.iter(f"{W}p")
        assert [i.text for i in paragraph.iter(f"{W}instrText")] == [" PAGE "]
        text = "".join(texts(footer._element))
        assert text == "— 1 —"
        assert attr(paragraph.find(f"{W}pPr/{W}jc"), "val") == side
        assert attr(paragraph.find(f"{W}pPr/{W}ind"), side) == "280"  # one 四号 character in
        fonts = {attr(r, "eastAsia") for r in paragraph.iter(f"{W}rFonts")}
        sizes = {attr(s, "val") for s in paragraph.iter(f"{W}sz")}
        assert (fonts, sizes) == ({"宋体"}, {"28"})


def test_letter_has_no_page_number_on_page_one_but_its_lower_double_rule(opened: dict) -> None:
    section = opened["letter"].sections[0]
    assert section.different_first_page_header_footer
    first = section.first_page_footer._element
    assert list(first.iter(f"{W}instrText")) == [] and "".join(texts(first)) == ""
    border = first.find(f".//{W}pBdr/{W}bottom")
    assert (attr(border, "val"), attr(border, "color")) == ("thinThickSmallGap", "FF0000")  # thin over thick
    indent = first.find(f".//{W}ind")
    width = layout.PAGE.type_area_width_twips - int(attr(indent, "left")) - int(attr(indent, "right"))
    assert layout.twips_to_mm(width) == pytest.approx(170, abs=0.1)
    assert section.footer_distance.mm == pytest.approx(20, abs=0.1)
    official = opened["official"].sections[0]
    assert not official.different_first_page_header_footer


# --------------------------------------------------------------------------- styles and runs


def style_run(document: docx.document.Document, name: str) -> tuple[str | None, float, str | None]:
    style = document.styles[name]
    fonts = style.element.find(f"{W}rPr/{W}rFonts")
    colour = style.element.find(f"{W}rPr/{W}color")
    return attr(fonts, "eastAsia"), style.font.size.pt, attr(colour, "val")


@pytest.mark.parametrize("name", NAMES)
def test_styles_name_the_standard_faces_and_sizes(opened: dict, name: str) -> None:
    document = opened[name]
    assert style_run(document, "Normal") == ("仿宋_GB2312", 16, None)
    assert style_run(document, "Body Text") == ("仿宋_GB2312", 16, None)
    assert style_run(document, "Title") == ("小标宋", 22, None)
    assert style_run(document, "Heading 1") == ("黑体", 16, None)
    assert style_run(document, "Heading 2") == ("楷体_GB2312", 16, None)
    assert style_run(document, "Heading 3") == ("仿宋_GB2312", 16, None)
    assert style_run(document, "Heading 4") == ("仿宋_GB2312", 16, None)
    assert style_run(document, "发文机关标志") == ("小标宋", 36, "FF0000")
    assert style_run(document, "密级和保密期限") == ("黑体", 16, None)
    assert style_run(document, "版记") == ("仿宋_GB2312", 14, None)
    ascii_fonts = document.styles["Normal"].element.find(f"{W}rPr/{W}rFonts")
    assert attr(ascii_fonts, "ascii") == attr(ascii_fonts, "hAnsi") == "仿宋_GB2312"
    spacing = document.styles["Normal"].element.find(f"{W}pPr/{W}spacing")
    assert (attr(spacing, "line"), attr(spacing, "lineRule")) == ("579", "exact")


@pytest.mark.parametrize("name", NAMES)
def test_every_style_and_run_is_chinese_and_names_a_face_the_font_map_knows(built: dict, name: str) -> None:
    styles = part(built[name], "word/styles.xml")
    run_properties = list(styles.iter(f"{W}rPr"))
    for story in stories(built[name]):
        run_properties += [r.find(f"{W}rPr") for r in story.iter(f"{W}r") if r.find(f"{W}t") is not None]
    assert run_properties
    for properties in run_properties:
        assert properties is not None
        assert attr(properties.find(f"{W}lang"), "eastAsia") == "zh-CN"
        assert attr(properties.find(f"{W}rFonts"), "eastAsia") in STANDARD_FACES
    theme_fonts = [a for e in styles.iter() for a in e.attrib if "Theme" in a or "theme" in a]
    assert theme_fonts == []
    settings = part(built[name], "word/settings.xml")
    assert attr(settings.find(f"{W}themeFontLang"), "eastAsia") == "zh-CN"


def runs_with(root: etree._Element, text: str) -> list[etree._Element]:
    return [r for r in root.iter(f"{W}r") if text in "".join(t.text or "" for t in r.findall(f"{W}t"))]


@pytest.mark.parametrize(("name", "mark"), [("official", "{{ organ_mark }}"), ("letter", "{{ organ_mark }}"),
                                            ("minutes", "{{ meeting_name }}纪要")])
def test_organ_mark_is_red_in_every_width_variant(built: dict, name: str, mark: str) -> None:
    runs = runs_with(part(built[name], "word/document.xml"), mark)
    assert len(runs) == len(layout.ORGAN_MARK_WIDTH_STEPS)
    for run in runs:
        assert attr(run.find(f"{W}rPr/{W}color"), "val") == "FF0000"
        assert attr(run.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "小标宋"
    assert sorted(int(attr(r.find(f"{W}rPr/{W}w"), "val")) for r in runs) == sorted(
        percent for _, percent in layout.ORGAN_MARK_WIDTH_STEPS
    )


@pytest.mark.parametrize("name", ["official", "minutes"])
def test_head_rule_is_red_under_the_document_number(built: dict, name: str) -> None:
    (run,) = runs_with(part(built[name], "word/document.xml"), "{{ document_number }}")
    border = run.getparent().find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert (attr(border, "val"), attr(border, "color"), attr(border, "sz")) == ("single", "FF0000", "12")
    assert attr(border, "space") == str(layout.HEAD.rule_space_points)
    spacing = run.getparent().find(f"{W}pPr/{W}spacing")
    assert attr(spacing, "before") == str(2 * layout.GRID.line_pitch)


def test_letter_mark_and_first_rule_are_a_170_mm_box_30_mm_from_the_top(built: dict) -> None:
    document = part(built["letter"], "word/document.xml")
    anchors = [a for a in document.iter(f"{WP}anchor") if a.find(f"{WP}docPr").get("name") == "发文机关标志"]
    (anchor,) = anchors
    assert anchor.find(f"{WP}positionV").get("relativeFrom") == "page"
    offset = int(anchor.find(f"{WP}positionV/{WP}posOffset").text)
    assert offset / 36000 == pytest.approx(30, abs=0.05)  # EMU → mm
    assert int(anchor.find(f"{WP}extent").get("cx")) / 36000 == pytest.approx(170, abs=0.1)
    borders = {attr(b, "val") for b in anchor.iter(f"{W}bottom") if b.getparent().tag == f"{W}pBdr"}
    colours = {attr(b, "color") for b in anchor.iter(f"{W}bottom") if b.getparent().tag == f"{W}pBdr"}
    assert (borders, colours) == ({"thickThinSmallGap"}, {"FF0000"})  # thick over thin


def test_minutes_labels_are_heiti(built: dict) -> None:
    document = part(built["minutes"], "word/document.xml")
    for label in layout.MINUTES.labels:
        (run,) = runs_with(document, f"{label}：")
        assert attr(run.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "黑体"


@pytest.mark.parametrize("name", NAMES)
def test_every_header_holds_the_draft_mark_right_aligned_in_3hao_heiti_off_the_grid(built: dict, name: str) -> None:
    parts = headers(built[name])
    assert set(parts) == ({"default", "even", "first"} if name == "letter" else {"default", "even"})
    for header in parts.values():
        (paragraph,) = header.iter(f"{W}p")
        assert texts(paragraph) == ["{{ draft_mark }}"]
        properties = paragraph.find(f"{W}pPr")
        assert attr(properties.find(f"{W}jc"), "val") == "right"
        assert attr(properties.find(f"{W}snapToGrid"), "val") == "0"
        spacing = properties.find(f"{W}spacing")
        assert (attr(spacing, "line"), attr(spacing, "lineRule")) == ("320", "exact")  # one 16-pt line, no more
        (run,) = paragraph.iter(f"{W}r")
        assert attr(run.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "黑体"
        assert (attr(run.find(f"{W}rPr/{W}sz"), "val"), attr(run.find(f"{W}rPr/{W}w"), "val")) == ("32", "100")
        assert run.find(f"{W}rPr/{W}color") is None  # black
    section = docx.Document(io.BytesIO(built[name])).sections[0]
    assert section.header_distance.mm == pytest.approx(layout.DRAFT_MARK.top_mm, abs=0.1)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("mark", ["草稿", SIGNED_OFF, ""])
def test_a_rendered_draft_carries_its_mark_in_every_header(built: dict, name: str, mark: str) -> None:
    rendered = render(built[name], context(name, draft_mark=mark))
    parts = headers(rendered)
    assert len(parts) == (3 if name == "letter" else 2)
    assert {kind: texts(header) for kind, header in parts.items()} == {kind: [mark] for kind in parts}
    if mark:
        assert mark not in texts(part(rendered, "word/document.xml"))  # in the headers only


@pytest.mark.parametrize("name", NAMES)
def test_templates_declare_exactly_their_fields(name: str) -> None:
    template = DocxTemplate(TEMPLATES_FOLDER / TEMPLATE_FILES[name])
    assert template.get_undeclared_template_variables(sandbox()) == set(TEMPLATE_FIELDS[name])


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("name", LETTERS)
def test_rendering_keeps_markup_characters_quotes_and_long_paragraphs_intact(built: dict, name: str) -> None:
    rendered = render(built[name], context())
    document = part(rendered, "word/document.xml")
    paragraphs = texts(document)
    assert HOSTILE in paragraphs  # a body paragraph, escaped on the way in and read back as text
    assert LONG in paragraphs
    assert f"关于{HOSTILE}的函" in paragraphs
    assert ["一、办理要求", "（一）按期办结", "1.材料齐全", "（1）回答举报人提出的问题"] == [
        p for p in paragraphs if p.startswith(("一、", "（一）", "1.", "（1）"))
    ]
    xml = etree.tostring(document, encoding="unicode")
    assert "{%" not in xml.replace("{% raw %}", "") and "{{ organ_mark" not in xml
    docx.Document(io.BytesIO(rendered))  # python-docx reads the result


def test_rendered_headings_use_the_heading_styles(built: dict) -> None:
    document = part(render(built["official"], context()), "word/document.xml")
    styles = {texts(p)[0]: attr(p.find(f"{W}pPr/{W}pStyle"), "val") for p in document.iter(f"{W}p") if texts(p)}
    assert styles["一、办理要求"] == "Heading1"
    assert styles["（一）按期办结"] == "Heading2"
    assert styles["（1）回答举报人提出的问题"] == "Heading4"
    assert styles[LONG] == "BodyText"


@pytest.mark.parametrize("name", NAMES)
def test_a_missing_variable_is_an_error(built: dict, name: str) -> None:
    values = context(name)
    del values["title"]
    with pytest.raises(jinja2.UndefinedError):
        render(built[name], values)


def test_python_internals_are_out_of_reach_of_a_template(built: dict, tmp_path: Path) -> None:
    document = docx.Document(io.BytesIO(built["official"]))
    document.add_paragraph("{{ ''.__class__.__mro__ }}")
    hostile = io.BytesIO()
    document.save(hostile)
    with pytest.raises(jinja2.exceptions.SecurityError):
        render(hostile.getvalue(), context())


def test_values_are_never_evaluated_as_template_code(built: dict) -> None:
    rendered = render(built["official"], context(recipient="{{ ''.__class__.__mro__ }}{{ 7*7 }}"))
    assert "{{ ''.__class__.__mro__ }}{{ 7*7 }}：" in texts(part(rendered, "word/document.xml"))


def mark_widths(rendered: bytes) -> list[str]:
    return [attr(r.find(f"{W}rPr/{W}w"), "val") for r in part(rendered, "word/document.xml").iter(f"{W}r")
            if attr(r.find(f"{W}rPr/{W}color"), "val") == "FF0000"]


def test_a_long_organ_mark_is_narrowed_not_wrapped(built: dict) -> None:
    assert mark_widths(render(built["official"], context())) == ["100"]
    assert mark_widths(render(built["official"], context(organ_mark="中共伊金霍洛旗纪律检查委员会文件"))) == ["66"]
    assert mark_widths(render(built["minutes"], context(meeting_name="旗纪委常委会会议"))) == ["100"]
    assert mark_widths(render(built["minutes"], context(meeting_name="伊金霍洛旗纪委信访听证会议"))) == ["80"]


def signer_alignment(rendered: bytes) -> str | None:
    document = part(rendered, "word/document.xml")
    (paragraph,) = [p for p in document.iter(f"{W}p") if attr(p.find(f"{W}pPr/{W}pStyle"), "val") == "SignerUnit"]
    return attr(paragraph.find(f"{W}pPr/{W}jc"), "val")


def test_signer_is_centred_on_the_date_unless_too_long(built: dict) -> None:
    assert signer_alignment(render(built["official"], context())) == "center"
    long_signer = context(signer_unit="中共伊金霍洛旗纪律检查委员会办公室")
    assert signer_alignment(render(built["official"], long_signer)) == "right"


def imprint_boxes(rendered: bytes) -> list[etree._Element]:
    document = part(rendered, "word/document.xml")
    return [a for a in document.iter(f"{WP}anchor") if a.find(f"{WP}docPr").get("name") == "版记"]


def test_imprint_sits_on_the_type_areas_foot_sized_for_its_copy_to_lines(built: dict) -> None:
    (box,) = imprint_boxes(render(built["official"], context()))
    assert box.find(f"{WP}positionV").get("relativeFrom") == "margin"
    assert box.find(f"{WP}positionV/{WP}align").text == "bottom"
    assert int(box.find(f"{WP}extent").get("cx")) == layout.PAGE.type_area_width_twips * 635
    rows = [texts(row) for row in box.iter(f"{W}tr")]
    assert rows == [["抄送：旗委办公室，旗政府办公室。"], ["伊金霍洛旗纪委办公室", "2026年11月5日印发"]]
    borders = box.find(f".//{W}tblBorders")
    assert [(attr(borders.find(f"{W}{s}"), "sz")) for s in ("top", "insideH", "bottom")] == ["8", "6", "8"]
    one_line = int(box.find(f"{WP}extent").get("cy"))
    (three,) = imprint_boxes(render(built["official"], context(cc="某某单位，" * 12)))
    assert int(three.find(f"{WP}extent").get("cy")) - one_line == 2 * layout.GRID.line_pitch * 635
    (bare,) = imprint_boxes(render(built["official"], context(cc="")))
    assert [texts(row) for row in bare.iter(f"{W}tr")] == [["伊金霍洛旗纪委办公室", "2026年11月5日印发"]]


def test_letter_imprint_is_copy_to_only_and_absent_without_it(built: dict) -> None:
    (box,) = imprint_boxes(render(built["letter"], context()))
    assert texts(box) == ["抄送：旗委办公室，旗政府办公室。"]
    assert list(box.iter(f"{W}pBdr")) == [] and list(box.iter(f"{W}tbl")) == []
    assert imprint_boxes(render(built["letter"], context(cc=""))) == []


# --------------------------------------------------------------------------- the form


def form_table(rendered: bytes) -> etree._Element | None:
    return part(rendered, "word/document.xml").find(f".//{W}tbl")


def cell_texts(table: etree._Element) -> list[list[list[str]]]:
    """Rows → cells → the text of each paragraph of the cell."""
    return [[texts(cell) for cell in row.findall(f"{W}tc")] for row in table.findall(f"{W}tr")]


def test_form_has_one_row_per_item_and_each_line_of_an_answer_is_a_paragraph(built: dict) -> None:
    table = form_table(render(built["form"], context()))
    assert table is not None
    assert cell_texts(table) == [[[row["label"]], row["lines"] or [""]] for row in ROWS]  # no lines: one empty one
    xml = etree.tostring(table, encoding="unicode")
    assert "{%" not in xml.replace("{% raw %}", "")


def test_form_keeps_markup_characters_and_braces_in_labels_and_answers_as_text(built: dict) -> None:
    rows = [{"label": HOSTILE, "lines": [HOSTILE, "{{ rows }}", "<w:p>&amp;"]}]
    rendered = render(built["form"], context(rows=rows, title=HOSTILE, document_number="{{ title }}"))
    table = form_table(rendered)
    assert table is not None
    assert cell_texts(table) == [[[HOSTILE], [HOSTILE, "{{ rows }}", "<w:p>&amp;"]]]
    paragraphs = texts(part(rendered, "word/document.xml"))
    assert HOSTILE in paragraphs and "编号：{{ title }}" in paragraphs
    docx.Document(io.BytesIO(rendered))


def test_a_form_without_rows_has_no_table_and_is_still_a_document(built: dict) -> None:
    rendered = render(built["form"], context(rows=[]))
    assert form_table(rendered) is None
    paragraphs = [p for p in texts(part(rendered, "word/document.xml")) if p]
    assert paragraphs == ["000003", "机密★10年", "特急", f"关于{HOSTILE}的函", "编号：伊纪群字〔2026〕7号"]
    docx.Document(io.BytesIO(rendered))


def test_form_table_spans_the_type_area_between_single_black_rules(built: dict) -> None:
    document = part(built["form"], "word/document.xml")
    (table,) = document.iter(f"{W}tbl")
    assert attr(table.find(f"{W}tblPr/{W}tblW"), "w") == str(layout.PAGE.type_area_width_twips)
    assert attr(table.find(f"{W}tblPr/{W}jc"), "val") == "center"
    assert attr(table.find(f"{W}tblPr/{W}tblLayout"), "type") == "fixed"
    columns = [int(attr(c, "w")) for c in table.iter(f"{W}gridCol")]
    assert sum(columns) == layout.PAGE.type_area_width_twips
    assert columns[0] == layout.FORM.label_width_twips
    assert layout.twips_to_mm(columns[0]) == pytest.approx(32.7, abs=0.1)  # five 3号 characters with room
    borders = table.find(f"{W}tblPr/{W}tblBorders")
    assert [(etree.QName(b).localname, attr(b, "val"), attr(b, "sz"), attr(b, "color")) for b in borders] == [
        (side, "single", "6", "000000") for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    ]


def test_form_labels_are_heiti_centred_and_answers_fangsong_with_exact_lines(built: dict) -> None:
    document = part(built["form"], "word/document.xml")
    (label,) = runs_with(document, "{{ row.label }}")
    (answer,) = runs_with(document, "{{ line }}")
    cell = label.getparent().getparent()
    assert attr(cell.find(f"{W}tcPr/{W}vAlign"), "val") == "center"
    assert attr(label.getparent().find(f"{W}pPr/{W}jc"), "val") == "center"
    assert attr(label.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "黑体"
    assert attr(answer.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "仿宋_GB2312"
    for run in (label, answer):
        assert attr(run.find(f"{W}rPr/{W}sz"), "val") == "32"
        spacing = run.getparent().find(f"{W}pPr/{W}spacing")
        assert (attr(spacing, "line"), attr(spacing, "lineRule")) == (str(layout.GRID.line_pitch), "exact")
        assert attr(run.getparent().find(f"{W}pPr/{W}snapToGrid"), "val") == "0"


def test_form_title_and_number_follow_the_head_lines(built: dict) -> None:
    document = part(built["form"], "word/document.xml")
    (title,) = runs_with(document, "{{ title }}")
    assert attr(title.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "小标宋"
    assert attr(title.find(f"{W}rPr/{W}sz"), "val") == "44"
    assert attr(title.getparent().find(f"{W}pPr/{W}jc"), "val") == "center"
    spacing = title.getparent().find(f"{W}pPr/{W}spacing")
    assert attr(spacing, "before") == str(layout.FORM.title_gap_lines * layout.GRID.line_pitch)
    (number,) = runs_with(document, "编号：{{ document_number }}")
    assert attr(number.find(f"{W}rPr/{W}rFonts"), "eastAsia") == "仿宋_GB2312"
    assert attr(number.getparent().find(f"{W}pPr/{W}jc"), "val") == "right"
    assert texts(document)[:3] == ["{{ copy_number }}", "{{ classification }}", "{{ urgency }}"]


# --------------------------------------------------------------------------- the table


def rows_of(table: etree._Element) -> list[etree._Element]:
    return table.findall(f"{W}tr")


def test_table_renders_its_header_row_then_one_row_per_item_with_text_as_typed(built: dict) -> None:
    rendered = render(built["table"], context("table"))
    table = form_table(rendered)
    assert table is not None
    assert [[cell[0] for cell in row] for row in cell_texts(table)] == [COLUMNS, *TABLE_ROWS]
    assert all(len(cell) == 1 for row in cell_texts(table) for cell in row)  # one paragraph a cell
    xml = etree.tostring(table, encoding="unicode")
    assert "{%" not in xml.replace("{% raw %}", "").replace("{% endfor %}", "")
    paragraphs = texts(part(rendered, "word/document.xml"))
    assert paragraphs[:3] == ["000003", "机密★10年", f"关于{HOSTILE}的函"]  # 份号, 密级, title: no 紧急程度
    assert [*SUBTITLE, *NOTES] == [p for p in paragraphs if p in SUBTITLE or p in NOTES]
    assert paragraphs.index(SUBTITLE[0]) < paragraphs.index(COLUMNS[0]) < paragraphs.index(NOTES[0])
    docx.Document(io.BytesIO(rendered))


def test_table_header_row_repeats_on_every_page_and_no_row_splits(built: dict) -> None:
    table = form_table(render(built["table"], context("table")))
    assert table is not None
    header, *data = rows_of(table)
    assert header.find(f"{W}trPr/{W}tblHeader") is not None
    assert len(data) == len(TABLE_ROWS)
    for row in data:
        assert row.find(f"{W}trPr/{W}cantSplit") is not None
        assert row.find(f"{W}trPr/{W}tblHeader") is None


def test_a_table_without_rows_is_its_header_row_and_without_columns_no_table(built: dict) -> None:
    rendered = render(built["table"], context("table", rows=[], subtitle=[], notes=[]))
    table = form_table(rendered)
    assert table is not None
    (header,) = rows_of(table)  # Word refuses a table without rows: the header row is one
    assert cell_texts(table) == [[[column] for column in COLUMNS]]
    assert len(list(table.iter(f"{W}gridCol"))) == len(COLUMNS)
    assert [p for p in texts(part(rendered, "word/document.xml")) if p] == ["000003", "机密★10年",
                                                                            f"关于{HOSTILE}的函", *COLUMNS]
    docx.Document(io.BytesIO(rendered))
    bare = render(built["table"], context("table", columns=[], rows=[]))
    assert form_table(bare) is None
    docx.Document(io.BytesIO(bare))


def test_table_spans_the_type_area_between_single_black_rules_with_exact_lines_off_the_grid(built: dict) -> None:
    document = part(built["table"], "word/document.xml")
    (table,) = document.iter(f"{W}tbl")
    properties = table.find(f"{W}tblPr")
    assert attr(properties.find(f"{W}tblW"), "w") == str(layout.PAGE.type_area_width_twips)
    assert attr(properties.find(f"{W}jc"), "val") == "center"
    assert attr(properties.find(f"{W}tblLayout"), "type") == "fixed"
    assert sum(int(attr(c, "w")) for c in table.iter(f"{W}gridCol")) == layout.PAGE.type_area_width_twips
    borders = properties.find(f"{W}tblBorders")
    assert [(etree.QName(b).localname, attr(b, "val"), attr(b, "sz"), attr(b, "color")) for b in borders] == [
        (side, "single", "6", "000000") for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    ]
    line = str(layout.TABLE.line_twips(layout.TypeSize.SMALL_FOUR))
    for expression, face in (("{{ column }}", "黑体"), ("{{ cell }}", "仿宋_GB2312")):
        (run,) = runs_with(document, expression)
        assert attr(run.find(f"{W}rPr/{W}rFonts"), "eastAsia") == face
        assert attr(run.find(f"{W}rPr/{W}sz"), "val") == "24"  # 小四
        properties = run.getparent().find(f"{W}pPr")
        spacing = properties.find(f"{W}spacing")
        assert (attr(spacing, "line"), attr(spacing, "lineRule")) == (line, "exact") == ("360", "exact")
        assert attr(properties.find(f"{W}snapToGrid"), "val") == "0"
        assert attr(properties.find(f"{W}jc"), "val") == "center"
        assert attr(run.getparent().getparent().find(f"{W}tcPr/{W}vAlign"), "val") == "center"


def test_table_title_subtitle_and_notes(built: dict) -> None:
    document = part(built["table"], "word/document.xml")
    assert texts(document)[:3] == ["{{ copy_number }}", "{{ classification }}", "{{ title }}"]
    (title,) = runs_with(document, "{{ title }}")
    assert (attr(title.find(f"{W}rPr/{W}rFonts"), "eastAsia"), attr(title.find(f"{W}rPr/{W}sz"), "val")) == (
        "小标宋", "44")
    assert attr(title.getparent().find(f"{W}pPr/{W}jc"), "val") == "center"
    (number,) = runs_with(document, "{{ copy_number }}")
    (official_number,) = runs_with(part(built["official"], "word/document.xml"), "{{ copy_number }}")
    assert etree.tostring(number.getparent()) == etree.tostring(official_number.getparent())  # as official.docx
    subtitle, note = runs_with(document, "{{ line }}")  # one in the subtitle loop, one in the notes loop
    assert (attr(subtitle.find(f"{W}rPr/{W}rFonts"), "eastAsia"), attr(subtitle.find(f"{W}rPr/{W}sz"), "val")) == (
        "仿宋_GB2312", "24")
    assert (attr(note.find(f"{W}rPr/{W}rFonts"), "eastAsia"), attr(note.find(f"{W}rPr/{W}sz"), "val")) == (
        "仿宋_GB2312", "28")
    for run in (subtitle, note):
        assert attr(run.getparent().find(f"{W}pPr/{W}spacing"), "lineRule") == "exact"


# --------------------------------------------------------------------------- reproducible


@pytest.mark.parametrize("name", NAMES)
def test_two_builds_are_byte_identical(built: dict, name: str) -> None:
    assert BUILDERS[name]() == built[name]


@pytest.mark.parametrize("name", NAMES)
def test_committed_templates_equal_a_fresh_build(built: dict, name: str) -> None:
    committed = TEMPLATES_FOLDER / TEMPLATE_FILES[name]
    assert committed.read_bytes() == built[name], f"run `python -m generators.templates` and commit {committed.name}"


def test_build_all_writes_the_five_files(tmp_path: Path, built: dict) -> None:
    paths = templates.build_all(tmp_path / "templates")
    assert [p.name for p in paths] == ["official.docx", "letter.docx", "minutes.docx", "form.docx", "table.docx"]
    assert [p.read_bytes() for p in paths] == [built[name] for name in NAMES]


@pytest.mark.parametrize("name", NAMES)
def test_packages_carry_no_clock_author_or_tool_noise(built: dict, name: str) -> None:
    with zipfile.ZipFile(io.BytesIO(built[name])) as package:
        infos = package.infolist()
        assert {(i.date_time, i.compress_type) for i in infos} == {((2026, 1, 1, 0, 0, 0), zipfile.ZIP_STORED)}
        assert infos[0].filename == "[Content_Types].xml"
        names = package.namelist()
        assert not any(n.startswith(("customXml", "docProps/thumbnail")) or "stylesWithEffects" in n for n in names)
        for entry in names:
            data = package.read(entry)
            assert b"python-docx" not in data and b"rsid" not in data
    document = docx.Document(io.BytesIO(built[name]))
    core = document.core_properties
    assert (core.author, core.last_modified_by, core.comments, core.title) == ("", "", "", "")
    assert core.revision == 0  # no cp:revision element
    assert core.created == core.modified == datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


# --------------------------------------------------------------------------- LibreOffice


def test_libreoffice_sets_28_characters_a_line_and_no_page_number_on_a_letters_first_page(
    built: dict, soffice: str
) -> None:
    from generators import convert_to_pdf

    values = context(body=["测" * 100], title="标题", cc="")
    official, letter = convert_to_pdf([render(built["official"], values), render(built["letter"], values)])
    lines = PdfReader(io.BytesIO(official)).pages[0].extract_text().splitlines()
    body = [line for line in lines if set(line) == {"测"}]
    assert [len(line) for line in body] == [26, 28, 28, 18]  # two characters of indent on the first line
    assert "— 1 —" in lines
    first_page = PdfReader(io.BytesIO(letter)).pages[0].extract_text()
    assert "—" not in first_page and "伊纪群字〔2026〕7" in first_page.replace(" ", "")


def page_positions(page: PageObject) -> list[tuple[str, float, float]]:
    """The page's pieces of text with their origins in points (from the page's bottom left)."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text, round(cm[0] * tm[4] + cm[2] * tm[5] + cm[4], 1),
                          round(cm[1] * tm[4] + cm[3] * tm[5] + cm[5], 1)))

    page.extract_text(visitor_text=visit)
    return found


def text_positions(pdf: bytes) -> list[list[tuple[str, float, float]]]:
    return [page_positions(page) for page in PdfReader(io.BytesIO(pdf)).pages]


def without_headers(data: bytes) -> bytes:
    """The same document with its header references removed: the page as it was before headers had a mark."""
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]._sectPr
    for reference in section.findall(f"{W}headerReference"):
        section.remove(reference)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_libreoffice_sets_the_draft_mark_on_one_header_line_and_moves_nothing_else(built: dict, soffice: str) -> None:
    from generators import convert_to_pdf

    sources = []
    for name in NAMES:
        values = context(name, body=["测" * 100, "正文" * 300], cc="")
        sources += [without_headers(render(built[name], values)), render(built[name], values | {"draft_mark": SIGNED_OFF})]
    pdfs = convert_to_pdf(sources)
    header_bottom = (297 - layout.DRAFT_MARK.top_mm) / 25.4 * 72 - 16  # the mark's line, in points from the bottom
    for index, name in enumerate(NAMES):
        bare, signed = text_positions(pdfs[2 * index]), text_positions(pdfs[2 * index + 1])
        assert len(signed) == len(bare) > 1, name
        for bare_page, signed_page in zip(bare, signed, strict=True):
            mark = [piece for piece in signed_page if piece[2] > header_bottom]
            assert [piece for piece in signed_page if piece not in mark] == bare_page, name  # nothing moved
            assert len({y for _, _, y in mark}) == 1, name  # one line
            assert "".join(text for text, _, _ in mark).replace(" ", "") == SIGNED_OFF, name


def test_libreoffice_keeps_a_five_character_label_on_one_line(built: dict, soffice: str) -> None:
    from generators import convert_to_pdf

    (pdf,) = convert_to_pdf([render(built["form"], context())])
    lines = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()
    assert any(line.startswith("来访人姓名") for line in lines), lines
    assert "编号：伊纪群字〔2026〕7号" in [line.replace(" ", "") for line in lines]
