"""``xinfang generate``: drafts from the command line — fields, data files, the list of kinds, reminders, permissions.

Set up through the library (the office of ``tests/generators/conftest.py``), act
through the CLI, check exit code, message, the files in ``--out`` and the drafts table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result

from generators.kinds import KINDS
from tests.cli.test_case import EXIT_INVALID, EXIT_PERMISSION, ok, refused
from tests.conftest import CliRun, Office
from tests.generators.conftest import (
    ANONYMOUS,
    NO_SUMMARY,
    PETITIONER,
    PHONE,
    REAL,
    REQUIRED,
    SECRETARY,
    SUMMARY_OUT,
    UNIT,
    YEAR,
    paragraphs,
)

EXIT_USAGE = 2
DRAFT_ID = re.compile(rf"NG-{YEAR}-\d{{6}}")


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path / "草稿"


def sets(values: dict[str, str]) -> list[str]:
    return [arg for key, value in values.items() for arg in ("--set", f"{key}={value}")]


def drafts_saved(town: Office) -> int:
    with town.raw_catalogue() as conn:
        return conn.execute("SELECT count(*) FROM drafts").fetchone()[0]


def nothing_written(result: Result, town: Office, out: Path) -> None:
    assert not out.exists() and drafts_saved(town) == 0, result.output


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


# --------------------------------------------------------------------------- a draft


def test_generate_json_names_the_draft_and_its_file(cli: CliRun, town: Office, out: Path) -> None:
    result = ok(cli("generate", "assignment", "--case", REAL, "--out", str(out), "--json", user=SECRETARY))
    shown = json.loads(result.stdout)
    assert {"draft_id", "path"} <= set(shown) and shown["warnings"] == []
    assert shown["draft_id"] == f"NG-{YEAR}-000001"
    path = Path(shown["path"])
    assert path.parent == out and path.name == f"NG-{YEAR}-000001-交办函（草稿）.docx"
    text = paragraphs(path.read_bytes())
    assert SUMMARY_OUT in text and f"{UNIT}：" in text and f"伊纪群字〔{YEAR}〕  号" in "".join(text)
    assert result.stderr == ""


def test_a_kind_is_named_in_chinese_and_the_draft_is_reported_in_words(cli: CliRun, town: Office, out: Path) -> None:
    result = ok(cli("generate", "不予受理告知书", "--case", REAL, *sets(REQUIRED["notice-decline"]),
                    "--out", str(out), user=SECRETARY))
    (path,) = out.iterdir()
    assert path.name == f"NG-{YEAR}-000001-不予受理告知书（草稿）.docx"
    assert f"NG-{YEAR}-000001" in result.stdout and REAL in result.stdout and str(path) in result.stdout
    assert f"{PETITIONER}：" in paragraphs(path.read_bytes())


def test_every_missing_and_invalid_field_is_reported_together_and_nothing_is_written(
    cli: CliRun, town: Office, out: Path
) -> None:
    result = cli("generate", "reply", "--case", REAL, "--set", "review_days=三十", "--set", "bogus=1",
                 "--set", "收件日期=2026-13-01", "--out", str(out), user=SECRETARY)
    stderr = refused(result, EXIT_INVALID, "未生成任何文件")
    problems = [line for line in stderr.splitlines() if line.strip().startswith("·")]
    assert len(problems) == 7, stderr
    for expected in ("没有字段“bogus”", "收件日期“2026-13-01”不存在", "缺少投诉请求（request）", "缺少事实和理由（facts）", "缺少处理意见及依据（decision）",
                     "缺少复查机关（review_office）", "申请复查的期限（日）应为正整数"):
        assert expected in stderr
    nothing_written(result, town, out)


def test_fields_are_given_by_chinese_label(cli: CliRun, town: Office, out: Path) -> None:
    labels = {"不予受理的理由": "所反映问题属于民事纠纷", "应向哪一机关反映": "伊金霍洛旗人民法院", "依据": "《信访工作条例》",
              "紧急程度": "加急"}
    ok(cli("generate", "notice-decline", "--case", REAL, *sets(labels), "--out", str(out), user=SECRETARY))
    (path,) = out.iterdir()
    text = "\n".join(paragraphs(path.read_bytes()))
    assert "经审查，所反映问题属于民事纠纷。根据《信访工作条例》，本机关不予受理。" in text
    assert "请你向伊金霍洛旗人民法院反映。" in text and "加急" in text


def test_a_set_without_equals_sign_is_refused_naming_it(cli: CliRun, town: Office, out: Path) -> None:
    result = cli("generate", "assignment", "--case", REAL, "--set", "unit红庆河镇纪委", "--out", str(out),
                 user=SECRETARY)
    refused(result, EXIT_INVALID, "字段=值", "“unit红庆河镇纪委”")
    nothing_written(result, town, out)


@pytest.mark.parametrize(("name", "text"), [
    ("听证.json", json.dumps({**REQUIRED["hearing-minutes"], "attendees": ["吴领导", "王文秘"],
                              "held_on": "2026年11月20日"}, ensure_ascii=False)),
    ("听证.yaml", "matter: 红庆河镇扶贫专项资金使用问题\nheld_on: 2026-11-20\nplace: 旗纪委监委第一会议室\n"
                  "chair: 吴领导\n出席:\n  - 吴领导\n  - 王文秘\npresentation: 介绍了信访事项的基本情况。\n"
                  "petitioner_statement: 信访人陈述了反映的问题。\nrespondent_statement: 被信访人作了说明。\n"
                  "department_answer: 旗财政局答复了扶贫资金的拨付情况。\nruling: |\n  责成红庆河镇于一个月内整改。\n"
                  "  整改结果报旗纪委监委。\n"),
])
def test_values_come_from_json_or_yaml_data(cli: CliRun, town: Office, out: Path, tmp_path: Path, name: str,
                                            text: str) -> None:
    ok(cli("generate", "hearing-minutes", "--case", REAL, "--data", write(tmp_path / name, text), "--out", str(out),
           user=SECRETARY))
    (path,) = out.iterdir()
    document = paragraphs(path.read_bytes())
    assert "出席：吴领导、王文秘" in document and "关于红庆河镇扶贫专项资金使用问题的听证会议纪要" in document
    assert any(p.startswith("2026年11月20日，吴领导在旗纪委监委第一会议室") for p in document)


def test_set_wins_over_data_for_the_same_field_name(cli: CliRun, town: Office, out: Path, tmp_path: Path) -> None:
    data = write(tmp_path / "数据.json", json.dumps({"unit": "甲单位纪委", "case_id": REAL}, ensure_ascii=False))
    ok(cli("generate", "forward", "--case", REAL, "--data", data, "--set", "unit=乙单位纪委", "--out", str(out),
           user=SECRETARY))
    (path,) = out.iterdir()
    assert "乙单位纪委：" in paragraphs(path.read_bytes())


def test_set_by_chinese_label_wins_over_data_by_field_name(cli: CliRun, town: Office, out: Path,
                                                           tmp_path: Path) -> None:
    data = write(tmp_path / "数据.json", json.dumps({"unit": "甲单位纪委"}, ensure_ascii=False))
    ok(cli("generate", "forward", "--case", REAL, "--data", data, "--set", "承办单位=乙单位纪委", "--out", str(out),
           user=SECRETARY))
    (path,) = out.iterdir()
    assert "乙单位纪委：" in paragraphs(path.read_bytes())


@pytest.mark.parametrize(("name", "text", "naming"), [
    ("坏.json", '{"unit": "红庆河镇纪委",', "格式错误"),
    ("坏.yaml", "unit: [红庆河镇纪委\n", "格式错误"),
    ("列表.json", '["红庆河镇纪委"]', "映射"),
])
def test_a_malformed_data_file_is_refused_in_chinese(cli: CliRun, town: Office, out: Path, tmp_path: Path,
                                                     name: str, text: str, naming: str) -> None:
    result = cli("generate", "forward", "--case", REAL, "--data", write(tmp_path / name, text), "--out", str(out),
                 user=SECRETARY)
    stderr = refused(result, EXIT_INVALID, f"数据文件 {name}", naming)
    assert stderr.startswith("无法生成文书：")
    nothing_written(result, town, out)


def test_hearing_minutes_without_a_ruling_or_a_deferral_are_refused(cli: CliRun, town: Office, out: Path) -> None:
    without = {k: v for k, v in REQUIRED["hearing-minutes"].items() if k != "ruling"}
    result = cli("generate", "hearing-minutes", "--case", REAL, *sets(without), "--set", "deferred_department=旗财政局",
                 "--out", str(out), user=SECRETARY)
    refused(result, EXIT_INVALID, "听证会议须有裁定结果", "反馈期限")
    nothing_written(result, town, out)


def test_the_missing_ruling_is_reported_with_the_other_missing_fields(cli: CliRun, town: Office, out: Path) -> None:
    without = {k: v for k, v in REQUIRED["hearing-minutes"].items() if k not in ("ruling", "place")}
    result = cli("generate", "hearing-minutes", "--case", REAL, *sets(without), "--out", str(out), user=SECRETARY)
    refused(result, EXIT_INVALID, "缺少会议地点（place）", "听证会议须有裁定结果")


def test_a_real_name_case_without_summary_out_cannot_be_drafted_as_assignment(cli: CliRun, town: Office,
                                                                              out: Path) -> None:
    result = cli("generate", "交办函", "--case", NO_SUMMARY, "--out", str(out), user=SECRETARY)
    refused(result, EXIT_INVALID, "缺少反映的主要问题（转出摘要）", "署实名件只能用转出摘要")
    nothing_written(result, town, out)


def test_a_leaked_identity_is_drafted_with_a_warning(cli: CliRun, town: Office, out: Path) -> None:
    matter = f"信访人{PETITIONER}（电话{PHONE}）反映镇长挪用扶贫专项资金。"
    result = ok(cli("generate", "assignment", "--case", REAL, "--set", f"matter={matter}", "--out", str(out),
                    user=SECRETARY))
    assert "注意：" in result.stderr and "身份信息" in result.stderr and "不能签发" in result.stderr
    assert PETITIONER not in result.stderr and PHONE not in result.stderr
    assert drafts_saved(town) == 1
    shown = json.loads(ok(cli("generate", "assignment", "--case", REAL, "--set", f"matter={matter}",
                              "--out", str(out), "--json", user=SECRETARY)).stdout)
    (warning,) = shown["warnings"]
    assert "身份信息" in warning


def test_an_unknown_case_is_refused(cli: CliRun, town: Office, out: Path) -> None:
    result = cli("generate", "forward", "--case", "XF-2026-0099", "--out", str(out), user=SECRETARY)
    refused(result, EXIT_INVALID, "XF-2026-0099")
    nothing_written(result, town, out)


@pytest.mark.parametrize("user", ["周调查", "钱审计"])
def test_only_secretaries_and_leaders_draft(cli: CliRun, town: Office, out: Path, user: str) -> None:
    result = cli("generate", "forward", "--case", ANONYMOUS, "--out", str(out), user=user)
    refused(result, EXIT_PERMISSION, "拟稿")
    nothing_written(result, town, out)


# --------------------------------------------------------------------------- the kinds


def test_list_json_gives_every_kind_with_its_fields(cli: CliRun, town: Office) -> None:
    listed = json.loads(ok(cli("generate", "--list", "--json", user=SECRETARY)).stdout)["kinds"]
    assert [k["id"] for k in listed] == [k.id for k in KINDS] and len(listed) == 12
    by_id = {k["id"]: k for k in listed}
    assert (by_id["assignment"]["name"], by_id["assignment"]["series"]) == ("交办函", "伊纪群字")
    assert (by_id["forward"]["series"], by_id["supervision"]["series"], by_id["reminder"]["series"]) == (
        "伊纪信字", "伊纪督字", "伊纪催字")
    assert (by_id["hearing-minutes"]["format"], by_id["talk-form"]["format"]) == ("minutes", "form")
    for kind in listed:
        assert kind["fields"], kind["id"]
        for field in kind["fields"]:
            assert {"name", "label", "required", "default_from"} <= set(field)
    fields = {f["name"]: f for f in by_id["assignment"]["fields"]}
    assert fields["matter"]["label"] == "反映的主要问题（转出摘要）" and fields["matter"]["required"] is True
    assert "转出摘要" in fields["matter"]["default_from"]
    assert fields["urgency"]["required"] is False and fields["urgency"]["choices"] == ["特急", "加急"]
    ruling = {f["name"]: f for f in by_id["hearing-minutes"]["fields"]}["ruling"]
    assert (ruling["required"], ruling["default_from"]) == (False, None)
    assert "cc" not in {f["name"] for f in by_id["talk-form"]["fields"]}


def test_list_names_every_kind_for_people(cli: CliRun, town: Office) -> None:
    result = ok(cli("generate", "--list", user=SECRETARY))
    for kind in KINDS:
        assert f"{kind.id}  {kind.name}" in result.stdout
    assert "伊纪群字〔年份〕n号" in result.stdout and "report_due" in result.stdout


def test_an_unknown_kind_is_a_usage_error_listing_the_kinds(cli: CliRun, town: Office) -> None:
    result = cli("generate", "通知书", "--case", REAL, user=SECRETARY)
    refused(result, EXIT_USAGE, "“通知书”")
    for kind in KINDS:
        assert f"{kind.id}（{kind.name}）" in result.stderr


def test_each_kind_has_help_with_its_fields_and_an_example(cli: CliRun, town: Office) -> None:
    for kind in KINDS:
        result = ok(cli("generate", kind.id, "--help"))
        assert kind.name in result.stdout and f"xinfang generate {kind.id} --case" in result.stdout
        assert all(field.name in result.stdout for field in kind.all_fields), kind.id


# --------------------------------------------------------------------------- reminders


def test_reminders_are_drafted_for_the_cases_due_with_a_summary_line(cli: CliRun, town: Office, out: Path) -> None:
    result = ok(cli("generate", "reminders", "--as-of", "2026-11-28", "--out", str(out), user=SECRETARY))
    assert result.stdout.splitlines()[-1] == "共 1 件应催办：已拟稿 1 件，失败 0 件。"
    (path,) = out.iterdir()
    assert path.name == f"NG-{YEAR}-000001-催办函（草稿）.docx"
    assert f"{UNIT}：" in paragraphs(path.read_bytes()) and REAL in result.stdout
    again = ok(cli("generate", "reminders", "--as-of", "2026-11-28", "--out", str(out), user=SECRETARY))
    assert f"已有待签发的催办函草稿 NG-{YEAR}-000001" in again.stdout and len(list(out.iterdir())) == 1
    assert again.stdout.splitlines()[-1] == "共 1 件应催办：已拟稿 0 件，已有待签发草稿 1 件，失败 0 件。"


def test_reminders_json_and_a_day_when_none_is_due(cli: CliRun, town: Office, out: Path) -> None:
    shown = json.loads(ok(cli("generate", "reminders", "--as-of", "2026-11-28", "--out", str(out), "--json",
                              user=SECRETARY)).stdout)
    (drafted,) = shown["drafts"]
    assert drafted["case_id"] == REAL and DRAFT_ID.fullmatch(drafted["draft_id"]) and Path(drafted["path"]).is_file()
    assert shown["failed"] == []
    quiet = ok(cli("generate", "reminders", "--as-of", "2026-11-01", "--out", str(out), user=SECRETARY))
    assert quiet.stdout.splitlines()[-1] == "共 0 件应催办：已拟稿 0 件，失败 0 件。"


@pytest.mark.parametrize("user", ["周调查", "钱审计"])
def test_reminders_need_a_drafter(cli: CliRun, town: Office, out: Path, user: str) -> None:
    result = cli("generate", "reminders", "--out", str(out), user=user)
    refused(result, EXIT_PERMISSION, "拟稿")
    nothing_written(result, town, out)
