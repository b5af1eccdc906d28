"""Render a synthetic report as text, in the layouts real reports arrive in.

- ``tabs``: a Word or web page copied as text — cells separated by tabs, merged cells as empty cells.
- ``spaces``: what a PDF text extractor gives — cells separated by spaces, labels broken over lines,
  header cells stacked one character per line, page footers in the middle of tables.
- ``pipes``: a Markdown table (an exact grid: blank cells stand for blank cells).
- ``cells``: one cell per line.

Options cover the other things real reports do: rows in any order, category and sub-row on one line
or on two, headers on one line or split, full-width digits.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .model import APPLICANTS, PROACTIVE_BLOCKS, REVIEW_COLS, REVIEW_GROUPS, Key, Number, SynthReport

LAYOUTS = ("tabs", "spaces", "pipes", "cells")

PROACTIVE_COL_LABELS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "本年处理决定数量",
    "fee_amount_10k_yuan": "本年收费金额（单位：万元）",
    "produced": "本年新制作数量",
    "published": "本年新公开数量",
    "total_published": "对外公开总数量",
    "items_prev_year": "上一年项目数量",
    "items_change": "本年增/减",
    "procurement_items": "采购项目数量",
    "procurement_amount_10k_yuan": "采购总金额",
}
PROACTIVE_ROW_LABELS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "administrative_licensing": "行政许可",
    "other_external_services": "其他对外管理服务事项",
    "administrative_penalty": "行政处罚",
    "administrative_coercion": "行政强制",
    "administrative_fees": "行政事业性收费",
    "centralized_procurement": "政府集中采购",
}
# (category printed over the row, the row's own label)
APPLICATION_LABELS: dict[str, tuple[str | None, str]] = {
    "new_received": (None, "一、本年新收政府信息公开申请数量"),
    "carried_over_prev": (None, "二、上年结转政府信息公开申请数量"),
    "granted": ("三、本年度办理结果", "（一）予以公开"),
    "partially_granted": ("三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    "denied_state_secret": ("（三）不予公开", "1.属于国家秘密"),
    "denied_prohibited_by_law": ("（三）不予公开", "2.其他法律行政法规禁止公开"),
    "denied_three_safety_one_stability": ("（三）不予公开", "3.危及“三安全一稳定”"),
    "denied_third_party_rights": ("（三）不予公开", "4.保护第三方合法权益"),
    "denied_internal_affairs": ("（三）不予公开", "5.属于三类内部事务信息"),
    "denied_process_information": ("（三）不予公开", "6.属于四类过程性信息"),
    "denied_law_enforcement_file": ("（三）不予公开", "7.属于行政执法案卷"),
    "denied_administrative_query": ("（三）不予公开", "8.属于行政查询事项"),
    "unable_not_held": ("（四）无法提供", "1.本机关不掌握相关政府信息"),
    "unable_needs_creation": ("（四）无法提供", "2.没有现成信息需要另行制作"),
    "unable_unclear_after_correction": ("（四）无法提供", "3.补正后申请内容仍不明确"),
    "rejected_petition_complaint": ("（五）不予处理", "1.信访举报投诉类申请"),
    "rejected_duplicate": ("（五）不予处理", "2.重复申请"),
    "rejected_publication": ("（五）不予处理", "3.要求提供公开出版物"),
    "rejected_excessive_repeated": ("（五）不予处理", "4.无正当理由大量反复申请"),
    "rejected_confirmation": ("（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"),
    "other_no_correction": ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    "other_fee_unpaid": ("（六）其他处理", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    "other_other": ("（六）其他处理", "3.其他"),
    "other_total": (None, "（六）其他处理"),
    "processed_total": (None, "（七）总计"),
    "carried_over_next": (None, "四、结转下年度继续办理"),
}
APPLICANT_LABELS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
REVIEW_COL_LABELS = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
IDENTITY_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_FW = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


@dataclass
class Style:
    layout: str = "tabs"
    shuffle_rows: bool = False
    category_same_line: bool = True
    split_header: bool = True
    fullwidth: bool = False
    footers: bool = False
    stacked_headers: bool = False  # header cells one character per line (spaces layout)
    break_labels: bool = False  # labels broken over lines (spaces layout)
    variants: bool = False  # older wordings: 社会组织, 规范性文件, 采购项目数, 现行有效件数（历史累计）
    amount_style: str = "wan"  # wan (bare, header in 万元) | wan_suffix | yuan_suffix
    null_mark: str = "/"  # how "no number" is printed in inexact layouts
    seed: int = 0


def random_style(rng: random.Random, layout: str | None = None) -> Style:
    lay = layout or rng.choice(LAYOUTS)
    return Style(
        layout=lay,
        shuffle_rows=rng.random() < 0.3,
        category_same_line=rng.random() < 0.5,
        split_header=rng.random() < 0.6,
        fullwidth=rng.random() < 0.2,
        footers=rng.random() < 0.4,
        stacked_headers=lay == "spaces" and rng.random() < 0.5,
        break_labels=lay == "spaces" and rng.random() < 0.6,
        variants=rng.random() < 0.3,
        amount_style=rng.choice(["wan", "wan_suffix", "yuan_suffix"]),
        null_mark=rng.choice(["/", "—", "-"]),
        seed=rng.randrange(1 << 30),
    )


class _Writer:
    """Emits table rows in the chosen layout."""

    def __init__(self, style: Style, rng: random.Random) -> None:
        self.s = style
        self.rng = rng
        self.lines: list[str] = []
        self.page = 1

    def text(self, line: str) -> None:
        self.lines.append(line)
        self._maybe_footer()

    def _maybe_footer(self) -> None:
        if self.s.footers and self.rng.random() < 0.04:
            self.page += 1
            dash = self.rng.choice(["—", "-"])
            self.lines += ["", f"{dash} {self.page} {dash}", ""]

    def label(self, text: str) -> str:
        if self.s.layout == "spaces" and self.s.break_labels and len(text) > 4 and self.rng.random() < 0.5:
            cut = self.rng.randrange(2, len(text) - 1)
            return text[:cut] + "\n\n" + text[cut:]
        return text

    def header_cell(self, text: str) -> str:
        if self.s.layout == "spaces" and self.s.stacked_headers and len(text) <= 6:
            return "\n\n".join(text)
        return self.label(text)

    def row(self, labels: list[str], values: list[str], width: int | None = None) -> None:
        lay = self.s.layout
        if lay == "tabs":
            self.text("\t".join(labels + values))
        elif lay == "pipes":
            cells = labels + values
            if width is not None:
                cells = labels + [""] * (width - len(labels) - len(values)) + values
            self.text("| " + " | ".join(cells) + " |")
        elif lay == "cells":
            for c in labels + values:
                if c:
                    self.text(c)
        else:  # spaces
            parts = [self.label(x) for x in labels if x]
            self.text(" ".join(parts + values))

    def header(self, rows: list[list[str]], width: int | None = None) -> None:
        lay = self.s.layout
        if lay == "pipes":
            for i, r in enumerate(rows):
                cells = r + [""] * ((width or len(r)) - len(r))
                self.text("| " + " | ".join(cells) + " |")
                if i == 0:
                    self.text("|" + "---|" * len(cells))
            return
        for r in rows:
            cells = [self.header_cell(c) if lay == "spaces" else c for c in r]
            if lay == "tabs":
                self.text("\t".join(cells))
            elif lay == "cells":
                for c in cells:
                    if c:
                        self.text(c)
            else:
                self.text(" ".join(c for c in cells if c))


def _fmt_number(v: Number, style: Style) -> str:
    s = str(v)
    return s.translate(_FW) if style.fullwidth else s


def format_value(rep: SynthReport, key: Key, style: Style, rng: random.Random) -> str:
    v = rep.facts.get(key)
    if v is None:
        return "" if style.layout == "pipes" else style.null_mark
    col = key[2]
    if col == "items_change":
        s = ("增 " if v >= 0 else "减 ") + _fmt_number(abs(v), style) if v != 0 and rng.random() < 0.7 else _fmt_number(v, style)
    elif col.endswith("10k_yuan"):
        if style.amount_style == "yuan_suffix":
            yuan = round(v * 10000)
            s = f"{_fmt_number(yuan, style)}元"
        elif style.amount_style == "wan_suffix":
            s = f"{_fmt_number(v, style)} 万元"
        else:
            s = _fmt_number(v, style)
    else:
        s = _fmt_number(v, style)
    note = rep.notes.get(key)
    if note:
        s = f"{s}（{note}）"
    return s


def render_text(rep: SynthReport, style: Style) -> str:
    rng = random.Random(style.seed)
    w = _Writer(style, rng)
    w.text(rep.agency)
    w.text(f"{rep.year}年政府信息公开工作年度报告")
    w.text("")
    contact = ""
    if rep.phone:
        contact += f"（电话：{rep.phone}"
        contact += f"，电子邮件：{rep.email}）" if rep.email else "）"
    w.text(f"本报告依据《中华人民共和国政府信息公开条例》编制。统计期限自{rep.year}年1月1日至{rep.year}年12月31日。{contact}")
    w.text("一、总体情况")
    w.text(intro_sentence(rep))
    w.text("二、主动公开政府信息情况")
    _proactive(rep, style, w, rng)
    w.text("三、收到和处理政府信息公开申请情况")
    _applications(rep, style, w, rng)
    w.text("四、政府信息公开行政复议、行政诉讼情况")
    _reviews(rep, style, w, rng)
    w.text("五、存在的主要问题及改进情况")
    w.text("一是工作力量不足；二是公开质量有待提高。")
    w.text("六、其他需要报告的事项")
    w.text("本机关无其他需要报告的事项。")
    w.text("")
    w.text(rep.agency)
    if rep.published_on:
        y, m, d = rep.published_on.split("-")
        w.text(f"{y}年{int(m)}月{int(d)}日")
    return "\n".join(w.lines) + "\n"


def _proactive(rep: SynthReport, style: Style, w: _Writer, rng: random.Random) -> None:
    for clause, cols, rows in PROACTIVE_BLOCKS[rep.format]:
        w.text(f"第二十条第（{clause}）项")
        labels = []
        for c in cols:
            lab = PROACTIVE_COL_LABELS[c]
            if rep.format == "legacy" and c == "decisions":
                lab = "处理决定数量"
            if style.variants and c == "in_force":
                lab = "现行有效件数（历史累计）"
            if style.variants and c == "procurement_items":
                lab = "采购项目数"
            if c == "procurement_amount_10k_yuan" and style.amount_style == "wan":
                lab = "采购总金额（万元）"
            labels.append(lab)
        w.header([["信息内容", *labels]], width=1 + len(cols))
        order = list(rows)
        if style.shuffle_rows:
            rng.shuffle(order)
        for r in order:
            lab = PROACTIVE_ROW_LABELS[r]
            if r == "normative_documents" and (rep.format == "legacy" or style.variants):
                lab = "规范性文件"
            w.row([lab], [format_value(rep, ("proactive", r, c), style, rng) for c in cols], width=1 + len(cols))
        if style.layout == "pipes":
            w.text("")  # each sub-table is its own grid


def _applications(rep: SynthReport, style: Style, w: _Writer, rng: random.Random) -> None:
    rows = [r for r in APPLICATION_LABELS if ("applications", r, "total") in rep.facts or ("applications", r, "natural_person") in rep.facts]
    labels = list(APPLICANT_LABELS)
    if style.variants:
        labels[3] = "社会组织"
    width = 2 + len(APPLICANTS)
    if style.split_header:
        w.header(
            [
                [IDENTITY_NOTE, "", "申请人情况", "", "", "", "", "", ""],
                ["", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
                ["", "", "", *labels[1:6], ""],
            ],
            width=width,
        )
    else:
        w.header([[IDENTITY_NOTE, "", *labels]], width=width)
    order = list(rows)
    if style.shuffle_rows:
        rng.shuffle(order)
    last_cat: str | None = None
    for r in order:
        cat, lab = APPLICATION_LABELS[r]
        if r == "other_total" and rep.format == "2021":
            continue
        values = [format_value(rep, ("applications", r, c), style, rng) for c in APPLICANTS]
        if cat is None:
            w.row([lab, ""] if style.layout in ("tabs", "pipes") else [lab], values, width=width)
            last_cat = None
            continue
        new_cat = cat != last_cat or style.shuffle_rows
        last_cat = cat
        if new_cat and not style.category_same_line and style.layout != "pipes":
            w.row([cat], [])
            w.row(["", lab] if style.layout == "tabs" else [lab], values)
        elif new_cat:
            w.row([cat, lab], values, width=width)
        else:
            w.row(["", lab] if style.layout in ("tabs", "pipes") else [lab], values, width=width)


def _reviews(rep: SynthReport, style: Style, w: _Writer, rng: random.Random) -> None:
    width = 15
    if style.split_header:
        w.header(
            [
                ["行政复议", "", "", "", "", "行政诉讼", "", "", "", "", "", "", "", "", ""],
                [*REVIEW_COL_LABELS, "未经复议直接起诉", "", "", "", "", "复议后起诉", "", "", "", ""],
                ["", "", "", "", "", *REVIEW_COL_LABELS, *REVIEW_COL_LABELS],
            ],
            width=width,
        )
    else:
        w.header([["行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"], REVIEW_COL_LABELS * 3], width=width)
    values = [format_value(rep, ("reviews", g, c), style, rng) for g in REVIEW_GROUPS for c in REVIEW_COLS]
    w.row([], values, width=width)


def intro_sentence(rep: SynthReport) -> str:
    """The narrative's opening, restating the number of new applications the tables print (as real reports do),
    so that the text-against-tables checks find the synthetic reports consistent with themselves."""
    n = rep.facts.get(("applications", "new_received", "total"))
    said = f"，收到申请 {int(n)} 件" if isinstance(n, int | float) and float(n).is_integer() else ""
    return f"{rep.year}年，本机关认真贯彻落实《条例》，共主动公开政府信息 1234 条{said}。"
