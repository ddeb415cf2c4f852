"""DOCX→PDF: the standard faces named in a template reach the PDF as the mapped, embedded families."""

from __future__ import annotations

import io
import zipfile

import docxtpl
import jinja2.sandbox
from pypdf import PdfReader

from generators import TEMPLATE_FIELDS, TEMPLATES_FOLDER, convert_to_pdf, font_map
from generators.conversion import substitute_faces


def _rendered_official() -> bytes:
    context = {field: "" for field in TEMPLATE_FIELDS["official"]}
    context.update(organ_mark="伊金霍洛旗纪委监委", document_number="伊纪群字〔2026〕7号",
                   title="关于某问题的交办函", recipient="某镇纪委", body=[{"level": 1, "text": "一、主要问题"},
                   {"level": 2, "text": "（一）具体情况"}, "正文内容。"], signer_unit="伊金霍洛旗纪委监委信访室",
                   date="2026年11月28日", cc="某单位", print_organ="伊金霍洛旗纪委监委信访室", print_date="2026年11月28日")
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
