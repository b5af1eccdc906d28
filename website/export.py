"""DuckDB → the JSON data files of body and report pages, one shard file per hash bucket.

Why DuckDB writes the JSON: a national release has ~200 M facts; turning them into Python objects would take
hours, while DuckDB groups, orders and serialises them (``to_json``) in one pass and Python only cuts the
stream into shard files.  A report's facts are columnar lists (``facts.v[i]`` is the value of the i-th fact)
so the file is a few KB (a column null for every fact is one ``null``); a fact's raw text is kept only where it differs from the value as a number would print,
and its document only where it is not the report's canonical document.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl

from website.schema_probe import Schema
from website.shards import depth_for, dumps, fnv1a, shard_relpath, write_bytes

BATCH = 20_000
SLICE = 100_000  # reports per export query: a national release (1 M) in 16 slices of ~12 M facts each


def _fact_columns(schema: Schema) -> list[tuple[str, str]]:
    """(key, expression) of the per-fact struct; the keys are the transposed lists' names in the report's file."""
    def opt(col: str, expr: str | None = None) -> str:
        return (expr or f"f.{col}") if schema.has("facts", col) else "NULL"

    bbox = ("CASE WHEN f.bbox_x0 IS NULL THEN NULL ELSE [round(f.bbox_x0, 1), round(f.bbox_top, 1), "
            "round(f.bbox_x1, 1), round(f.bbox_bottom, 1)] END") if schema.has("facts", "bbox_x0") else "NULL"
    items = [
        "s: ss.i", "r: sr.i", "c: sc.i", "v: f.value",
        # raw only when it is not the value as JavaScript's String(number) prints it
        "raw: CASE WHEN f.raw = CAST(f.value AS VARCHAR) OR f.raw || '.0' = CAST(f.value AS VARCHAR) "
        "OR (f.raw IS NULL AND f.value IS NULL) THEN NULL ELSE f.raw END",
        "note: f.note", "d: CASE WHEN f.derived THEN 1 ELSE NULL END",
        "sha: CASE WHEN f.sha256 IS NOT DISTINCT FROM r.canonical_sha256 THEN NULL ELSE f.sha256 END",
        f"p: {opt('page')}", f"t: {opt('table_no')}", f"rn: {opt('row_no')}", f"cn: {opt('cell_no')}",
        f"ln: {opt('line')}", f"bb: {bbox}", f"ocr: {opt('ocr_confidence', 'round(f.ocr_confidence, 3)')}",
    ]
    return [(k, e) for k, e in (item.split(": ", 1) for item in items)]


def report_sql(schema: Schema) -> str:
    """One row per report of the slice ``site_slice(id)``: (report_id, shard, json) ordered by shard then id."""
    cols = _fact_columns(schema)
    struct = ", ".join(f"{k}: {e}" for k, e in cols)
    counts = ", ".join(f"count({e}) AS n_{k}" for k, e in cols)
    # a column that is null for every fact of the report is written as null, not as a list of nulls
    transposed = ", ".join(f"{k}: CASE WHEN fx.n_{k} = 0 THEN NULL ELSE list_transform(L, lambda x: x.{k}) END"
                           for k, _ in cols)
    source_file = "d.source_file" if schema.has("documents", "source_file") else "NULL"
    geo = ("province: v.province, province_code: v.province_code, prefecture: v.prefecture, county: v.county"
           if schema.has("v_reports") else "province: NULL")
    return f"""
    WITH fx AS (
      -- list_sort orders the structs by (s, r, c, …): the template's order, the same on every run
      SELECT f.report_id, list_sort(list({{{struct}}})) AS L, {counts}
      FROM facts f JOIN reports r USING (report_id)
      JOIN site_sec ss ON ss.code = f.section
      JOIN site_row sr ON sr.section = f.section AND sr.code = CAST(f."row" AS VARCHAR)
      JOIN site_col sc ON sc.section = f.section AND sc.code = CAST(f."column" AS VARCHAR)
      WHERE f.report_id IN (SELECT id FROM site_slice)
      GROUP BY f.report_id
    ), docs AS (
      SELECT rd.report_id, list({{sha256: rd.sha256, media_type: rd.media_type, canonical: rd.canonical,
             agrees: rd.agrees, facts_differing: rd.facts_differing, only_here: rd.only_here,
             only_in_canonical: rd.only_in_canonical, url: d.url, bytes: d.bytes,
             fetched_at: CAST(d.fetched_at AS VARCHAR), outcome: d.outcome, source_file: {source_file}}}
             ORDER BY rd.canonical DESC, rd.sha256) AS docs
      FROM report_documents rd LEFT JOIN documents d ON d.sha256 = rd.sha256
      WHERE rd.report_id IN (SELECT id FROM site_slice)
      GROUP BY rd.report_id
    ), ck AS (
      SELECT report_id, count(*) AS n_checks, count(*) FILTER (WHERE passed) AS n_passed,
             list({{name: name, detail: detail}} ORDER BY name) FILTER (WHERE NOT passed) AS failed
      FROM checks WHERE report_id IN (SELECT id FROM site_slice) GROUP BY report_id
    ), pb AS (
      SELECT report_id, list({{kind: kind, section: section, "row": "row", detail: detail}}
             ORDER BY kind, section, "row", detail) AS problems
      FROM problems WHERE report_id IN (SELECT id FROM site_slice) GROUP BY report_id
    ), ind AS (
      SELECT report_id, list({{m: metric, v: metric_value, n: numerator, d: denominator, why: null_reason}}
             ORDER BY metric) AS indicators
      FROM v_indicators WHERE report_id IN (SELECT id FROM site_slice) GROUP BY report_id
    )
    SELECT r.report_id AS id, sh.shard, to_json({{
      report: r, {geo},
      facts: CASE WHEN fx.L IS NULL THEN NULL ELSE {{{transposed}}} END,
      documents: docs.docs, n_checks: ck.n_checks, n_passed: ck.n_passed, failed_checks: ck.failed,
      problems: pb.problems, indicators: ind.indicators,
      timeliness: CASE WHEN t.report_id IS NULL THEN NULL ELSE {{deadline: t.deadline, article: t.article,
        days_late: t.days_late, null_reason: t.null_reason, published_on_source: t.published_on_source}} END
    }}) AS json
    FROM reports r JOIN site_report_shard sh ON sh.id = r.report_id JOIN site_slice sl ON sl.id = r.report_id
    LEFT JOIN fx USING (report_id) LEFT JOIN docs USING (report_id) LEFT JOIN ck USING (report_id)
    LEFT JOIN pb USING (report_id) LEFT JOIN ind USING (report_id)
    LEFT JOIN v_timeliness t ON t.report_id = r.report_id
    {"LEFT JOIN v_reports v ON v.report_id = r.report_id" if schema.has("v_reports") else ""}
    ORDER BY sh.shard, r.report_id
    """


def body_sql(schema: Schema) -> str:
    """One row per resolved body: (agency_id, shard, json) ordered by shard then id."""
    source_file = "d.source_file" if schema.has("documents", "source_file") else "NULL"
    return f"""
    WITH fv AS (
      SELECT report_id,
             max(value) FILTER (WHERE "row" = 'granted' AND "column" = 'total') AS granted,
             max(value) FILTER (WHERE "row" = 'processed_total' AND "column" = 'total') AS processed,
             max(value) FILTER (WHERE "row" = 'new_received' AND "column" = 'total') AS received
      FROM facts WHERE section = 'applications'
        AND "row" IN ('granted', 'processed_total', 'new_received') AND "column" = 'total'
      GROUP BY report_id
    ), nf AS (
      SELECT report_id, count(*) FILTER (WHERE NOT passed AND name NOT LIKE 'text.%') AS n_failed,
             count(*) FILTER (WHERE NOT passed AND name LIKE 'text.%') AS n_text_disagreements
      FROM checks GROUP BY report_id
    ), rep AS (
      SELECT r.agency_id, list({{id: r.report_id, year: r.year, format: r.format, scope: r.scope, title: r.title,
             agency: r.agency, published_on: r.published_on, source_url: r.source_url, n_documents: r.n_documents,
             granted: fv.granted, processed: fv.processed, received: fv.received,
             n_failed: nf.n_failed, n_text_disagreements: nf.n_text_disagreements,
             deadline: t.deadline, days_late: t.days_late, timeliness_null_reason: t.null_reason}}
             ORDER BY r.year, r.report_id) AS reports
      FROM reports r LEFT JOIN fv USING (report_id) LEFT JOIN nf USING (report_id)
      LEFT JOIN v_timeliness t ON t.report_id = r.report_id
      WHERE r.agency_id IS NOT NULL GROUP BY r.agency_id
    ), ind AS (
      SELECT agency_id, list({{r: report_id, y: year, m: metric, v: metric_value, why: null_reason}}
             ORDER BY metric, year, report_id) AS indicators
      FROM v_indicators WHERE agency_id IS NOT NULL GROUP BY agency_id
    ), fc AS (
      SELECT r.agency_id, list({{r: c.report_id, y: r.year, name: c.name, detail: c.detail}}
             ORDER BY r.year, c.report_id, c.name) AS failed
      FROM checks c JOIN reports r USING (report_id)
      WHERE NOT c.passed AND c.name NOT LIKE 'text.%' AND r.agency_id IS NOT NULL GROUP BY r.agency_id
    ), td AS (
      SELECT r.agency_id, list({{r: c.report_id, y: r.year, name: c.name, detail: c.detail}}
             ORDER BY r.year, c.report_id, c.name) AS disagreements
      FROM checks c JOIN reports r USING (report_id)
      WHERE NOT c.passed AND c.name LIKE 'text.%' AND r.agency_id IS NOT NULL GROUP BY r.agency_id
    ), ms AS (
      SELECT agency_id, list({{year: missing_year, why: why}} ORDER BY missing_year) AS missing
      FROM v_missing_reports GROUP BY agency_id
    ), nm AS (
      SELECT agency_id, list({{name: printed_name, first_year: first_year, last_year: last_year}}
             ORDER BY first_year, printed_name) AS names
      FROM agency_names GROUP BY agency_id
    ), dc AS (
      SELECT r.agency_id, list({{sha256: d.sha256, url: d.url, media_type: d.media_type, bytes: d.bytes,
             fetched_at: CAST(d.fetched_at AS VARCHAR), outcome: d.outcome, report_id: r.report_id, year: r.year,
             canonical: rd.canonical, source_file: {source_file}}}
             ORDER BY r.year, r.report_id, rd.canonical DESC, d.sha256) AS documents
      FROM report_documents rd JOIN reports r USING (report_id) JOIN documents d ON d.sha256 = rd.sha256
      WHERE r.agency_id IS NOT NULL GROUP BY r.agency_id
    )
    SELECT a.agency_id AS id, sh.shard, to_json({{
      body: a, province: p.name, province_code: p.code, names: nm.names, reports: rep.reports,
      indicators: ind.indicators, failed_checks: fc.failed, text_disagreements: td.disagreements,
      missing: ms.missing, documents: dc.documents
    }}) AS json
    FROM agencies a JOIN site_body_shard sh ON sh.id = a.agency_id
    LEFT JOIN regions g ON g.code = a.region_code LEFT JOIN regions p ON p.code = g.province_code
    LEFT JOIN rep USING (agency_id) LEFT JOIN ind USING (agency_id) LEFT JOIN fc USING (agency_id)
    LEFT JOIN td USING (agency_id) LEFT JOIN ms USING (agency_id) LEFT JOIN nm USING (agency_id)
    LEFT JOIN dc USING (agency_id)
    ORDER BY sh.shard, a.agency_id
    """


def register_shards(con: duckdb.DuckDBPyConnection, kind: str, table: str, id_col: str, per_shard: int) -> int:
    """Temp table ``site_<kind>_shard(id, shard)``: each id's bucket, computed here so the browser's FNV matches."""
    ids = [r[0] for r in con.execute(f"SELECT {id_col} FROM {table} WHERE {id_col} IS NOT NULL").fetchall()]
    depth = depth_for(len(ids), per_shard)
    df = pl.DataFrame({"id": ids, "shard": [fnv1a(i)[:depth] for i in ids]}, schema={"id": pl.String, "shard": pl.String})
    con.register(f"site_{kind}_shard_df", df)
    con.execute(f"CREATE OR REPLACE TEMP TABLE site_{kind}_shard AS SELECT * FROM site_{kind}_shard_df")
    return depth


def _stream(con: duckdb.DuckDBPyConnection, sql: str) -> Iterator[tuple[str, str, str]]:
    cur = con.execute(sql)
    while True:
        rows = cur.fetchmany(BATCH)
        if not rows:
            return
        yield from rows


def slices(con: duckdb.DuckDBPyConnection, shard_table: str, per_slice: int = SLICE) -> list[str]:
    """Shard prefixes, in order, each naming a slice of at most about ``per_slice`` ids (``[""]``: one slice).

    Why: at national scale one query over all reports' ~200 M facts outgrows memory (it ran out at 8 GB);
    a slice is every shard starting with one hex digit, so slices write whole shard files in the same order."""
    n = con.execute(f"SELECT count(*) FROM {shard_table}").fetchone()[0]
    digits = 0
    while n / 16**digits > per_slice and digits < 2:
        digits += 1
    return [""] if digits == 0 else [f"{i:0{digits}x}" for i in range(16**digits)]


def write_sliced(con: duckdb.DuckDBPyConnection, sql: str, root: Path, kind: str, shard_table: str) -> tuple[int, int, int]:
    """:func:`write_shards` one slice at a time (the SQL reads its ids from ``site_slice``)."""
    totals = [0, 0, 0]
    for prefix in slices(con, shard_table):
        con.execute(f"CREATE OR REPLACE TEMP TABLE site_slice AS SELECT id FROM {shard_table} WHERE starts_with(shard, ?)",
                    [prefix])
        for i, v in enumerate(write_shards(con, sql, root, kind)):
            totals[i] += v
    return totals[0], totals[1], totals[2]


def write_shards(con: duckdb.DuckDBPyConnection, sql: str, root: Path, kind: str) -> tuple[int, int, int]:
    """Write the (id, shard, json) stream as ``data/<kind>/<shard>.json`` objects ``{id: record}``; (files, bytes, records)."""
    files = nbytes = records = 0
    current: str | None = None
    parts: list[str] = []

    def flush() -> None:
        nonlocal files, nbytes
        if current is not None and parts:
            nbytes += write_bytes(root, shard_relpath(kind, current), ("{" + ",".join(parts) + "}").encode("utf-8"))
            files += 1

    for rid, shard, js in _stream(con, sql):
        if shard != current:
            flush()
            current, parts = shard, []
        parts.append(f"{dumps(rid)}:{js}")
        records += 1
    flush()
    return files, nbytes, records
