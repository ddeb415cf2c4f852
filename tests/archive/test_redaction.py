from __future__ import annotations

from datetime import date

import pytest

from archive import InvalidInput, Level, Refused
from archive.cases import CaseRegistration, Petitioner, ReportedPerson, open_case, register_case
from archive.detection import IdentityDetector, KnownIdentity
from archive.handling import summary_out, write_summary_out
from archive.redaction import LeakBlocked, Redactor, check_outgoing, detector_for_case
from tests.conftest import Office

PEOPLE = [
    KnownIdentity("姓名", "张秀兰", "举报人1", "举报人"),
    KnownIdentity("姓名", "张建国", "举报人2", "举报人"),
    KnownIdentity("姓名", "李四海", "证人1", "证人"),
    KnownIdentity("手机号", "13812345678", "举报人1", "举报人"),
]
TEXT = "张秀兰与张建国反映，秀兰称李四海可作证，电话13812345678，身份证11010519491231002X。伊纪群字〔2026〕7号。"


def redacted(style: str) -> tuple[str, Redactor]:
    redactor = Redactor(IdentityDetector(PEOPLE), style)
    return redactor.redact(TEXT, "正文"), redactor


def test_label_style() -> None:
    text, _ = redacted("label")
    assert text == ("【举报人】与【举报人】反映，【举报人】称【证人】可作证，电话【手机号】，身份证【身份证号】。"
                    "伊纪群字〔2026〕7号。")


def test_mask_style_keeps_every_length() -> None:
    text, _ = redacted("mask")
    assert len(text) == len(TEXT) and "张" not in text and "〔2026〕7号" in text
    assert "■■■与■■■反映，■■称■■■" in text


def test_surname_style_tells_people_apart() -> None:
    text, _ = redacted("surname")
    assert text.startswith("张某甲与张某乙反映，某甲称李某可作证")


def test_the_report_names_categories_counts_and_places_never_values() -> None:
    _, redactor = redacted("label")
    report = redactor.report.to_json()
    assert report["total"] == 6
    assert {c["category"]: c["count"] for c in report["categories"]} == {"姓名": 4, "手机号": 1, "身份证号": 1}
    assert "张秀兰" not in str(report) and "13812345678" not in str(report)
    assert report["categories"][0]["places"] == ["正文"]


def test_an_unknown_style_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Redactor(IdentityDetector(PEOPLE), "blur")


def _real_name_case(office: Office) -> str:
    with office.open() as archive:
        registration = CaseRegistration(
            channel="来信", received=date(2026, 11, 2), category="检举", importance="一般",
            classification=Level.SECRET, real_name=True,
            petitioners=[Petitioner("张秀兰", id_number="152701198003151234", phone="13812345678",
                                    address="幸福小区3号楼")],
            reported=[ReportedPerson("王德胜", unit="某镇财政所")], summary="反映王德胜挪用扶贫资金",
        )
        return register_case(archive, office.session(archive, "王文秘"), registration,
                             today=date(2026, 11, 28)).case_id


def test_the_gate_blocks_a_reporter_and_names_category_and_place_not_value(office: Office) -> None:
    case_id = _real_name_case(office)
    with office.open() as archive:
        case = open_case(archive, office.session(archive, "王文秘"), case_id)
        detector = detector_for_case(case, ["0477-8888888"])
        check_outgoing([("正文", "请某镇纪委核查王德胜挪用扶贫资金问题，联系电话0477-8888888。")], detector)
        with pytest.raises(LeakBlocked) as blocked:
            check_outgoing([("正文", "经核实"), ("word/header1.xml", "举报人电话138 1234 5678")], detector)
        assert "手机号" in str(blocked.value) and "word/header1.xml" in str(blocked.value)
        assert "1234" not in str(blocked.value)


def test_a_notice_to_the_petitioner_may_carry_her_own_name_and_address_only(office: Office) -> None:
    case_id = _real_name_case(office)
    with office.open() as archive:
        case = open_case(archive, office.session(archive, "王文秘"), case_id)
        own = detector_for_case(case, addressee=0)
        check_outgoing([("正文", "张秀兰：您寄至幸福小区3号楼的来信已收悉。")], own)
        with pytest.raises(LeakBlocked, match="身份证号"):
            check_outgoing([("正文", "张秀兰（152701198003151234）：")], own)
        with pytest.raises(InvalidInput):
            detector_for_case(case, addressee=1)


def test_the_forwarding_summary_is_refused_with_identities_unless_reviewed(office: Office) -> None:
    case_id = _real_name_case(office)
    with office.open() as archive:
        clerk = office.session(archive, "王文秘")
        with pytest.raises(Refused, match="姓名 1 处"):
            write_summary_out(archive, clerk, case_id, text="张秀兰反映王德胜挪用扶贫资金", reviewed=False)
        case, report = write_summary_out(archive, clerk, case_id, text="群众反映王德胜挪用扶贫资金", reviewed=True)
        assert report.total == 0
        assert summary_out(case) == {"text": "群众反映王德胜挪用扶贫资金", "reviewed": True, "findings": []}
