"""Who and when, settled: a report's year and its body resolved against the national divisions.

Run twice with the same rules: when a document is parsed (context: the page's own 发布机构 and
索引号) and again when the dataset is built, where the portal the document came from is known
(context: the registry's region and body, the list page's title).  Parse results are cached by
document, so the second run is what makes a short name (区统计局) a body of one real place.
"""

from __future__ import annotations

from identity.agency import Context, resolve

from .metadata import find_agency_in_title, find_scope, find_year, infer_year
from .model import ReportMeta


def identify(meta: ReportMeta, ctx: Context | None = None, list_title: str | None = None) -> None:
    """Fill the report's year (with its source), agency id, full name, region, level, kind and scope."""
    ctx = ctx or Context()
    problems: list[tuple[str, str]] = []
    list_year = find_year(list_title, "")[0] if list_title else None
    if meta.year_source in (None, "inferred") and list_year is not None:
        meta.year, meta.year_source = list_year, "page_meta"
    if meta.year is None or meta.year_source == "inferred":
        year = infer_year(meta.published_on)
        if year is not None:
            meta.year, meta.year_source = year, "inferred"
            problems.append(("year_inferred", f"no year in the title or text: {year} inferred from the publication date {meta.published_on}"))
        else:
            meta.year, meta.year_source = None, None
            problems.append(("year_missing", "no year in the title, the text, the page or a publication date"))

    if list_year is not None and (meta.title is None or find_year(meta.title, "")[0] is None):
        meta.title = list_title  # the list page's title, for a document that prints none or one without its year
    printed, source = meta.agency_printed, meta.agency_source
    if printed is None and list_title:
        printed, source = find_agency_in_title(list_title), "page_meta"
    a = resolve(printed, source, ctx)
    meta.agency = printed if printed is not None else (ctx.publisher if a.name_source == "page_meta" else a.name)
    meta.agency_id, meta.agency_name, meta.agency_level, meta.agency_kind = a.agency_id, a.name, a.level, a.kind
    meta.region, meta.region_code, meta.region_source = a.region, a.region_code, a.region_source
    meta.agency_name_source = a.name_source
    if a.agency_id is None:
        problems.append(("agency_unresolved", "; ".join(a.problems) or "body not resolved"))
    else:
        problems += [("agency_note", p) for p in a.problems]
    meta.scope = find_scope(a.kind, meta.aggregate_text)
    meta.identity_problems = problems
