"""Parse one document into a report: format, tables, facts, checks and what could not be read."""

from __future__ import annotations

import re

from .checks import check_report
from .narrative import narrative_signatures, read_in_full
from .statements import prose_lines, text_checks
from .document import Document
from identity.agency import Context

from .identify import identify
from .metadata import find_agency, find_contacts, find_published_on, find_title, find_year, says_compiled_from_bodies
from .model import ParseResult, Problem, ReportMeta
from .stream import Region, build_stream, tokenize
from .tables import read_section
from .values import normalize
from .templates import (
    APPLICATIONS_ANCHOR,
    APPLICATIONS_HEADING,
    APPLICATIONS_LAST_ROW,
    END_OF_TABLES,
    FORMAT_MARKERS,
    PROACTIVE_ANCHOR,
    REVIEWS_ANCHOR,
    REVIEWS_HEAD,
    TEMPLATES,
    expected_rows,
)

_REPORT_WORDS = re.compile(r"政府信息公开|政务公开|信息公开")
_ANNUAL = re.compile(r"年度?报告|年报")


class NotAReport(ValueError):
    """The document is readable but is not an annual information-disclosure report."""


def find_sections(region: Region) -> dict[str, tuple[int, int]]:
    """Key ranges of the three tables, found by the labels only these tables print."""
    key = region.key
    out: dict[str, tuple[int, int]] = {}
    p = PROACTIVE_ANCHOR.search(key)
    lo = p.end() if p else 0
    a = APPLICATIONS_ANCHOR.search(key, lo)
    app_start = None
    if a:
        heading = APPLICATIONS_HEADING.search(key, max(lo, a.start() - 40), a.start())
        app_start = heading.start() if heading else a.start()
    after_apps = 0
    if a:
        last = APPLICATIONS_LAST_ROW.search(key, a.end())
        after_apps = last.end() if last else a.end()
    elif p:
        after_apps = p.end()
    r = REVIEWS_ANCHOR.search(key, after_apps)
    rev_start = None
    if r:
        head = REVIEWS_HEAD.search(key, after_apps, r.start())
        rev_start = head.start() if head else r.start()
    tail_from = r.end() if r else after_apps
    end = END_OF_TABLES.search(key, tail_from)
    doc_end = end.start() if end else len(key)
    if p:
        out["proactive"] = (p.start(), app_start if app_start is not None else (rev_start or doc_end))
    if a and app_start is not None:
        out["applications"] = (app_start, rev_start if rev_start is not None else doc_end)
    if r and rev_start is not None:
        out["reviews"] = (rev_start, doc_end)
    return out


def detect_format(key: str, sections: dict[str, tuple[int, int]], year: int | None) -> str | None:
    if not sections:
        return "pre2019" if year is not None and year < 2019 else None
    lo = min(s for s, _ in sections.values())
    hi = max(e for _, e in sections.values())
    scores = {fmt: len(rx.findall(key, lo, hi)) for fmt, rx in FORMAT_MARKERS.items()}
    if scores["legacy"] != scores["2021"]:
        return max(scores, key=lambda f: scores[f])
    if year is not None:
        return "legacy" if year <= 2020 else "2021"
    return None


CERTAIN_YEAR = ("title", "text", "page_meta")


def settle_format(result: ParseResult) -> None:
    """A report without tables: ``pre2019`` when its year (read, not inferred) is before 2019, else its tables are missing.

    Run again at build time, when the list page's title may have given the year.
    """
    m = result.report
    if result.facts or m.format in ("legacy", "2021"):
        return
    old = m.year is not None and m.year < 2019 and m.year_source in CERTAIN_YEAR
    m.format = "pre2019" if old else None
    result.problems = [p for p in result.problems if p.kind != "missing_tables"]
    if not old:
        result.problems.append(Problem("missing_tables", None, None, "no statistical tables found in the document"))


def parse_document(doc: Document, path: str = "", **provenance: str | None) -> ParseResult:
    stream = build_stream(doc)
    region = tokenize(stream, 0, len(stream.norm))
    text = stream.norm

    page_title = "".join(normalize(doc.meta.get("title", "")).split()) or None
    # The page's own title (HTML <meta name="ArticleTitle">, gkmlpt DETAIL) when it names an annual
    # report: an article body often starts with prose ("详见附件。") rather than the title.
    page_title = page_title if page_title and _ANNUAL.search(page_title) and _REPORT_WORDS.search(page_title) else None
    title = page_title or find_title(doc)
    year, year_source = find_year(title, text)
    agency, agency_source = find_agency(title, doc)
    phone, email = find_contacts(text[:4000] if len(text) > 4000 else text)
    meta = ReportMeta(
        agency=agency,
        agency_printed=agency,
        agency_source=agency_source,
        year=year,
        year_source=year_source,
        title=title,
        aggregate_text=says_compiled_from_bodies(text),
        **_published(doc),
        contact_phone=phone,
        contact_email=email,
        media_type=doc.media_type,
        page_meta=dict(doc.meta),
        **provenance,  # type: ignore[arg-type]
    )
    identify(meta, Context(publisher=doc.meta.get("publisher"), index_no=doc.meta.get("index_no")))
    year = meta.year
    result = ParseResult(path=path, report=meta)
    result.problems += [Problem("reader", None, None, p) for p in doc.problems]

    sections = find_sections(region)
    # only a year read from the report decides a format (an inferred one may be off by the publication delay)
    fmt = detect_format(region.key, sections, year if meta.year_source in CERTAIN_YEAR else None)
    meta.format = fmt
    looks_like_report = bool(title and _ANNUAL.search(title)) or bool(
        _REPORT_WORDS.search(text[:600]) and _ANNUAL.search(text[:600])
    )
    if not sections:
        if not looks_like_report:
            raise NotAReport("not an annual information-disclosure report: no report title and no statistical tables")
        settle_format(result)
        return result

    for name in ("proactive", "applications", "reviews"):
        if name not in sections:
            result.problems.append(Problem("missing_section", name, None, f"table {name} not found"))
            continue
        k0, k1 = sections[name]
        sec = read_section(region, TEMPLATES[name], k0, k1, fmt)
        result.facts += sec.facts
        result.problems += sec.problems
        if fmt in ("legacy", "2021"):
            for row in expected_rows(name, fmt):
                if row not in sec.rows_found:
                    result.problems.append(
                        Problem("missing_row", name, row, f"expected in the {fmt} format but not found")
                    )
    prose = prose_lines(doc)  # read once, for the text's statements and for its narrative's signatures
    result.checks = check_report(result.facts) + text_checks(doc, result.facts, prose)
    meta.narrative = read_in_full(narrative_signatures(doc, prose), {f.section for f in result.facts}, doc.meta)
    return result


def _published(doc: Document) -> dict[str, str | None]:
    """The publication date and where it was read: the date under the signature, else the page's 成文日期, else
    its 发布日期 (a timeliness figure is only as good as its date's source)."""
    for source, value in (("text", find_published_on(doc)), ("page_meta:written_on", doc.meta.get("written_on")),
                          ("page_meta:page_published_on", doc.meta.get("page_published_on"))):
        if value:
            return {"published_on": value, "published_on_source": source}
    return {"published_on": None, "published_on_source": None}
