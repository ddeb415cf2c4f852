"""Column widths of a rendered table, and what LibreOffice makes of a long one: header on every page, no row split."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Sequence
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from generators import GeneratorError, LayoutError, layout
from generators.rendering import render
from generators.tables import column_widths, size_columns
from generators.templates import TEMPLATE_FIELDS, TEMPLATES_FOLDER

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TYPE_AREA = layout.PAGE.type_area_width_twips
HOSTILE = 'A&B <b>粗</b> "双引号" {{ 7*7 }} {% raw %} &amp;'
ARCHIVE_COLUMNS = ["件号", "文号", "责任者", "题名", "日期", "页数", "密级", "备注"]
ARCHIVE_WEIGHTS = [11, 30, 24, 38, 20, 11, 11, 11]  # millimetres, 156 in all
STATISTICS_COLUMNS = ["信访形式", "件数", "占比"]


def archive_row(number: int) -> list[str]:
    """One 归档文件目录 entry; the 题名 takes two to five lines, so a row could be split if allowed."""
    title = f"关于第{number:03d}号信访举报件办理情况的报告" + "及有关问题的说明" * (number % 4)
    return [str(number), f"伊纪群字〔2026〕{number}号", "伊金霍洛旗纪委监委" if number % 3 else "信访室", title,
            "20261105", str(number % 17 + 1), "机密" if number % 5 == 0 else "", "复印件" if number % 7 == 0 else ""]


def table_context(columns: Sequence[str], rows: Sequence[Sequence[str]], **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "copy_number": layout.copy_number(3),
        "classification": layout.classification_mark("机密", 10),
        "title": "归档文件目录",
        "draft_mark": "",
        "subtitle": ["全宗号：J001　　年度：2026　　保管期限：30年"],
        "columns": list(columns),
        "rows": [list(row) for row in rows],
        "notes": ["说明：本目录共 120 件。",
                  "审计检查点：第 124 条 根哈希 3f9a…c2 由 王文秘 于 2026-11-28T16:40:31Z 签署"],
    }
    values.update(changes)
    assert set(values) == TEMPLATE_FIELDS["table"]
    return values


def rendered_table(columns: Sequence[str], rows: Sequence[Sequence[str]], **changes: Any) -> bytes:
    return render(TEMPLATES_FOLDER, "table", table_context(columns, rows, **changes))


def document(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml"))


def first_table(data: bytes) -> etree._Element:
    table = document(data).find(f".//{W}tbl")
    assert table is not None
    return table


def grid(table: etree._Element) -> list[int]:
    return [int(column.get(f"{W}w")) for column in table.iter(f"{W}gridCol")]


def cell_widths(table: etree._Element) -> list[list[tuple[str | None, str | None]]]:
    return [[(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w"), tc.find(f"{W}tcPr/{W}tcW").get(f"{W}type"))
             for tc in row.findall(f"{W}tc")] for row in table.findall(f"{W}tr")]


def cell_texts(table: etree._Element) -> list[list[str]]:
    return [["".join(t.text or "" for t in tc.iter(f"{W}t")) for tc in row.findall(f"{W}tc")]
            for row in table.findall(f"{W}tr")]


# --------------------------------------------------------------------------- column_widths


def test_widths_fill_the_type_area_in_proportion_with_the_remainder_last() -> None:
    widths = column_widths([1, 1, 1])
    assert widths == [2948, 2948, 2949] and sum(widths) == TYPE_AREA == 8845
    widths = column_widths(ARCHIVE_WEIGHTS)
    assert sum(widths) == TYPE_AREA
    for width, weight in zip(widths, ARCHIVE_WEIGHTS, strict=True):
        assert width == pytest.approx(TYPE_AREA * weight / sum(ARCHIVE_WEIGHTS), abs=len(widths))
    assert [layout.twips_to_mm(width) for width in widths[:-1]] == pytest.approx(ARCHIVE_WEIGHTS[:-1], abs=0.02)
    assert column_widths([2.5, 0.5], total=100) == [83, 17]


@pytest.mark.parametrize("weights", [[], [1, 0], [1, -2], [1, float("nan")], [1, float("inf")], [True, 1], [1, "2"]])
def test_widths_refuse_weights_that_are_not_positive_numbers(weights: list[Any]) -> None:
    with pytest.raises(LayoutError, match="栏宽比例"):
        column_widths(weights)


# --------------------------------------------------------------------------- size_columns


def test_sized_table_is_fixed_and_as_wide_as_the_type_area_with_columns_in_proportion() -> None:
    sized = size_columns(rendered_table(ARCHIVE_COLUMNS, [archive_row(n) for n in range(1, 4)]), ARCHIVE_WEIGHTS)
    table = first_table(sized)
    properties = table.find(f"{W}tblPr")
    assert (properties.find(f"{W}tblW").get(f"{W}w"), properties.find(f"{W}tblW").get(f"{W}type")) == (
        str(TYPE_AREA), "dxa")
    assert properties.find(f"{W}tblLayout").get(f"{W}type") == "fixed"
    widths = column_widths(ARCHIVE_WEIGHTS)
    assert grid(table) == widths and sum(grid(table)) == TYPE_AREA
    assert cell_widths(table) == [[(str(width), "dxa") for width in widths]] * 4  # header and three rows
    title, number = widths[ARCHIVE_COLUMNS.index("题名")], widths[ARCHIVE_COLUMNS.index("件号")]
    assert title / number == pytest.approx(38 / 11, rel=0.01)
    # The schema's order in w:tblPr is kept: tblW before jc, tblLayout after tblBorders.
    order = [etree.QName(child).localname for child in properties]
    assert order == ["tblW", "jc", "tblBorders", "tblLayout", "tblCellMar", "tblLook"]


def test_unsized_columns_share_the_type_area_evenly() -> None:
    for columns in (STATISTICS_COLUMNS, ARCHIVE_COLUMNS, ["合计"]):
        table = first_table(rendered_table(columns, [["x"] * len(columns)]))
        widths = grid(table)
        assert len(widths) == len(columns) and max(widths) - min(widths) <= 1
        assert TYPE_AREA - len(columns) < sum(widths) <= TYPE_AREA
        assert {width for row in cell_widths(table) for width in row} == {("0", "auto")}  # the grid decides


def test_sizing_keeps_the_text_of_every_cell_as_typed() -> None:
    rows = [[HOSTILE, "{{ columns }}", '<w:t>"</w:t>'], ["&", "<", "}}{{"]]
    sized = size_columns(rendered_table([HOSTILE, "件数", "{% if %}"], rows), [3, 1, 1])
    assert cell_texts(first_table(sized)) == [[HOSTILE, "件数", "{% if %}"], *rows]


def test_a_weight_per_column_or_a_chinese_error() -> None:
    rendered = rendered_table(STATISTICS_COLUMNS, [["来信", "12", "40%"]])
    with pytest.raises(LayoutError, match="表格有 3 栏，却给了 2 个栏宽比例"):
        size_columns(rendered, [3, 1])
    with pytest.raises(LayoutError, match="表格有 3 栏，却给了 4 个栏宽比例"):
        size_columns(rendered, [3, 1, 1, 1])
    with pytest.raises(LayoutError, match="栏宽比例应为正数"):
        size_columns(rendered, [3, 0, 1])


def test_a_row_with_another_number_of_cells_is_refused() -> None:
    rendered = rendered_table(STATISTICS_COLUMNS, [["来信", "12", "40%"], ["合计", "30"]])
    with pytest.raises(LayoutError, match="第 3 行有 2 栏，与表头的 3 栏不符"):
        size_columns(rendered, [3, 1, 1])


def test_a_document_without_a_table_or_not_a_docx_is_refused() -> None:
    without = rendered_table([], [])
    assert document(without).find(f".//{W}tbl") is None  # no columns, no table
    with pytest.raises(LayoutError, match="没有表格"):
        size_columns(without, [1])
    with pytest.raises(GeneratorError, match="DOCX"):
        size_columns(b"not a zip", [1])


def test_only_the_document_part_changes_and_the_same_input_gives_the_same_bytes() -> None:
    rendered = rendered_table(STATISTICS_COLUMNS, [["来信", "12", "40%"]])
    sized = size_columns(rendered, [3, 1, 1])
    assert size_columns(rendered, [3, 1, 1]) == sized
    assert size_columns(sized, [3, 1, 1]) == sized  # sizing again with the same weights changes nothing
    with zipfile.ZipFile(io.BytesIO(rendered)) as before, zipfile.ZipFile(io.BytesIO(sized)) as after:
        old, new = before.infolist(), after.infolist()
        assert [(i.filename, i.date_time, i.compress_type, i.external_attr) for i in old] == [
            (i.filename, i.date_time, i.compress_type, i.external_attr) for i in new]
        changed = [i.filename for i in old if before.read(i) != after.read(i.filename)]
        assert changed == ["word/document.xml"]
        assert after.read("word/document.xml").startswith(b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>")


def test_a_sized_document_with_fixed_entry_times_keeps_them() -> None:
    template = (TEMPLATES_FOLDER / "table.docx").read_bytes()
    sized = size_columns(template, [1, 1, 1])  # the template's own table: three columns of loop cells
    with zipfile.ZipFile(io.BytesIO(sized)) as package:
        assert {(i.date_time, i.compress_type) for i in package.infolist()} == {
            ((2026, 1, 1, 0, 0, 0), zipfile.ZIP_STORED)}


# --------------------------------------------------------------------------- LibreOffice

_PDFS: dict[str, bytes] = {}
MM = 72 / 25.4  # points per millimetre


@pytest.fixture
def pdfs(soffice: str) -> dict[str, bytes]:
    """The 120-row 归档文件目录 and a 3-column statistics table, converted in one LibreOffice run per module."""
    from generators import convert_to_pdf

    if not _PDFS:
        archive = size_columns(rendered_table(ARCHIVE_COLUMNS, [archive_row(n) for n in range(1, 121)]),
                               ARCHIVE_WEIGHTS)
        statistics = size_columns(rendered_table(
            STATISTICS_COLUMNS, [["来信", "12", "40.0%"], ["来访", "8", "26.7%"], ["网络举报", "10", "33.3%"]],
            title="信访工作月报告登记表", subtitle=["统计期间：2026年10月1日至10月31日"],
            notes=["说明：本月无信访事项，零报告。"]), [3, 1, 1])
        _PDFS.update(zip(("archive", "statistics"), convert_to_pdf([archive, statistics]), strict=True))
    return _PDFS


def pieces(pdf: bytes) -> list[list[tuple[str, float, float, float]]]:
    """Each page's pieces of text: (text, x, y of the origin in points from the bottom left, effective size)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        found: list[tuple[str, float, float, float]] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float,
                  found: list[tuple[str, float, float, float]] = found) -> None:
            if text.strip():
                x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
                y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
                found.append((text.strip(), x, y, size * tm[0] * cm[0]))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


def right_end(text: str, x: float, size: float) -> float:
    """Where a piece ends at the latest: CJK characters one em, anything else 0.6 em (wider than any face's digits)."""
    return x + size * sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.6 for c in text)


def page_texts(pdf: bytes) -> list[str]:
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_libreoffice_repeats_the_header_row_on_every_page(pdfs: dict[str, bytes]) -> None:
    pages = pieces(pdfs["archive"])
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        headings = [piece for piece in page if piece[0] in ARCHIVE_COLUMNS]
        assert sorted(text for text, *_ in headings) == sorted(ARCHIVE_COLUMNS), number
        assert len({round(y) for _, _, y, _ in headings}) == 1, number  # one row
        heading_y = headings[0][2]
        cells = [piece for piece in page if piece[0].startswith(("关于第", "伊纪群字"))]
        assert cells and all(y < heading_y for _, _, y, _ in cells), number  # above every row of the page


def test_libreoffice_never_splits_a_row_across_pages(pdfs: dict[str, bytes]) -> None:
    texts = page_texts(pdfs["archive"])
    for number in range(1, 121):
        row = archive_row(number)
        marker = f"关于第{number:03d}号"
        (page,) = [text for text in texts if marker in text]  # on exactly one page
        for cell in row:
            assert "".join(cell.split()) in page, (number, cell)
        assert "".join("".join(row).split()) in page, number  # the cells one after another, whole
    assert "审计检查点：第124条根哈希3f9a…c2由王文秘于2026-11-28T16:40:31Z签署" in texts[-1]


@pytest.mark.parametrize("name", ["archive", "statistics"])
def test_libreoffice_keeps_every_table_inside_the_type_area(pdfs: dict[str, bytes], name: str) -> None:
    pages = pieces(pdfs[name])
    if name == "statistics":
        assert len(pages) == 1
    for index, page in enumerate(pages):
        # Mirrored margins: the binding margin (28 mm) is on the left of odd pages, the outer one (26 mm) of even ones.
        left = (layout.PAGE.left_mm if index % 2 == 0 else layout.PAGE.right_mm) * MM
        right = left + layout.PAGE.type_area_width_mm * MM
        for text, x, _, size in page:
            assert left - 0.5 <= x and right_end(text, x, size) <= right + 0.5, (index + 1, text, x, right)


def test_each_rendering_of_a_template_holds_its_own_rows_only() -> None:
    """Templates are cleaned and compiled once per process; what they are filled with is never kept."""
    first = first_table(rendered_table(ARCHIVE_COLUMNS, [archive_row(1), archive_row(2)], title="第一份目录"))
    second_data = rendered_table(ARCHIVE_COLUMNS, [archive_row(7)], title="第二份目录")
    second = first_table(second_data)
    assert [row[1] for row in cell_texts(first)[1:]] == ["伊纪群字〔2026〕1号", "伊纪群字〔2026〕2号"]
    assert [row[1] for row in cell_texts(second)[1:]] == ["伊纪群字〔2026〕7号"]
    texts = "".join(t.text or "" for t in document(second_data).iter(f"{W}t"))
    assert "第二份目录" in texts and "第一份目录" not in texts
