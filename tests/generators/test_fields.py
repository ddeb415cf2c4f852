"""Fields of a document kind: every problem reported at once, names or Chinese labels, canonical values, data files."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from generators.errors import GeneratorError, InvalidFields
from generators.fields import MAX_DATA_FILE, Field, parse_assignments, read_data_file, resolve

FIELDS = (
    Field("unit", "承办单位", source="交办记录中的承办单位", max_length=20),
    Field("report_due", "报结期限", "date"),
    Field("review_days", "申请复查的期限（日）", "integer"),
    Field("attendees", "出席", "list"),
    Field("facts", "事实和理由", "paragraphs"),
    Field("mode", "谈话方式", "choice", choices=("当面", "下访")),
    Field("basis", "依据", required=False),
    Field("cc", "抄送", "list", required=False),
)
GOOD = {"unit": "红庆河镇纪委", "report_due": "2027-01-12", "review_days": "30", "attendees": "吴领导、王文秘",
        "facts": "经查属实。", "mode": "当面"}


def problems(given: dict[str, object], defaults: dict[str, object] | None = None) -> list[str]:
    with pytest.raises(InvalidFields) as caught:
        resolve(FIELDS, given, defaults or {})
    return caught.value.problems


# --------------------------------------------------------------------------- resolve


def test_valid_values_come_back_in_canonical_form() -> None:
    assert resolve(FIELDS, GOOD, {}) == {
        "unit": "红庆河镇纪委", "report_due": "2027-01-12", "review_days": 30, "attendees": ["吴领导", "王文秘"],
        "facts": ["经查属实。"], "mode": "当面",
    }


def test_every_problem_is_reported_at_once_in_one_message() -> None:
    given = {"bogus": "1", "另一个": "2", "report_due": "2027-02-30", "review_days": "三十", "mode": "电话"}
    with pytest.raises(InvalidFields) as caught:
        resolve(FIELDS, given, {})
    found = caught.value.problems
    assert len(found) == 8, found
    message = str(caught.value)
    assert message.startswith("文书字段有误，未生成任何文件")
    for expected in ("没有字段“bogus”", "没有字段“另一个”", "缺少承办单位（unit）", "缺少出席（attendees）",
                     "缺少事实和理由（facts）", "2027-02-30", "不存在", "申请复查的期限（日）应为正整数",
                     "谈话方式“电话”无效，可选：当面、下访"):
        assert expected in message, (expected, message)
    assert isinstance(caught.value, GeneratorError)


def test_a_missing_default_says_where_it_would_have_come_from() -> None:
    (problem,) = problems({k: v for k, v in GOOD.items() if k != "unit"})
    assert problem == "缺少承办单位（unit）（默认取自交办记录中的承办单位，但该信访件没有此项）"


def test_fields_are_named_in_english_or_by_their_chinese_label() -> None:
    given = {"承办单位": "红庆河镇纪委", "报结期限": "2027年1月12日", "申请复查的期限（日）": "30", "出席": "吴领导",
             " 事实和理由 ": "经查属实。", "谈话方式": "下访"}
    values = resolve(FIELDS, given, {})
    assert values["unit"] == "红庆河镇纪委" and values["report_due"] == "2027-01-12" and values["mode"] == "下访"
    assert values["facts"] == ["经查属实。"]


def test_one_field_given_by_name_and_by_label_is_an_error() -> None:
    assert problems({**GOOD, "承办单位": "另一个单位"}) == ["字段“承办单位”给了两次"]


def test_defaults_fill_what_was_not_given_and_given_values_win() -> None:
    defaults = {"unit": "交办记录中的单位", "report_due": datetime.date(2027, 1, 12), "basis": "《信访工作条例》"}
    given = {k: v for k, v in GOOD.items() if k not in ("unit", "report_due")}
    values = resolve(FIELDS, given, defaults)
    assert values["unit"] == "交办记录中的单位" and values["report_due"] == "2027-01-12"
    assert values["basis"] == "《信访工作条例》"
    assert resolve(FIELDS, {**given, "unit": "改派单位"}, defaults)["unit"] == "改派单位"


def test_an_optional_field_set_empty_is_left_out_but_a_required_one_is_refused() -> None:
    values = resolve(FIELDS, {**GOOD, "basis": "", "cc": "  "}, {"basis": "默认依据"})
    assert "basis" not in values and "cc" not in values
    assert problems({**GOOD, "unit": "  "}) == ["承办单位不能为空"]


def test_text_longer_than_its_field_allows_is_refused() -> None:
    (problem,) = problems({**GOOD, "unit": "某" * 21})
    assert "承办单位" in problem and "20" in problem


@pytest.mark.parametrize(("typed", "stored"), [
    ("2026-11-05", "2026-11-05"),
    ("2026年11月5日", "2026-11-05"),
    ("２０２６年１１月５日", "2026-11-05"),  # typed with a full-width IME
    (datetime.date(2026, 11, 5), "2026-11-05"),  # YAML gives dates
])
def test_dates_are_stored_as_iso(typed: object, stored: str) -> None:
    assert resolve(FIELDS, {**GOOD, "report_due": typed}, {})["report_due"] == stored


@pytest.mark.parametrize("typed", ["2026/11/05", "11月5日", "明天"])
def test_a_date_in_another_form_is_refused_with_the_forms_that_work(typed: str) -> None:
    (problem,) = problems({**GOOD, "report_due": typed})
    assert typed in problem and "2026-11-05" in problem and "2026年11月5日" in problem


@pytest.mark.parametrize(("typed", "stored"), [("30", 30), ("３０", 30), (" 15 ", 15), (7, 7)])
def test_integers_accept_full_width_digits(typed: object, stored: int) -> None:
    assert resolve(FIELDS, {**GOOD, "review_days": typed}, {})["review_days"] == stored


@pytest.mark.parametrize("typed", ["0", "-1", "1.5", "三十", True, ""])
def test_an_integer_must_be_positive(typed: object) -> None:
    (problem,) = problems({**GOOD, "review_days": typed})
    assert problem in ("申请复查的期限（日）应为正整数", "申请复查的期限（日）不能为空")


def test_lists_split_on_chinese_and_latin_separators_and_keep_given_lists() -> None:
    values = resolve(FIELDS, {**GOOD, "attendees": "吴领导、王文秘，郑秘书,周调查；钱审计\n孙档案"}, {})
    assert values["attendees"] == ["吴领导", "王文秘", "郑秘书", "周调查", "钱审计", "孙档案"]
    assert resolve(FIELDS, {**GOOD, "attendees": ["吴领导", " ", "王文秘、郑秘书"]}, {})["attendees"] == [
        "吴领导", "王文秘、郑秘书"]
    assert problems({**GOOD, "attendees": "、，"}) == ["出席不能为空"]


def test_paragraphs_are_one_per_line_and_keep_commas() -> None:
    values = resolve(FIELDS, {**GOOD, "facts": "第一段，含逗号、顿号。\n\n第二段。\n"}, {})
    assert values["facts"] == ["第一段，含逗号、顿号。", "第二段。"]


def test_a_text_field_does_not_take_a_list_or_a_mapping() -> None:
    assert problems({**GOOD, "unit": ["甲", "乙"]}) == ["承办单位应为文字"]
    assert problems({**GOOD, "unit": {"名称": "甲"}}) == ["承办单位应为文字"]


def test_control_characters_are_refused_naming_the_field() -> None:
    (problem,) = problems({**GOOD, "unit": "红庆河\x07镇纪委"})
    assert "承办单位" in problem and "控制字符" in problem


def test_field_json_shape() -> None:
    assert FIELDS[0].to_json() == {"name": "unit", "label": "承办单位", "type": "text", "required": True,
                                   "default_from": "交办记录中的承办单位", "choices": []}
    assert FIELDS[5].to_json()["choices"] == ["当面", "下访"]


# --------------------------------------------------------------------------- --set


def test_assignments_split_at_the_first_equals_sign() -> None:
    assert parse_assignments(["unit=红庆河镇纪委", " 报结期限 =2027-01-12", "facts=a=b", "basis="]) == {
        "unit": "红庆河镇纪委", "报结期限": "2027-01-12", "facts": "a=b", "basis": ""}


def test_every_assignment_without_a_key_is_named_in_one_message() -> None:
    with pytest.raises(InvalidFields) as caught:
        parse_assignments(["unit红庆河镇", "=值", "mode=当面", "reason"])
    (problem,) = caught.value.problems
    assert "字段=值" in problem
    for bad in ("“unit红庆河镇”", "“=值”", "“reason”"):
        assert bad in problem
    assert "mode" not in problem


# --------------------------------------------------------------------------- --data


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_json_data(tmp_path: Path) -> None:
    path = write(tmp_path / "字段.json", json.dumps({"unit": "红庆河镇纪委", "attendees": ["吴领导", "王文秘"],
                                                    "review_days": 30}, ensure_ascii=False))
    data = read_data_file(path)
    assert data == {"unit": "红庆河镇纪委", "attendees": ["吴领导", "王文秘"], "review_days": 30}
    assert resolve(FIELDS, {**GOOD, **data}, {})["attendees"] == ["吴领导", "王文秘"]


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_yaml_data_with_chinese_labels_dates_and_block_text(tmp_path: Path, suffix: str) -> None:
    path = write(tmp_path / f"字段{suffix}",
                 "承办单位: 红庆河镇纪委\n报结期限: 2027-01-12\n出席:\n  - 吴领导\n  - 王文秘\n"
                 "事实和理由: |\n  第一段。\n  第二段。\n")
    data = read_data_file(path)
    assert data["报结期限"] == datetime.date(2027, 1, 12)
    values = resolve(FIELDS, {"申请复查的期限（日）": 30, "谈话方式": "当面", **data}, {})
    assert values["report_due"] == "2027-01-12" and values["facts"] == ["第一段。", "第二段。"]
    assert values["attendees"] == ["吴领导", "王文秘"]


@pytest.mark.parametrize(("name", "text"), [
    ("坏.json", '{"unit": "红庆河镇纪委",}'),
    ("坏.json", "unit: 红庆河镇纪委"),
    ("坏.yaml", "unit: [红庆河镇纪委\n"),
    ("坏.yaml", "unit: 甲\n  attendees: 乙\n"),
])
def test_malformed_data_is_refused_naming_the_file(tmp_path: Path, name: str, text: str) -> None:
    with pytest.raises(InvalidFields) as caught:
        read_data_file(write(tmp_path / name, text))
    (problem,) = caught.value.problems
    assert problem.startswith(f"数据文件 {name} 格式错误：")


@pytest.mark.parametrize("text", ['["unit", "红庆河镇纪委"]', '"红庆河镇纪委"', "null"])
def test_data_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    with pytest.raises(InvalidFields) as caught:
        read_data_file(write(tmp_path / "列表.json", text))
    assert caught.value.problems == ["数据文件 列表.json 应为“字段: 值”的映射"]


def test_data_that_is_not_utf8_or_absent_or_too_large_is_refused(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"unit": "红庆河镇纪委"}'.encode("gbk"))
    big = write(tmp_path / "大.json", '{"unit": "' + "某" * (MAX_DATA_FILE // 3 + 1) + '"}')
    expected = [(gbk, "无法读取数据文件 gbk.json"), (tmp_path / "无.json", "无法读取数据文件 无.json"),
                (big, "数据文件 大.json 超过 1 MiB")]
    for path, message in expected:
        with pytest.raises(InvalidFields) as caught:
            read_data_file(path)
        (problem,) = caught.value.problems
        assert problem.startswith(message), problem


def test_keys_of_data_files_become_text(tmp_path: Path) -> None:
    assert read_data_file(write(tmp_path / "数字.yaml", "2026: 年份\n")) == {"2026": "年份"}


def test_a_json_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "记事本.json"
    path.write_bytes('\ufeff{"unit": "红庆河镇纪委"}'.encode())
    assert read_data_file(path) == {"unit": "红庆河镇纪委"}
