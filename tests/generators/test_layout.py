"""The GB/T 9704-2012 numbers and the element texts: page, grid, sizes, faces, dates, numbers, marks."""

from __future__ import annotations

import datetime

import pytest

from generators import GeneratorError, LayoutError, layout
from generators.fonts import STANDARD_FACES
from generators.layout import (
    DRAFT_MARK,
    FORM,
    GRID,
    HEAD,
    IMPRINT,
    LETTER,
    PAGE,
    PAGE_NUMBER,
    TEXT,
    TypeSize,
    classification_mark,
    copy_number,
    format_date,
    format_document_number,
    mm_to_twips,
    organ_mark_width_percent,
    twips_to_mm,
)

TYPE_AREA_POINTS = PAGE.type_area_width_twips / 20


def test_a4_with_the_standards_margins_leaves_a_156_by_225_type_area() -> None:
    assert (PAGE.width_mm, PAGE.height_mm) == (210, 297)
    assert (PAGE.top_mm, PAGE.left_mm, PAGE.right_mm, PAGE.bottom_mm) == (37, 28, 26, 35)
    assert (PAGE.type_area_width_mm, PAGE.type_area_height_mm) == (156, 225)
    assert (PAGE.type_area_width_twips, PAGE.type_area_height_twips) == (8845, 12756)
    assert twips_to_mm(PAGE.type_area_width_twips) == pytest.approx(156, abs=0.1)


def test_the_grid_holds_exactly_22_lines_and_28_characters_in_word() -> None:
    assert (GRID.line_pitch, GRID.char_space) == (579, -842)
    assert 22 * GRID.line_pitch <= PAGE.type_area_height_twips < 23 * GRID.line_pitch
    assert 22 * (GRID.line_pitch + 1) > PAGE.type_area_height_twips  # 580 would leave room for 21 lines only
    cell = GRID.char_pitch_twips
    assert 28 * cell <= PAGE.type_area_width_twips < 29 * cell
    assert 28 * (GRID.base_size.points + (GRID.char_space + 1) / 4096) * 20 > PAGE.type_area_width_twips


def test_libreoffice_reads_the_same_grid_as_28_cells_and_a_98_percent_character_fits_one() -> None:
    cell = GRID.libreoffice_cell_twips
    assert cell == 315
    assert 28 * cell <= PAGE.type_area_width_twips < 29 * cell
    assert GRID.glyph_width_percent == 98
    assert TypeSize.THREE.twips * 0.98 <= cell < TypeSize.THREE.twips * 0.99
    assert layout.chars_to_twips(2) == 630  # two whole cells, not 632 (LibreOffice would make that three)


@pytest.mark.parametrize(
    ("size", "label", "points"),
    [
        (TypeSize.INITIAL, "初号", 42),
        (TypeSize.SMALL_INITIAL, "小初", 36),
        (TypeSize.ONE, "一号", 26),
        (TypeSize.TWO, "二号", 22),
        (TypeSize.SMALL_TWO, "小二", 18),
        (TypeSize.THREE, "三号", 16),
        (TypeSize.SMALL_THREE, "小三", 15),
        (TypeSize.FOUR, "四号", 14),
        (TypeSize.SMALL_FOUR, "小四", 12),
        (TypeSize.FIVE, "五号", 10.5),
    ],
)
def test_chinese_type_sizes(size: TypeSize, label: str, points: float) -> None:
    assert (size.label, size.points) == (label, points)
    assert size.half_points == round(points * 2)


def test_each_element_has_the_face_and_size_the_standard_gives_it() -> None:
    assert (TEXT.body.face, TEXT.body.size) == (layout.FANGSONG, TypeSize.THREE)
    assert (TEXT.title.face, TEXT.title.size) == (layout.XIAOBIAOSONG, TypeSize.TWO)
    assert (TEXT.classification.face, TEXT.urgency.face) == (layout.HEITI, layout.HEITI)
    assert (TEXT.imprint.face, TEXT.imprint.size) == (layout.FANGSONG, TypeSize.FOUR)
    assert (TEXT.page_number.face, TEXT.page_number.size) == (layout.SONGTI, TypeSize.FOUR)
    assert (TEXT.minutes_label.face, TEXT.minutes_label.size) == (layout.HEITI, TypeSize.THREE)
    assert TEXT.organ_mark.color == layout.RED == "FF0000"
    assert [style.face for style in layout.HEADING_STYLES] == [
        layout.HEITI, layout.KAITI, layout.FANGSONG, layout.FANGSONG,
    ]
    assert {style.size for style in layout.HEADING_STYLES} == {TypeSize.THREE}


def test_every_face_is_one_the_pdf_font_map_knows() -> None:
    faces = [layout.FANGSONG, layout.XIAOBIAOSONG, layout.HEITI, layout.KAITI, layout.SONGTI]
    assert {face.name for face in faces} <= set(STANDARD_FACES)
    assert layout.XIAOBIAOSONG.substitute == "方正小标宋简体"


def test_the_head_distances() -> None:
    # Three grid lines (份号, 密级, 紧急程度), then the mark's top edge 35 mm under the type area's top.
    assert twips_to_mm(3 * GRID.line_pitch + HEAD.mark_space_before) == pytest.approx(35, abs=0.05)
    assert HEAD.rule_space_points / 72 * 25.4 == pytest.approx(4, abs=0.2)
    assert (HEAD.number_gap_lines, HEAD.title_gap_lines, HEAD.recipient_gap_lines) == (2, 2, 1)


def test_letter_rules_are_170_mm_and_its_first_line_sits_7_8_of_a_character_under_the_rule() -> None:
    assert twips_to_mm(PAGE.type_area_width_twips + 2 * LETTER.rule_overhang_twips) == pytest.approx(170, abs=0.1)
    rule_bottom = mm_to_twips(30) + LETTER.mark_box_height_twips
    first_line_top = mm_to_twips(PAGE.top_mm) + LETTER.first_line_space_twips
    assert first_line_top - rule_bottom == 14 * 20  # 7/8 of 16 pt
    assert PAGE_NUMBER.footer_distance_twips == mm_to_twips(LETTER.bottom_rule_mm) == mm_to_twips(20)


def test_the_draft_mark_is_one_line_well_inside_the_top_margin() -> None:
    line = TEXT.draft_mark.size.twips
    assert (TEXT.draft_mark.face, TEXT.draft_mark.size, TEXT.draft_mark.color) == (layout.HEITI, TypeSize.THREE, None)
    assert DRAFT_MARK.max_chars * line <= PAGE.type_area_width_twips
    assert DRAFT_MARK.header_distance_twips + line < mm_to_twips(LETTER.mark_top_mm)  # above the 信函 mark
    assert DRAFT_MARK.header_distance_twips + 2 * line < mm_to_twips(PAGE.top_mm)  # even a wrapped mark fits


def test_form_labels_take_five_characters_and_the_rules_and_padding_around_them() -> None:
    assert TEXT.form_label == TEXT.minutes_label  # 3号黑体, as the standard sets labels
    assert layout.FORM_RULE == layout.Rule("single", 6, layout.BLACK)  # 0.75 pt black
    text_width = FORM.label_width_twips - 2 * (FORM.cell_padding_twips + layout.pt_to_twips(layout.FORM_RULE.points))
    assert text_width == FORM.label_chars * TEXT.form_label.size.twips == 5 * 320
    assert FORM.label_width_twips < PAGE.type_area_width_twips / 4


def test_page_number_dashes_are_7_mm_under_the_type_area() -> None:
    middle = PAGE_NUMBER.footer_distance_twips + PAGE_NUMBER.space_after_twips + TEXT.page_number.size.twips / 2
    assert twips_to_mm(middle) == pytest.approx(PAGE.bottom_mm - 7, abs=0.1)
    assert PAGE_NUMBER.indent_twips == 280  # one 四号 character
    assert PAGE_NUMBER.dash == "—"


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (datetime.date(2026, 11, 5), "2026年11月5日"),
        (datetime.date(2026, 1, 1), "2026年1月1日"),
        (datetime.date(2026, 12, 31), "2026年12月31日"),
        (datetime.date(2027, 2, 9), "2027年2月9日"),
        (datetime.datetime(2026, 3, 8, 23, 59), "2026年3月8日"),
    ],
)
def test_dates_have_arabic_numerals_and_no_leading_zeros(day: datetime.date, text: str) -> None:
    assert format_date(day) == text


def test_document_numbers() -> None:
    assert format_document_number("伊纪", "群", 2026, 7) == "伊纪群字〔2026〕7号"
    assert format_document_number("伊纪", "信", 2026, 10) == "伊纪信字〔2026〕10号"
    assert format_document_number("伊纪", "群", 2027, 123) == "伊纪群字〔2027〕123号"
    assert format_document_number("伊纪", "群", 2026, None) == "伊纪群字〔2026〕  号"  # draft: numbered at sign-off
    number = format_document_number("伊纪", "群", 2026, 7)
    assert "第" not in number and "007" not in number and "[" not in number


@pytest.mark.parametrize(
    ("year", "number"), [(2026, 0), (2026, -1), (2026, True), (2026, "7"), (26, 7), (20260, 7), (2026.0, 7)]
)
def test_document_numbers_refuse_what_is_not_a_year_and_a_positive_number(year: object, number: object) -> None:
    with pytest.raises(LayoutError):
        format_document_number("伊纪", "群", year, number)  # type: ignore[arg-type]


def test_document_numbers_need_an_organ_code() -> None:
    with pytest.raises(LayoutError):
        format_document_number("", "群", 2026, 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: copy_number(0), "份号应为1至999999：0"),
        (lambda: classification_mark("机要"), "未知密级：'机要'"),
        (lambda: classification_mark("机密", 0), "保密期限应为正整数年：0"),
        (lambda: format_document_number("", "群", 2026, 1), "发文机关代字不能为空"),
        (lambda: format_document_number("伊纪", "群", 26, 1), "年份应为四位数字：26"),
        (lambda: format_document_number("伊纪", "群", 2026, 0), "发文顺序号应为正整数：0"),
    ],
)
def test_layout_errors_are_generator_errors_and_still_value_errors(call: object, message: str) -> None:
    with pytest.raises(LayoutError) as caught:
        call()  # type: ignore[operator]
    assert isinstance(caught.value, GeneratorError) and isinstance(caught.value, ValueError)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("level", "years", "mark"),
    [
        ("机密", 10, "机密★10年"),
        ("绝密", 30, "绝密★30年"),
        ("秘密", 5, "秘密★5年"),
        ("秘密", None, "秘密"),
        ("内部", None, ""),
        ("内部", 10, ""),
        ("公开", None, ""),
    ],
)
def test_classification_marks_star_only_state_secrets(level: str, years: int | None, mark: str) -> None:
    assert classification_mark(level, years) == mark


@pytest.mark.parametrize(("level", "years"), [("机要", 10), ("", None), ("机密", 0), ("机密", -3), ("机密", True)])
def test_classification_marks_refuse_unknown_levels_and_periods(level: str, years: object) -> None:
    with pytest.raises(LayoutError):
        classification_mark(level, years)  # type: ignore[arg-type]


def test_classification_levels_agree_with_the_archive() -> None:
    from archive import Level

    assert layout.CLASSIFICATION_LEVELS == tuple(level.label for level in Level)
    assert layout.STATE_SECRET_LEVELS == tuple(level.label for level in Level if level.is_state_secret)


@pytest.mark.parametrize(("number", "text"), [(1, "000001"), (3, "000003"), (120, "000120"), (999_999, "999999")])
def test_copy_numbers_are_six_digits(number: int, text: str) -> None:
    assert copy_number(number) == text


@pytest.mark.parametrize("number", [0, -1, 1_000_000, True, "3", 3.0])
def test_copy_numbers_refuse_what_six_digits_cannot_hold(number: object) -> None:
    with pytest.raises(LayoutError):
        copy_number(number)  # type: ignore[arg-type]


def test_organ_marks_are_narrowed_to_stay_on_one_line() -> None:
    size = TEXT.organ_mark.size.points
    for most, percent in layout.ORGAN_MARK_WIDTH_STEPS[:-1]:
        assert most * size * percent / 100 <= TYPE_AREA_POINTS
        assert organ_mark_width_percent("字" * most) == percent
    assert organ_mark_width_percent("伊金霍洛旗纪委监委文件") == 100
    assert organ_mark_width_percent("中共伊金霍洛旗纪律检查委员会文件") == 66
    assert organ_mark_width_percent("字" * 40) == 50


def test_copy_to_lines_are_counted_with_room_to_spare() -> None:
    assert IMPRINT.copy_lines("旗委办公室，旗政府办公室") == 1
    assert IMPRINT.copy_lines("字" * 24) == 1  # with the closing 。: 25
    assert IMPRINT.copy_lines("字" * 25) == 2
    assert IMPRINT.copy_lines("字" * 1000) == IMPRINT.max_copy_lines
    # A line of the 版记 really holds 26 characters of the list after "抄送：" (4号, one character in each side).
    assert (PAGE.type_area_width_twips - 2 * 280) // 280 - 3 >= IMPRINT.chars_per_line + 1
