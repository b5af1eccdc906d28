"""The dataset's public codes: sections, rows and columns, with Chinese and English labels.

These codes are the contract with researchers (they write SQL against them), so they live in one
place, are never renamed, and everything else — templates, checks, warehouse code tables — refers
to them from here.  The Chinese labels are the canonical wording of the national templates; the
label *patterns* that recognise the many printed variants live in :mod:`parsers.templates`.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMATS: dict[str, str] = {
    "legacy": "2019/2020 tables (after the 2019 revision of the 条例)",
    "2021": "tables of 国办公开办函〔2021〕30号, reports on 2021 and later",
    "pre2019": "free-form report from before the standard tables: metadata only",
}

SCOPES: dict[str, str] = {
    "agency": "one body's own work",
    "region_aggregate": "a government's report combining its departments (do not add to them)",
}


@dataclass(frozen=True)
class Code:
    """One code of the vocabulary, with its labels and the formats that print it."""

    code: str
    zh: str
    en: str
    formats: tuple[str, ...] = ("legacy", "2021")


SECTIONS: tuple[Code, ...] = (
    Code("proactive", "二、主动公开政府信息情况", "Information published proactively (条例 art. 20)"),
    Code("applications", "三、收到和处理政府信息公开申请情况", "Disclosure applications received and how they were handled"),
    Code("reviews", "四、政府信息公开行政复议、行政诉讼情况", "Administrative reviews and lawsuits about disclosure"),
)

PROACTIVE_ROWS: tuple[Code, ...] = (
    Code("regulations", "规章", "Regulations (规章), 20(1)"),
    Code("normative_documents", "行政规范性文件", "Normative documents, 20(1)"),
    Code("administrative_licensing", "行政许可", "Administrative licensing, 20(5)"),
    Code("other_external_services", "其他对外管理服务事项", "Other external management services, 20(5)", ("legacy",)),
    Code("administrative_penalty", "行政处罚", "Administrative penalties, 20(6)"),
    Code("administrative_coercion", "行政强制", "Administrative coercive measures, 20(6)"),
    Code("administrative_fees", "行政事业性收费", "Administrative fees, 20(8)"),
    Code("centralized_procurement", "政府集中采购", "Centralised government procurement, 20(9)", ("legacy",)),
)

PROACTIVE_COLUMNS: tuple[Code, ...] = (
    Code("issued", "本年制发件数", "Issued this year", ("2021",)),
    Code("repealed", "本年废止件数", "Repealed this year", ("2021",)),
    Code("in_force", "现行有效件数", "In force", ("2021",)),
    Code("decisions", "本年处理决定数量", "Decisions made this year"),
    Code("fee_amount_10k_yuan", "本年收费金额（单位：万元）", "Fees collected this year, 10k yuan", ("2021",)),
    Code("produced", "本年新制作数量", "Newly produced this year", ("legacy",)),
    Code("published", "本年新公开数量", "Newly published this year", ("legacy",)),
    Code("total_published", "对外公开总数量", "Total published", ("legacy",)),
    Code("items_prev_year", "上一年项目数量", "Items in the previous year", ("legacy",)),
    Code("items_change", "本年增/减", "Change in items this year (signed)", ("legacy",)),
    Code("procurement_items", "采购项目数量", "Procurement items", ("legacy",)),
    Code("procurement_amount_10k_yuan", "采购总金额", "Procurement amount, 10k yuan", ("legacy",)),
)

APPLICANT_COLUMNS: tuple[Code, ...] = (
    Code("natural_person", "自然人", "Natural persons"),
    Code("commercial_enterprise", "商业企业", "Commercial enterprises"),
    Code("research_institution", "科研机构", "Research institutions"),
    Code("social_welfare_org", "社会公益组织", "Social welfare organisations"),
    Code("legal_service_org", "法律服务机构", "Legal service organisations"),
    Code("other_org", "其他", "Other organisations"),
    Code("total", "总计", "Total"),
)

APPLICATION_ROWS: tuple[Code, ...] = (
    Code("new_received", "一、本年新收政府信息公开申请数量", "New applications received this year"),
    Code("carried_over_prev", "二、上年结转政府信息公开申请数量", "Carried over from the previous year"),
    Code("granted", "三(一) 予以公开", "Granted"),
    Code("partially_granted", "三(二) 部分公开", "Partially granted"),
    Code("denied_state_secret", "三(三)1 属于国家秘密", "Denied: state secret"),
    Code("denied_prohibited_by_law", "三(三)2 其他法律行政法规禁止公开", "Denied: prohibited by other laws"),
    Code("denied_three_safety_one_stability", "三(三)3 危及“三安全一稳定”", "Denied: endangers the 'three safeties and one stability'"),
    Code("denied_third_party_rights", "三(三)4 保护第三方合法权益", "Denied: third-party rights"),
    Code("denied_internal_affairs", "三(三)5 属于三类内部事务信息", "Denied: internal affairs"),
    Code("denied_process_information", "三(三)6 属于四类过程性信息", "Denied: process information"),
    Code("denied_law_enforcement_file", "三(三)7 属于行政执法案卷", "Denied: law-enforcement file"),
    Code("denied_administrative_query", "三(三)8 属于行政查询事项", "Denied: administrative query matter"),
    Code("unable_not_held", "三(四)1 本机关不掌握相关政府信息", "Unable: information not held"),
    Code("unable_needs_creation", "三(四)2 没有现成信息需要另行制作", "Unable: would need to be created"),
    Code("unable_unclear_after_correction", "三(四)3 补正后申请内容仍不明确", "Unable: unclear after correction"),
    Code("rejected_petition_complaint", "三(五)1 信访举报投诉类申请", "Not handled: petition or complaint"),
    Code("rejected_duplicate", "三(五)2 重复申请", "Not handled: duplicate"),
    Code("rejected_publication", "三(五)3 要求提供公开出版物", "Not handled: asks for a publication"),
    Code("rejected_excessive_repeated", "三(五)4 无正当理由大量反复申请", "Not handled: excessive repeated applications"),
    Code("rejected_confirmation", "三(五)5 要求行政机关确认或重新出具已获取信息", "Not handled: asks to confirm or reissue information"),
    Code("other_no_correction", "三(六)1 申请人无正当理由逾期不补正", "Other: applicant did not complete the application", ("2021",)),
    Code("other_fee_unpaid", "三(六)2 申请人逾期未按收费通知要求缴纳费用", "Other: fee not paid", ("2021",)),
    Code("other_other", "三(六)3 其他", "Other: other", ("2021",)),
    Code("other_total", "三(六) 其他处理", "Other handling (single row of the legacy format)", ("legacy",)),
    Code("processed_total", "三(七) 总计", "Total processed"),
    Code("carried_over_next", "四、结转下年度继续办理", "Carried over to next year"),
)

REVIEW_ROWS: tuple[Code, ...] = (
    Code("admin_review", "行政复议", "Administrative review"),
    Code("litigation_direct", "行政诉讼 · 未经复议直接起诉", "Lawsuit without prior review"),
    Code("litigation_after_review", "行政诉讼 · 复议后起诉", "Lawsuit after review"),
)

REVIEW_COLUMNS: tuple[Code, ...] = (
    Code("upheld", "结果维持", "Upheld"),
    Code("corrected", "结果纠正", "Corrected"),
    Code("other", "其他结果", "Other outcome"),
    Code("pending", "尚未审结", "Pending"),
    Code("total", "总计", "Total"),
)

ROWS: dict[str, tuple[Code, ...]] = {
    "proactive": PROACTIVE_ROWS,
    "applications": APPLICATION_ROWS,
    "reviews": REVIEW_ROWS,
}
COLUMNS: dict[str, tuple[Code, ...]] = {
    "proactive": PROACTIVE_COLUMNS,
    "applications": APPLICANT_COLUMNS,
    "reviews": REVIEW_COLUMNS,
}

# The leaf outcome rows of 三 that add up to processed_total (legacy prints other_total instead of
# the three other_* rows; only printed rows enter the sum).
OUTCOME_ROWS: tuple[str, ...] = tuple(
    c.code for c in APPLICATION_ROWS if c.code not in {"new_received", "carried_over_prev", "processed_total", "carried_over_next"}
)
APPLICANT_PARTS: tuple[str, ...] = tuple(c.code for c in APPLICANT_COLUMNS if c.code != "total")
REVIEW_PARTS: tuple[str, ...] = tuple(c.code for c in REVIEW_COLUMNS if c.code != "total")


def all_codes() -> list[tuple[str, str, Code]]:
    """Every (section, kind, code) triple, for code tables and for validating facts."""
    out: list[tuple[str, str, Code]] = []
    for section in SECTIONS:
        out += [(section.code, "row", c) for c in ROWS[section.code]]
        out += [(section.code, "column", c) for c in COLUMNS[section.code]]
    return out
