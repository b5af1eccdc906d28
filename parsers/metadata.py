"""Report metadata from the text: title, reporting body, region, year, scope, date, contacts.

Read from the places reports print them (title lines, the opening paragraph, the signature and
date at the end), with the page's own metadata (issue 3: 发布机构, 成文日期 …) taking precedence in
the caller when a portal provides it.
"""

from __future__ import annotations

import csv
import functools
import re
from pathlib import Path

from .document import Document
from .values import normalize

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "data" / "reference"

_TITLE_END = re.compile(r"(?:年度?报告|年报)(?:[(（][^)）]{0,14}[)）])?")
_ATTACHMENT_MARK = re.compile(r"^附件\s*\d*\s*[:：]?$")
_MD = re.compile(r"^[#>*\s]+|[*#]+$")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})年度?")
_PERIOD_START = re.compile(r"自\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_AGENCY_BEFORE_YEAR = re.compile(r"^(?P<a>.+?)(?:关于)?(?:19|20)\d{2}年度?")
_AGENCY_AFTER_YEAR = re.compile(r"^(?:19|20)\d{2}年度?(?P<a>.+?)(?:政府信息公开|政务公开|信息公开)")
_AGENCY_WITHOUT_YEAR = re.compile(r"^(?P<a>[^0-9]+?)(?:政府信息公开|政务公开|信息公开)")
_BODY_SUFFIX = re.compile(r"(?:政府|办公室|办公厅|局|委员会|中心|院|所|厅|部|署|委|办|站|队|馆|会|室|处)$")
_UNIT = re.compile(r"(.{2,7}?(?:自治县|自治州|自治区|特别行政区|省|市|州|盟|县|区|旗))")
_NOT_REGION_START = re.compile(r"^(?:人民|市场|区域|县域|市民|区块|市级|区级|县级)")
_AGGREGATE_TEXT = re.compile(
    r"综合[^。]{0,40}?(?:部门|乡镇|街道)[^。]{0,60}?(?:年度报告|编制|汇总)|汇总[^。]{0,20}?(?:各部门|各单位|乡镇)"
)
_DATE_LINE = re.compile(r"^\s*((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|[-./](\d{1,2})[-./](\d{1,2}))\s*$")
_CN_DATE_LINE = re.compile(r"^\s*([〇零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日\s*$")
_PHONE = re.compile(r"(?:联系电话|咨询电话|电话|Tel)\s*[:：]?\s*([0-9()（）\-—–－~～\s]{7,24}\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


@functools.cache
def regions() -> dict[str, tuple[str, str]]:
    """Known region names -> (division code, level), from ``data/reference/regions.csv``."""
    path = REFERENCE_DIR / "regions.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        return {r["name"]: (r["code"], r["level"]) for r in csv.DictReader(f)}


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


def find_year(title: str | None, text: str) -> int | None:
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1))
    m = _PERIOD_START.search(normalize(text))
    return int(m.group(1)) if m else None


def find_agency(title: str | None, doc: Document) -> str | None:
    if title:
        for rx in (_AGENCY_BEFORE_YEAR, _AGENCY_AFTER_YEAR, _AGENCY_WITHOUT_YEAR):
            m = rx.match(title)
            if m:
                a = m.group("a").removeprefix("关于").removesuffix("关于").removesuffix("的")
                if 2 <= len(a) <= 40 and "信息公开" not in a and "报告" not in a:
                    return a
    # the signature at the end: a body's name just before the date line
    tail = [_compact(t) for t in _last_lines(doc, 6)]
    for s in reversed(tail):
        if _BODY_SUFFIX.search(s) and len(s) <= 30 and not re.search(r"\d", s):
            return s
    return None


def find_region(agency: str | None) -> tuple[str | None, str | None]:
    """(region name, division code): the most specific administrative unit the body's name starts with."""
    if not agency:
        return None, None
    known = regions()
    rest = agency.removeprefix("中共").removeprefix("中国共产党")  # 中共乐清市委办公室
    region: str | None = None
    names = sorted(known, key=len, reverse=True)
    while True:
        hit = next((n for n in names if rest.startswith(n)), None)
        if hit is None:
            break
        region, rest = hit, rest[len(hit) :]
    if region is None:
        while True:
            m = _UNIT.match(rest)
            if not m or _NOT_REGION_START.match(rest):
                break
            region, rest = m.group(1), rest[m.end() :]
    if region is None:
        return None, None
    return region, known.get(region, (None, None))[0]


def find_scope(agency: str | None, region: str | None, text: str) -> str:
    """``region_aggregate`` for a government's report compiled from its departments, else ``agency``."""
    if agency and region and agency.endswith((f"{region}人民政府", f"{region}政府", region)):
        # the government itself, or a report titled by the region alone (清远市2023年…年度报告)
        return "region_aggregate"
    intro = _compact(text[:3000])
    if _AGGREGATE_TEXT.search(intro):
        return "region_aggregate"
    return "agency"


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
