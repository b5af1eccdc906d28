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
from .names import GENERIC_LEVEL, TOWNSHIP, canonical, is_self_reference, looks_like_body_name, strip_party

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


def resolve(printed: str | None, source: str | None, ctx: Context | None = None) -> Agency:
    """Resolve a body from the name a report prints (``source``: where it was read) and its context."""
    ctx = ctx or Context()
    table = divisions()
    problems: list[str] = []
    candidates: list[tuple[str, str]] = []
    for value, where in ((printed, source or "text"), (ctx.publisher, "page_meta"), (ctx.body, "registry")):
        if not value:
            continue
        # a title, the page and the registry name a body on purpose; a name read from running text
        # must also be anchored to a region, so that a fragment of prose is never taken for one
        if not is_self_reference(value) and looks_like_body_name(value, anchored=where in ("text", "signature")):
            candidates.append((canonical(value), where))
        else:
            problems.append(f"{where} name {value!r} is not a body's name")
    context_code = ctx.region_code if table.get(ctx.region_code) else None
    region_source = "registry" if context_code else None
    if context_code is None:
        context_code = index_no_region(ctx.index_no)
        region_source = "index_no" if context_code else None
    if ctx.region_code and not table.get(ctx.region_code):
        problems.append(f"registry region code {ctx.region_code} is not in the divisions table ({table.vintage})")
    for name, where in candidates:
        out = _resolve_name(table, name, context_code, region_source)
        if out.agency_id:
            out.name_source = where
            return out
        problems += out.problems
    if not candidates:
        problems.append("no body name in the title, the text, the page's metadata or the registry")
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
                return Agency(printed=name, problems=[f"{text} names {len(picked)} divisions ({codes}); the portal's region does not decide"])
        if not matched:
            break
    body = rest[pos:]
    if region is None:
        if context is None:
            return Agency(printed=name, problems=[f"{name!r} names no region and the portal gives none"])
        generic = GENERIC_LEVEL.match(body)
        region = table.by_code[context]
        region_source = context_source
        if generic:
            unit = generic.group(0)
            # 区统计局 on the 汉阳区 portal; 市统计局 on it is 武汉市's
            owner = next((d for d in table.ancestors(context) if d.level != "township" and d.name.endswith(unit)), None)
            if owner is None:
                return Agency(printed=name, problems=[f"{name!r}: no unit of the portal's region {region.name} ends with {unit}"])
            region, body = owner, body[len(unit) :]
    level = region.level
    notes: list[str] = []
    township = TOWNSHIP.match(body) if region.level in ("county", "prefecture") else None
    if township and township.group("rest"):
        t_name = township.group("t")
        found = [d for d in table.by_name.get(t_name, ()) if d.parent == region.code]
        if len(found) == 1:
            region, body = found[0], body[len(t_name) :]
        else:
            notes.append(f"township {t_name} is not in the divisions of {region.name} ({table.vintage}): region code at county level")
        level = "township"
    if not body:
        body = "人民政府"  # titled by the region alone: the region's government (its combined report)
    full = ("中共" if party else "") + table.prefix(region.code) + body
    full = aliases().get(full, full)
    kind = agency_kind(body, party=party, township=level == "township")
    return Agency(
        agency_id=agency_id(region.code, full),
        name=full,
        printed=name,
        region_code=region.code,
        region=region.name,
        level=level,
        kind=kind,
        region_source=region_source,
        problems=notes,
    )
