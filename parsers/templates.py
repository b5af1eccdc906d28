"""The format templates: which printed labels mean which code, as data.

Every pattern is a regular expression over the *key form* of the text (Chinese characters only;
spaces, punctuation, line breaks and enumerators removed — see :mod:`parsers.stream`).  Adding a
wording variant found in a real report means adding an alternative here, nothing else.

Label kinds:
- ``row``: starts a row; the numbers that follow belong to it.
- ``column``: a column header; consecutive column labels form the header of the rows below them.
- ``group``: a header group of the reviews table (行政复议 / 未经复议直接起诉 / 复议后起诉); acts as a row
  when numbers follow it directly (a table printed one group per row).
- ``category``: a merged label over several rows (（三）不予公开); ends the row before it.
- ``block``: the 第二十条第（X）项 sub-table heading; a new header follows.
- ``noise``: printed text that means nothing for the numbers (信息内容, 申请人情况, headings).

``alt`` resolves labels that name both a column and a row: ``总计`` is the total column in the header
and the 三(七) 总计 row below it; ``其他`` is the other-organisation column in the header and the
三(六)3 row below it.  ``dual`` marks 其他处理: the legacy format's single row, but only a category in
the 2021 format when its three sub-rows follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .vocabulary import APPLICANT_PARTS, APPLICATION_ROWS, PROACTIVE_ROWS, REVIEW_COLUMNS, REVIEW_ROWS


@dataclass(frozen=True)
class Label:
    kind: str
    pattern: str
    code: str | None = None
    alt: tuple[str, str] | None = None  # (kind, code) once rows have started
    dual: bool = False
    unit: str | None = None  # amount unit the column is printed in, when the label says


@dataclass(frozen=True)
class SectionTemplate:
    section: str
    labels: tuple[Label, ...]
    # columns whose merged header cell can surface anywhere in extracted header text but that the
    # national template always prints rightmost
    pinned_last: tuple[str, ...] = ()
    # the reviews table prints its numbers in one row under a two-level header
    implicit_row: bool = False
    matcher: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Longest patterns first so that 其他法律行政法规禁止公开 wins over 其他, 行政规范性文件 over 规范性文件.
        order = sorted(range(len(self.labels)), key=lambda i: -len(self.labels[i].pattern))
        alts = "|".join(f"(?P<L{i}>{self.labels[i].pattern})" for i in order)
        object.__setattr__(self, "matcher", re.compile(alts))

    def label_of(self, m: re.Match[str]) -> Label:
        assert m.lastgroup is not None
        return self.labels[int(m.lastgroup[1:])]


PROACTIVE = SectionTemplate(
    "proactive",
    (
        Label("noise", r"主动公开政府信息情况"),
        Label("noise", r"信息内容"),
        Label("block", r"第二十条第[一二三四五六七八九十]?项"),
        # columns, 2021
        Label("column", r"本年新?制发(?:件数|数量|件)", "issued"),
        Label("column", r"本年废止(?:件数|数量|件)", "repealed"),
        Label("column", r"现行有效(?:件数|数量|件)(?:历史累计)?", "in_force"),
        Label("column", r"(?:本年)?处理决定(?:数量|数|件数)", "decisions"),
        Label("column", r"本年收费金额(?:单位)?万元", "fee_amount_10k_yuan", unit="万元"),
        Label("column", r"本年收费金额(?:单位)?元", "fee_amount_10k_yuan", unit="元"),
        Label("column", r"本年收费金额", "fee_amount_10k_yuan"),
        # columns, legacy
        Label("column", r"本年新制作(?:数量|件数)", "produced"),
        Label("column", r"本年新公开(?:数量|件数)", "published"),
        Label("column", r"对外公开总(?:数量|件数)", "total_published"),
        Label("column", r"上一年项目数量?", "items_prev_year"),
        Label("column", r"本年增减", "items_change"),
        Label("column", r"采购项目数量?", "procurement_items"),
        Label("column", r"采购总金额(?:单位)?万元", "procurement_amount_10k_yuan", unit="万元"),
        Label("column", r"采购总金额(?:单位)?元", "procurement_amount_10k_yuan", unit="元"),
        Label("column", r"采购总金额", "procurement_amount_10k_yuan"),
        # rows
        Label("row", r"规章", "regulations"),
        Label("row", r"(?:行政)?规范性文件", "normative_documents"),
        Label("row", r"行政许可", "administrative_licensing"),
        Label("row", r"其他对外管理服务事项", "other_external_services"),
        Label("row", r"行政处罚", "administrative_penalty"),
        Label("row", r"行政强制", "administrative_coercion"),
        Label("row", r"行政事业性收费", "administrative_fees"),
        Label("row", r"政府集中采购", "centralized_procurement"),
    ),
)

APPLICATIONS = SectionTemplate(
    "applications",
    (
        Label("noise", r"收到和处理政府信息公开申请(?:的)?情况"),
        Label("noise", r"本列数据的?勾稽关系为?[\u4e00-\u9fff]{0,40}?第四项之和"),
        Label("noise", r"申请人情况"),
        Label("noise", r"法人或其他组织"),
        Label("category", r"本年度?办理结果"),
        Label("category", r"不予公开"),
        Label("category", r"无法提供"),
        Label("category", r"不予处理"),
        Label("row", r"其他处理", "other_total", dual=True),
        Label("column", r"自然人", "natural_person"),
        Label("column", r"商业企业", "commercial_enterprise"),
        Label("column", r"科研机构", "research_institution"),
        Label("column", r"社会(?:公益)?组织", "social_welfare_org"),
        Label("column", r"法律服务机构", "legal_service_org"),
        Label("column", r"其他", "other_org", alt=("row", "other_other")),
        Label("column", r"总计|合计", "total", alt=("row", "processed_total")),
        Label("row", r"本年新收(?:到的?)?政府信息公开申请(?:数量|数|件数)?", "new_received"),
        Label("row", r"上年结转(?:的)?政府信息公开申请(?:数量|数|件数)?", "carried_over_prev"),
        Label("row", r"予以公开", "granted"),
        Label("row", r"部分公开(?:区分处理的只计这一情形不计其他情形)?", "partially_granted"),
        Label("row", r"属于国家秘密", "denied_state_secret"),
        Label("row", r"其他法律行政法规禁止公开", "denied_prohibited_by_law"),
        Label("row", r"危及三安全一稳定", "denied_three_safety_one_stability"),
        Label("row", r"保护第三方合法权益", "denied_third_party_rights"),
        Label("row", r"属于三类内部事务信息", "denied_internal_affairs"),
        Label("row", r"属于四类过程性信息", "denied_process_information"),
        Label("row", r"属于行政执法案卷", "denied_law_enforcement_file"),
        Label("row", r"属于行政查询事项", "denied_administrative_query"),
        Label("row", r"本机关不掌握相关政府信息", "unable_not_held"),
        Label("row", r"没有现成信息需要另行制作", "unable_needs_creation"),
        Label("row", r"补正后申请内容仍不明确", "unable_unclear_after_correction"),
        Label("row", r"信访举报投诉类申请", "rejected_petition_complaint"),
        Label("row", r"重复申请", "rejected_duplicate"),
        Label("row", r"要求提供公开出版物", "rejected_publication"),
        Label("row", r"无正当理由大量反复申请", "rejected_excessive_repeated"),
        Label("row", r"要求行政机关确认或重新出具已获取(?:的)?信息", "rejected_confirmation"),
        Label(
            "row",
            r"申请人无正当理由逾期不补正(?:行政机关不再处理其政府信息公开申请)?",
            "other_no_correction",
        ),
        Label(
            "row",
            r"申请人逾期未按收费通知要求缴纳费用(?:行政机关不再处理其政府信息公开申请)?",
            "other_fee_unpaid",
        ),
        Label("row", r"结转下年度继续办理(?:的)?(?:政府信息公开申请)?(?:数量|数|件数)?", "carried_over_next"),
    ),
    pinned_last=("total",),
)

REVIEWS = SectionTemplate(
    "reviews",
    (
        Label("noise", r"(?:因)?政府信息公开(?:申请)?(?:提起)?(?:的)?行政复议(?:和|及|与)?(?:提起)?行政诉讼(?:的)?情况"),
        Label("noise", r"行政诉讼"),
        Label("group", r"行政复议", "admin_review"),
        Label("group", r"未经复议直接起诉", "litigation_direct"),
        Label("group", r"复议后起诉", "litigation_after_review"),
        Label("column", r"结果维持", "upheld"),
        Label("column", r"结果纠正", "corrected"),
        Label("column", r"其他结果", "other"),
        Label("column", r"尚未审结", "pending"),
        Label("column", r"总计|合计", "total"),
    ),
    implicit_row=True,
)

TEMPLATES: dict[str, SectionTemplate] = {t.section: t for t in (PROACTIVE, APPLICATIONS, REVIEWS)}

# Where each table starts and where the tables end, in key form.
# The proactive table's first sub-table heading, or — in reports that omit the 第二十条 headings — its
# first header cell followed by a column of the table.
PROACTIVE_ANCHOR = re.compile(r"第二十条第一?项|信息内容(?=本年|上一年|处理决定|采购|对外公开|现行有效)")
# The first thing only the applications table prints (its header, or its first row when the header
# is missing), and the section heading that may stand just before it.
APPLICATIONS_ANCHOR = re.compile(r"本列数据的?勾稽关系|申请人情况|本年新收(?:到的?)?政府信息公开申请")
APPLICATIONS_HEADING = re.compile(r"收到和处理政府信息公开申请(?:的)?情况")
APPLICATIONS_LAST_ROW = re.compile(r"结转下年度继续办理(?:的)?(?:政府信息公开申请)?(?:数量|数|件数)?")
REVIEWS_HEAD = re.compile(r"(?:因)?政府信息公开(?:申请)?(?:提起)?(?:的)?行政复议|行政复议")
# The reviews header prints its outcome columns side by side; 结果维持 alone also appears in prose.
REVIEWS_ANCHOR = re.compile(r"结果维持.{0,4}结果纠正|结果纠正.{0,4}其他结果")
END_OF_TABLES = re.compile(r"存在的主要问题|主要问题及改进|其他需要报告的事项")

# How to tell the formats apart (vocabulary: "how to tell").
FORMAT_MARKERS: dict[str, re.Pattern[str]] = {
    "legacy": re.compile(r"本年新制作数量|本年新公开数量|对外公开总数量|上一年项目数量|政府集中采购|采购项目数"),
    "2021": re.compile(r"本年制发件数|本年废止件数|现行有效件数|申请人无正当理由逾期不补正|申请人逾期未按收费通知"),
}


# The order the national templates print their labels in: the evidence that places a misprinted label
# (parsers/alignment.py).  Rows follow the vocabulary's order (expected_rows); each header prints its
# columns as one of these runs (the reviews header prints its five columns once per group), except the
# template's pinned_last columns, which merged header cells print anywhere in the header.
# The proactive table's sub-tables per format: clause, the columns of its header, the rows under it.
PROACTIVE_BLOCKS: dict[str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]] = {
    "2021": (
        ("一", ("issued", "repealed", "in_force"), ("regulations", "normative_documents")),
        ("五", ("decisions",), ("administrative_licensing",)),
        ("六", ("decisions",), ("administrative_penalty", "administrative_coercion")),
        ("八", ("fee_amount_10k_yuan",), ("administrative_fees",)),
    ),
    "legacy": (
        ("一", ("produced", "published", "total_published"), ("regulations", "normative_documents")),
        ("五", ("items_prev_year", "items_change", "decisions"), ("administrative_licensing", "other_external_services")),
        ("六", ("items_prev_year", "items_change", "decisions"), ("administrative_penalty", "administrative_coercion")),
        ("八", ("items_prev_year", "items_change"), ("administrative_fees",)),
        ("九", ("procurement_items", "procurement_amount_10k_yuan"), ("centralized_procurement",)),
    ),
}
# Each header's column run and the rows it heads (None: any row of the table).
COLUMN_RUNS: dict[str, dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...] | None], ...]]] = {
    "proactive": {fmt: tuple((cols, rows) for _clause, cols, rows in blocks) for fmt, blocks in PROACTIVE_BLOCKS.items()},
    "applications": {fmt: ((APPLICANT_PARTS, None),) for fmt in ("2021", "legacy")},
    "reviews": {fmt: ((tuple(c.code for c in REVIEW_COLUMNS) * len(REVIEW_ROWS), None),) for fmt in ("2021", "legacy")},
}
# 第二十条第（X）项: a block heading is one label whatever its clause (the enumerator is cut from the key).
BLOCK_CODE = "block"


def column_runs(section: str, fmt: str | None, row: str | None = None) -> tuple[tuple[str, ...], ...]:
    """The column runs a header of this section may print — over ``row``, when the row below the header is
    known; both formats' when the format is not known."""
    by_fmt = COLUMN_RUNS[section]
    runs = by_fmt[fmt] if fmt in by_fmt else tuple(r for fmt_runs in by_fmt.values() for r in fmt_runs)
    return tuple(dict.fromkeys(cols for cols, rows in runs if row is None or rows is None or row in rows))


def row_order(section: str, fmt: str | None) -> tuple[str, ...]:
    """The rows (the reviews table: groups) in the order the template prints them; every format's when unknown."""
    if fmt in ("legacy", "2021"):
        return expected_rows(section, fmt)
    codes = {"proactive": PROACTIVE_ROWS, "applications": APPLICATION_ROWS, "reviews": REVIEW_ROWS}[section]
    return tuple(c.code for c in codes)


def expected_rows(section: str, fmt: str) -> tuple[str, ...]:
    """The rows a report of this format must print."""
    codes = {"proactive": PROACTIVE_ROWS, "applications": APPLICATION_ROWS}.get(section)
    if codes is None:
        return ("admin_review", "litigation_direct", "litigation_after_review")
    return tuple(c.code for c in codes if fmt in c.formats)
