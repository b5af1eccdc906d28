"""Is a string the name of a body?  A strict test, so that a fragment of prose is never taken for one.

Reports name themselves in titles, opening sentences and signatures; text extraction also offers
headings (``三、本年度办理…``), page furniture (``Page8-…``) and half words (``政府``).  A name must
end with a body's word, contain no prose, and be anchored: start with a region (national table),
a level word standing for the portal's own region (区统计局), a township (城关镇人民政府), 中共, or
a national organ.
"""

from __future__ import annotations

import re
import unicodedata

from .divisions import divisions
from .kinds import PARTY_PREFIXES

BODY_END = re.compile(
    r"(?:人民政府|政府|办公室|办公厅|局|委员会|委|中心|院|所|厅|部|署|办|站|队|馆|会|室|处|社|办事处|管委会|联合会|"
    r"法院|检察院|分局|支队|大队|集团|公司)$"
)
# Words that occur in sentences and headings about the report, never in a body's name.
PROSE = re.compile(
    r"报告|年度|情况|工作(?!委员会)|本年|本机关|我|如下|根据|依据|按照|以下|总计|数量|申请|公开|条例|统计|期限|编制(?!委员会)|"
    r"印发|关于|通知|和其|的|了|其他|需要|联系"
)
_STATISTICS_BUREAU = re.compile(r"统计局$")  # 统计 is prose (统计期限) except in the statistics bureau's name
# A level word standing for the portal's own region (区统计局), not the start of a word (市场, 区域, 市民 …).
GENERIC_LEVEL = re.compile(r"^(?P<unit>省|市|区|县|旗|州|盟)(?!场|民|政(?!府)|容|级|域|属|直|辖|内|外|区)(?=[\u4e00-\u9fff]{2})")
UNIT_LEVELS = {  # which levels a level word can stand for
    "省": ("province",), "市": ("province", "prefecture", "county"), "区": ("county",), "县": ("county",),
    "旗": ("county",), "州": ("prefecture",), "盟": ("prefecture",),
}
BARE_TOWNSHIP = re.compile(r"^(?:镇|乡|街道|苏木)(?:人民政府|政府|办事处|党委)")
TOWNSHIP = re.compile(r"^(?P<t>[\u4e00-\u9fff]{1,8}?(?:镇|乡|街道|苏木))(?P<rest>人民政府|政府|办事处|街道办事处|党委|党工委|$)?")
NATIONAL = re.compile(r"^(?:国务院|国家|中华人民共和国|中国|全国|最高人民)")
SELF_REFERENCE = re.compile(r"^(?:我|本)(?:局|委|办|厅|中心|单位|机关|部门|镇|乡|街道|区|县|市|院|所|站|会|室|处)$")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff（）()]+$")


def canonical(name: str) -> str:
    """NFKC, no white space, full-width brackets: the form names are compared and hashed in."""
    s = "".join(unicodedata.normalize("NFKC", name).split())
    return s.replace("(", "（").replace(")", "）")


def strip_party(name: str) -> tuple[bool, str]:
    for p in PARTY_PREFIXES:
        if name.startswith(p):
            return True, name[len(p) :]
    return False, name


def is_self_reference(name: str) -> bool:
    """我局, 本机关, 我办 …: the body speaks of itself; its name must come from elsewhere."""
    return bool(SELF_REFERENCE.match(canonical(name)))


def looks_like_body_name(name: str | None, *, anchored: bool = True) -> bool:
    """True only for a plausible body name; see the module docstring.

    ``anchored=False`` accepts a bare body (统计局) where the place it was read from names a body on
    purpose (a title, the page's 发布机构, the registry): its region then comes from the portal.
    """
    if not name:
        return False
    s = canonical(name)
    if not (3 <= len(s) <= 40) or not _CJK_NAME.match(s):
        return False
    if not BODY_END.search(s) and not _region_only(s):
        return False
    prose = PROSE.search(_STATISTICS_BUREAU.sub("局", s))
    if prose or s[:4] in s[1:]:  # prose, or a name printed twice over itself by the page (中国(河北)…中国(河北)…)
        return False
    _party, rest = strip_party(s)
    if not anchored:
        return True
    if NATIONAL.match(rest) or GENERIC_LEVEL.match(rest):
        return True
    if divisions().names_at(rest, 0):
        return True
    m = TOWNSHIP.match(rest)
    return bool(m and m.group("rest"))


def _region_only(s: str) -> bool:
    """A report titled by its region alone (清远市2023年政府信息公开工作年度报告)."""
    return any(len(n) == len(s) for n, _ in divisions().names_at(s, 0))
