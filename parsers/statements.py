"""The report's own narrative against its tables: statements that restate a table quantity, checked.

Most reports say the key numbers in words before the tables print them (``本年度共收到政府信息公开申请26件``,
``结转下年度办理2件``, ``行政复议2起``).  :data:`STATEMENTS` lists, as data, the wordings that name a table
quantity and the cells that quantity is (a sum of cells where the words name several: 法人或其他组织 is five
columns, 行政诉讼 two rows).  Each statement found becomes a check ``text.<row>.<column>`` with the sentence and
its line as evidence.  A disagreement is a finding about the source — which of the two is wrong is for the
reader to judge — and never changes a number.

Only clear statements count: a number with its unit (件/宗/起), in a sentence about applications where the
statement is about applications, in a clause that is not a part of another figure (``其中54宗…``, ``包括…``);
after a part that names another body (``其中市政府收到申请72件，…``) the rest of the sentence is that body's.  Numbers written in
Chinese numerals are not read (never a guess).  Statements of none (``未收到政府信息公开申请``) are zeros.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .document import Document
from .model import Check, Fact
from .values import normalize

Cell = tuple[str, str, str]
ORGS = ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org", "other_org")
UNIT = r"\s*(?:件|宗|起|个|份|条)"
N = r"(\d{1,7})"


@dataclass(frozen=True)
class Statement:
    name: str  # the check's name after "text.": <row>.<column> of the table quantity
    cells: tuple[Cell, ...]  # the cells whose sum the statement names
    patterns: tuple[re.Pattern[str], ...]  # a number group, or none for a statement of zero
    context: re.Pattern[str] | None = None  # the sentence must say this (申请: not a hotline's or a platform's cases)


def _st(name: str, cells: tuple[Cell, ...], *patterns: str, context: str | None = "申请") -> Statement:
    return Statement(name, cells, tuple(re.compile(p) for p in patterns), re.compile(context) if context else None)


def _a(row: str, col: str = "total") -> Cell:
    return ("applications", row, col)


UNABLE = ("unable_not_held", "unable_needs_creation", "unable_unclear_after_correction")
DENIED = ("denied_state_secret", "denied_prohibited_by_law", "denied_three_safety_one_stability", "denied_third_party_rights",
          "denied_internal_affairs", "denied_process_information", "denied_law_enforcement_file", "denied_administrative_query")
REJECTED = ("rejected_petition_complaint", "rejected_duplicate", "rejected_publication", "rejected_excessive_repeated", "rejected_confirmation")
_GAP = r"[^，,；;。]"  # within one clause
STATEMENTS: tuple[Statement, ...] = (
    _st("new_received.total", (_a("new_received"),),
        rf"(?:共|累计|全年|本年度?|今年)?(?:新收到|收到|受理|新收|接收){_GAP}{{0,20}}?申请(?:件|数量|数)?(?:共计|共|合计)?{N}{UNIT}",
        rf"(?:新收|收到|受理){_GAP}{{0,12}}?(?:案件|申请件|依申请信息|申请公开){N}{UNIT}",
        rf"(?:收到|受理){N}{UNIT}(?:政府信息公开|依申请公开)?(?:申请|请求)",
        rf"(?:未|没有)(?:收到|受理|接到){_GAP}{{0,6}}?(?:政府信息公开|依申请公开){_GAP}{{0,4}}申请"),
    _st("carried_over_prev.total", (_a("carried_over_prev"),),
        rf"(?:上年|去年|上一年|\d{{4}}年)度?结转(?!至|到|入|下|\d{{4}}){_GAP}{{0,16}}?{N}{UNIT}", context=None),
    _st("processed_total.total", (_a("processed_total"),),
        rf"(?:共|今年|全年|本年度?|已)?办结{_GAP}{{0,12}}?{N}{UNIT}",
        rf"(?:答复|已办理)(?:了)?(?:政府信息公开|依申请公开)?(?:申请)?{N}{UNIT}"),
    _st("carried_over_next.total", (_a("carried_over_next"),),
        rf"(?:结转|转)(?:至|到|入)?(?:下一?年度?|\d{{4}}年度?)(?:继续)?办理(?:的)?(?:申请)?{N}{UNIT}",
        rf"{N}{UNIT}(?:申请)?{_GAP}{{0,12}}?(?:结转|顺延)(?:至|到|入)?(?:下一?年度?|\d{{4}}年度?)",
        r"(?:无|没有)下一?年度?结转", context=None),
    _st("new_received.natural_person", (_a("new_received", "natural_person"),),
        rf"自然人(?:申请|提出的?申请)?(?:件|数)?{N}{UNIT}"),
    _st("new_received.legal_persons", tuple(_a("new_received", c) for c in ORGS),
        rf"法人(?:或|和|及)其他组织(?:申请|提出的?申请)?(?:件|数)?{N}{UNIT}"),
    _st("granted_or_partially.total", (_a("granted"), _a("partially_granted")),
        rf"予以公开(?:及|和|、|或)部分公开(?:的)?(?:共)?{N}{UNIT}", context=None),
    _st("denied.total", tuple(_a(r) for r in DENIED), rf"不予公开(?:的)?(?:共)?{N}{UNIT}", context=None),
    _st("unable.total", tuple(_a(r) for r in UNABLE), rf"无法提供(?:的)?(?:共)?{N}{UNIT}", context=None),
    _st("rejected.total", tuple(_a(r) for r in REJECTED), rf"不予处理(?:的)?(?:共)?{N}{UNIT}", context=None),
    _st("admin_review.total", (("reviews", "admin_review", "total"),),
        rf"(?:行政复议|复议)(?:案件|申请)?(?:共|为)?{N}{UNIT}",
        rf"(?:未|没有)(?:发生|收到|有|被){_GAP}{{0,14}}?(?:行政)?复议", r"无被?(?:行政)?复议案件", context=None),
    _st("litigation.total", (("reviews", "litigation_direct", "total"), ("reviews", "litigation_after_review", "total")),
        rf"(?<!败)诉讼(?:案件)?(?:共|为)?{N}{UNIT}",
        rf"(?:未|没有)(?:发生|有){_GAP}{{0,18}}?行政诉讼", context=None),
)
_SENTENCE = re.compile(r"[^。；;！!？?]+")
_CLAUSE = re.compile(r"[^，,]+")
_PART = re.compile(r"^\s*(?:其中|包括|含)")
_BODY = re.compile(r"政府|本级|部门|单位|局|委|办|乡镇|街道|中心")  # a part that names a body: the rest of the sentence is that body's
_EPS = 1e-9
PROSE_CELL = 12  # characters: a grid row holding a single cell this long is a paragraph, not a table row


Prose = list[tuple[int, str | None]]  # (line number, text) of each line of prose; a table row is (line, None)


def prose_lines(doc: Document) -> Prose:
    """(line number, normalized text) of every line of prose, in order; a table row is (line, None)."""
    out: list[tuple[int, str | None]] = []
    for i, ln in enumerate(doc.lines, start=1):
        if ln.exact or ln.grid is not None:
            filled = [c.text for c in ln.cells if c.text.strip() and not c.covered]
            if len(filled) != 1 or len(filled[0].strip()) < PROSE_CELL:
                out.append((i, None))  # a table row
                continue
            text = normalize(filled[0])  # a paragraph in a row of its own (a workbook's or a layout table's)
        else:
            text = normalize(ln.text)
        if "\t" in text and sum(ch.isdigit() for ch in text) > len(text) // 4:
            out.append((i, None))  # a table row printed as text (tab-separated cells)
            continue
        out.append((ln.loc.line or i, text.strip()))
    return out


def _narrative(prose: Prose) -> tuple[str, list[tuple[int, int]]]:
    """The report's prose as one text (lines joined as printed: Chinese wraps without spaces), with where each
    line starts in it, so a statement wrapped over two lines is read whole and its first line is known."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []  # (offset in the text, line number)
    pos = 0
    for line, text in prose:
        if text is None:
            parts.append("。")  # a table ends the sentence before it
            pos += 1
            continue
        starts.append((pos, line))
        parts.append(text)
        pos += len(text)
    return "".join(parts), starts


def _line_at(starts: list[tuple[int, int]], offset: int) -> int:
    line = starts[0][1] if starts else 0
    for pos, ln in starts:
        if pos > offset:
            break
        line = ln
    return line


def statements(doc: Document, prose: Prose | None = None) -> list[tuple[Statement, float, str, int]]:
    """Every statement of a table quantity: (statement, the number said, the sentence, its first line)."""
    text, starts = _narrative(prose if prose is not None else prose_lines(doc))
    found: list[tuple[Statement, float, str, int]] = []
    previous = ""
    for sm in _SENTENCE.finditer(text):
        sentence = sm.group(0).strip()
        line = _line_at(starts, sm.start())
        context = previous + sentence  # "…申请75件；年度已办理83件": the subject may be the sentence before's
        previous = sentence
        for cm in _CLAUSE.finditer(sentence):
            clause = "".join(cm.group(0).split())
            if _PART.match(clause):
                if _BODY.search(clause):
                    break  # 其中市政府…: what follows is another body's figure
                continue  # 其中54宗…: a part of the figure before it
            for st in STATEMENTS:
                if st.context is not None and not st.context.search(context):
                    continue
                for p in st.patterns:
                    m = p.search(clause)
                    if m:
                        found.append((st, float(m.group(1)) if p.groups else 0.0, sentence, line))
                        break
    return found


def text_checks(doc: Document, facts: Sequence[Fact], prose: Prose | None = None) -> list[Check]:
    """A check for every statement whose table quantity the report prints (every cell of the sum)."""
    idx = {(f.section, f.row, f.column): f.value for f in facts}
    checks: list[Check] = []
    seen: dict[str, int] = {}
    for st, said, sentence, line in statements(doc, prose):
        values = [idx.get(c) for c in st.cells]
        if any(v is None for v in values):
            continue
        printed = float(sum(values))  # type: ignore[arg-type]
        n = seen[st.name] = seen.get(st.name, 0) + 1
        name = f"text.{st.name}" + (f"#{n}" if n > 1 else "")
        ok = abs(printed - said) < _EPS
        where = " + ".join(".".join(c[1:]) for c in st.cells)
        detail = (f"the text says {said:g} ({sentence[:120]!r}, line {line}); the table prints {printed:g} ({where})")
        checks.append(Check(name, ok, detail, {"text": said, "table": printed}))
    return checks
