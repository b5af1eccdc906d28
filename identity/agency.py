"""Agency resolution: one real body in one real place, from what the report and its portal say.

Deterministic and explainable.  Inputs, in order of trust for the *name*: the name the report prints
(title, opening sentence, signature), the page's 发布机构, the registry's own body of the portal (for
self-references such as 我局).  For the *region*: a region the name itself starts with (the national
table; homonyms decided by the portal's region), a level word standing for the portal's region
(区统计局 on the 汉阳区 portal), else the portal's region from the registry, else the division code
inside the page's 索引号 (a unified social credit code carries its registration region).  What
cannot be decided with certainty stays null, with a problem that says why.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .divisions import Division, Divisions, divisions
from .kinds import agency_kind
from .names import BARE_TOWNSHIP, GENERIC_LEVEL, NATIONAL, TOWNSHIP, UNIT_LEVELS, canonical, is_self_reference, looks_like_body_name, strip_party

ALIASES_CSV = Path(__file__).resolve().parents[1] / "data" / "reference" / "agency_aliases.csv"
ID_SCHEME = 2  # 1: hash of (printed name, year); 2: hash of (agency_id, year) — see the CHANGELOG of the release
# 18 characters of a unified social credit code: 2 of registration kind, 6 of division code, 9 + 1 check.
_USCC = re.compile(r"^([0-9A-HJ-NPQRTUWXY]{2})(\d{6})[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")


@dataclass(frozen=True)
class Context:
    """What the portal and the page say about a document, beyond its own text."""

    region_code: str | None = None  # the portal's region (registry)
    body: str | None = None  # the portal's own body, full name (registry), for a department's site
    publisher: str | None = None  # 发布机构 of the page
    index_no: str | None = None  # 索引号 of the page


@dataclass
class Agency:
    """The resolved body; every field None when it could not be resolved with certainty."""

    agency_id: str | None = None
    name: str | None = None  # full name: region prefix + body (武汉市汉阳区统计局)
    printed: str | None = None  # the name it was resolved from, as printed
    region_code: str | None = None  # township code for a 镇/乡/街道 found in the table, else county level or above
    region: str | None = None
    level: str | None = None  # province | prefecture | county | township
    kind: str | None = None  # see identity.kinds.AGENCY_KINDS
    name_source: str | None = None  # title | text | signature | page_meta | registry
    region_source: str | None = None  # name | registry | index_no
    problems: list[str] = field(default_factory=list)


def agency_id(region_code: str, full_name: str) -> str:
    """Stable across builds and years: the division code and a hash of the normalised full name."""
    return f"a{region_code}-{hashlib.sha256(canonical(full_name).encode()).hexdigest()[:10]}"


@functools.cache
def aliases() -> dict[str, str]:
    """Former full name -> current full name (renamed bodies, e.g. 机构改革 2018–2019), maintained as data."""
    if not ALIASES_CSV.exists():
        return {}
    with ALIASES_CSV.open(encoding="utf-8") as f:
        return {canonical(r["former_name"]): canonical(r["current_name"]) for r in csv.DictReader(f)}


def index_no_region(index_no: str | None) -> str | None:
    """The division code in a 索引号 that starts with a unified social credit code, when it is a known division."""
    if not index_no:
        return None
    m = _USCC.match(canonical(index_no).upper())
    if not m:
        return None
    code = m.group(2)
    return code if divisions().get(code) else None


# What a self-reference may stand for: 我局 is a 局, 我办 an 办公室 …; 本机关 and 本单位 any body.
SELF_SUFFIXES = {
    "局": ("局",), "委": ("委", "委员会"), "办": ("办", "办公室", "办公厅"), "厅": ("厅",), "中心": ("中心",),
    "院": ("院",), "所": ("所",), "站": ("站",), "会": ("会",), "室": ("室",), "处": ("处",),
    "镇": ("镇人民政府", "镇政府"), "乡": ("乡人民政府", "乡政府"), "街道": ("街道办事处",),
    "区": ("人民政府",), "县": ("人民政府",), "市": ("人民政府",),
}


def resolve(printed: str | None, source: str | None, ctx: Context | None = None) -> Agency:
    """Resolve a body from the name a report prints (``source``: where it was read) and its context.

    The printed name decides when there is one: if it cannot be resolved, the result is null — never
    the page's or the portal's body instead.  Those stand in only when nothing is printed, or for a
    self-reference (我局) whose kind they match.
    """
    ctx = ctx or Context()
    table = divisions()
    problems: list[str] = []
    context_code = ctx.region_code if table.get(ctx.region_code) else None
    region_source = "registry" if context_code else None
    if ctx.region_code and not table.get(ctx.region_code):
        problems.append(f"registry region code {ctx.region_code} is not in the divisions table ({table.vintage})")
    if context_code is None:
        context_code = index_no_region(ctx.index_no)
        region_source = "index_no" if context_code else None

    self_ref = bool(printed) and is_self_reference(printed or "")
    if printed and not self_ref:
        # a name read from running text must be anchored to a region, so that prose is never taken for one
        if not looks_like_body_name(printed, anchored=(source or "text") in ("text", "signature")):
            return Agency(printed=printed, problems=[*problems, f"{source or 'text'} name {printed!r} is not a body's name"])
        out = _resolve_name(table, canonical(printed), context_code, region_source)
        out.name_source = source or "text" if out.agency_id else None
        out.problems = problems + out.problems if not out.agency_id else out.problems
        return out
    word = canonical(printed or "")[1:]
    for value, where in ((ctx.publisher, "page_meta"), (ctx.body, "registry")):
        if not value or is_self_reference(value) or not looks_like_body_name(value, anchored=False):
            continue
        if self_ref and word in SELF_SUFFIXES and not canonical(value).endswith(SELF_SUFFIXES[word]):
            problems.append(f"{printed!r} does not stand for the {where} body {value!r}")
            continue
        out = _resolve_name(table, canonical(value), context_code, region_source)
        if out.agency_id:
            out.name_source = where
            return out
        problems += out.problems
    problems.append(f"{printed!r} names no body by itself" if printed else "no body name in the title, the text, the page's metadata or the registry")
    return Agency(printed=printed, problems=problems)


def _pick(options: tuple[Division, ...], inside: str | None, context: str | None, table: Divisions) -> list[Division]:
    """Of several divisions with one name: those inside the unit matched before, then near the portal's region."""
    if inside:
        options = tuple(d for d in options if d.parent and table.within(d.parent, inside))
    if len(options) > 1 and context:
        near = tuple(d for d in options if table.within(d.code, context) or table.within(context, d.code))
        if near:
            options = near
        else:
            # the portal's own province or city decides between homonyms elsewhere in the country
            for anc in table.ancestors(context)[1:]:
                scoped = tuple(d for d in options if table.within(d.code, anc.code))
                if scoped:
                    options = scoped
                    break
    return list(options)


def _null(name: str, why: str) -> Agency:
    return Agency(printed=name, problems=[why])


def _region_from_context(table: Divisions, name: str, body: str, context: str) -> tuple[Division | None, str, str | None]:
    """The region of a name that starts with no full division name: (region, rest of the body, or why not)."""
    if NATIONAL.match(body):
        return None, body, f"{name!r} is a national body: it has no region"
    if BARE_TOWNSHIP.match(body):
        return None, body, f"{name!r} does not say which township"
    ancestors = table.ancestors(context)
    # a short name of the portal's own region or one above it: 温州统计局 on a 乐清市 portal is 温州市's
    for d in ancestors:
        if d.level != "township" and body.startswith(d.short_name) and len(d.short_name) >= 2:
            rest = body[len(d.short_name) :]
            if len(rest) >= 2 and looks_like_body_name(rest, anchored=False) and not GENERIC_LEVEL.match(rest):
                return d, rest, None
    generic = GENERIC_LEVEL.match(body)
    if generic:
        unit = generic.group("unit")
        # 区统计局 on the 汉阳区 portal; 市统计局 on it is 武汉市's; 区 is never a 自治区
        owner = next((d for d in ancestors if d.level in UNIT_LEVELS[unit] and d.name.endswith(unit) and not d.name.endswith("自治区")), None)
        if owner is None:
            return None, body, f"{name!r}: no unit of the portal's region {ancestors[0].name} is a {unit}"
        return owner, body[len(unit) :], None
    return ancestors[0], body, None


def _resolve_name(table: Divisions, name: str, context: str | None, context_source: str | None) -> Agency:
    party, rest = strip_party(name)
    region: Division | None = None
    region_source: str | None = None
    pos = 0
    while True:  # the chain of regions the name starts with: 广东省清远市清城区…
        matched = False
        for text, options in table.names_at(rest, pos):
            if region is None:
                # a township name alone (城关镇: 82 of them) counts only inside the portal's region
                options = tuple(d for d in options if d.level != "township" or (context and table.within(d.code, context)))
            picked = _pick(options, region.code if region else None, None if region else context, table)
            if len(picked) == 1:
                region, pos, matched = picked[0], pos + len(text), True
                region_source = "name"
                break
            if len(picked) > 1:
                codes = ", ".join(d.code for d in picked[:5])
                return _null(name, f"{text} names {len(picked)} divisions ({codes}); the portal's region does not decide")
        if not matched:
            break
    body = rest[pos:]
    if region is None:
        if context is None:
            return _null(name, f"{name!r} names no region and the portal gives none")
        region, body, why = _region_from_context(table, name, body, context)
        if region is None:
            return _null(name, why or "no region")
        region_source = context_source
    notes: list[str] = []
    township = TOWNSHIP.match(body) if region.level in ("county", "prefecture") else None
    if township and township.group("rest") is not None:
        t_name = township.group("t")
        found = [d for d in table.by_name.get(t_name, ()) if d.level == "township" and table.within(d.code, region.code)]
        if len(found) == 1:
            region, body = found[0], body[len(t_name) :]
        elif region.level == "county" or not table.has_counties(region.code):
            # the county is certain, the township is not in this vintage of the list (renamed, merged)
            notes.append(f"township {t_name} is not in the divisions of {region.name} ({table.vintage}): region code at county level")
        else:
            return _null(name, f"{t_name} is not a township of {region.name} in the divisions list, and its county is not said")
    township_level = region.level == "township" or bool(township and township.group("rest") is not None)
    body = _canonical_body(body, region, party)
    if body.startswith("委") and not party:
        party = True  # 乐清市委宣传部 is 中共乐清市委宣传部
    full = ("中共" if party else "") + table.prefix(region.code) + body
    full = aliases().get(full, full)
    return Agency(
        agency_id=agency_id(region.code, full),
        name=full,
        printed=name,
        region_code=region.code,
        region=region.name,
        level="township" if township_level else region.level,
        kind=agency_kind(body, party=party, township=township_level),
        region_source=region_source,
        problems=notes,
    )


def _canonical_body(body: str, region: Division, party: bool) -> str:
    """One form for one body: 政府 is 人民政府, a street's government its 办事处, 中共…委 its 委员会."""
    if region.level == "township" and body in ("", "政府", "人民政府", "办事处"):
        return "办事处" if region.name.endswith("街道") else "人民政府"
    if body in ("", "政府"):
        return "人民政府"  # titled by the region alone: the region's government (its combined report)
    if party and body == "委":
        return "委员会"
    if body.startswith("政府"):
        return "人民" + body  # 区政府办公室 is the 人民政府办公室
    return body
