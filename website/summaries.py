"""The small whole-release pages' data: overview (coverage, headline indicators, downloads, citation),
dictionary (every table, view, column and code) and validation (identity pass rates, problems by kind).

Each is one JSON file computed by a few aggregate queries, so it stays small at national scale
(a province × year grid, a year series, a list of tables).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import duckdb

from website.schema_probe import Schema

HEADLINE_METRICS = ("grant_rate", "full_grant_rate", "refusal_rate", "not_held_rate")


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [{k: _plain(v) for k, v in zip(names, row, strict=True)} for row in cur.fetchall()]


def _plain(v: Any) -> Any:
    """JSON-able: dates as ISO strings; floats rounded to 6 digits (the same text on every machine)."""
    if isinstance(v, dt.date | dt.datetime):
        return v.isoformat()
    if isinstance(v, float):
        return round(v, 6)
    return v


def coverage(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Reports found per province and year, against the bodies and portals known in that province."""
    cells = _dicts(con, """
        SELECT coalesce(province_code, '') AS province_code, coalesce(province, '(region not resolved)') AS province,
               year, count(*) AS reports, count(DISTINCT agency_id) AS bodies_reporting
        FROM v_reports GROUP BY ALL ORDER BY province_code, year""")
    known = _dicts(con, """
        SELECT coalesce(v.province_code, '') AS province_code, count(DISTINCT v.agency_id) AS bodies_known,
               count(DISTINCT d.portal) AS portals_known
        FROM v_reports v LEFT JOIN documents d ON d.report_id = v.report_id GROUP BY ALL ORDER BY 1""")
    return {"cells": cells, "provinces": known,
            "years": sorted({c["year"] for c in cells if c["year"] is not None})}


def headline(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per year: pooled and median rates, timeliness, and the share of reports with a failed identity."""
    metrics = ", ".join(f"'{m}'" for m in HEADLINE_METRICS)
    rates = _dicts(con, f"""
        SELECT metric, year, count(metric_value) AS n, count(*) - count(metric_value) AS n_null,
               sum(numerator) FILTER (WHERE metric_value IS NOT NULL)
                 / nullif(sum(denominator) FILTER (WHERE metric_value IS NOT NULL), 0) AS pooled,
               median(metric_value) AS median
        FROM v_indicators WHERE metric IN ({metrics}) GROUP BY metric, year ORDER BY metric, year""")
    timeliness = _dicts(con, """
        SELECT year, count(*) AS n, count(days_late) AS n_known,
               count(*) FILTER (WHERE days_late <= 0) AS on_time, count(*) FILTER (WHERE days_late > 0) AS late,
               median(days_late) AS median_days_late
        FROM v_timeliness GROUP BY year ORDER BY year""")
    identities = _dicts(con, """
        SELECT r.year, count(DISTINCT c.report_id) AS reports_checked,
               count(DISTINCT c.report_id) FILTER (WHERE NOT c.passed) AS reports_failed
        FROM checks c JOIN reports r USING (report_id) WHERE c.name NOT LIKE 'text.%'
        GROUP BY r.year ORDER BY r.year""")
    return {"rates": rates, "timeliness": timeliness, "identities": identities}


def read_sums(release: Path) -> dict[str, str]:
    sums = release / "SHA256SUMS"
    if not sums.is_file():
        return {}
    out = {}
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            out[name] = digest
    return out


def downloads(release: Path) -> list[dict[str, Any]]:
    """The release's files with sizes and SHA-256: from SHA256SUMS where it lists them, else hashed here."""
    sums = read_sums(release)
    out = []
    for p in sorted(release.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        digest = sums.get(p.name)
        if digest is None:
            h = hashlib.sha256()
            with p.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            digest = h.hexdigest()
        out.append({"name": p.name, "bytes": p.stat().st_size, "sha256": digest, "listed": p.name in sums})
    return out


def folders(release: Path) -> list[dict[str, Any]]:
    """The release's sub-folders other than the site (``views/``, ``sources/``): files and bytes."""
    out = []
    for d in sorted(p for p in release.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != "site"):
        sizes = [f.stat().st_size for f in d.rglob("*") if f.is_file()]
        out.append({"name": d.name + "/", "files": len(sizes), "bytes": sum(sizes)})
    return out


def overview(con: duckdb.DuckDBPyConnection, schema: Schema, release: Path, version: str) -> dict[str, Any]:
    counts = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
              for t in sorted(schema.columns) if _is_table(con, t)}
    portals = _dicts(con, "SELECT verdict, count(*) AS n FROM v_portal_status GROUP BY verdict ORDER BY verdict") \
        if schema.has("v_portal_status") else []
    citation = release / "CITATION.cff"
    return {
        "release": version, "folders": folders(release), "counts": counts, "coverage": coverage(con), "headline": headline(con),
        "portals": portals, "downloads": downloads(release),
        "citation": citation.read_text(encoding="utf-8") if citation.is_file() else None,
        "has_sources": (release / "sources").is_dir(),
    }


def _is_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary",
                            [name]).fetchone()[0])


def dictionary(con: duckdb.DuckDBPyConnection, schema: Schema, codes: dict[str, Any]) -> dict[str, Any]:
    """Every table and view with its comment and its columns' types and comments (the DuckDB declarations)."""
    relations = _dicts(con, """
        SELECT table_name AS name, 'table' AS kind, comment FROM duckdb_tables() WHERE NOT temporary AND NOT internal
        UNION ALL
        SELECT view_name, 'view', comment FROM duckdb_views() WHERE NOT temporary AND NOT internal
        ORDER BY kind, name""")
    cols = _dicts(con, """
        SELECT table_name AS relation, column_name AS name, data_type AS type, comment
        FROM duckdb_columns() WHERE NOT internal ORDER BY table_name, column_index""")
    by_rel: dict[str, list[dict[str, Any]]] = {}
    for c in cols:
        by_rel.setdefault(c.pop("relation"), []).append(c)
    for r in relations:
        r["columns"] = [{**c, "type": c["type"] if len(c["type"]) < 60 else c["type"].split("(")[0]}
                        for c in by_rel.get(r["name"], [])]
    return {"relations": relations, "codes": codes}


def validation(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Identity pass rates by format, year and province; the text's disagreements; problems by kind."""
    base = """
        SELECT {key} AS key, count(*) AS checks, count(*) FILTER (WHERE c.passed) AS passed,
               count(DISTINCT c.report_id) AS reports,
               count(DISTINCT c.report_id) FILTER (WHERE NOT c.passed) AS reports_failing
        FROM checks c JOIN v_reports v USING (report_id) WHERE c.name {op} LIKE 'text.%'
        GROUP BY ALL ORDER BY key"""
    out: dict[str, Any] = {}
    for label, key in (("by_format", "v.format"), ("by_year", "CAST(v.year AS VARCHAR)"),
                       ("by_province", "coalesce(v.province, '(region not resolved)')")):
        out[label] = _dicts(con, base.format(key=key, op="NOT"))
    out["text_by_year"] = _dicts(con, base.format(key="CAST(v.year AS VARCHAR)", op=""))
    out["by_identity"] = _dicts(con, """
        SELECT regexp_replace(name, '^text\\..*', 'text.*') AS name, count(*) AS checks,
               count(*) FILTER (WHERE NOT passed) AS failed
        FROM checks GROUP BY 1 ORDER BY failed DESC, name LIMIT 200""")
    out["problems_by_kind"] = _dicts(con, """
        SELECT kind, coalesce(section, '') AS section, count(*) AS n, count(DISTINCT report_id) AS reports
        FROM problems GROUP BY ALL ORDER BY n DESC, kind, section""")
    out["documents_by_outcome"] = _dicts(con, """
        SELECT outcome, media_type, count(*) AS n FROM documents GROUP BY ALL ORDER BY n DESC, outcome, media_type""")
    return out
