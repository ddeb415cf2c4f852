from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import docx

from archive import Level
from archive.cases import CaseRegistration, Petitioner, ReportedPerson, register_case
from tests.conftest import CliRun, Office

REPORTER, ID_NUMBER, PHONE = "张秀兰", "152701198003151234", "13812345678"


def _case(office: Office) -> str:
    with office.open() as archive:
        registration = CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.SECRET, real_name=True,
            petitioners=[Petitioner(REPORTER, id_number=ID_NUMBER, phone=PHONE)],
            reported=[ReportedPerson("王德胜", unit="某镇财政所")], summary="反映王德胜挪用扶贫资金",
        )
        return register_case(archive, office.session(archive, "王文秘"), registration,
                             today=date(2026, 11, 28)).case_id


def _letter(path: Path) -> Path:
    document = docx.Document()
    paragraph = document.add_paragraph("我是")
    paragraph.add_run("张").bold = True
    paragraph.add_run("秀兰，电话 138 1234 5678，反映王德胜挪用扶贫资金。伊纪群字〔2026〕7号")
    document.sections[0].header.paragraphs[0].text = f"身份证 {ID_NUMBER}"
    document.core_properties.author = REPORTER
    document.save(path)
    return path


def _package_bytes(path: Path) -> bytes:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as package:
        return b"".join(package.read(name) for name in package.namelist())


def test_redact_a_docx_then_it_passes_the_gate(cli: CliRun, office: Office, tmp_path: Path) -> None:
    case_id = _case(office)
    source, out, report = _letter(tmp_path / "来信.docx"), tmp_path / "脱敏.docx", tmp_path / "报告.json"
    blocked = cli("gate", str(source), "--case", case_id, user="王文秘")
    assert blocked.exit_code == 1 and "禁止发出" in blocked.output and "身份证号" in blocked.output
    assert ID_NUMBER not in blocked.output and REPORTER not in blocked.output
    result = cli("redact", str(source), "--case", case_id, "--out", str(out), "--report", str(report),
                 user="王文秘")
    assert result.exit_code == 0, result.output
    everything = _package_bytes(out)
    for value in (REPORTER, ID_NUMBER, "5678"):
        assert value.encode() not in everything
    assert "王德胜".encode() in everything and "伊纪群字〔2026〕7号".encode() in everything
    assert json.loads(report.read_text())["total"] == 3 and REPORTER not in report.read_text()
    assert cli("gate", str(out), "--case", case_id, user="王文秘").exit_code == 0


def test_a_pdf_gives_a_text_extract_and_says_it_cannot_be_forwarded(cli: CliRun, office: Office, tmp_path: Path
                                                                   ) -> None:
    from reportlab.pdfgen import canvas

    case_id = _case(office)
    pdf = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(pdf))
    page.drawString(72, 720, f"ID {ID_NUMBER} tel {PHONE}")
    page.save()
    out = tmp_path / "摘录.txt"
    result = cli("redact", str(pdf), "--case", case_id, "--out", str(out), user="王文秘")
    assert result.exit_code == 0, result.output
    assert "PDF 原件不得转出" in result.output
    assert ID_NUMBER not in out.read_text() and "【身份证号】" in out.read_text()


def test_the_gate_lets_a_notice_carry_the_petitioners_own_name(cli: CliRun, office: Office, tmp_path: Path) -> None:
    case_id = _case(office)
    notice = tmp_path / "告知书.txt"
    notice.write_text(f"{REPORTER}：您的来信已收悉。", encoding="utf-8")
    assert cli("gate", str(notice), "--case", case_id, user="王文秘").exit_code == 1
    assert cli("gate", str(notice), "--case", case_id, "--to-petitioner", "1", user="王文秘").exit_code == 0


def test_summary_out_refuses_identities_and_records_the_review(cli: CliRun, office: Office) -> None:
    case_id = _case(office)
    refused = cli("case", "summary-out", case_id, "--text", f"{REPORTER}反映王德胜挪用扶贫资金", user="王文秘")
    assert refused.exit_code == 1 and "姓名 1 处" in refused.output and REPORTER not in refused.output
    saved = cli("case", "summary-out", case_id, "--text", "有群众反映王德胜挪用扶贫资金", "--confirm", user="王文秘")
    assert saved.exit_code == 0 and "已复核确认" in saved.output
    shown = json.loads(cli("case", "show", case_id, "--json", user="王文秘").output)
    assert shown["history"][-1]["kind"] == "summary-out" and shown["history"][-1]["data"]["reviewed"] is True


def test_bad_documents_are_refused_cleanly(cli: CliRun, office: Office, tmp_path: Path) -> None:
    case_id = _case(office)
    for name, content in (("empty.docx", b""), ("broken.docx", b"PK\x03\x04broken"), ("old.doc", b"\xd0\xcf\x11\xe0" + bytes(100)),
                          ("broken.pdf", b"%PDF-1.4 garbage")):
        path = tmp_path / name
        path.write_bytes(content)
        result = cli("redact", str(path), "--case", case_id, "--out", str(tmp_path / f"out-{name}"), user="王文秘")
        assert result.exit_code in (0, 1), result.output
        assert "Traceback" not in result.output and "程序内部错误" not in result.output
        if result.exit_code == 1:
            assert not (tmp_path / f"out-{name}").exists()


def test_a_witness_is_protected_like_the_reporter(cli: CliRun, office: Office, tmp_path: Path) -> None:
    registered = cli("case", "register", "--channel", "来访", "--received", "2026-11-02", "--category", "控告",
                     "--importance", "一般", "--anonymous", "--witness", "欧阳春燕", "--witness-phone", "13947712345",
                     "--reported", "王德胜", "--summary", "反映王德胜打击报复", "--classification", "秘密", "--json",
                     user="王文秘")
    case_id = json.loads(registered.output)["case_id"]
    letter = tmp_path / "交办函.txt"
    letter.write_text("据证人欧阳春燕（电话13947712345）反映，王德胜打击报复。", encoding="utf-8")
    blocked = cli("gate", str(letter), "--case", case_id, user="王文秘")
    assert blocked.exit_code == 1 and "姓名" in blocked.output
    out = tmp_path / "脱敏.txt"
    assert cli("redact", str(letter), "--case", case_id, "--out", str(out), user="王文秘").exit_code == 0
    assert out.read_text(encoding="utf-8") == "据证人【证人】（电话【手机号】）反映，王德胜打击报复。"


def test_an_outgoing_pdf_is_made_from_the_redacted_docx_without_metadata(
    cli: CliRun, office: Office, tmp_path: Path, soffice: str
) -> None:
    from pypdf import PdfReader

    case_id = _case(office)
    out = tmp_path / "外发.pdf"
    result = cli("redact", str(_letter(tmp_path / "来信.docx")), "--case", case_id, "--out", str(out), "--pdf",
                 user="王文秘")
    assert result.exit_code == 0, result.output
    reader = PdfReader(out)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "【身份证号】" in text or "【手机号】" in text
    assert "王德胜" in text and ID_NUMBER not in text and REPORTER not in text
    assert not reader.metadata or not any(reader.metadata.values())
    assert "/Metadata" not in reader.trailer["/Root"]
    assert REPORTER.encode("utf-16-be") not in out.read_bytes()
    assert cli("gate", str(out), "--case", case_id, user="王文秘").exit_code == 0


def test_pdf_output_needs_a_docx(cli: CliRun, office: Office, tmp_path: Path) -> None:
    case_id = _case(office)
    letter = tmp_path / "信.txt"
    letter.write_text("内容", encoding="utf-8")
    result = cli("redact", str(letter), "--case", case_id, "--out", str(tmp_path / "x.pdf"), "--pdf", user="王文秘")
    assert result.exit_code == 1 and "只能由脱敏后的 DOCX 生成" in result.output
    assert not (tmp_path / "x.pdf").exists()
