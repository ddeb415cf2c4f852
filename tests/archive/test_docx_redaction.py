"""Tests for archive/docx_redaction.py: a 举报 letter with the reporter hidden everywhere.

One hostile document is built with python-docx and a few direct zip edits; it
carries the reporter's name, phone, ID number and e-mail in every corner a .docx
has.  After redaction not one byte of any member may still contain them, while
the office's own reference number, date and phone survive untouched.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from lxml import etree

from archive import docx_redaction
from archive.docx_redaction import docx_texts, redact_docx
from archive.errors import InvalidInput

SECRETS = ("张秀兰", "13812345678", "152701198003151234", "zhang@example.com")
ORDINARY = ("伊纪群字〔2026〕7号", "2026年11月5日", "0477-8888888")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    f'xmlns:w="{W}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)
TEXT_BOX = """<w:r><mc:AlternateContent>
  <mc:Choice Requires="wps"><w:drawing><wp:inline><wp:extent cx="914400" cy="457200"/>
    <wp:docPr id="50" name="文本框 1" descr="张秀兰手写" title="张秀兰"/><a:graphic><a:graphicData
      uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx>
      <w:txbxContent><w:p><w:r><w:t>举报人：张秀兰</w:t></w:r></w:p></w:txbxContent>
    </wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></mc:Choice>
  <mc:Fallback><w:pict><v:shape alt="张秀兰手写" style="width:72pt;height:36pt"><v:textbox>
      <w:txbxContent><w:p><w:r><w:t>举报人：张秀兰</w:t></w:r></w:p></w:txbxContent>
  </v:textbox></v:shape></w:pict></mc:Fallback>
</mc:AlternateContent></w:r>"""
FIELD_RUNS = """<w:r><w:fldChar w:fldCharType="begin"/></w:r>
<w:r><w:instrText xml:space="preserve"> HYPERLINK "mailto:zhang@</w:instrText></w:r>
<w:r><w:instrText xml:space="preserve">example.com" </w:instrText></w:r>
<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>联系举报人</w:t></w:r>
<w:r><w:fldChar w:fldCharType="end"/></w:r>
<w:fldSimple w:instr=' QUOTE "13812345678" '><w:r><w:t>13812345678</w:t></w:r></w:fldSimple>"""


class BlackOut:
    """The test redactor: each secret becomes as many ■ as it has characters."""

    def __init__(self) -> None:
        self.places: list[str] = []

    def redact(self, text: str, place: str) -> str:
        for secret in SECRETS:
            if secret in text:
                self.places.append(place)
                text = text.replace(secret, "■" * len(secret))
        return text


def elements(xml: str) -> list[etree._Element]:
    """Parse a run of WordprocessingML elements written without namespace declarations."""
    return list(parse_xml(f"<w:wrap {NS}>{xml}</w:wrap>"))


def append(paragraph, xml: str) -> None:
    paragraph._p.extend(elements(xml))


def png_with_author() -> bytes:
    """A 1×1 PNG whose metadata names the reporter, as a phone camera might."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", "Author\0张秀兰".encode())
        + chunk(b"IDAT", zlib.compress(b"\0\0"))
        + chunk(b"IEND", b"")
    )


def notes_part(kind: str) -> bytes:
    """word/footnotes.xml or word/endnotes.xml with the two separators and one note."""
    separators = "".join(
        f'<w:{kind} w:type="{t}" w:id="{i}"><w:p><w:r><w:{t}/></w:r></w:p></w:{kind}>'
        for i, t in ((-1, "separator"), (0, "continuationSeparator"))
    )
    note = f'<w:{kind} w:id="1"><w:p><w:r><w:t>据张秀兰本人反映</w:t></w:r></w:p></w:{kind}>'
    return f'<w:{kind}s xmlns:w="{W}">{separators}{note}</w:{kind}s>'.encode()


def repack(data: bytes, edits: dict[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """Copy a zip, replacing or adding members (a callable edits the old bytes)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    for name, edit in edits.items():
        members[name] = edit(members[name]) if callable(edit) else edit
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, blob in members.items():
            target.writestr(name, blob)
    return buffer.getvalue()


def before(closing: str, *inserts: str) -> Callable[[bytes], bytes]:
    return lambda blob: blob.replace(closing.encode(), "".join(inserts).encode() + closing.encode())


def relationship(rid: str, kind: str, target: str) -> str:
    return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'


def override(part: str, content_type: str) -> str:
    return f'<Override PartName="/{part}" ContentType="application/vnd.{content_type}"/>'


OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORDML = "openxmlformats-officedocument.wordprocessingml"
PEOPLE = (
    '<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
    '<w15:person w15:author="张秀兰"/></w15:people>'
)
CHART = (
    '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
    "<c:chart><c:title><a:t>张秀兰来信统计</a:t></c:title></c:chart></c:chartSpace>"
)
CUSTOM_PROPERTIES = (
    "<Properties xmlns='http://schemas.openxmlformats.org/officeDocument/2006/custom-properties'>"
    "<property name='证件'>152701198003151234</property></Properties>"
)


def hostile_docx() -> bytes:
    """The letter as python-docx can write it, then the parts it cannot, added by hand."""
    document = docx.Document()
    props = document.core_properties
    props.author = props.last_modified_by = "张秀兰"
    props.title = "张秀兰的举报信"
    document.add_paragraph("伊纪群字〔2026〕7号")
    split = document.add_paragraph("实名举报人")
    split.add_run("张").bold = True
    split.add_run("秀兰，身份证号码152701198003151234。")
    split.add_run("伊纪群字〔2026〕7号").bold = True
    document.sections[0].footer.paragraphs[0].text = "信访室电话0477-8888888"
    commented = document.add_paragraph("请核实该线索。")
    document.add_comment(commented.runs, text="身份证152701198003151234", author="张秀兰", initials="张")
    append(
        document.add_paragraph("收到"),
        '<w:ins w:id="901" w:author="张秀兰"><w:r><w:t>补充材料</w:t></w:r></w:ins>'
        '<w:del w:id="902" w:author="张秀兰"><w:r><w:delText>张秀兰电话13812345678</w:delText></w:r></w:del>',
    )
    append(document.add_paragraph(), TEXT_BOX)
    document.add_table(rows=1, cols=1).cell(0, 0).text = "来电13812345678"
    document.add_picture(io.BytesIO(png_with_author()))
    document.inline_shapes[0]._inline.docPr.set("descr", "张秀兰的照片")
    rid = document.part.relate_to("mailto:zhang@example.com", RT.HYPERLINK, is_external=True)
    append(
        document.add_paragraph("来信人邮箱："),
        f'<w:hyperlink r:id="{rid}" w:tooltip="写信给张秀兰"><w:r><w:t>zhang@example.com</w:t></w:r></w:hyperlink>',
    )
    append(document.add_paragraph(), FIELD_RUNS)
    append(
        document.add_paragraph("附注"),
        '<w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:endnoteReference w:id="1"/></w:r>',
    )
    document.add_paragraph("2026年11月5日")
    second = document.add_section()
    second.header.is_linked_to_previous = second.footer.is_linked_to_previous = False
    second.header.paragraphs[0].text = "举报人电话13812345678"
    second.footer.paragraphs[0].text = "回电13812345678"
    document.settings.element.append(*elements('<w:docVars><w:docVar w:name="r" w:val="张秀兰"/></w:docVars>'))
    buffer = io.BytesIO()
    document.save(buffer)
    return with_hidden_parts(buffer.getvalue())


def with_hidden_parts(data: bytes) -> bytes:
    """Notes, people, a chart, custom properties; and the name in custom XML, thumbnail, app.xml."""
    app_xml = {b"<Company/>": "<Company>张秀兰</Company>", b"<vt:lpstr/>": "<vt:lpstr>张秀兰的举报信</vt:lpstr>"}

    def fill_app(blob: bytes) -> bytes:
        for empty, filled in app_xml.items():
            blob = blob.replace(empty, filled.encode())
        return blob

    return repack(
        data,
        {
            "word/footnotes.xml": notes_part("footnote"),
            "word/endnotes.xml": notes_part("endnote"),
            "word/people.xml": PEOPLE.encode(),
            "word/charts/chart1.xml": CHART.encode(),
            "docProps/custom.xml": CUSTOM_PROPERTIES.encode(),
            "customXml/item1.xml": "<举报><姓名>张秀兰</姓名></举报>".encode(),
            "docProps/thumbnail.jpeg": b"\xff\xd8\xff\xe0" + "张秀兰".encode() + b"\xff\xd9",
            "docProps/app.xml": fill_app,
            "word/_rels/document.xml.rels": before(
                "</Relationships>",
                relationship("rId90", f"{OFFICE}/footnotes", "footnotes.xml"),
                relationship("rId91", f"{OFFICE}/endnotes", "endnotes.xml"),
                relationship("rId92", "http://schemas.microsoft.com/office/2011/relationships/people", "people.xml"),
                relationship("rId93", f"{OFFICE}/chart", "charts/chart1.xml"),
            ),
            "_rels/.rels": before(
                "</Relationships>", relationship("rId9", f"{OFFICE}/custom-properties", "docProps/custom.xml")
            ),
            "[Content_Types].xml": before(
                "</Types>",
                override("word/footnotes.xml", f"{WORDML}.footnotes+xml"),
                override("word/endnotes.xml", f"{WORDML}.endnotes+xml"),
                override("word/people.xml", f"{WORDML}.people+xml"),
                override("word/charts/chart1.xml", "openxmlformats-officedocument.drawingml.chart+xml"),
                override("docProps/custom.xml", "openxmlformats-officedocument.custom-properties+xml"),
            ),
        },
    )


@pytest.fixture(scope="module")
def original() -> bytes:
    return hostile_docx()


@pytest.fixture(scope="module")
def redaction(original: bytes) -> tuple[bytes, BlackOut]:
    redactor = BlackOut()
    return redact_docx(original, redactor), redactor


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_hostile_document_really_hides_every_secret(original: bytes) -> None:
    everything = b"".join(members(original).values())
    for secret in SECRETS:
        assert secret.encode() in everything
    for part in ("word/comments.xml", "word/media/image1.png", "word/header1.xml", "word/footer2.xml"):
        assert part in members(original)


def test_no_secret_survives_in_any_member(redaction: tuple[bytes, BlackOut]) -> None:
    for name, blob in members(redaction[0]).items():
        for secret in SECRETS:
            assert secret.encode() not in blob, (name, secret)


def test_python_docx_opens_the_result_and_ordinary_text_survives(redaction: tuple[bytes, BlackOut]) -> None:
    document = docx.Document(io.BytesIO(redaction[0]))
    body = "\n".join(paragraph.text for paragraph in document.paragraphs)
    footers = "\n".join(p.text for section in document.sections for p in section.footer.paragraphs)
    assert "伊纪群字〔2026〕7号" in body and "2026年11月5日" in body and "补充材料" in body
    assert "信访室电话0477-8888888" in footers
    assert "回电■■■■■■■■■■■" in footers
    assert document.sections[1].header.paragraphs[0].text == "举报人电话■■■■■■■■■■■"
    assert document.tables[0].cell(0, 0).text == "来电■■■■■■■■■■■"


def test_a_name_split_over_runs_is_seen_whole_and_untouched_runs_keep_formatting(
    redaction: tuple[bytes, BlackOut],
) -> None:
    paragraph = docx.Document(io.BytesIO(redaction[0])).paragraphs[1]
    assert paragraph.text == "实名举报人■■■，身份证号码■■■■■■■■■■■■■■■■■■。伊纪群字〔2026〕7号"
    assert [(run.text, run.bold) for run in paragraph.runs] == [
        ("实名举报人", None),
        ("■■■", True),  # the replacement goes where the name began
        ("，身份证号码■■■■■■■■■■■■■■■■■■。", None),
        ("伊纪群字〔2026〕7号", True),
    ]


def test_a_length_changing_redactor_is_written_back_in_order() -> None:
    class Pseudonym:
        def redact(self, text: str, place: str) -> str:
            return text.replace("张秀兰", "某人")

    document = docx.Document()
    paragraph = document.add_paragraph("据")
    paragraph.add_run("张").bold = True
    paragraph.add_run("秀兰说")
    buffer = io.BytesIO()
    document.save(buffer)
    result = docx.Document(io.BytesIO(redact_docx(buffer.getvalue(), Pseudonym()))).paragraphs[0]
    assert result.text == "据某人说"
    assert [(run.text, run.bold) for run in result.runs] == [("据", None), ("某人", True), ("说", None)]


def test_every_kind_of_place_reaches_the_redactor(redaction: tuple[bytes, BlackOut]) -> None:
    places = redaction[1].places
    for expected in (
        "word/header",
        "word/footer",
        "word/footnotes.xml 第",
        "word/endnotes.xml 第",
        "域代码",
        "w:fldSimple/@w:instr",
        "w:hyperlink/@w:tooltip",
        "wp:docPr/@descr",
        "wp:docPr/@title",
        "v:shape/@alt",
        "关系的目标",
        "docProps/app.xml vt:lpstr",
        "word/charts/chart1.xml a:t",
    ):
        assert any(expected in place for place in places), expected
    assert not any(secret in place for place in places for secret in SECRETS)


def test_text_box_is_redacted_in_both_renderings(redaction: tuple[bytes, BlackOut]) -> None:
    root = etree.fromstring(members(redaction[0])["word/document.xml"])
    boxes = ["".join(box.itertext()) for box in root.iter(f"{{{W}}}txbxContent")]
    assert boxes == ["举报人：■■■", "举报人：■■■"]


def test_comments_history_pictures_and_metadata_parts_are_gone(redaction: tuple[bytes, BlackOut]) -> None:
    out = members(redaction[0])
    for name in out:
        assert not name.startswith(("customXml/", "word/media/", "docProps/thumbnail"))
        assert name not in ("word/comments.xml", "word/people.xml", "docProps/custom.xml")
    package = b"".join(out.values())
    for gone in (
        b"comments.xml",
        b"people.xml",
        b"thumbnail",
        b"customXml",
        b"custom.xml",
        b"media/",
        b"w:commentReference",
        b"w:commentRangeStart",
        b"w:ins ",
        b"w:del ",
        b"w:delText",
        b"a:blip",
        b"w:author",
        b"w:docVars",
        b"w:rsid",
    ):
        assert gone not in package, gone
    document = docx.Document(io.BytesIO(redaction[0]))
    assert document.core_properties.author == document.core_properties.last_modified_by == ""
    assert document.core_properties.title == ""
    assert b"<Company></Company>" in out["docProps/app.xml"] or b"<Company/>" in out["docProps/app.xml"]


def test_the_leak_gate_sees_every_secret_before_and_none_after(
    original: bytes, redaction: tuple[bytes, BlackOut]
) -> None:
    before_texts = docx_texts(original)
    after_texts = docx_texts(redaction[0])
    for secret in SECRETS:
        assert any(secret in text for _, text in before_texts), secret
        assert not any(secret in text for _, text in after_texts), secret
    assert (
        "word/document.xml 第2段",
        "实名举报人张秀兰，身份证号码152701198003151234。伊纪群字〔2026〕7号",
    ) in before_texts
    assert not any(secret in place for place, _ in before_texts if place != "包内文件名" for secret in SECRETS)
    for ordinary in ORDINARY:
        assert any(ordinary in text for _, text in after_texts)


def minimal_docx(**extra: bytes) -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return repack(buffer.getvalue(), dict(extra))


def zip_of(entries: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in entries.items():
            archive.writestr(name, blob)
    data = bytearray(buffer.getvalue())
    if encrypted:  # zipfile cannot encrypt, so set the "encrypted" bit in every header by hand
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            while at >= 0:
                data[at + offset] |= 0x1
                at = data.find(signature, at + 4)
    return bytes(data)


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "lol">'
    + b"".join(b'<!ENTITY %c "%s">' % (98 + i, b"&%c;" % (97 + i) * 10) for i in range(9))
    + b"]><w:document xmlns:w='"
    + W.encode()
    + b"'>&j;</w:document>"
)


STRICT = b'<w:document xmlns:w="http://purl.oclc.org/ooxml/wordprocessingml/main"><w:body/></w:document>'


@pytest.mark.parametrize("run", [docx_texts, lambda data: redact_docx(data, BlackOut())], ids=["texts", "redact"])
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: b"", "不是有效的 DOCX 文件"),
        (lambda: "这是一封举报信".encode(), "不是有效的 DOCX 文件"),
        (lambda: b"PK\x03\x04" + b"\0" * 40, "不是有效的 DOCX 文件"),
        (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504, "已加密"),
        (lambda: zip_of({"[Content_Types].xml": b"<Types/>"}), "不是有效的 DOCX 文件"),
        (
            lambda: zip_of({"[Content_Types].xml": b"<T/>", "word/document.xml": b"<w/>", "../x.xml": b"<x/>"}),
            "不是有效的 DOCX 文件",
        ),
        (lambda: zip_of({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}, encrypted=True), "已加密"),
        (lambda: minimal_docx(**{"word/document.xml": BILLION_LAUGHS}), "DTD"),
        (lambda: minimal_docx(**{"word/document.xml": b"<w:document><w:body>"}), "XML 无法解析"),
        (lambda: minimal_docx(**{"word/document.xml": STRICT}), "Transitional"),
    ],
    ids=[
        "empty",
        "text",
        "broken-zip",
        "ole-encrypted",
        "no-document",
        "path-escape",
        "zip-encrypted",
        "billion-laughs",
        "bad-xml",
        "strict-ooxml",
    ],
)
def test_malformed_input_is_refused(run, make, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        run(make())


@pytest.mark.parametrize(
    ("limit", "value", "member_count", "member_size"),
    [
        ("MAX_UNPACKED", 1 << 20, 1, 2 << 20),
        ("RATIO_FLOOR", 1 << 20, 1, 4 << 20),
        ("MAX_MEMBERS", 20, 30, 10),
    ],
)
def test_zip_bombs_are_refused(monkeypatch, limit: str, value: int, member_count: int, member_size: int) -> None:
    monkeypatch.setattr(docx_redaction, limit, value)
    bomb = minimal_docx(**{f"word/media/zeros{i}.bin": b"\0" * member_size for i in range(member_count)})
    with pytest.raises(InvalidInput, match="过大或疑似压缩炸弹"):
        redact_docx(bomb, BlackOut())


def test_a_clean_document_keeps_its_text_and_redacts_deterministically() -> None:
    document = docx.Document()
    for text in ORDINARY:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    first, second = (redact_docx(buffer.getvalue(), BlackOut()) for _ in range(2))
    assert first == second  # fixed timestamps: the same letter always yields the same bytes
    assert [p.text for p in docx.Document(io.BytesIO(first)).paragraphs] == list(ORDINARY)


def test_a_name_added_to_a_template_part_already_read_is_seen() -> None:
    """The gate remembers the texts of parts it has read; an edited copy of one is read again."""
    clean = minimal_docx()
    assert not any("张秀兰" in text for _, text in docx_texts(clean))
    edited = repack(clean, {"word/styles.xml": before("</w:styles>", '<w:style w:styleId="张秀兰"/>')})
    assert any(text == "张秀兰" and place.startswith("word/styles.xml") for place, text in docx_texts(edited))
    assert not any("张秀兰" in text for _, text in docx_texts(clean))
