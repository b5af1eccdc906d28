"""Report metadata from the text: title, reporting body, region, year, scope, date, contacts.

Read from the places reports print them (title lines, the opening paragraph, the signature and
date at the end), with the page's own metadata (issue 3: 发布机构, 成文日期 …) taking precedence in
the caller when a portal provides it.
"""

from __future__ import annotations

import re

from identity.names import canonical, looks_like_body_name

from .document import Document
from .values import normalize

_TITLE_END = re.compile(r"(?:年度?报告|年报|(?:信息公开|政务公开)(?:工作)?(?:情况)?报告)(?:[(（][^)）]{0,14}[)）])?")
_ATTACHMENT_MARK = re.compile(r"^附件\s*\d*\s*[:：]?$")
_MD = re.compile(r"^[#>*\s]+|[*#]+$")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})年度?")
_AGENCY_BEFORE_YEAR = re.compile(r"^(?P<a>.+?)(?:关于)?(?:19|20)\d{2}年度?")
_AGENCY_AFTER_YEAR = re.compile(r"^(?:19|20)\d{2}年度?(?P<a>.+?)(?:政府信息公开|政务公开|信息公开)")
_AGENCY_WITHOUT_YEAR = re.compile(r"^(?P<a>[^0-9]+?)(?:政府信息公开|政务公开|信息公开)")
# The statistics period of the whole year: 2023年1月1日至2023年12月31日, 自2023年1月1日起至12月31日止.
_PERIOD = re.compile(r"((?:19|20)\d{2})年1月1日(?:起)?,?(?:至|到|—|-|~)((?:19|20)\d{2})?年?12月31日")
# A statement naming the report's year: 现将我办2022年度政府信息公开情况报告如下; 2020年度报告根据…
_YEAR_STATEMENT = re.compile(
    r"(?:现将|现公布|现发布|特?向社会公[布开]|本报告为|这是)[^。]{0,30}?((?:19|20)\d{2})年度?(?:的)?(?:政府信息公开|政务公开|信息公开)"
    r"|(?:^|。)((?:19|20)\d{2})年度?(?:政府信息公开工作)?(?:年度)?报告(?:根据|依据|是根据|按照)"
)
# Statements naming the reporting body: 由乐清市机关事务管理中心编制, 现公布清远市人民政府办公室2023年…
# A general office (人民政府办公室) or the body in charge of disclosure (政务公开办, 政务服务数据管理局 …) that
# compiles a report may be compiling its government's: not a statement about who reports, so the first
# pattern ignores them (``_COMPILER_ONLY``).
_AGENCY_STATEMENTS = (
    re.compile(r"由(?P<a>[\u4e00-\u9fff（）]{3,40}?)(?:负责)?(?:编制|编写|汇总|综合|按照|根据|依据|依照)"),
    re.compile(r"(?:现将|现公布|现发布|特?向社会公[布开])《?(?P<a>[\u4e00-\u9fff（）]{3,40}?)(?:19|20)\d{2}年度?"),
    re.compile(r"(?:^|[,。])(?P<a>[\u4e00-\u9fff（）]{3,40}?)(?:编制了?本(?:年度)?报告|(?:19|20)\d{2}年度?政府信息公开工作年度报告)"),
    # the first sentence of 总体情况: 2023年，乐清市融媒体中心认真贯彻落实…
    re.compile(r"(?:19|20)\d{2}年度?,(?P<a>[\u4e00-\u9fff（）]{3,30}?)(?:认真|坚持|深入|严格|全面|紧紧|始终|高度|积极|按照|围绕)"),
)
_COMPILER_ONLY = re.compile(r"政府办公[室厅]$|政务公开|政务服务|数据管理|大数据|行政审批")
# Page furniture that text extraction puts before a title: 当前位置:首页>…, 来源:, 标题:|, 发布机构:
_FURNITURE = re.compile(r"^.*[:：>|/]")
_AGGREGATE_TEXT = re.compile(
    r"综合[^。]{0,40}?(?:部门|乡镇|街道)[^。]{0,60}?(?:年度报告|编制|汇总)|汇总[^。]{0,20}?(?:各部门|各单位|乡镇)"
)
_DATE_LINE = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-./](\d{1,2})[-./](\d{1,2}))\s*$")
_CN_DATE_LINE = re.compile(r"^\s*([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日\s*$")
_PHONE = re.compile(r"(?:联系电话|咨询电话|电话|Tel)\s*[:：]?\s*([0-9()（）\-—–－~～\s]{7,24}\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _compact(s: str) -> str:
    return "".join(normalize(s).split())


def _last_lines(doc: Document, n: int) -> list[str]:
    out: list[str] = []
    for ln in reversed(doc.lines):
        text = ln.text
        if text.strip():
            out.append(normalize(text).strip())
            if len(out) == n:
                break
    return out[::-1]


def find_title(doc: Document) -> str | None:
    """The title: the first lines of the document up to 年度报告 (titles are often broken over lines)."""
    acc = ""
    seen = 0
    for line in doc.lines:
        text = _MD.sub("", line.text.strip())
        if not text:
            continue
        if _ATTACHMENT_MARK.match(text):
            continue  # "附件1" above a report's title
        seen += 1
        if "。" in text:
            acc = ""  # prose, not a title
            continue
        acc += _compact(text)
        if _TITLE_END.search(acc):
            m = _TITLE_END.search(acc)
            assert m is not None
            return acc[: m.end()] if len(acc[: m.end()]) <= 80 else None
        if seen >= 4 or len(acc) > 80:
            break
    return None


def find_year(title: str | None, text: str) -> tuple[int | None, str | None]:
    """(year reported on, where it was read): the title, else the text's own statements.

    The text is trusted only where it says which year the report covers: the statistics period
    (统计期限为2024年1月1日至2024年12月31日), or a statement naming the year's report (现将我办2022年度
    政府信息公开情况报告如下, 2020年度报告根据…).  Statements that disagree give no year.
    """
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1)), "title"
    opening = _compact(text[:4000])
    years = {int(m.group(1)) for m in _PERIOD.finditer(opening) if m.group(2) in (None, m.group(1))}
    if not years:
        years = {int(m.group(1) or m.group(2)) for m in _YEAR_STATEMENT.finditer(opening[:1500])}
    return (years.pop(), "text") if len(years) == 1 else (None, None)


def infer_year(published_on: str | None) -> int | None:
    """The year before publication (reports are due by 31 January or 31 March): an inference, marked as one."""
    return int(published_on[:4]) - 1 if published_on else None


def find_agency_in_title(title: str | None) -> str | None:
    """The body a title names: 乐清市财政局2023年…, 2022年度清远市教育局…, 乐清市民政局…（2021年）."""
    if not title:
        return None
    title = _FURNITURE.sub("", _compact(title))
    for rx in (_AGENCY_BEFORE_YEAR, _AGENCY_AFTER_YEAR, _AGENCY_WITHOUT_YEAR):
        m = rx.match(title)
        if m:
            a = m.group("a").removeprefix("关于").removesuffix("关于").removesuffix("的")
            if looks_like_body_name(a):
                return a
    return None


def find_agency(title: str | None, doc: Document) -> tuple[str | None, str | None]:
    """(the reporting body's name as printed, where): the title, an opening statement, the signature.

    Only names that pass :func:`identity.names.looks_like_body_name` are taken: a heading or a
    fragment of prose is never an agency (null instead).
    """
    a = find_agency_in_title(title)
    if a:
        return a, "title"
    opening = _compact("\n".join(ln.text for ln in doc.lines[:40]))[:3000]
    for i, rx in enumerate(_AGENCY_STATEMENTS):
        for m in rx.finditer(opening):
            a = m.group("a")
            if looks_like_body_name(a) and not (i == 0 and _COMPILER_ONLY.search(a)):
                return canonical(a), "text"
    # the signature at the end: a body's name just before the date line
    tail = [_compact(t) for t in _last_lines(doc, 6)]
    for s in reversed(tail):
        if looks_like_body_name(s):
            return canonical(s), "signature"
    return None, None


def says_compiled_from_bodies(text: str) -> bool:
    """The opening says the report combines its departments' and townships' reports (综合…部门…编制)."""
    return bool(_AGGREGATE_TEXT.search(_compact(text[:3000])))


def find_scope(kind: str | None, compiled_from_bodies: bool) -> str:
    """``region_aggregate`` for a government's own report or one compiled from its bodies, else ``agency``."""
    # the government itself, or a report titled by the region alone (清远市2023年…年度报告)
    return "region_aggregate" if kind == "people_government" or compiled_from_bodies else "agency"


def _cn_number(s: str) -> int:
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    # 十, 十二, 二十, 二十九
    tens, _, ones = s.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def find_published_on(doc: Document) -> str | None:
    """The date printed under the signature at the end of the report."""
    tail = _last_lines(doc, 8)
    for s in reversed(tail):
        s = s.replace("\t", "")
        m = _DATE_LINE.match(s)
        if m:
            y, mo, d = (int(g) for g in m.groups() if g is not None)
        else:
            m = _CN_DATE_LINE.match(s)
            if not m:
                continue
            y, mo, d = (_cn_number(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def find_contacts(text: str) -> tuple[str | None, str | None]:
    t = normalize(text)
    phone = None
    m = _PHONE.search(t)
    if m:
        phone = re.sub(r"[—–－~～]", "-", "".join(m.group(1).split()))
    e = _EMAIL.search(t)
    return phone, (e.group(0) if e else None)
