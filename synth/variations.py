"""A generated corpus of label variations: the seed reports (and some random ones) printed the way real
reports misprint, restyle or rearrange their table labels, in four media, with the facts a perfect
reader would read from each.

One *kind* of variation per document; which labels it touches is drawn by a seeded RNG (never chosen
by hand, never by looking at what the parser does).  Every change is made once, on a deep copy of the
report's :class:`~synth.layout.DocSpec`, so the HTML, PDF, DOCX and text renderings print the same
document; every change is recorded as a :class:`Mutation` (the label, the text before and after).

Kinds:

- ``baseline``           no change (the control)
- ``thousands``          numbers ≥1000 with thousands separators (3,985,758); full-width digits in some cells
- ``enumerators``        the row labels' enumerators restyled (1. → 1、/（1）/(一)/一、, （三） → 3./三、 …)
- ``spaced``             spaces between the characters of labels (规 章, 予 以 公 开)
- ``drop1``              three labels with one interior character deleted
- ``drop2``              three labels (≥5 Chinese characters) with two consecutive interior characters deleted
- ``lookalike``          three labels with one character replaced by a look-alike / sound-alike (:data:`CONFUSIONS`)
- ``split``              three row labels split: across two cells where the label spans two label columns, else
                         broken over two lines inside its cell
- ``twice``              one leaf row of the applications table printed twice, directly below itself
- ``category_repeated``  the applications table's category labels (（三）不予公开 …) printed in each row, unmerged
- ``traditional``        every label of the three tables in traditional characters (OpenCC s2t)
- ``missing_between``    one applications row left out; the rows above and below it each get a drop1 misprint
- ``other_one_row``      a 2021-format report printing 三(六) 其他处理 as one row (the legacy way), values summed

Expected facts: every number the document prints, under the key a perfect reader would file it under
(label kinds change no number; a removed row's facts are not expected; a row printed twice: the first
copy's values; ``other_one_row``: ``other_total`` = the sum of the three sub-rows, the sub-rows not expected).
"""

from __future__ import annotations

import copy
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .layout import DocSpec, MediaStyle, Para, Table, TCell, build
from .media import HTML_TEMPLATES, render_docx, render_html, render_pdf
from .model import APPLICANTS, PROACTIVE_BLOCKS, REVIEW_COLS, REVIEW_GROUPS, Key, Number, SynthReport, from_golden, random_report
from .font import build_font
from .text import APPLICATION_LABELS

KINDS = (
    "baseline", "thousands", "enumerators", "spaced", "drop1", "drop2", "lookalike", "split", "twice",
    "category_repeated", "traditional", "missing_between", "other_one_row",
)
MEDIA = ("html", "pdf", "docx", "text")
EXTENSIONS = {"html": "html", "pdf": "pdf", "docx": "docx", "text": "txt"}
GOLDEN_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "golden"
TOP = "三、本年度办理结果"

# Look-alike and sound-alike confusions, original → misprint.  Two mechanisms produce them in the
# reports agencies publish:
#   IME  — pinyin input: the same (or nearly the same) syllable, the wrong candidate picked from the list;
#          the dominant source of typos in typed Chinese text.
#   OCR  — glyph shape: characters differing by a stroke or a component, misread when a scanned or pictured
#          table is recognised (or retyped from a printout).
# The first block are the pairs listed in issue #21 (item 4) as confusions seen in official documents; the
# rest are further pairs of the same two mechanisms over characters of the table labels.  Not a claim that
# each pair was seen in a particular report: each is a textbook instance of its mechanism.
CONFUSIONS: dict[str, tuple[str, str]] = {
    # issue #21
    "予": ("于", "IME yu/yú; also OCR (予/于 differ by one stroke) — 不于公开 for 不予公开"),
    "秘": ("密", "IME mì homophone (国家密密 for 国家秘密)"),
    "复": ("覆", "IME fù homophone; 答覆/覆议 are old variant spellings"),
    "确": ("却", "IME què homophone"),
    "类": ("累", "IME lèi homophone"),
    "公": ("工", "IME gōng homophone"),
    "政": ("正", "IME zhèng homophone"),
    "理": ("里", "IME lǐ homophone"),
    "请": ("清", "IME qǐng/qīng near-homophone; OCR shape (讠/氵)"),
    "审": ("申", "IME shěn/shēn near-homophone"),
    "结": ("接", "IME jié/jiē near-homophone"),
    "制": ("治", "IME zhì homophone"),
    "规": ("归", "IME guī homophone"),
    "处": ("外", "OCR shape (处/外 share the 夕-like left part)"),
    "许": ("评", "OCR shape (讠+午 / 讠+平)"),
    "费": ("废", "IME fèi homophone (收废 for 收费)"),
    # further IME homophones
    "部": ("布", "IME bù homophone"),
    "分": ("份", "IME fèn/fēn (部份 for 部分, a common misspelling)"),
    "其": ("期", "IME qí/qī near-homophone"),
    "决": ("绝", "IME jué homophone"),
    "定": ("订", "IME dìng homophone"),
    "现": ("限", "IME xiàn homophone"),
    "效": ("校", "IME xiào homophone"),
    "止": ("址", "IME zhǐ homophone"),
    "发": ("法", "IME fā/fǎ near-homophone"),
    "议": ("义", "IME yì homophone"),
    "维": ("唯", "IME wéi homophone"),
    "护": ("户", "IME hù homophone"),
    "权": ("全", "IME quán homophone"),
    "构": ("购", "IME gòu homophone"),
    "购": ("构", "IME gòu homophone"),
    "组": ("阻", "IME zǔ homophone"),
    "织": ("职", "IME zhī/zhí near-homophone"),
    "询": ("讯", "IME xùn homophone"),
    "查": ("察", "IME chá homophone"),
    "案": ("按", "IME àn homophone"),
    "程": ("城", "IME chéng homophone"),
    "提": ("题", "IME tí homophone"),
    "供": ("共", "IME gòng homophone"),
    "版": ("板", "IME bǎn homophone"),
    "访": ("仿", "IME fǎng homophone"),
    "反": ("返", "IME fǎn homophone"),
    "认": ("任", "IME rèn homophone"),
    "逾": ("愈", "IME yú/yù near-homophone"),
    "缴": ("交", "IME jiǎo/jiāo near-homophone"),
    "集": ("及", "IME jí homophone"),
    "采": ("彩", "IME cǎi homophone"),
    "益": ("溢", "IME yì homophone"),
    "息": ("习", "IME xī/xí near-homophone"),
    "明": ("名", "IME míng homophone"),
    "禁": ("尽", "IME jìn homophone"),
    "通": ("同", "IME tōng/tóng near-homophone"),
    "知": ("之", "IME zhī homophone"),
    # further OCR shape confusions
    "未": ("末", "OCR shape (stroke lengths)"),
    "人": ("入", "OCR shape"),
    "自": ("白", "OCR shape (one stroke)"),
    "申": ("由", "OCR shape (申/由/甲)"),
    "要": ("耍", "OCR shape"),
    "无": ("元", "OCR shape"),
    "具": ("其", "OCR shape"),
    "持": ("特", "OCR shape (扌/牜)"),
    "诉": ("拆", "OCR shape (讠/扌 + 斥)"),
    "卷": ("券", "OCR shape"),
    "项": ("顷", "OCR shape"),
    "第": ("弟", "OCR shape; also IME dì"),
    "大": ("太", "OCR shape (one dot)"),
    "件": ("伴", "OCR shape"),
    "投": ("设", "OCR shape (扌/讠 + 殳)"),
    "计": ("汁", "OCR shape (讠/氵)"),
    "科": ("料", "OCR shape (禾/米 + 斗)"),
}

_CN = "〇一二三四五六七八九十"
_L1 = re.compile(r"^([一二三四五六七八九十]+)、")
_L2 = re.compile(r"^（([一二三四五六七八九十]+)）")
_L3 = re.compile(r"^(\d+)\.")
# the enumerator styles a document may use instead of the template's, per level
_L1_STYLES = ("{c}．", "{c}.", "{c}　")
_L2_STYLES = ("{n}.", "{c}、", "({c})", "{n}、", "{c}.")
_L3_STYLES = ("{n}、", "（{n}）", "({n})", "({c})", "{c}、", "{n}．")
_THOUSANDS = re.compile(r"(?<![\d.])\d{4,}")
_FULLWIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def _is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _cn(n: int) -> str:
    return _CN[n] if n <= 10 else str(n)


def _from_cn(s: str) -> int:
    return _CN.index(s) if len(s) == 1 else 10 + (_CN.index(s[1]) if len(s) > 1 else 0)


@dataclass
class Mutation:
    """One change to the printed document."""

    table: str  # proactive | applications | reviews
    role: str  # row_label | category | col_header | heading | value | row
    code: str  # the row or column code (or clause, or category text) the changed cell stands for
    before: str
    after: str
    detail: str = ""

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.table}/{self.role}/{self.code}: {self.before!r} → {self.after!r}{extra}"


@dataclass
class Varied:
    """A report's document with one kind of variation, before rendering."""

    kind: str
    spec: DocSpec
    expected: dict[Key, Number | None]
    mutations: list[Mutation]
    style: MediaStyle


@dataclass
class Variant:
    kind: str
    medium: str
    name: str  # file name, with the medium's extension (parse_bytes sniffs by content anyway)
    data: bytes
    expected: dict[Key, Number | None]
    mutations: list[Mutation]
    report: str  # which report (golden stem or random-N)
    format: str


# ---------------------------------------------------------------------------------------------- the index


@dataclass
class Slot:
    """A cell of one of the three tables, with what it stands for."""

    table: str
    role: str  # heading | row_label | category | col_header | value | note
    code: str
    cell: TCell
    row: int  # table row at indexing time
    key: Key | None = None


@dataclass
class Index:
    tables: dict[str, int]  # table name -> block position in spec.blocks
    slots: list[Slot] = field(default_factory=list)
    app_rows: list[tuple[int, str]] = field(default_factory=list)  # (table row, code) of the applications data rows

    def labels(self, roles: Iterable[str] = ("heading", "row_label", "category", "col_header")) -> list[Slot]:
        roles = tuple(roles)
        return [s for s in self.slots if s.role in roles]


def index(spec: DocSpec, rep: SynthReport) -> Index:
    """Which cell of ``spec`` (as :func:`synth.layout.build` lays it out) is which label or value."""
    positions = [i for i, b in enumerate(spec.blocks) if isinstance(b, Table)]
    names = {4: "proactive", 10: "applications", 15: "reviews"}
    idx = Index({names[spec.blocks[i].width]: i for i in positions})
    add = idx.slots.append
    # proactive: per clause a heading row, a header row, data rows
    t = spec.blocks[idx.tables["proactive"]]
    blocks = iter(PROACTIVE_BLOCKS[rep.format])
    cols: list[str] = []
    codes: list[str] = []
    for i, row in enumerate(t.rows):
        if len(row) == 1 and row[0].colspan == t.width:  # 第二十条第（X）项
            clause, cols, codes = next(blocks)
            codes = list(codes)
            add(Slot("proactive", "heading", clause, row[0], i))
        elif row[0].header:  # 信息内容 | the columns' labels
            add(Slot("proactive", "note", "content", row[0], i))
            for c, cell in zip(cols, row[1:], strict=True):
                add(Slot("proactive", "col_header", c, cell, i))
        else:
            r = codes.pop(0)
            add(Slot("proactive", "row_label", r, row[0], i))
            for c, cell in zip(cols, row[1:], strict=True):
                add(Slot("proactive", "value", c, cell, i, ("proactive", r, c)))
    # applications: three header rows, then one row per code
    t = spec.blocks[idx.tables["applications"]]
    h0, h1, h2 = t.rows[:3]
    add(Slot("applications", "note", "identity", h0[0], 0))
    add(Slot("applications", "col_header", "applicants", h0[1], 0))
    add(Slot("applications", "col_header", APPLICANTS[0], h1[0], 1))
    add(Slot("applications", "col_header", "organisations", h1[1], 1))
    add(Slot("applications", "col_header", APPLICANTS[6], h1[2], 1))
    for c, cell in zip(APPLICANTS[1:6], h2, strict=True):
        add(Slot("applications", "col_header", c, cell, 2))
    app_codes = [r for r in APPLICATION_LABELS if ("applications", r, "total") in rep.facts]
    for i, (row, r) in enumerate(zip(t.rows[3:], app_codes, strict=True), start=3):
        idx.app_rows.append((i, r))
        *labels, own = row[: len(row) - len(APPLICANTS)]
        for cell in labels:
            add(Slot("applications", "category", "results" if cell.text == TOP else cell.text, cell, i))
        add(Slot("applications", "row_label", r, own, i))
        for c, cell in zip(APPLICANTS, row[-len(APPLICANTS):], strict=True):
            add(Slot("applications", "value", c, cell, i, ("applications", r, c)))
    # reviews: a two-level header, then one row of values
    t = spec.blocks[idx.tables["reviews"]]
    r0, r1, r2, r3 = t.rows
    add(Slot("reviews", "col_header", "admin_review", r0[0], 0))
    add(Slot("reviews", "col_header", "litigation", r0[1], 0))
    for c, cell in zip(REVIEW_COLS, r1[:5], strict=True):
        add(Slot("reviews", "col_header", c, cell, 1))
    add(Slot("reviews", "col_header", "litigation_direct", r1[5], 1))
    add(Slot("reviews", "col_header", "litigation_after_review", r1[6], 1))
    for c, cell in zip(REVIEW_COLS * 2, r2, strict=True):
        add(Slot("reviews", "col_header", c, cell, 2))
    for (g, c), cell in zip([(g, c) for g in REVIEW_GROUPS for c in REVIEW_COLS], r3, strict=True):
        add(Slot("reviews", "value", c, cell, 3, ("reviews", g, c)))
    return idx


# ------------------------------------------------------------------------------------- grid operations


def _placed(t: Table) -> list[list]:
    """[row, column, TCell] for each cell (its top-left corner), the form row operations work on."""
    occupied: set[tuple[int, int]] = set()
    out = []
    for r, row in enumerate(t.rows):
        c = 0
        for cell in row:
            while (r, c) in occupied:
                c += 1
            out.append([r, c, cell])
            occupied |= {(r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan)}
            c += cell.colspan
    return out


def _rebuild(t: Table, placed: list[list]) -> None:
    n = max(r + cell.rowspan for r, _c, cell in placed)
    rows: list[list[TCell]] = [[] for _ in range(n)]
    for r, _c, cell in sorted(placed, key=lambda p: (p[0], p[1])):
        rows[r].append(cell)
    t.rows = rows


def delete_row(t: Table, r: int) -> None:
    """Remove table row ``r``; cells spanning it get one row shorter (a span starting there starts on the next row)."""
    placed = []
    for p in _placed(t):
        r0, _c, cell = p
        if r0 == r and cell.rowspan == 1:
            continue
        if r0 <= r < r0 + cell.rowspan:
            cell.rowspan -= 1
        elif r0 > r:
            p[0] -= 1
        placed.append(p)
    _rebuild(t, placed)


def duplicate_row(t: Table, r: int) -> list[TCell]:
    """Print row ``r`` twice: its own cells copied directly below it, cells spanning it one row taller."""
    placed, copies = [], []
    for p in _placed(t):
        r0, c, cell = p
        if r0 == r and cell.rowspan == 1:
            dup = copy.deepcopy(cell)
            copies.append(dup)
            placed.append([r + 1, c, dup])
        elif r0 <= r < r0 + cell.rowspan:
            cell.rowspan += 1
        elif r0 > r:
            p[0] += 1
        placed.append(p)
    _rebuild(t, placed)
    return copies


def grid(t: Table) -> list[list[str]]:
    """The table as a full grid: text at each cell's top-left, empty strings under merged cells."""
    out = [[""] * t.width for _ in range(max(r + cell.rowspan for r, _c, cell in _placed(t)))]
    for r, c, cell in _placed(t):
        out[r][c] = cell.text
    return out


# ------------------------------------------------------------------------------------------ label edits


def _han_positions(label: str, *, heading: bool = False) -> list[int]:
    """Positions of the label's Chinese characters, its leading enumerator left out (and, in a 第二十条第（X）项
    heading, the clause numeral)."""
    m = _L1.match(label) or _L2.match(label) or _L3.match(label)
    start = m.end() if m else 0
    pos = [i for i in range(start, len(label)) if _is_han(label[i])]
    if heading:
        pos = [i for i in pos if not (label[i - 1: i] == "（" and label[i + 1: i + 2] == "）")]
    return pos


def drop_positions(label: str, n: int, *, heading: bool = False) -> list[int]:
    """Where ``n`` consecutive interior Chinese characters can be deleted (first index of each run)."""
    pos = _han_positions(label, heading=heading)
    if n == 2 and len(pos) < 5:
        return []
    interior = pos[1:-1]
    return [p for p in interior if all(p + k in interior for k in range(n))]


def _drop(slot: Slot, n: int, rng: random.Random) -> Mutation:
    before = slot.cell.text
    p = rng.choice(drop_positions(before, n, heading=slot.role == "heading"))
    slot.cell.text = before[:p] + before[p + n:]
    return Mutation(slot.table, slot.role, slot.code, before, slot.cell.text, f"deleted {before[p:p + n]}")


def _candidates(idx: Index) -> list[Slot]:
    return [s for s in idx.labels() if s.cell.text and s.code not in ("content", "identity")]


def _restyle(label: str, styles: dict[str, str]) -> str:
    if m := _L1.match(label):
        return styles["L1"].format(c=m[1], n=_from_cn(m[1])) + label[m.end():]
    if m := _L2.match(label):
        return styles["L2"].format(c=m[1], n=_from_cn(m[1])) + label[m.end():]
    if m := _L3.match(label):
        return styles["L3"].format(c=_cn(int(m[1])), n=m[1]) + label[m.end():]
    return label


def _spaced(label: str, sep: str) -> str:
    out = [label[0]] if label else []
    for a, b in zip(label, label[1:]):
        out.append(sep + b if _is_han(a) and _is_han(b) else b)
    return "".join(out)


def _thousands(text: str) -> str:
    return _THOUSANDS.sub(lambda m: f"{int(m[0]):,}", text)


def _number_text(v: Number | None, null: str) -> str:
    if v is None:
        return null
    return str(int(v)) if float(v).is_integer() else str(v)


# ------------------------------------------------------------------------------------------------ vary


def applicable(rep: SynthReport, kind: str) -> bool:
    return kind != "other_one_row" or rep.format == "2021"


def vary(rep: SynthReport, kind: str, rng: random.Random, style: MediaStyle | None = None) -> Varied:
    """``rep`` printed with one kind of variation: the document, the facts it prints, what was changed."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if not applicable(rep, kind):
        raise ValueError(f"{kind} applies to 2021-format reports only")
    style = style or MediaStyle(font=str(build_font()))
    spec = copy.deepcopy(build(rep, style))
    idx = index(spec, rep)
    expected: dict[Key, Number | None] = dict(rep.facts)
    muts: list[Mutation] = []
    tables = {name: spec.blocks[i] for name, i in idx.tables.items()}

    def label_change(slot: Slot, after: str, detail: str = "") -> None:
        if after != slot.cell.text:
            muts.append(Mutation(slot.table, slot.role, slot.code, slot.cell.text, after, detail))
            slot.cell.text = after

    if kind == "thousands":
        values = [s for s in idx.slots if s.role == "value" and re.search(r"\d", s.cell.text)]
        wide = set(map(id, rng.sample(values, max(1, len(values) // 5)))) if values else set()
        for s in values:
            after = _thousands(s.cell.text)
            detail = "thousands separators" if after != s.cell.text else ""
            if id(s) in wide:
                after = after.translate(_FULLWIDTH)
                detail = (detail + ", " if detail else "") + "full-width digits"
            if after != s.cell.text:
                muts.append(Mutation(s.table, "value", "/".join(s.key or ()), s.cell.text, after, detail))
                s.cell.text = after
    elif kind == "enumerators":
        styles = {"L1": rng.choice(_L1_STYLES), "L2": rng.choice(_L2_STYLES), "L3": rng.choice(_L3_STYLES)}
        for s in idx.labels(("row_label", "category")):
            if s.table == "applications":
                label_change(s, _restyle(s.cell.text, styles), f"enumerator styles {styles}")
    elif kind == "spaced":
        sep = rng.choice([" ", "  ", "\u3000"])
        for s in _candidates(idx):
            short = sum(map(_is_han, s.cell.text)) <= 4
            if rng.random() < (0.8 if short else 0.3):
                label_change(s, _spaced(s.cell.text, sep))
    elif kind in ("drop1", "drop2"):
        n = 1 if kind == "drop1" else 2
        pool = [s for s in _candidates(idx) if drop_positions(s.cell.text, n, heading=s.role == "heading")]
        for s in rng.sample(pool, 3):
            muts.append(_drop(s, n, rng))
    elif kind == "lookalike":
        pool = [s for s in _candidates(idx) if any(ch in CONFUSIONS for ch in s.cell.text)]
        for s in rng.sample(pool, 3):
            text = s.cell.text
            p = rng.choice([i for i, ch in enumerate(text) if ch in CONFUSIONS])
            new, why = CONFUSIONS[text[p]]
            label_change(s, text[:p] + new + text[p + 1:], f"{text[p]}→{new}: {why}")
    elif kind == "split":
        pool = [s for s in idx.labels(("row_label",)) if len(_han_positions(s.cell.text)) >= 4]
        for s in rng.sample(pool, 3):
            pos = _han_positions(s.cell.text)
            cut = rng.choice(pos[1:-1]) if len(pos) > 2 else pos[-1]
            row = tables[s.table].rows[s.row]
            if s.cell.colspan >= 2:  # a label spanning label columns, typed into two of them instead
                k = next(j for j, c in enumerate(row) if c is s.cell)
                before = s.cell.text
                row.insert(k, TCell(before[:cut], rowspan=s.cell.rowspan, header=s.cell.header))
                s.cell.colspan -= 1
                s.cell.text = before[cut:]
                muts.append(Mutation(s.table, s.role, s.code, before, f"{before[:cut]} | {before[cut:]}", "split across two cells"))
            else:
                label_change(s, s.cell.text[:cut] + "\n" + s.cell.text[cut:], "line break inside the cell")
    elif kind == "twice":
        leaves = [(i, r) for i, r in idx.app_rows if APPLICATION_LABELS[r][0] is not None or r == "other_total"]
        i, r = rng.choice(leaves)
        duplicate_row(tables["applications"], i)
        lab = APPLICATION_LABELS[r][1]
        muts.append(Mutation("applications", "row", r, lab, f"{lab} / {lab}", "row printed twice, directly below itself"))
    elif kind == "category_repeated":
        t = tables["applications"]
        cats = [s for s in idx.slots if s.table == "applications" and s.role == "category" and s.code != "results"]
        for s in cats:
            n = s.cell.rowspan
            s.cell.rowspan = 1
            for row in t.rows[s.row + 1: s.row + n]:
                row.insert(0, TCell(s.cell.text, header=s.cell.header))
            muts.append(Mutation("applications", "category", s.code, f"{s.cell.text} (merged over {n} rows)",
                                 f"{s.cell.text} × {n}", "category printed in each of its rows"))
    elif kind == "traditional":
        import opencc

        cc = opencc.OpenCC("s2t")
        for s in idx.slots:
            if s.role != "value" and s.cell.text:
                label_change(s, cc.convert(s.cell.text), "OpenCC s2t")
    elif kind == "missing_between":
        own = {s.code: s for s in idx.labels(("row_label",)) if s.table == "applications"}
        rows = idx.app_rows
        pool = [j for j in range(1, len(rows) - 1)
                if all(drop_positions(own[rows[k][1]].cell.text, 1) for k in (j - 1, j + 1))]
        j = rng.choice(pool)
        for k in (j - 1, j + 1):
            muts.append(_drop(own[rows[k][1]], 1, rng))
        i, r = rows[j]
        delete_row(tables["applications"], i)
        for c in APPLICANTS:
            expected.pop(("applications", r, c), None)
        muts.append(Mutation("applications", "row", r, APPLICATION_LABELS[r][1], "", "row left out"))
    elif kind == "other_one_row":
        t = tables["applications"]
        subs = ("other_no_correction", "other_fee_unpaid", "other_other")
        rows = {r: i for i, r in idx.app_rows}
        first = rows[subs[0]]
        cat = next(s for s in idx.slots if s.role == "category" and s.row == first and s.code != "results")
        label = next(s for s in idx.slots if s.role == "row_label" and s.row == first)
        values = [s for s in idx.slots if s.role == "value" and s.row == first and s.table == "applications"]
        for r in reversed(subs[1:]):
            delete_row(t, rows[r])
        row = t.rows[first]
        row.remove(cat.cell)
        label.cell.text, label.cell.colspan = "（六）其他处理", 2
        for s in values:
            parts = [rep.facts.get(("applications", r, s.code)) for r in subs]
            nums = [v for v in parts if v is not None]
            total = (int(sum(nums)) if all(float(v).is_integer() for v in nums) else round(sum(nums), 2)) if nums else None
            s.cell.text = _number_text(total, style.values.null_mark)
            expected[("applications", "other_total", s.code)] = total
            for r in subs:
                expected.pop(("applications", r, s.code), None)
        muts.append(Mutation("applications", "row", "other_total", "（六）其他处理 over 1./2./3. sub-rows",
                             "（六）其他处理", "the three sub-rows printed as one row of their sums (legacy layout)"))
    return Varied(kind, spec, expected, muts, style)


# ---------------------------------------------------------------------------------------------- render


def render_text(spec: DocSpec) -> str:
    """The document as text copied out of Word: paragraphs as lines, a table row's cells joined by tabs,
    merged cells as empty cells (a line break inside a cell breaks the line, as a copied paragraph mark does)."""
    lines: list[str] = []
    for b in spec.blocks:
        if isinstance(b, Para):
            lines.append(b.text)
        else:
            lines += ["\t".join(row) for row in grid(b)]
    return "\n".join(lines) + "\n"


def render(v: Varied, medium: str, template: str = "hanweb") -> bytes:
    if medium == "html":
        return render_html(v.spec, template)
    if medium == "pdf":
        return render_pdf(v.spec, v.style)
    if medium == "docx":
        return render_docx(v.spec)
    if medium == "text":
        return render_text(v.spec).encode("utf-8")
    raise ValueError(f"unknown medium {medium!r}")


# ---------------------------------------------------------------------------------------------- corpus


def reports(seed: int = 0, extra_random: int = 5) -> list[tuple[str, SynthReport]]:
    """The five seed reports, then ``extra_random`` random consistent ones, alternating legacy and 2021."""
    out = [(p.stem, from_golden(json.loads(p.read_text(encoding="utf-8")))) for p in sorted(GOLDEN_DIR.glob("*.json"))]
    rng = random.Random(f"variations:{seed}")
    for i in range(extra_random):
        out.append((f"random-{i}", random_report(rng, ("legacy", "2021")[i % 2], consistent=True)))
    return out


@dataclass
class Planned:
    """One (report, kind) before rendering: what :func:`corpus` renders into each medium."""

    report: str
    format: str
    template: str  # the HTML portal template
    varied: Varied

    def variant(self, medium: str) -> Variant:
        v = self.varied
        data = render(v, medium, self.template)
        return Variant(v.kind, medium, f"{self.report}-{v.kind}.{EXTENSIONS[medium]}", data, v.expected, v.mutations, self.report, self.format)


def plan(seed: int = 0, extra_random: int = 5, kinds: Iterable[str] = KINDS) -> Iterator[Planned]:
    """Each report's variation, drawn once per kind by an RNG seeded with (seed, report, kind)."""
    kinds = list(kinds)
    for n, (name, rep) in enumerate(reports(seed, extra_random)):
        for kind in kinds:
            if applicable(rep, kind):
                # PDFs embed the synthetic font, whose cmap covers the whole CJK block (synth/font.py): the bundled Noto
                # subset lacks the glyphs of traditional and look-alike characters (汁, 條), which would vanish from the text
                v = vary(rep, kind, random.Random(f"{seed}:{name}:{kind}"), MediaStyle(font=str(build_font()), seed=n))
                yield Planned(name, rep.format, HTML_TEMPLATES[n % len(HTML_TEMPLATES)], v)


def corpus(seed: int = 0, extra_random: int = 5, kinds: Iterable[str] = KINDS, media: Iterable[str] = MEDIA) -> Iterator[Variant]:
    """Every (report, kind, medium): the variation of :func:`plan`, rendered into every medium (the same
    mutated document in each)."""
    media = list(media)
    for p in plan(seed, extra_random, kinds):
        for medium in media:
            yield p.variant(medium)
