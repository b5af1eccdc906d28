"""The vocabulary the pages print with: sections, rows and columns in the national template's order, with labels.

A report's facts refer to rows and columns by their position in these lists (``codes.json``), which keeps
a report's data file small at national scale (1 M reports × ~200 facts) and puts the printed order in one place.
A code met in the facts but missing from the code tables is appended with no label rather than dropped.
"""

from __future__ import annotations

from typing import Any

import duckdb
import polars as pl

from website.schema_probe import Schema

SECTION_ORDER = ("proactive", "applications", "reviews")  # the order a report prints its three tables (二、三、四)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def load_codes(con: duckdb.DuckDBPyConnection, schema: Schema) -> dict[str, Any]:
    """Every code table of the release, rows and columns in printed order, plus codes only the facts use."""
    sections = _rows(con, "SELECT code, label_zh AS zh, label_en AS en FROM code_sections")
    rank = {c: i for i, c in enumerate(SECTION_ORDER)}
    sections.sort(key=lambda s: (rank.get(s["code"], len(rank)), s["code"]))
    order = {s["code"]: i for i, s in enumerate(sections)}
    extra_cols = ", ".join(c for c in ("kind", "parent", "category") if schema.has("code_rows", c))
    rows = _rows(con, "SELECT section, code, label_zh AS zh, label_en AS en, formats, sort_order"
                 + (f", {extra_cols}" if extra_cols else "") + " FROM code_rows")
    cols = _rows(con, "SELECT section, code, label_zh AS zh, label_en AS en, formats, sort_order FROM code_columns")
    for kind, table in (("row", rows), ("column", cols)):
        known = {(r["section"], r["code"]) for r in table}
        used = con.execute(f'SELECT DISTINCT section, CAST("{kind}" AS VARCHAR) FROM facts').fetchall()
        for section, code in sorted(set(used) - known):
            table.append({"section": section, "code": code, "zh": None, "en": None, "formats": None, "sort_order": 10_000})
        for section, _ in used:
            if section not in order:
                order[section] = len(order)
                sections.append({"code": section, "zh": None, "en": None})
        table.sort(key=lambda r: (order[r["section"]], r["sort_order"], r["code"]))
    out: dict[str, Any] = {"sections": sections, "rows": rows, "columns": cols}
    for name, table in (("formats", "code_formats"), ("levels", "code_levels"), ("kinds", "code_agency_kinds"),
                        ("scopes", "code_scopes"), ("metrics", "metrics")):
        if schema.has(table):
            out[name] = _rows(con, f"SELECT * FROM {table} ORDER BY code")
    return out


def register_indexes(con: duckdb.DuckDBPyConnection, codes: dict[str, Any]) -> None:
    """Temporary tables ``site_sec``, ``site_row``, ``site_col``: a code's position in ``codes.json``'s lists."""
    sec = pl.DataFrame({"code": [s["code"] for s in codes["sections"]], "i": list(range(len(codes["sections"])))})
    for name, table in (("site_row", codes["rows"]), ("site_col", codes["columns"])):
        df = pl.DataFrame({"section": [r["section"] for r in table], "code": [r["code"] for r in table],
                           "i": list(range(len(table)))})
        con.register(f"{name}_df", df)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {name}_df")
    con.register("site_sec_df", sec)
    con.execute("CREATE OR REPLACE TEMP TABLE site_sec AS SELECT * FROM site_sec_df")
