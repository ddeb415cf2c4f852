"""The hostile corpus through the real detector: nothing of the reporter survives, anywhere in the package."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from archive import Level
from archive.cases import CaseRegistration, Petitioner, ReportedPerson, open_case, register_case
from archive.outgoing import outgoing_texts, redact_document
from archive.redaction import LeakBlocked, Redactor, check_outgoing, detector_for_case
from tests.archive.test_docx_redaction import ORDINARY, SECRETS, hostile_docx
from tests.conftest import Office


@pytest.fixture
def case(office: Office):
    with office.open() as archive:
        session = office.session(archive, "王文秘")
        registration = CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.SECRET, real_name=True,
            petitioners=[Petitioner("张秀兰", id_number="152701198003151234", phone="13812345678")],
            reported=[ReportedPerson("王德胜")], summary="反映王德胜挪用扶贫资金",
        )
        case_id = register_case(archive, session, registration, today=date(2026, 11, 28)).case_id
        yield open_case(archive, session, case_id)


@pytest.mark.parametrize("style", ["label", "mask", "surname"])
def test_no_identity_value_survives_anywhere_in_the_package(case, style: str) -> None:
    detector = detector_for_case(case, ["0477-8888888"])
    original = hostile_docx()
    with pytest.raises(LeakBlocked):
        check_outgoing(outgoing_texts(original), detector)
    document = redact_document(original, Redactor(detector, style))
    with zipfile.ZipFile(io.BytesIO(document.data)) as package:
        everything = b"".join(package.read(name) for name in package.namelist())
    for secret in SECRETS:
        assert secret.encode() not in everything, secret
    for ordinary in ORDINARY:
        assert ordinary.encode() in everything, ordinary
    check_outgoing(outgoing_texts(document.data), detector)
    assert document.report.total >= len(SECRETS)


def test_full_width_and_spaced_variants_in_plain_text(case) -> None:
    detector = detector_for_case(case)
    letter = "来信人张 秀 兰，身份证１５２７０１ １９８００３１５ １２３４，手机138-1234-5678。".encode()
    redacted = redact_document(letter, Redactor(detector)).data.decode()
    assert redacted == "来信人【举报人】，身份证【身份证号】，手机【手机号】。"


def test_a_utf8_text_cut_inside_its_last_character_is_still_read_as_utf8() -> None:
    whole = "反映镇长挪用扶贫资金，举报人电话13912345678。".encode()
    for cut in (1, 2):  # the last character "。" is three bytes
        assert outgoing_texts(whole[:-cut]) == [("第 1 行", "反映镇长挪用扶贫资金，举报人电话13912345678")]
    gbk = "反映镇长挪用扶贫资金".encode("gb18030")
    assert outgoing_texts(gbk) == [("第 1 行", "反映镇长挪用扶贫资金")]
    # GB18030 涓 is E4 B8, which UTF-8 reads as a character cut short: an ASCII text ending in it stays GB18030
    assert outgoing_texts(b"report " + "涓".encode("gb18030")) == [("第 1 行", "report 涓")]
