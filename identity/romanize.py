"""Names of regions and bodies in pinyin and English, only where the reading is certain.

Convention (documented in the release's codebook):

- **pinyin**: tone-less Hanyu Pinyin, ``ü`` kept (吕梁 → Lüliang), no hyphens; a proper name is one word
  with its first letter capitalised (乐清 → Yueqing); an apostrophe separates a syllable starting with
  a, o or e from the one before it (西安 → Xi'an), as GB/T 16159 writes place names.  A region's
  ``name_pinyin`` is its *proper name* only, without the administrative suffix (乐清市 → Yueqing).
- **English** (``name_en``): the pinyin proper name followed by the English of its administrative suffix
  from :data:`SUFFIXES` (乐清市 → Yueqing City, 汉阳区 → Hanyang District, 东华门街道 → Donghuamen
  Subdistrict).  No English is given (null) for a name whose suffix is not in the table, whose proper name
  is one character (赵县: Zhao County and Zhaoxian are both in use), or that names peoples (恩施土家族苗族
  自治州: the peoples' English names are not in this table).
- **established forms** (:data:`PINYIN_ESTABLISHED`, :data:`ESTABLISHED`): 陕西 is Shaanxi (apart from 山西 Shanxi);
  Hong Kong, Macao and Inner Mongolia keep the English names in use.
- **certain**: every character's reading is settled, tones aside — it has one reading, or pypinyin's
  phrase dictionary settles it in context (重庆 → Chongqing).  A name with a character of several
  readings that the dictionary does not settle (朝阳: zhao/chao) gets null, never a guess; callers count them.

Bodies: ``name_pinyin`` writes each region unit at the start of the name as its proper name and its
suffix (武汉市汉阳区统计局 → Wuhan Shi Hanyang Qu Tongjiju), the rest — the body's own designation — as one
word (xxgk has no word segmenter, and pypinyin's phrase dictionary holds only the phrases it must read apart).  ``name_en`` only for a government
and its general office named exactly after a region (:data:`BODIES`); null otherwise.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pypinyin import Style, pinyin

from .divisions import divisions


@dataclass(frozen=True)
class Suffix:
    zh: str
    pinyin: str  # the generic word in pinyin, as written after a proper name (Wuhan Shi)
    en: str  # its English, as written after the proper name (Wuhan City)


# The administrative suffixes of region names, longest first when matched (自治州 before 州 …).
SUFFIXES: tuple[Suffix, ...] = (
    Suffix("特别行政区", "Tebie Xingzhengqu", "Special Administrative Region"),
    Suffix("自治区", "Zizhiqu", "Autonomous Region"),
    Suffix("自治州", "Zizhizhou", "Autonomous Prefecture"),
    Suffix("自治县", "Zizhixian", "Autonomous County"),
    Suffix("自治旗", "Zizhiqi", "Autonomous Banner"),
    Suffix("联合旗", "Lianheqi", "United Banner"),
    Suffix("地区", "Diqu", "Prefecture"),
    Suffix("林区", "Linqu", "Forestry District"),
    Suffix("矿区", "Kuangqu", "Mining District"),
    Suffix("特区", "Tequ", "Special District"),
    Suffix("街道", "Jiedao", "Subdistrict"),
    Suffix("苏木", "Sumu", "Sumu"),
    Suffix("省", "Sheng", "Province"),
    Suffix("市", "Shi", "City"),
    Suffix("县", "Xian", "County"),
    Suffix("区", "Qu", "District"),
    Suffix("旗", "Qi", "Banner"),
    Suffix("盟", "Meng", "League"),
    Suffix("镇", "Zhen", "Town"),
    Suffix("乡", "Xiang", "Township"),
)
_BY_LENGTH = tuple(sorted(SUFFIXES, key=lambda s: -len(s.zh)))
# A suffix whose English depends on the level: a province-level 市 is a municipality (北京市 → Beijing Municipality).
SUFFIX_BY_LEVEL: dict[tuple[str, str], str] = {("province", "市"): "Municipality"}
# Names whose English is established otherwise than by the convention (the pinyin stays the convention's).
ESTABLISHED: dict[str, str] = {
    "香港特别行政区": "Hong Kong Special Administrative Region",
    "澳门特别行政区": "Macao Special Administrative Region",
    "内蒙古自治区": "Inner Mongolia Autonomous Region",
}
# Proper names whose official romanisation departs from plain tone-less pinyin: 陕西 is Shaanxi, apart from 山西 Shanxi.
PINYIN_ESTABLISHED: dict[str, str] = {"陕西": "Shaanxi"}

# The peoples named in the names of autonomous units (in Chinese only: to tell a people's name from a proper name).
PEOPLES = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎",
    "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉",
    "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京",
    "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各",
)
_PEOPLES = re.compile("(?:" + "|".join(sorted(PEOPLES, key=len, reverse=True)) + ")族?")
_PEOPLES_RUN = re.compile(f"(?:{_PEOPLES.pattern})+(?:民族)?$")

# Bodies given an English name: the name is exactly a region's (its full name) followed by one of these.
BODIES: dict[str, str] = {
    "人民政府": "People's Government of {region}",
    "人民政府办公室": "General Office of the People's Government of {region}",
    "人民政府办公厅": "General Office of the People's Government of {region}",
}
_VOWEL_START = re.compile(r"^[aoe]")
_UNREAD = "0"  # what pypinyin is told to give for a character it has no reading of (no syllable has a digit)


def syllables(text: str) -> list[str] | None:
    """The tone-less syllables of ``text`` (ü kept), or None when a character's reading is not settled or a
    character has no reading (a letter, a digit, a character pypinyin does not know)."""
    out: list[str] = []
    for readings in pinyin(text, style=Style.NORMAL, heteronym=True, v_to_u=True, errors=lambda c: [_UNREAD] * len(c)):
        distinct = set(readings)
        if len(distinct) != 1 or any(not r.isalpha() for r in distinct):
            return None
        out.append(distinct.pop())
    return out


def word(sylls: list[str]) -> str:
    """Syllables as one capitalised word, with the apostrophe before a, o, e (Xi'an)."""
    text = "".join(("'" + s) if i and _VOWEL_START.match(s) else s for i, s in enumerate(sylls))
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Romanized:
    pinyin: str | None
    en: str | None
    why: str | None  # why en (or both) is null: uncertain_reading, no_suffix, one_character, peoples


def split_region(name: str, short_name: str | None = None) -> tuple[str, str, Suffix | None]:
    """(proper name, the words between it and the suffix, suffix) of a region's name.  The official short name
    is the proper name where the list gives one (乐清市 → 乐清); else the suffix is cut from the table."""
    suffix = next((s for s in _BY_LENGTH if name.endswith(s.zh) and len(name) > len(s.zh)), None)
    stem = name[: len(name) - len(suffix.zh)] if suffix else name
    if short_name and short_name != name and stem.startswith(short_name):
        return short_name, stem[len(short_name):], suffix
    m = _PEOPLES_RUN.search(stem)
    if m and m.start() >= 2:  # a township of peoples: 某某回族乡
        return stem[: m.start()], stem[m.start():], suffix
    return stem, "", suffix


def region(name: str, short_name: str | None = None, level: str | None = None) -> Romanized:
    """A region's proper name in pinyin and its name in English (see the module's convention)."""
    proper, middle, suffix = split_region(name, short_name)
    sylls = syllables(proper)
    py = PINYIN_ESTABLISHED.get(proper) or (word(sylls) if sylls is not None else None)
    if name in ESTABLISHED:  # an English name in use whatever the reading of its characters
        return Romanized(py, ESTABLISHED[name], None if py else "uncertain_reading")
    if py is None or sylls is None:
        return Romanized(None, None, "uncertain_reading")
    if suffix is None:
        return Romanized(py, None, "no_suffix")
    if middle:
        return Romanized(py, None, "peoples")
    if len(proper) == 1:
        return Romanized(word(syllables(name) or sylls), None, "one_character")
    return Romanized(py, f"{py} {SUFFIX_BY_LEVEL.get((level or '', suffix.zh), suffix.en)}", None)


@functools.cache
def _region_by_code(code: str) -> Romanized:
    d = divisions().get(code)
    return region(d.name, d.short_name, d.level) if d else Romanized(None, None, "unknown_region")


def region_columns(rows: Iterable[dict[str, object]]) -> list[dict[str, object]]:
    """The ``regions`` rows with ``name_pinyin`` and ``name_en``."""
    out = []
    for r in rows:
        rom = region(str(r["name"]), r.get("short_name"), r.get("level"))  # type: ignore[arg-type]
        out.append({**r, "name_pinyin": rom.pinyin, "name_en": rom.en})
    return out


def _units(name: str) -> tuple[list[tuple[str, str | None]], str]:
    """The region units a body's name starts with ((name, code) each, longest name first, following the chain
    of divisions), and the rest of the name."""
    table = divisions()
    units: list[tuple[str, str | None]] = []
    pos, parent = 0, None
    while pos < len(name):
        found = None
        for text, candidates in table.names_at(name, pos):
            inside = [d for d in candidates if parent is None or table.within(d.code, parent)]
            if inside:
                found = (text, inside[0].code if len(inside) == 1 else None)
                break
        if found is None or len(found[0]) == len(name) - pos:  # the whole rest a region: a region's name, not a body's
            break
        units.append(found)
        pos += len(found[0])
        parent = found[1] or parent
    return units, name[pos:]


def agency(name: str | None, region_code: str | None = None) -> Romanized:
    """A body's name in pinyin (its region units, then its words) and, for a government or its general office
    named exactly after its region, in English."""
    if not name:
        return Romanized(None, None, "no_name")
    units, rest = _units(name)
    words: list[str] = []
    for text, code in units:
        d = divisions().get(code)
        proper, middle, suffix = split_region(text, d.short_name if d else None)
        parts = [syllables(proper), *([syllables(middle)] if middle else [])]
        if any(p is None for p in parts) and proper not in PINYIN_ESTABLISHED:
            return Romanized(None, None, "uncertain_reading")
        words += [PINYIN_ESTABLISHED.get(proper) or word(parts[0]), *(word(p) for p in parts[1:])]  # type: ignore[arg-type]
        if suffix:
            words.append(suffix.pinyin)
    tail = syllables(rest) if rest else []
    if tail is None:
        return Romanized(None, None, "uncertain_reading")
    py = " ".join(words + ([word(tail)] if tail else []))
    template = BODIES.get(rest)
    if template is None or not units or any(code is None for _t, code in units):
        return Romanized(py, None, "no_english")
    ens = [_region_by_code(code).en for _t, code in reversed(units)]  # the smallest unit first: Hanyang District, Wuhan City
    if any(e is None for e in ens):
        return Romanized(py, None, "no_english")
    return Romanized(py, template.format(region=", ".join(ens)), None)  # type: ignore[arg-type]
