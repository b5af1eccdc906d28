"""Parsed documents → the dataset's tables: one report per body and year, one canonical set of facts.

The same report is often published twice — an HTML article and its PDF attachment, or a PDF that
was re-uploaded.  Each document is parsed on its own; documents with the same report id are one
report, whose facts come from one *canonical* document (the one read most completely), and
``report_documents`` says for every other document whether its numbers agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath

import polars as pl

from identity.agency import Context
from identity.divisions import region_rows
from identity.romanize import agency as romanized_agency
from identity.romanize import region_columns
from parsers.checks import check_continuity
from parsers.identify import identify
from parsers.model import Fact, ParseResult, ReportMeta
from parsers.report import settle_format
from warehouse.release_files import SOURCES_FOLDER  # where a release ships the documents its reports cite
from warehouse.schema import TABLES

MEDIA_PREFERENCE = {  # the canonical document among equals: the most structured medium first
    "text/html": 0, "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 1, "application/msword": 2,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 2, "application/vnd.ms-excel": 2, "application/pdf": 3,
}
_ISO_DATE = re.compile(r"^(?:19|20)\d{2}-\d{2}-\d{2}")
RECOGNISED_RANK = 8  # numbers recognised from images (a scan, tables as pictures) come after every text medium


def media_rank(r: ParseResult) -> int:
    """The medium's place in :data:`MEDIA_PREFERENCE`; a document whose numbers were read by OCR after all
    that were printed as text, whatever its medium (an HTML page of pictures is not an HTML table)."""
    if any(f.location.confidence is not None for f in r.facts):
        return RECOGNISED_RANK
    return MEDIA_PREFERENCE.get(r.report.media_type or "", 9)


@dataclass
class SourceDocument:
    """A document to parse and where it came from (the harvest manifest's row, or a local file)."""

    path: str
    url: str | None = None
    portal: str | None = None
    fetched_at: str | None = None
    size: int | None = None
    list_title: str | None = None  # the title the portal's list page gave the document
    list_date: str | None = None  # the date the portal's list page gave the document (ISO)
    index_no: str | None = None  # 索引号 from the list page or API
    region_code: str | None = None  # the portal's region (registry)
    body: str | None = None  # the portal's own body, when it is one body's site (registry)
    ref: str | None = None  # the document's path relative to the data directory (raw/objects/…) or the folder given
    images: tuple[tuple[str, str], ...] = ()  # (url, archive path) of the pictures an HTML page shows, fetched with it

    def public_ref(self) -> str:
        """A relative reference, never the builder's own file system: what the dataset publishes."""
        return self.ref or PurePath(self.path).name

    def public_url(self) -> str | None:
        """The URL, unless it is a ``file:`` URL of the builder's disk (a folder portal)."""
        return None if self.url is None or self.url.startswith("file:") else self.url

    def context(self, page_meta: dict[str, str]) -> Context:
        return Context(
            region_code=self.region_code,
            body=self.body,
            publisher=page_meta.get("publisher"),
            index_no=page_meta.get("index_no") or self.index_no,
        )


def outcome(r: ParseResult) -> str:
    if r.ok:
        return "parsed"
    first = r.errors[0]
    if first.startswith("needs_ocr"):
        return "needs_ocr"
    if first.startswith("not an annual"):
        return "not_a_report"
    return "error"


def _rank(r: ParseResult) -> tuple:
    """Which document of a report is canonical: fewest problems, most numbers, HTML > Word > PDF > OCR."""
    numbers = sum(f.value is not None for f in r.facts)
    return (len(r.problems), -numbers, media_rank(r), r.report.sha256 or "")


def _fact_map(r: ParseResult) -> dict[tuple[str, str, str], tuple[object, object]]:
    return {(f.section, f.row, f.column): (f.value, f.note) for f in r.facts}


def prepare(r: ParseResult, s: SourceDocument) -> None:
    """Identify the report again now that the portal is known (its region and body, the list page's title)."""
    if r.ok:
        identify(r.report, s.context(r.report.page_meta), s.list_title)
        settle_format(r)
        if r.report.published_on is None and s.list_date and _ISO_DATE.match(s.list_date):
            # no date under the signature or on the page: the list page's, said so (v_timeliness shows the source)
            r.report.published_on, r.report.published_on_source = s.list_date[:10], "list_page"


def document_row(r: ParseResult, s: SourceDocument) -> dict[str, object]:
    m = r.report
    return {
        "sha256": m.sha256,
        "url": s.public_url() or m.source_url,
        "path": s.public_ref(),
        "source_file": None,  # set once the report's canonical document is known (cited_source_files)
        "portal": s.portal,
        "media_type": m.media_type,
        "bytes": s.size,
        "fetched_at": s.fetched_at or m.fetched_at,
        "outcome": outcome(r),
        "error": "; ".join(r.errors) or None,
        "report_id": m.report_id if r.ok else None,
    }


def report_rows(rid: str, docs: list[ParseResult], src: dict[str, SourceDocument], rows: dict[str, list[dict[str, object]]]) -> ParseResult:
    """Append one report's rows (reports, facts, report_documents, checks, problems); returns its canonical document.

    ``docs`` are the report's documents, each parsed once; the canonical one is chosen here.  These are the
    reference rules: the streaming build (:mod:`pipelines.combine`) applies the same ones in SQL, and a test
    holds the two equal.
    """
    docs.sort(key=_rank)
    best = docs[0]
    best_facts = _fact_map(best)
    agree_all = True
    for d in docs:
        mine = _fact_map(d)
        common = mine.keys() & best_facts.keys()
        differing = sum(mine[k] != best_facts[k] for k in common)
        only_here = len(mine.keys() - best_facts.keys())
        only_canon = len(best_facts.keys() - mine.keys())
        # a document without tables (an article page that says "see the attachment") neither
        # agrees nor disagrees: it has no numbers to compare
        agrees = (differing == only_here == only_canon == 0) if mine else None
        agree_all &= agrees is not False
        rows["report_documents"].append(
            {
                "report_id": rid,
                "sha256": d.report.sha256,
                "media_type": d.report.media_type,
                "canonical": d is best,
                "facts_compared": len(common),
                "facts_differing": differing,
                "only_here": only_here,
                "only_in_canonical": only_canon,
                "agrees": agrees,
            }
        )
    row = report_row(rid, best, src.get(best.path, SourceDocument(best.path)))
    # the page's own 索引号, else the one the list page or API gave (a PDF attachment has no page of its own)
    row["index_no"] = next((d.report.page_meta.get("index_no") for d in docs if d.report.page_meta.get("index_no")), None) or next(
        (src[d.path].index_no for d in docs if d.path in src and src[d.path].index_no), None)
    row["publisher"] = next((d.report.page_meta.get("publisher") for d in docs if d.report.page_meta.get("publisher")), None)
    row["n_documents"], row["documents_agree"] = len(docs), agree_all
    rows["reports"].append(row)
    rows["facts"] += fact_rows(rid, best)
    rows["checks"] += check_rows(rid, best)
    rows["narratives"] += narrative_rows(rid, best)
    for d in docs:
        rows["problems"] += [
            p for p in problem_rows(rid, d)
            # an article page whose tables are in its attachment: the report is not missing them
            if not (p["kind"] == "missing_tables" and d is not best and best.facts)
        ]
    rows["problems"] += identity_problem_rows(rid, best)
    return best


def report_row(rid: str, r: ParseResult, s: SourceDocument) -> dict[str, object]:
    """The ``reports`` row of a report whose canonical document is ``r`` (the fields its other documents
    contribute — index_no, publisher, n_documents, documents_agree — are the caller's)."""
    m = r.report
    return {
        "report_id": rid,
        "agency_id": m.agency_id,
        "agency": m.agency,
        "agency_name": m.agency_name,
        "agency_level": m.agency_level,
        "agency_kind": m.agency_kind,
        "region": m.region,
        "region_code": m.region_code,
        "year": m.year,
        "year_source": m.year_source,
        "agency_source": m.agency_name_source,
        "region_source": m.region_source,
        "format": m.format,
        "scope": m.scope,
        "published_on": m.published_on,
        "published_on_source": m.published_on_source,
        "title": m.title,
        "contact_phone": m.contact_phone,
        "contact_email": m.contact_email,
        "index_no": None,
        "publisher": None,
        "canonical_sha256": m.sha256,
        "source_url": s.public_url() or m.source_url,
        "n_documents": None,
        "documents_agree": None,
    }


def narrative_rows(rid: str, r: ParseResult) -> list[dict[str, object]]:
    """The canonical document's narrative signatures as ``narratives`` rows."""
    return [{"report_id": rid, "section": k, "n_chars": v[0], "n_shingles": v[1], "minhash": v[2]}
            for k, v in sorted(r.report.narrative.items())]


def fact_rows(rid: str, r: ParseResult) -> list[dict[str, object]]:
    """The document's facts as ``facts`` rows."""
    sha = r.report.sha256
    return [
        {
            "report_id": rid, "section": f.section, "row": f.row, "column": f.column,
            "value": None if f.value is None else float(f.value), "raw": f.raw, "note": f.note, "derived": f.derived, "sha256": sha,
            "page": f.location.page, "table_no": f.location.table, "row_no": f.location.row, "cell_no": f.location.cell, "line": f.location.line,
            **_bbox(f.location.bbox), "ocr_confidence": f.location.confidence,
        }
        for f in r.facts
    ]


def _bbox(b: tuple[float, float, float, float] | None) -> dict[str, float | None]:
    x0, top, x1, bottom = b if b else (None, None, None, None)
    return {"bbox_x0": x0, "bbox_top": top, "bbox_x1": x1, "bbox_bottom": bottom}


def check_rows(rid: str, r: ParseResult) -> list[dict[str, object]]:
    return [{"report_id": rid, "name": c.name, "passed": c.passed, "detail": c.detail} for c in r.checks]


def problem_rows(rid: str, r: ParseResult) -> list[dict[str, object]]:
    """The problems the document's parse recorded."""
    sha = r.report.sha256
    return [{"report_id": rid, "sha256": sha, "kind": p.kind, "section": p.section, "row": p.row, "detail": p.detail} for p in r.problems]


def identity_problem_rows(rid: str, r: ParseResult) -> list[dict[str, object]]:
    """What could not be told of the report's body, region or year (the canonical document's reading)."""
    m = r.report
    return [{"report_id": rid, "sha256": m.sha256, "kind": k, "section": None, "row": None, "detail": d} for k, d in m.identity_problems]


def continuity_facts(r: ParseResult) -> list[Fact]:
    """The few facts the across-years continuity checks read (carried over from and to the next year)."""
    return [f for f in r.facts if f.section == "applications" and f.row in CONTINUITY_ROWS]


CONTINUITY_ROWS = ("carried_over_next", "carried_over_prev")


def continuity_rows(canon: Iterable[tuple[str, str | None, int | None, Sequence[Fact]]]) -> dict[str, list[dict[str, object]]]:
    """Per report id, the continuity checks of its body's consecutive years (by agency_id, not printed name)."""
    canon = list(canon)
    by_agency = [(aid, year, facts) for _, aid, year, facts in canon if aid and year]
    index = {(aid, year): rid for rid, aid, year, _ in canon if aid and year}
    out: dict[str, list[dict[str, object]]] = {}
    for agency, year, check in check_continuity(by_agency):
        rid = index[(agency, year)]
        out.setdefault(rid, []).append({"report_id": rid, "name": check.name, "passed": check.passed, "detail": check.detail})
    return out


def documents(results: Iterable[ParseResult], src: dict[str, SourceDocument]) -> Iterator[tuple[ParseResult, dict[str, object]]]:
    """Each document once (the same bytes fetched from two URLs are one), prepared, with its documents row."""
    seen: set[str] = set()
    for r in results:
        s = src.get(r.path, SourceDocument(r.path))
        prepare(r, s)
        key = r.report.sha256 or f"missing:{r.path}"
        if key not in seen:
            seen.add(key)
            yield r, document_row(r, s)


ARCHIVE_PREFIX = "raw/objects/"  # documents.path of an archived document: its bytes are in the data directory's archive


def source_file(sha256: object, path: object) -> str | None:
    """Where a cited document's bytes are in a release (``sources/<sha256[:2]>/<archive file name>``, the name
    being the SHA-256 and its suffix), or None when they are not in the archive (a document read from a folder).
    The streaming build (:mod:`pipelines.combine`) applies the same rule in SQL."""
    if not isinstance(sha256, str) or not isinstance(path, str) or not path.startswith(ARCHIVE_PREFIX):
        return None
    folder = f"{ARCHIVE_PREFIX}{sha256[:2]}/"
    name = path[len(folder):]
    if not path.startswith(folder + sha256) or "/" in name:
        return None
    return f"{SOURCES_FOLDER}/{sha256[:2]}/{name}"


def build_tables(results: Sequence[ParseResult], sources: Sequence[SourceDocument] | None = None) -> dict[str, pl.DataFrame]:
    """The dataset's tables from parse results held in memory (see :mod:`pipelines.stream_build` for the
    build that holds only one batch of reports at a time; both use the functions above)."""
    src = {s.path: s for s in sources or ()}
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in TABLES}
    by_report: dict[str, list[ParseResult]] = {}
    for r, row in documents(results, src):
        rows["documents"].append(row)
        if r.ok and row["report_id"]:
            by_report.setdefault(str(row["report_id"]), []).append(r)
    canon = {rid: report_rows(rid, docs, src, rows) for rid, docs in sorted(by_report.items())}
    rows["agencies"], rows["agency_names"] = agency_rows(AgencyRecord.of(r.report) for r in canon.values())
    rows["regions"] = region_columns(region_rows())
    cited = {r.report.sha256 for r in canon.values() if r.report.sha256}
    for doc in rows["documents"]:
        doc["source_file"] = source_file(doc["sha256"], doc["path"]) if doc["sha256"] in cited else None
    # across years, per body (its agency_id, not its printed name): what one year carries over, the next must have received
    for extra in continuity_rows((rid, r.report.agency_id, r.report.year, continuity_facts(r)) for rid, r in canon.items()).values():
        rows["checks"] += extra
    return {name: frame(name, data) for name, data in rows.items()}


@dataclass(frozen=True)
class AgencyRecord:
    """What the agencies tables need of one report: a few strings, not the report."""

    agency_id: str | None
    year: int | None
    sha256: str | None
    name: str | None
    region_code: str | None
    region: str | None
    level: str | None
    kind: str | None
    printed: str | None

    @classmethod
    def of(cls, m: ReportMeta) -> AgencyRecord:
        return cls(m.agency_id, m.year, m.sha256, m.agency_name, m.region_code, m.region, m.agency_level, m.agency_kind, m.agency)


def agency_rows(reports: Iterable[AgencyRecord]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The bodies behind the reports (one row per agency_id, its latest full name) and the names each printed per year."""
    by_id: dict[str, list[AgencyRecord]] = {}
    for r in reports:
        if r.agency_id:
            by_id.setdefault(r.agency_id, []).append(r)
    agencies: list[dict[str, object]] = []
    names: list[dict[str, object]] = []
    for aid, rs in sorted(by_id.items()):
        rs.sort(key=lambda r: (r.year or 0, r.sha256 or ""))
        last = rs[-1]
        years = [r.year for r in rs if r.year]
        rom = romanized_agency(last.name, last.region_code)
        agencies.append(
            {
                "agency_id": aid, "name": last.name, "name_pinyin": rom.pinyin, "name_en": rom.en,
                "region_code": last.region_code, "region": last.region,
                "level": last.level, "kind": last.kind, "first_year": min(years, default=None),
                "last_year": max(years, default=None), "n_reports": len(rs),
            }
        )
        printed: dict[str, list[int]] = {}
        for r in rs:
            printed.setdefault(r.printed or "", []).append(r.year or 0)
        names += [
            {"agency_id": aid, "printed_name": n or None, "first_year": min(ys) or None, "last_year": max(ys) or None}
            for n, ys in sorted(printed.items(), key=lambda kv: (min(kv[1]), kv[0]))
        ]
    return agencies, names


def frame(name: str, data: Iterable[dict[str, object]]) -> pl.DataFrame:
    """A table with its fixed schema (dates given as ISO strings are parsed), sorted by its key."""
    df = typed(TABLES[name].schema, data)
    key = list(TABLES[name].primary_key)
    return df.sort(key) if key and df.height else df


def typed(schema: dict[str, pl.DataType], data: Iterable[dict[str, object]]) -> pl.DataFrame:
    """Rows as a frame of exactly ``schema`` (dates and instants given as ISO strings are parsed — an instant with
    its offset, into UTC; an unreadable one is null)."""
    loose = {k: (pl.String() if isinstance(v, (pl.Date, pl.Datetime)) else v) for k, v in schema.items()}
    df = pl.DataFrame(list(data), schema=loose, orient="row")
    parse = [pl.col(k).str.to_date(strict=False) for k, v in schema.items() if isinstance(v, pl.Date)]
    parse += [pl.col(k).str.to_datetime(time_unit=v.time_unit, time_zone=v.time_zone, strict=False)
              for k, v in schema.items() if isinstance(v, pl.Datetime)]
    return df.with_columns(parse) if parse else df
