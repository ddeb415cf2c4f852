from __future__ import annotations

import pytest

from archive.detection import IdentityDetector, KnownIdentity, fold, split_name

REPORTER = [
    KnownIdentity("姓名", "张秀兰", "举报人1", "举报人"),
    KnownIdentity("身份证号", "152701198003151234", "举报人1", "举报人"),
    KnownIdentity("手机号", "13812345678", "举报人1", "举报人"),
    KnownIdentity("住址", "阿勒腾席热镇幸福小区3号楼", "举报人1", "举报人"),
    KnownIdentity("工作单位", "某镇财政所", "举报人1", "举报人"),
]


def found(text: str, identities=REPORTER, office=("0477-8888888",)) -> list[tuple[str, str]]:
    return [(f.category, text[f.start : f.end]) for f in IdentityDetector(identities, office).find(text)]


def test_folding_is_one_for_one() -> None:
    text = "电话：１３８ＡＢ　号"
    assert len(fold(text)) == len(text) and fold(text) == "电话:138AB 号"


@pytest.mark.parametrize("name, parts", [("张秀兰", ("张", "秀兰")), ("欧阳春燕", ("欧阳", "春燕")), ("王五", ("王", "五"))])
def test_compound_surnames(name: str, parts: tuple[str, str]) -> None:
    assert split_name(name) == parts


@pytest.mark.parametrize(
    "text, expected",
    [
        ("张秀兰同志反映", ("姓名", "张秀兰")),
        ("张 秀 兰反映", ("姓名", "张 秀 兰")),
        ("据秀兰女士称", ("姓名", "秀兰")),
        ("身份证 152701 19800315 1234 号", ("身份证号", "152701 19800315 1234")),
        ("电话１３８－１２３４－５６７８", ("手机号", "１３８－１２３４－５６７８")),
        ("住阿勒腾席热镇 幸福小区3号楼", ("住址", "阿勒腾席热镇 幸福小区3号楼")),
        ("在某镇财政所工作", ("工作单位", "某镇财政所")),
    ],
)
def test_the_case_identities_are_found_in_their_usual_variants(text: str, expected: tuple[str, str]) -> None:
    assert expected in found(text)


@pytest.mark.parametrize(
    "text, category",
    [
        ("证人身份证号11010519491231002X在此", "身份证号"),
        ("证人身份证号110105194912310021在此", "身份证号"),  # a failed check digit never drops a hit
        ("手机+86 139-0000-1111", "手机号"),
        ("座机(0477)8512345转123", "固定电话"),
        ("卡号：6222 0212 3456 7890 128", "银行卡号"),
        ("邮箱 li.si@example.com", "电子邮箱"),
        ("车牌蒙K12345", "车牌号"),
        ("新能源车蒙KD12345", "车牌号"),
        ("护照E12345678", "护照号"),
        ("港澳通行证C12345678", "通行证号"),
        ("QQ：123456789", "QQ号"),
        ("微信号 zhang_xl2020", "微信号"),
        ("统一社会信用代码91110000600037341L", "统一社会信用代码"),
    ],
)
def test_validated_patterns_find_what_the_case_does_not_know(text: str, category: str) -> None:
    assert category in [c for c, _ in found(text, identities=[])]


@pytest.mark.parametrize(
    "text",
    [
        "伊纪群字〔2026〕7号",
        "档号J001-WS·2026-D30-XFS-0007",
        "2026年11月5日，2026-11-05",
        "挪用资金120000元，合计12.5万元",
        "依据《条例》第三十二条、第15条",
        "本室电话0477-8888888",
        "记录R-2026-000123，信访件XF-2026-0001",
        "订单编号6222021234567890128",  # a card number needs its context words
    ],
)
def test_references_dates_money_and_the_office_are_not_identities(text: str) -> None:
    assert found(text, identities=[]) == []


def test_a_full_name_wins_over_the_given_name_inside_it() -> None:
    assert found("张秀兰说") == [("姓名", "张秀兰")]


def test_a_one_character_given_name_is_not_matched_alone() -> None:
    assert found("老五说五一放假", [KnownIdentity("姓名", "王五", "举报人1", "举报人")]) == []


def test_an_id_number_is_not_also_a_phone() -> None:
    assert found("身份证13812345678901234X", identities=[]) == [("身份证号", "13812345678901234X")]


def test_a_given_name_inside_the_name_of_someone_who_may_be_named_is_left_alone() -> None:
    reporter = [KnownIdentity("姓名", "刘建华", "举报人1", "举报人")]
    detector = IdentityDetector(reporter, other_names=["张建华"])
    text = "刘建华反映张建华的问题，建华称"
    assert [text[f.start : f.end] for f in detector.find(text)] == ["刘建华", "建华"]
