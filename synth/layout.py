"""A synthetic report as blocks — paragraphs and tables with merged cells — for every medium.

The tables follow the national templates' printed layout: the 申请人情况 header over three rows with
自然人 and 总计 spanning them, category cells (三、本年度办理结果, （三）不予公开 …) spanning their
sub-rows, top-level rows spanning the three label columns, and the reviews table's two-level header.
HTML, PDF and DOCX renderers only decide how to draw these blocks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .model import APPLICANTS, PROACTIVE_BLOCKS, REVIEW_COLS, REVIEW_GROUPS, SynthReport
from .text import (
    APPLICANT_LABELS,
    APPLICATION_LABELS,
    IDENTITY_NOTE,
    PROACTIVE_COL_LABELS,
    PROACTIVE_ROW_LABELS,
    REVIEW_COL_LABELS,
    Style,
    format_value,
    intro_sentence,
)


@dataclass
class TCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


@dataclass
class Table:
    rows: list[list[TCell]]
    width: int
    header_rows: int = 0


@dataclass
class Para:
    text: str
    heading: bool = False


@dataclass
class DocSpec:
    title: str
    blocks: list[Para | Table] = field(default_factory=list)


@dataclass
class MediaStyle:
    """How a rendered document looks: header cells stacked vertically, tables split over pages …"""

    stacked_headers: bool = False
    values: Style = field(default_factory=lambda: Style(layout="pipes"))
    repeat_header: bool = True  # PDF: repeat the header rows on each page of a split table
    page_break_in_table: bool = False  # PDF: force the applications table over two pages
    font: str = "cid"  # PDF: "cid" (STSong-Light, no embedded file) or a path to a TrueType font
    prose: int = 0  # paragraphs of narrative text around the tables (real reports run to many pages)
    seed: int = 0


def random_media_style(rng: random.Random) -> MediaStyle:
    return MediaStyle(
        stacked_headers=rng.random() < 0.4,
        values=Style(
            layout="pipes",
            amount_style=rng.choice(["wan", "wan_suffix", "yuan_suffix"]),
            fullwidth=rng.random() < 0.15,
            variants=rng.random() < 0.3,
            null_mark=rng.choice(["/", "—", ""]),
            seed=rng.randrange(1 << 30),
        ),
        repeat_header=rng.random() < 0.5,
        page_break_in_table=rng.random() < 0.5,
        seed=rng.randrange(1 << 30),
    )


def _head(text: str, style: MediaStyle, stack: bool = True) -> TCell:
    if style.stacked_headers and stack and len(text) <= 6:
        return TCell("\n".join(text), header=True)
    return TCell(text, header=True)


def _value(rep: SynthReport, key: tuple[str, str, str], style: MediaStyle, rng: random.Random) -> TCell:
    v = style.values
    text = format_value(rep, key, Style(**{**v.__dict__, "layout": "grid"}), rng)
    if rep.facts.get(key) is None:
        text = v.null_mark
    return TCell(text)


def build(rep: SynthReport, style: MediaStyle) -> DocSpec:
    rng = random.Random(style.seed)
    spec = DocSpec(rep.title)
    contact = f"（电话：{rep.phone}，电子邮件：{rep.email}）" if rep.phone and rep.email else ""
    spec.blocks += [
        Para(rep.agency, heading=True),
        Para(f"{rep.year}年政府信息公开工作年度报告", heading=True),
        Para(f"本报告依据《中华人民共和国政府信息公开条例》编制。统计期限自{rep.year}年1月1日至{rep.year}年12月31日。{contact}"),
        Para("一、总体情况", heading=True),
        Para(intro_sentence(rep)),
        *[Para(_prose(rng, i)) for i in range(style.prose)],
        Para("二、主动公开政府信息情况", heading=True),
        _proactive(rep, style, rng),
        Para("三、收到和处理政府信息公开申请情况", heading=True),
        _applications(rep, style, rng),
        Para("四、政府信息公开行政复议、行政诉讼情况", heading=True),
        _reviews(rep, style, rng),
        Para("五、存在的主要问题及改进情况", heading=True),
        Para("一是工作力量不足；二是公开质量有待提高。"),
        Para("六、其他需要报告的事项", heading=True),
        Para("本机关无其他需要报告的事项。"),
        Para(rep.agency),
    ]
    if rep.published_on:
        y, m, d = rep.published_on.split("-")
        spec.blocks.append(Para(f"{y}年{int(m)}月{int(d)}日"))
    return spec


def _proactive(rep: SynthReport, style: MediaStyle, rng: random.Random) -> Table:
    width = 4
    rows: list[list[TCell]] = []
    for clause, cols, row_codes in PROACTIVE_BLOCKS[rep.format]:
        rows.append([TCell(f"第二十条第（{clause}）项", colspan=width, header=True)])
        labels = [PROACTIVE_COL_LABELS[c] if not (rep.format == "legacy" and c == "decisions") else "处理决定数量" for c in cols]
        labels = ["采购总金额（万元）" if lab == "采购总金额" and style.values.amount_style == "wan" else lab for lab in labels]
        head = [TCell("信息内容", header=True)] + [TCell(lab, header=True) for lab in labels]
        if len(cols) < width - 1:
            head[-1].colspan = width - len(cols)
        rows.append(head)
        for r in row_codes:
            lab = PROACTIVE_ROW_LABELS[r]
            if r == "normative_documents" and rep.format == "legacy":
                lab = "规范性文件"
            cells = [TCell(lab)] + [_value(rep, ("proactive", r, c), style, rng) for c in cols]
            if len(cols) < width - 1:
                cells[-1].colspan = width - len(cols)
            rows.append(cells)
    return Table(rows, width)


def _applications(rep: SynthReport, style: MediaStyle, rng: random.Random) -> Table:
    labels = list(APPLICANT_LABELS)
    if style.values.variants:
        labels[3] = "社会组织"
    natural, total = _head("自然人", style), _head("总计", style)
    natural.rowspan = total.rowspan = 2
    rows: list[list[TCell]] = [
        [TCell(IDENTITY_NOTE, rowspan=3, colspan=3, header=True), TCell("申请人情况", colspan=7, header=True)],
        [natural, TCell("法人或其他组织", colspan=5, header=True), total],
        [_head(lab, style) for lab in labels[1:6]],
    ]
    codes = [r for r in APPLICATION_LABELS if ("applications", r, "total") in rep.facts]
    # group rows by their category to give the category cells their row spans
    top = "三、本年度办理结果"
    in_top = [r for r in codes if APPLICATION_LABELS[r][0] is not None or r in ("other_total", "processed_total")]
    for r in codes:
        cat, lab = APPLICATION_LABELS[r]
        values = [_value(rep, ("applications", r, c), style, rng) for c in APPLICANTS]
        cells: list[TCell] = []
        if r in in_top and r == in_top[0]:
            cells.append(TCell("\n".join(top) if style.stacked_headers else top, rowspan=len(in_top), header=True))
        if r in ("new_received", "carried_over_prev", "carried_over_next"):
            cells.append(TCell(lab, colspan=3))
        elif cat is None or cat == top:
            cells.append(TCell(lab, colspan=2))
        else:
            siblings = [x for x in codes if APPLICATION_LABELS[x][0] == cat]
            if r == siblings[0]:
                cells.append(TCell(cat, rowspan=len(siblings), header=True))
            cells.append(TCell(lab))
        rows.append(cells + values)
    return Table(rows, 10, header_rows=3)


def _reviews(rep: SynthReport, style: MediaStyle, rng: random.Random) -> Table:
    rows = [
        [TCell("行政复议", colspan=5, header=True), TCell("行政诉讼", colspan=10, header=True)],
        [_head(lab, style) for lab in REVIEW_COL_LABELS]
        + [TCell("未经复议直接起诉", colspan=5, header=True), TCell("复议后起诉", colspan=5, header=True)],
        [_head(lab, style) for lab in REVIEW_COL_LABELS * 2],
        [_value(rep, ("reviews", g, c), style, rng) for g in REVIEW_GROUPS for c in REVIEW_COLS],
    ]
    for cell in rows[1][:5]:
        cell.rowspan = 2
    return Table(rows, 15, header_rows=3)


_PHRASES = (
    "坚持以公开为常态、不公开为例外", "持续深化政务公开标准化规范化建设", "加强政策解读和回应关切",
    "规范依申请公开办理流程", "推进政府网站和政务新媒体集约化建设", "强化监督保障和考核评议",
    "全年共召开政务公开工作会议{n}次", "组织业务培训{n}场，参训{m}人次", "更新公开目录{n}项",
)


def _prose(rng: random.Random, i: int) -> str:
    parts = [rng.choice(_PHRASES).format(n=rng.randint(1, 30), m=rng.randint(20, 400)) for _ in range(rng.randint(8, 14))]
    return f"（{i + 1}）" + "，".join(parts) + "。"
