"""Each tolerance of the table reader, on small snippets laid out the way real reports print them."""

from __future__ import annotations

import pytest

from .conftest import parse_text, values

TITLE = "乐清市市场监督管理局\n2023年政府信息公开工作年度报告\n"
LEGACY_TITLE = "乐清市市场监督管理局\n2020年政府信息公开工作年度报告\n"

APP_HEADER_TABS = (
    "三、收到和处理政府信息公开申请情况\n"
    "(本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和)\t\t申请人情况\t\t\t\t\t\t总计\n"
    "\t\t自然人\t法人或其他组织\t\t\t\t\t\n"
    "\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t\n"
)
APPLICANTS = [
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
]


def row_values(result, section: str, row: str, columns=APPLICANTS) -> list:
    v = values(result)
    return [v.get((section, row, c), "MISSING") for c in columns]


# ---------------------------------------------------------------- labels


def test_labels_broken_over_lines_and_stacked_one_character_per_line() -> None:
    text = (
        LEGACY_TITLE
        + "二、主动公开政府信息情况\n第二十条第（一）项\n\n信息内容\n本年新\n\n制作数量\n\n本年新\n\n公开数量\n对外公开总数量\n\n"
        "规章 0 0 0\n\n规范性文件 54 54 315\n\n"
        "三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第\n\n二项之和，等于第三项加第四项\n\n之和）\n\n"
        "申请人情况\n\n自\n\n然\n\n人\n\n法人或其他组织\n\n总计商业企\n\n业\n\n科研\n\n机构\n\n社会公\n\n益组织\n\n法律服\n\n务机构\n\n其\n\n他\n\n"
        "一、本年新收政府信息公开申请数量 354 95 0 0 0 1 450\n\n"
        "（三）不\n\n予\n\n公开\n\n1.属于国家秘密 0 0 0 0 0 0 0\n\n"
        "2.其他法律行政法规\n\n禁止公开\n0 5 0 0 0 0 5\n\n"
        "5.要求行政机关确认\n\n或重新出具已获取信\n\n息\n\n0 1 0 0 0 0 1\n"
    )
    r = parse_text(text)
    assert row_values(r, "proactive", "normative_documents", ["produced", "published", "total_published"]) == [54, 54, 315]
    assert row_values(r, "applications", "new_received") == [354, 95, 0, 0, 0, 1, 450]
    assert row_values(r, "applications", "denied_prohibited_by_law") == [0, 5, 0, 0, 0, 0, 5]
    assert row_values(r, "applications", "rejected_confirmation") == [0, 1, 0, 0, 0, 0, 1]


def test_label_broken_by_its_own_numbers() -> None:
    """pdfminer centres numbers on a two-line label: the numbers land between the label's lines."""
    text = TITLE + APP_HEADER_TABS + "2.其他法律行政法规 0 5 0 0 0 0 5\n禁止公开\n3.危及“三安全一稳定” 1 0 0 0 0 0 1\n"
    r = parse_text(text)
    assert row_values(r, "applications", "denied_prohibited_by_law") == [0, 5, 0, 0, 0, 0, 5]
    assert row_values(r, "applications", "denied_three_safety_one_stability") == [1, 0, 0, 0, 0, 0, 1]


def test_spaces_inside_labels() -> None:
    text = (
        LEGACY_TITLE + "第二十条第（一）项\n信息内容\t本年新 制作数量\t本年新 公开数量\t对外 公开 总数量\n规 章\t1\t2\t3\n"
        "四、政府信息公开行政复议、行政诉讼情况\n行 政 复 议\t\t\t\t\t行 政 诉 讼\n"
        "结 果 维 持\t结 果 纠 正\t其 他 结 果\t尚 未 审 结\t总 计\t未经复议 直接起诉\t\t\t\t\t复议后 起诉\n"
        "\t\t\t\t\t" + "结 果 维 持\t结 果 纠 正\t其 他 结 果\t尚 未 审 结\t总 计\t" * 2 + "\n"
        + "\t".join(str(i) for i in range(1, 16))
        + "\n"
    )
    r = parse_text(text)
    assert row_values(r, "proactive", "regulations", ["produced", "published", "total_published"]) == [1, 2, 3]
    assert row_values(r, "reviews", "litigation_after_review", ["upheld", "corrected", "other", "pending", "total"]) == [
        11,
        12,
        13,
        14,
        15,
    ]


def test_full_width_digits_and_punctuation() -> None:
    text = TITLE + APP_HEADER_TABS + "（一）予以公开\t４０\t２\t０\t０\t０\t０\t４２\n" + "３．危及“三安全一稳定”\t１\t０\t０\t０\t０\t０\t１\n"
    r = parse_text(text)
    assert row_values(r, "applications", "granted") == [40, 2, 0, 0, 0, 0, 42]
    assert row_values(r, "applications", "denied_three_safety_one_stability") == [1, 0, 0, 0, 0, 0, 1]


def test_wording_variants() -> None:
    text = (
        TITLE
        + "第二十条第（一）项\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数（历史累计）\n行政规范性文件\t23\t9\t238\n"
        "三、收到和处理政府信息公开申请情况\n申请人情况\n自然人\t商业企业\t科研机构\t社会组织\t法律服务机构\t其他\t总计\n"
        "一、本年新收政府信息公开申请数量\t1\t2\t3\t4\t5\t6\t21\n"
    )
    r = parse_text(text)
    assert row_values(r, "proactive", "normative_documents", ["issued", "repealed", "in_force"]) == [23, 9, 238]
    assert values(r)[("applications", "new_received", "social_welfare_org")] == 4
    legacy = LEGACY_TITLE + "第二十条第（九）项\n信息内容\t采购项目数\t采购总金额\n政府集中采购\t4\t179.8 万元\n"
    r = parse_text(legacy)
    assert row_values(r, "proactive", "centralized_procurement", ["procurement_items", "procurement_amount_10k_yuan"]) == [4, 179.8]


@pytest.mark.parametrize(
    "rows",
    [
        # category and first sub-row on one line
        "\t(三) 不予公开\t1. 属于国家秘密\t1\t0\t0\t0\t0\t0\t1\n\t\t2. 其他法律行政法规禁止公开\t0\t2\t0\t0\t0\t0\t2\n",
        # category on a line of its own
        "(三) 不予公开\n1. 属于国家秘密\t1\t0\t0\t0\t0\t0\t1\n2. 其他法律行政法规禁止公开\t0\t2\t0\t0\t0\t0\t2\n",
        # rows in another order
        "2. 其他法律行政法规禁止公开\t0\t2\t0\t0\t0\t0\t2\n(三) 不予公开\t1. 属于国家秘密\t1\t0\t0\t0\t0\t0\t1\n",
    ],
    ids=["same-line", "own-line", "any-order"],
)
def test_categories_and_row_order(rows: str) -> None:
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert row_values(r, "applications", "denied_state_secret") == [1, 0, 0, 0, 0, 0, 1]
    assert row_values(r, "applications", "denied_prohibited_by_law") == [0, 2, 0, 0, 0, 0, 2]


def test_total_row_and_other_row_are_told_from_the_columns_of_the_same_name() -> None:
    rows = (
        "\t(六) 其他处理\t1. 申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n"
        "\t\t2. 申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n"
        "\t\t3. 其他\t3\t0\t0\t0\t0\t1\t4\n"
        "\t(七) 总计\t67\t2\t0\t0\t0\t1\t70\n"
    )
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert row_values(r, "applications", "other_other") == [3, 0, 0, 0, 0, 1, 4]
    assert row_values(r, "applications", "processed_total") == [67, 2, 0, 0, 0, 1, 70]
    assert ("applications", "other_total", "total") not in values(r)  # (六) is a category in 2021


def test_legacy_other_handling_is_a_single_row() -> None:
    r = parse_text(LEGACY_TITLE + APP_HEADER_TABS + "\t(六)其他处理\t\t2\t0\t0\t0\t0\t0\t2\n\t(七)总计\t\t5\t0\t0\t0\t0\t0\t5\n")
    assert row_values(r, "applications", "other_total") == [2, 0, 0, 0, 0, 0, 2]


def test_header_on_one_line_or_split_over_two() -> None:
    one = "三、收到和处理政府信息公开申请情况\n申请人情况\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
    row = "一、本年新收政府信息公开申请数量\t7\t1\t0\t0\t0\t0\t8\n"
    assert row_values(parse_text(TITLE + one + row), "applications", "new_received") == [7, 1, 0, 0, 0, 0, 8]
    assert row_values(parse_text(TITLE + APP_HEADER_TABS + row), "applications", "new_received") == [7, 1, 0, 0, 0, 0, 8]


@pytest.mark.parametrize("footer", ["— 3 —", "- 4 -", "第 5 页", "6/12"])
def test_page_footer_in_the_middle_of_a_table(footer: str) -> None:
    rows = "（一）予以公开\t40\t2\t0\t0\t0\t0\t42\n\n" + footer + "\n\n（二）部分公开\t15\t0\t0\t0\t0\t0\t15\n"
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert row_values(r, "applications", "granted") == [40, 2, 0, 0, 0, 0, 42]
    assert row_values(r, "applications", "partially_granted") == [15, 0, 0, 0, 0, 0, 15]
    assert not [p for p in r.problems if p.kind == "unplaced_numbers"]


@pytest.mark.parametrize("layout", ["tabs", "spaces", "pipes", "one-per-line"])
def test_cell_separators(layout: str) -> None:
    cells = ["行政许可", "753", "增 338", "150878"]
    header = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]
    if layout == "tabs":
        body = "\t".join(header) + "\n" + "\t".join(cells) + "\n"
    elif layout == "spaces":
        body = "   ".join(header) + "\n" + "   ".join(cells) + "\n"
    elif layout == "pipes":
        body = "| " + " | ".join(header) + " |\n|---|---|---|---|\n| " + " | ".join(cells) + " |\n"
    else:
        body = "\n".join(header + cells) + "\n"
    r = parse_text(LEGACY_TITLE + "第二十条第（五）项\n" + body)
    assert row_values(r, "proactive", "administrative_licensing", ["items_prev_year", "items_change", "decisions"]) == [
        753,
        338,
        150878,
    ]


# ---------------------------------------------------------------- values


def _cell(printed: str, column: str = "items_change", header: str = "本年增/减"):
    text = LEGACY_TITLE + f"第二十条第（六）项\n信息内容\t上一年项目数量\t{header}\t处理决定数量\n行政处罚\t3363\t{printed}\t5472\n"
    r = parse_text(text)
    return next(f for f in r.facts if f.row == "administrative_penalty" and f.column == column), r


@pytest.mark.parametrize(
    "printed,value",
    [("增 338", 338), ("减 313", -313), ("增338", 338), ("-417", -417), ("0", 0), ("1,234", 1234), ("２５", 25),
     ("增加12", 12), ("减少 7", -7), ("新增3", 3)],
)
def test_signed_changes(printed: str, value: int) -> None:
    fact, _ = _cell(printed)
    assert fact.value == value
    assert fact.raw == printed


@pytest.mark.parametrize("printed", ["/", "—", "-", "／", "——"])
def test_no_number_marks_are_null_never_zero(printed: str) -> None:
    fact, r = _cell(printed)
    assert fact.value is None
    assert fact.raw == printed
    # and the neighbours are still in place
    assert values(r)[("proactive", "administrative_penalty", "decisions")] == 5472


@pytest.mark.parametrize(
    "printed,header,value",
    [
        ("179.8 万元", "采购总金额", 179.8),
        ("258590万元", "采购总金额", 258590),
        ("251000元", "采购总金额", 25.1),
        ("12.5", "采购总金额（万元）", 12.5),
        ("36000", "采购总金额（元）", 3.6),
        ("25.9万", "采购总金额", 25.9),
    ],
)
def test_amounts_are_kept_or_converted_to_10k_yuan(printed: str, header: str, value: float) -> None:
    text = LEGACY_TITLE + f"第二十条第（九）项\n信息内容\t采购项目数量\t{header}\n政府集中采购\t4\t{printed}\n"
    r = parse_text(text)
    assert values(r)[("proactive", "centralized_procurement", "procurement_amount_10k_yuan")] == value
    assert values(r)[("proactive", "centralized_procurement", "procurement_items")] == 4


def test_fee_amount_in_2021_format() -> None:
    text = TITLE + "第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n行政事业性收费\t3.25\n"
    assert values(parse_text(text))[("proactive", "administrative_fees", "fee_amount_10k_yuan")] == 3.25


REVIEWS_HEADER = (
    "四、政府信息公开行政复议、行政诉讼情况\n行政复议\t\t\t\t\t行政诉讼\n"
    "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
    "\t\t\t\t\t" + "结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t" * 2 + "\n"
)


def test_numbers_with_notes_in_brackets() -> None:
    data = "2\t1（市自然资源和规划局））\t1（撤回）\t2\t6\t7\t0\t3（撤回）\t5\t15\t0\t0\t0\t0\t0\n"
    r = parse_text(LEGACY_TITLE + REVIEWS_HEADER + data)
    facts = {(f.row, f.column): f for f in r.facts}
    assert (facts[("admin_review", "corrected")].value, facts[("admin_review", "corrected")].note) == (1, "市自然资源和规划局")
    assert (facts[("admin_review", "other")].value, facts[("admin_review", "other")].note) == (1, "撤回")
    assert (facts[("litigation_direct", "other")].value, facts[("litigation_direct", "other")].note) == (3, "撤回")
    assert facts[("litigation_direct", "total")].value == 15
    assert facts[("admin_review", "upheld")].note is None


def test_enumerators_are_not_notes() -> None:
    rows = "（一）予以公开 155 36 0 0 0 0 191\n（二）部分公开（区分处理的，只计这一情形，不计其他情形） 47 3 0 0 0 1 51\n"
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert row_values(r, "applications", "granted") == [155, 36, 0, 0, 0, 0, 191]
    assert all(f.note is None for f in r.facts)


def test_row_with_fewer_cells_than_columns_is_left_out_with_the_reason() -> None:
    rows = "（一）予以公开\t40\t2\t0\t0\t0\t42\n（二）部分公开\t15\t0\t0\t0\t0\t0\t15\n"
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert not [f for f in r.facts if f.row == "granted"]
    assert row_values(r, "applications", "partially_granted") == [15, 0, 0, 0, 0, 0, 15]
    problem = next(p for p in r.problems if p.row == "granted")
    assert problem.kind == "unplaceable_row" and "6 numbers printed for 7 columns" in problem.detail


def test_extra_cells_are_placed_only_when_every_placement_agrees() -> None:
    same = REVIEWS_HEADER + "\t".join(["0"] * 16) + "\n"
    r = parse_text(LEGACY_TITLE + same)
    assert len([f for f in r.facts if f.section == "reviews"]) == 15
    differ = REVIEWS_HEADER + "\t".join(["0"] * 15 + ["1"]) + "\n"
    r = parse_text(LEGACY_TITLE + differ)
    assert not [f for f in r.facts if f.section == "reviews"]
    assert any(p.kind == "unplaceable_row" and p.section == "reviews" for p in r.problems)


def test_blank_cells_in_a_grid_are_null_and_stay_in_their_columns() -> None:
    header = (
        "| 信息 | | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = "| 一、本年新收政府信息公开申请数量 | |  | 2 |  | 0 | 0 | 0 | 2 |\n| （一）予以公开 | | | | | | | | |\n"
    r = parse_text(TITLE + "三、收到和处理政府信息公开申请情况\n申请人情况\n" + header + rows)
    assert row_values(r, "applications", "new_received") == [None, 2, None, 0, 0, 0, 2]
    assert row_values(r, "applications", "granted") == [None] * 7
    assert all(f.raw == "" for f in r.facts if f.value is None)


def test_report_whose_cells_are_all_blank_has_null_facts_not_zeros() -> None:
    rows = "一、本年新收政府信息公开申请数量\t\t\t\t\t\t\t\t\n二、上年结转政府信息公开申请数量\t\t\t\t\t\t\t\t\n"
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert row_values(r, "applications", "new_received") == [None] * 7
    assert row_values(r, "applications", "carried_over_prev") == [None] * 7
    assert not [c for c in r.checks if c.name.startswith("applications.new_received")]  # not evaluated


def test_truncated_report_keeps_what_it_printed_and_lists_what_is_missing() -> None:
    rows = "一、本年新收政府信息公开申请数量\t\t68\t2\t0\t0\t0\t0\t70\n二、上年结转政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\n三、本年度办理结果\t(一) 予以公开\t40\t2"
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert r.errors == []
    assert row_values(r, "applications", "new_received") == [68, 2, 0, 0, 0, 0, 70]
    kinds = {(p.kind, p.section, p.row) for p in r.problems}
    assert ("missing_section", "reviews", None) in kinds
    assert ("missing_section", "proactive", None) in kinds
    assert ("missing_row", "applications", "processed_total") in kinds
    assert ("unplaceable_row", "applications", "granted") in kinds


def test_unknown_label_does_not_hand_its_numbers_to_the_row_above() -> None:
    rows = "（一）予以公开\t40\t2\t0\t0\t0\t0\t42\n（二）转送其他机关处理\t1\t0\t0\t0\t0\t0\t1\n"
    r = parse_text(TITLE + APP_HEADER_TABS + rows)
    assert row_values(r, "applications", "granted") == [40, 2, 0, 0, 0, 0, 42]
    assert any(p.kind == "unmapped_label" and "转送其他机关处理" in p.detail for p in r.problems)
    assert any(p.kind == "unplaced_numbers" for p in r.problems)


@pytest.mark.parametrize(
    "heading",
    ["四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开申请提起行政复议、行政诉讼情况", "四、因政府信息公开申请行政复议和提起行政诉讼的情况"],
)
def test_reviews_heading_variants(heading: str) -> None:
    table = REVIEWS_HEADER.split("\n", 1)[1]
    r = parse_text(LEGACY_TITLE + heading + "\n" + table + "\t".join(str(i) for i in range(1, 16)) + "\n")
    assert row_values(r, "reviews", "admin_review", ["upheld", "corrected", "other", "pending", "total"]) == [1, 2, 3, 4, 5]
    assert not [p for p in r.problems if p.section == "reviews"]


def test_longer_wordings_of_the_last_row_and_heji_for_total() -> None:
    header = APP_HEADER_TABS.replace("\t总计\n", "\t合计\n")
    rows = "（七）合计\t\t5\t0\t0\t0\t0\t0\t5\n四、结转下年度继续办理的政府信息公开申请数量\t\t2\t0\t0\t0\t0\t0\t2\n"
    r = parse_text(TITLE + header + rows)
    assert row_values(r, "applications", "processed_total") == [5, 0, 0, 0, 0, 0, 5]
    assert row_values(r, "applications", "carried_over_next") == [2, 0, 0, 0, 0, 0, 2]
    assert not [p for p in r.problems if p.kind in ("unmapped_label", "unplaced_numbers")]


def test_merged_cells_printed_once_per_column() -> None:
    """Some converters repeat a merged cell's text in every cell it spans."""
    header = (
        "| 说明 | 说明 | 说明 | 申请人情况 | 申请人情况 | 申请人情况 | 申请人情况 | 申请人情况 | 申请人情况 | 申请人情况 |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        "| 说明 | 说明 | 说明 | 自然人 | 法人或其他组织 | 法人或其他组织 | 法人或其他组织 | 法人或其他组织 | 法人或其他组织 | 总计 |\n"
        "| 说明 | 说明 | 说明 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |\n"
    )
    rows = (
        "| 一、本年新收政府信息公开申请数量 | 一、本年新收政府信息公开申请数量 | 一、本年新收政府信息公开申请数量 | 5 | 1 | 0 | 0 | 0 | 0 | 6 |\n"
        "| 三、本年度办理结果 | （三）不予公开 | 1. 属于国家秘密 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |\n"
        "| 三、本年度办理结果 | （六）其他处理 | 3. 其他 | 2 | 0 | 0 | 0 | 0 | 0 | 2 |\n"
        "| 三、本年度办理结果 | （七）总计 | （七）总计 | 3 | 0 | 0 | 0 | 0 | 0 | 3 |\n"
    )
    r = parse_text(TITLE + "三、收到和处理政府信息公开申请情况\n" + header + rows)
    assert row_values(r, "applications", "new_received") == [5, 1, 0, 0, 0, 0, 6]
    assert row_values(r, "applications", "denied_state_secret") == [1, 0, 0, 0, 0, 0, 1]
    assert row_values(r, "applications", "other_other") == [2, 0, 0, 0, 0, 0, 2]
    assert row_values(r, "applications", "processed_total") == [3, 0, 0, 0, 0, 0, 3]
    assert not [p for p in r.problems if p.kind not in ("missing_row", "missing_section", "unmapped_label")]


def test_header_label_printed_twice_in_tab_text() -> None:
    header = "申请人情况\n自然人\t\t\t\t\t\t总计\n自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计\n"
    r = parse_text(TITLE + "三、收到和处理政府信息公开申请情况\n" + header + "（一）予以公开\t4\t1\t0\t0\t0\t0\t5\n")
    assert row_values(r, "applications", "granted") == [4, 1, 0, 0, 0, 0, 5]


def test_proactive_table_without_article_headings() -> None:
    text = TITLE + "二、主动公开政府信息情况\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t1\t0\t3\n行政规范性文件\t5\t2\t40\n信息内容\t本年处理决定数量\n行政许可\t12\n"
    r = parse_text(text)
    assert row_values(r, "proactive", "normative_documents", ["issued", "repealed", "in_force"]) == [5, 2, 40]
    assert values(r)[("proactive", "administrative_licensing", "decisions")] == 12


def test_none_written_in_a_cell_is_no_number() -> None:
    fact, r = _cell("无")
    assert fact.value is None and fact.raw == "无"
    assert values(r)[("proactive", "administrative_penalty", "decisions")] == 5472
    # …but a 无 stacked one character per line is part of a label
    text = TITLE + APP_HEADER_TABS + "（四）\n无\n法\n提\n供\n1.本机关不掌握相关政府信息 3 0 0 0 0 0 3\n"
    assert row_values(parse_text(text), "applications", "unable_not_held") == [3, 0, 0, 0, 0, 0, 3]
