"""What kind of body a report comes from, read from the end of its name: data, not an if-chain.

The first template that matches wins, so the more specific forms (a township's 人民政府, a general
office of a government) stand before the general ones (人民政府, 局).  ``AGENCY_KINDS`` is also the
code table ``code_agency_kinds`` of the warehouse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    en: str


AGENCY_KINDS: tuple[Kind, ...] = (
    Kind("people_government", "人民政府", "people's government of a region"),
    Kind("general_office", "政府办公室（厅）", "general office of a people's government"),
    Kind("department", "政府工作部门、直属机构", "department, bureau, commission or other body of a government"),
    Kind("township_street", "乡镇人民政府、街道办事处", "township or town government, or street office"),
    Kind("development_zone", "开发区（园区）管理机构", "management committee of a development zone, new area or park"),
    Kind("party_mass_org", "党群机关、人民团体", "Party organ or mass organisation (trade union, women's federation …)"),
    Kind("other", "其他", "other body (court, procuratorate, public institution …)"),
)

# (kind, pattern on the body's name without its region prefix and without 中共).  Order matters:
# the first match wins.  Party organs are recognised by their prefix (``PARTY_PREFIXES``) first.
KIND_TEMPLATES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(rx))
    for code, rx in (
        ("other", r"(?:人民法院|人民检察院)$"),
        ("township_street", r"^[\u4e00-\u9fff]{0,12}(?:镇|乡|苏木)(?:人民政府|政府)$|街道(?:办事处)?$"),
        ("general_office", r"^(?:人民)?政府办公(?:室|厅)$"),
        ("people_government", r"^(?:人民)?政府$"),
        ("party_mass_org", r"党委|党工委|党组|总?工会|共青团|团委$|妇女联合会|妇联|残疾人联合会|残联|科学技术协会|科协|文学艺术界联合会|文联"
                           r"|归国华侨联合会|侨联|红十字会|工商业联合会|工商联|纪律检查委员会|纪委|党校"),
        ("development_zone", r"(?:开发区|高新区|新区|园区|试验区|自贸区|片区|保税区|示范区|合作区|产业园|工业园|度假区|风景区|景区)"
                             r"(?:管理委员会|管委会|工作委员会|管理局|管理处)?$"),
        ("department", r"(?:局|委员会|委|厅|办公室|办|中心|署|院|所|站|队|处|室|馆|社)$"),
    )
)

# Prefixes that mark a Party organ whatever the rest of the name says (中共乐清市委办公室).
PARTY_PREFIXES: tuple[str, ...] = ("中国共产党", "中共")


def agency_kind(rest: str, *, party: bool, township: bool = False) -> str:
    """The kind code of a body, from its name without region prefix (``rest``).

    ``party``: the name starts with 中共; ``township``: the body's region is a township or street, so
    its 人民政府 is a township government.
    """
    if party:
        return "party_mass_org"
    if township and rest in ("人民政府", "政府", "办事处"):
        return "township_street"
    return next((code for code, rx in KIND_TEMPLATES if rx.search(rest)), "other")
