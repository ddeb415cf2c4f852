"""DOCX→PDF: the standard faces reach the PDF as the mapped, embedded families; digits are not spread over the grid."""

from __future__ import annotations

import io
import zipfile

import docxtpl
import jinja2.sandbox
import pytest
from lxml import etree
from pypdf import PdfReader

from generators import TEMPLATE_FIELDS, TEMPLATES_FOLDER, convert_to_pdf, font_map
from generators.conversion import drop_character_grid, substitute_faces

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DATES = "你于2026年10月9日以来信形式反映的有关问题，本机关已于2026年11月28日依规受理（编号XF-2026-0001）。"


def _rendered_official(**changes: object) -> bytes:
    context = {field: "" for field in TEMPLATE_FIELDS["official"]}
    context.update(organ_mark="伊金霍洛旗纪委监委", document_number="伊纪群字〔2026〕7号",
                   title="关于某问题的交办函", recipient="某镇纪委", body=[{"level": 1, "text": "一、主要问题"},
                   {"level": 2, "text": "（一）具体情况"}, "正文内容。"], signer_unit="伊金霍洛旗纪委监委信访室",
                   date="2026年11月28日", cc="某单位", print_organ="伊金霍洛旗纪委监委信访室", print_date="2026年11月28日")
    context.update(changes)
    template = docxtpl.DocxTemplate(str(TEMPLATES_FOLDER / "official.docx"))
    template.render(context, jinja_env=jinja2.sandbox.SandboxedEnvironment(autoescape=True,
                    undefined=jinja2.StrictUndefined), autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def test_substitution_renames_only_the_standard_faces() -> None:
    faces = font_map()
    original = _rendered_official()
    swapped = substitute_faces(original, faces)
    with zipfile.ZipFile(io.BytesIO(swapped)) as package:
        styles = package.read("word/styles.xml").decode()
        document = package.read("word/document.xml").decode()
    assert 'w:eastAsia="仿宋_GB2312"' not in styles and f'w:eastAsia="{faces["仿宋_GB2312"]}"' in styles
    assert "伊纪群字〔2026〕7号" in document


def test_the_pdf_embeds_the_mapped_faces(soffice: str) -> None:
    (pdf,) = convert_to_pdf([_rendered_official()], font_map())
    reader = PdfReader(io.BytesIO(pdf))
    embedded = set()
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            embedded.add(str(font.get_object().get("/BaseFont")))
    names = " ".join(embedded)
    assert "NotoSerifCJK" in names and "NotoSansCJK" in names
    assert "DejaVu" not in names
    text = "".join(page.extract_text() for page in reader.pages)
    assert "关于某问题的交办函" in text and "伊纪群字〔2026〕7号" in text


def _doc_grid(docx: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        (grid,) = etree.fromstring(package.read("word/document.xml")).iter(f"{W}docGrid")
    return {name.removeprefix(W): value for name, value in grid.attrib.items()}


def _with_char_space(docx: bytes, char_space: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b'w:charSpace="-842"', f'w:charSpace="{char_space}"'.encode())
            target.writestr(info, data)
    return out.getvalue()


def test_libreoffice_converts_a_copy_with_a_line_grid_and_the_docx_keeps_its_character_grid() -> None:
    original = _rendered_official()
    copy = drop_character_grid(original)
    assert _doc_grid(original) == {"type": "linesAndChars", "linePitch": "579", "charSpace": "-842"}
    assert _doc_grid(copy) == {"type": "lines", "linePitch": "579", "charSpace": "-842"}
    with zipfile.ZipFile(io.BytesIO(original)) as before, zipfile.ZipFile(io.BytesIO(copy)) as after:
        changed = [name for name in before.namelist() if before.read(name) != after.read(name)]
    assert changed == ["word/document.xml"]


@pytest.mark.parametrize(("char_space", "converted"), [("0", "lines"), ("1024", "linesAndChars")])
def test_only_a_grid_that_spreads_characters_apart_is_kept(char_space: str, converted: str) -> None:
    copy = drop_character_grid(_with_char_space(_rendered_official(), char_space))
    assert _doc_grid(copy)["type"] == converted


def test_libreoffice_sets_digits_beside_their_characters_and_still_28_a_line_22_lines_a_page(soffice: str) -> None:
    (pdf,) = convert_to_pdf([_rendered_official(body=[DATES, "测" * 1000])], font_map())
    pages = [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(pdf)).pages]
    text = "".join(line for page in pages for line in page)
    assert "2026年10月9日" in text and "2026年11月28日" in text and "（编号XF-2026-0001）。" in text
    body = [[len(line) for line in page if set(line) == {"测"}] for page in pages]
    assert body[0][0] == 26 and set(body[0][1:]) == {28}  # two characters of indent on the first line
    assert body[1] == [28] * 22  # a full page
