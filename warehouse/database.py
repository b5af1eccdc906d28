"""The DuckDB warehouse: the Parquet tables, code tables with labels, researcher-facing views, all commented.

Built into a temporary file and renamed into place, so a reader never opens half a warehouse.
Every table, view and column carries a ``COMMENT``: ``SELECT * FROM duckdb_columns()`` is the manual.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from parsers.vocabulary import APPLICANT_COLUMNS, APPLICATION_ROWS
from warehouse.indicators import BOILERPLATE_SQL, MISSING_SQL, STATUTE, STOCK_FLOW_SQL, indicators_sql, timeliness_sql
from warehouse.schema import ALL_TABLES, TABLES

LABEL_COLUMNS = {
    "report_id": "the report (see reports)",
    "agency": next(f.description for f in TABLES["reports"].fields if f.name == "agency"),
    "region": "the administrative region of the body",
    "region_code": "administrative division code of the region",
    "year": "the year reported on",
    "format": "table format (legacy, 2021, pre2019)",
    "scope": "agency or region_aggregate",
    "section_label": "English label of the section",
    "row_label_zh": "Chinese label of the row",
    "row_label_en": "English label of the row",
    "column_label_zh": "Chinese label of the column",
    "column_label_en": "English label of the column",
    "basis": "region_aggregate: the government's own combined report; sum_of_agency_reports: the sum of its bodies' reports (used only when no combined report exists)",
    "n_reports": "how many reports the figure comes from",
    "n_reports_year": "how many reports the region's figures of the year come from (any row and column)",
    "previous_year": "the region's previous year present in the view (null: its first)",
    "previous_basis": "the basis of the region's figures in previous_year",
    "n_reports_previous": "how many reports the region's figures of previous_year come from",
    "basis_changed": "true when the year's figures rest on another basis or another set of reporting bodies (agency_id) than previous_year's: "
                     "the change from one year to the next is then not a change in the region (null for a region's first year)",
    "derived": "true when computed (other_total of a 2021 report = sum of its three 三(六) sub-rows), not printed",
    "n_failed": "how many identities of the report failed",
    "last_run": "start of the portal's latest harvest run (UTC, ISO 8601)",
    "defects_open": "source defects met in the latest run (dead links, malformed items)",
    "last_successful_run": "start of its latest run with verdict ok (null: none yet)",
    "days_since_success": "days from its latest ok run to its latest run (0: the latest run was ok)",
    "label_kind": "what the misprinted label was: row, group (a reviews group), column or block (a 第二十条 heading)",
    "code": "the row or column code (block for a 第二十条 heading) the label was placed on",
    "n_labels": "how many printed labels were placed so",
    "min_similarity": "the lowest share of characters agreeing with the code's wording (1.0: only spacing or characters' form)",
    "printed_as": "the wordings printed, in key form (Chinese characters only), separated by |",
    "failed_checks": "the failed identities, with their numbers",
    "province": "name of the province-level unit the body belongs to",
    "prefecture": "name of the prefecture-level unit the body belongs to (null for a province's own bodies and where there is none)",
    "county": "name of the county-level unit the body belongs to (null above county level)",
    "metric": "metric code (see the metrics table)",
    "metric_label": "English label of the metric",
    "metric_value": "the metric's value (null when it cannot be computed: see null_reason)",
    "numerator": "the sum of the printed cells above the line",
    "denominator": "the sum of the printed cells below the line",
    "null_reason": "why the value is null",
    "deadline": "the statutory deadline for publishing the report",
    "article": "the article of the 条例 setting the deadline",
    "days_late": "days between the deadline and the publication date (negative: early)",
    "missing_year": "a year with no report found for the body",
    "first_year": "the body's first year with a report",
    "last_year": "the body's last year with a report",
    "why": "not found on the portal (which was crawled) or the portal not crawled",
    "kind": "regulations (规章) or normative_documents (规范性文件)",
    "in_force_prev": "documents in force at the end of the year before (that year's report)",
    "issued": "documents issued this year (本年制发件数)",
    "repealed": "documents repealed this year (本年废止件数)",
    "in_force": "documents in force at the end of the year (现行有效件数)",
    "in_force_expected": "in_force_prev + issued − repealed",
    "agrees": "whether the printed stock follows from last year's and this year's flows",
    "previous_report_id": "the same body's report of the year before",
    "jaccard": "estimated Jaccard similarity of the two sections' character 5-gram sets (0–1)",
    "containment": "estimated share of this section's character 5-grams found in last year's section (0–1): the boilerplate share",
}

# One row per label_variant problem, its detail taken apart (its form is written by parsers.alignment.Placement).
LABEL_VARIANT_ROWS_SQL = r"""
    SELECT p.report_id, p.section,
           regexp_extract(p.detail, '^(\w+) ', 1) AS label_kind,
           regexp_extract(p.detail, '^\w+ (\w+) ', 1) AS code,
           regexp_extract(p.detail, '「(.*)」', 1) AS printed,
           TRY_CAST(regexp_extract(p.detail, 'similarity ([0-9.]+)', 1) AS DOUBLE) AS similarity
    FROM problems p WHERE p.kind = 'label_variant'
"""
LABEL_VARIANTS_SQL = f"""
    WITH v AS ({LABEL_VARIANT_ROWS_SQL})
    SELECT v.section, v.label_kind, v.code, r.format, r.year, count(DISTINCT v.report_id) AS n_reports,
           count(*) AS n_labels, min(v.similarity) AS min_similarity,
           string_agg(DISTINCT v.printed, ' | ' ORDER BY v.printed) AS printed_as
    FROM v JOIN reports r USING (report_id)
    GROUP BY ALL
"""

VIEWS: dict[str, tuple[str, str]] = {
    "v_reports": (
        "Every report with its resolved body and the province, prefecture and county it belongs to: aggregate by place and level.",
        """
        SELECT r.report_id, r.year, r.agency_id, r.agency, r.agency_name, r.agency_level, r.agency_kind,
               r.region, r.region_code, g.province_code, p.name AS province, g.prefecture_code, pf.name AS prefecture,
               g.county_code, c.name AS county, r.format, r.scope, r.published_on, r.title,
               r.year_source, r.agency_source, r.region_source, r.source_url
        FROM reports r
        LEFT JOIN regions g ON g.code = r.region_code
        LEFT JOIN regions p ON p.code = g.province_code
        LEFT JOIN regions pf ON pf.code = g.prefecture_code
        LEFT JOIN regions c ON c.code = g.county_code
        """,
    ),
    "v_facts": (
        "Every fact with its report's metadata and the labels of its codes: the first view to reach for.",
        """
        SELECT f.report_id, r.agency_id, r.agency, r.region, r.region_code, r.year, r.format, r.scope,
               f.section, f."row", f."column", f.value, f.raw, f.note, f.derived,
               s.label_en AS section_label, cr.label_zh AS row_label_zh, cr.label_en AS row_label_en,
               cc.label_zh AS column_label_zh, cc.label_en AS column_label_en,
               f.sha256, f.page, f.table_no, f.row_no, f.cell_no, f.line
        FROM facts f
        JOIN reports r USING (report_id)
        LEFT JOIN code_sections s ON s.code = f.section
        LEFT JOIN code_rows cr ON cr.section = f.section AND cr.code = f."row"
        LEFT JOIN code_columns cc ON cc.section = f.section AND cc.code = f."column"
        """,
    ),
    "v_outcomes_harmonised": (
        "Applications outcomes comparable across the two formats: the printed facts, plus other_total derived "
        "for 2021 reports as the sum of their three 三(六) sub-rows (derived = true; null if a sub-row is null).",
        """
        SELECT report_id, "row", "column", value, false AS derived
        FROM facts WHERE section = 'applications'
        UNION ALL
        SELECT f.report_id, 'other_total' AS "row", f."column",
               CASE WHEN count(f.value) = 3 THEN sum(f.value) END AS value, true AS derived
        FROM facts f JOIN reports r USING (report_id)
        WHERE r.format = '2021' AND f.section = 'applications'
          AND f."row" IN ('other_no_correction', 'other_fee_unpaid', 'other_other')
          AND NOT EXISTS (SELECT 1 FROM facts g WHERE g.report_id = f.report_id
                          AND g.section = 'applications' AND g."row" = 'other_total')
        GROUP BY f.report_id, f."column"
        HAVING count(*) = 3
        """,
    ),
    "v_region_year_totals": (
        "Applications figures per region and year without double counting: a government's combined "
        "(region_aggregate) report when there is one, else the sum of its bodies' own reports. Regions are "
        "county-level units or above: a township's report (even one compiled from its own offices) counts in its "
        "county. Reports whose region is not resolved are left out. A series over years is comparable only where "
        "basis_changed is false: it is true when the year's figures rest on another basis, or on another set of "
        "reporting bodies, than the region's previous year present (previous_year, previous_basis, n_reports_previous), "
        "e.g. a combined report one year and the sum of two bodies' reports the next.",
        """
        WITH units AS (
            SELECT r.report_id, r.year, r.scope, r.region_code AS own_code, coalesce(g.county_code, r.region_code) AS region_code
            FROM reports r LEFT JOIN regions g ON g.code = r.region_code
            WHERE r.region_code IS NOT NULL
        ), placed AS (
            SELECT u.*, n.name AS region, u.scope = 'region_aggregate' AND u.own_code = u.region_code AS is_combined
            FROM units u LEFT JOIN regions n ON n.code = u.region_code
        ), figures AS (  -- every report's figures once, with its place (reading v_outcomes_harmonised twice took twice as long)
            SELECT p.region, p.region_code, p.year, p.is_combined, o.report_id, o."row", o."column", o.value
            FROM v_outcomes_harmonised o JOIN placed p USING (report_id)
        ), combined_years AS (
            SELECT DISTINCT region_code, year FROM placed WHERE is_combined
        ), used AS (  -- the reports each region-year's totals are made of (those with figures: applications facts)
            SELECT p.* FROM placed p
            WHERE p.report_id IN (SELECT report_id FROM facts WHERE section = 'applications')
              AND (p.is_combined OR NOT EXISTS (SELECT 1 FROM combined_years c WHERE c.region_code = p.region_code AND c.year = p.year))
        ), years AS (  -- per region and year: its basis and the bodies whose reports it sums
            SELECT u.region_code, u.year, bool_or(u.is_combined) AS combined, count(*) AS n_reports_year,
                   string_agg(coalesce(r.agency_id, 'report:' || u.report_id), ' ' ORDER BY coalesce(r.agency_id, 'report:' || u.report_id)) AS bodies
            FROM used u JOIN reports r USING (report_id)
            GROUP BY u.region_code, u.year
        ), series AS (
            SELECT region_code, year, n_reports_year, combined, bodies,
                   lag(year) OVER w AS previous_year, lag(combined) OVER w AS previous_combined,
                   lag(n_reports_year) OVER w AS n_reports_previous, lag(bodies) OVER w AS previous_bodies
            FROM years WINDOW w AS (PARTITION BY region_code ORDER BY year)
        )
        SELECT f.region, f.region_code, f.year, f."row", f."column", sum(f.value) AS value,
               CASE WHEN f.is_combined THEN 'region_aggregate' ELSE 'sum_of_agency_reports' END AS basis,
               count(*) AS n_reports,  -- a report has one figure per (row, column) (the facts' key): count(*) counts reports
               any_value(s.n_reports_year) AS n_reports_year, any_value(s.previous_year) AS previous_year,
               any_value(CASE WHEN s.previous_combined THEN 'region_aggregate' WHEN NOT s.previous_combined THEN 'sum_of_agency_reports' END) AS previous_basis,
               any_value(s.n_reports_previous) AS n_reports_previous,
               any_value(CASE WHEN s.previous_year IS NOT NULL THEN s.combined <> s.previous_combined OR s.bodies <> s.previous_bodies END) AS basis_changed
        FROM figures f JOIN series s USING (region_code, year)
        WHERE f.is_combined OR NOT EXISTS (SELECT 1 FROM combined_years c WHERE c.region_code = f.region_code AND c.year = f.year)
        GROUP BY f.region, f.region_code, f.year, f."row", f."column", f.is_combined
        """,
    ),
    "v_indicators": (
        "Indicators for every report (definitions in the metrics table): the value with its numerator and denominator, "
        "or null with the reason (a figure not printed, a zero denominator, a format it is not defined for, data not held).",
        indicators_sql(),
    ),
    "v_timeliness": (
        "When each report was published against its statutory deadline (" + STATUTE + ": governments' own reports by "
        "31 March, their departments' by 31 January of the following year), in days; the date's source is kept.",
        timeliness_sql(),
    ),
    "v_missing_reports": (
        "Bodies with reports for some years but none found for a year in between: per body and missing year, and whether "
        "its portal was crawled (a year before the first or after the last report found is not listed).",
        MISSING_SQL,
    ),
    "v_documents_in_force": (
        "Stock and flow of regulations and normative documents across years, per body (its agency_id, 2021 format): "
        "documents in force last year + issued − repealed this year against in force this year, as printed.",
        STOCK_FLOW_SQL,
    ),
    "v_boilerplate": (
        "How much of each section of a report's narrative repeats the same body's report of the year before: the "
        "Jaccard similarity of their character 5-gram sets (estimated from 64-permutation MinHash signatures, Broder "
        "1997) and the containment, the estimated share of this year's 5-grams found in last year's text.",
        BOILERPLATE_SQL,
    ),
    "v_failed_checks": (
        "Reports whose accounting identities fail as printed (findings about the source; values are kept); the text's "
        "statements against the tables are in v_text_disagreements.",
        """
        SELECT r.report_id, r.agency, r.region, r.year, r.format, count(*) AS n_failed,
               string_agg(c.name || ': ' || c.detail, '; ' ORDER BY c.name) AS failed_checks
        FROM checks c JOIN reports r USING (report_id)
        WHERE NOT c.passed AND c.name NOT LIKE 'text.%'
        GROUP BY ALL
        """,
    ),
    "v_portal_status": (
        "Each portal's current status: its latest harvest run, its verdict and why, the source defects still open, and "
        "its last successful run (what is covered, and since when).",
        """
        SELECT portal, started AS last_run, verdict, flags, reports_listed,
               defects AS defects_open, defects_new, last_ok AS last_successful_run,
               date_diff('day', CAST(last_ok AS TIMESTAMP), CAST(started AS TIMESTAMP)) AS days_since_success
        FROM portal_runs
        QUALIFY row_number() OVER (PARTITION BY portal ORDER BY started DESC) = 1
        """,
    ),
    "v_label_variants": (
        "Labels read from a misprinted or variant wording (problems of kind label_variant, parsers/alignment.py): how "
        "often each code was placed by the template's order rather than by its pattern, by format and year, with the "
        "lowest similarity and the wordings printed. To exclude such numbers, see README (Misprinted labels).",
        LABEL_VARIANTS_SQL,
    ),
    "v_text_disagreements": (
        "Reports whose narrative states a table quantity other than the table prints (checks text.<row>.<column>): "
        "the sentence, its line and both numbers. A finding about the source; no number is changed.",
        """
        SELECT r.report_id, r.agency, r.region, r.year, r.format, c.name, c.detail
        FROM checks c JOIN reports r USING (report_id)
        WHERE NOT c.passed AND c.name LIKE 'text.%'
        """,
    ),
}


WIDE_COMMENT = (
    "Applications as a wide table: one row per report, one column per outcome row and applicant "
    "type, named row__column (e.g. granted__total); other_total includes the derived 2021 value."
)


def _wide_sql() -> tuple[str, dict[str, str]]:
    """One row per report, one column per (outcome row, applicant column), by DuckDB's ``PIVOT``.

    ``PIVOT`` hashes each fact once; 182 ``max(...) FILTER`` aggregates evaluated every fact 182 times
    (10 times slower at 10,000 reports, same result).  The column list is fixed (``IN``), so the view's
    columns never depend on which facts exist.
    """
    keys = [(r, c) for r in APPLICATION_ROWS for c in APPLICANT_COLUMNS]
    comments = {f"{r.code}__{c.code}": f"{r.en} — {c.en} ({r.zh} · {c.zh})" for r, c in keys}
    inlist = ", ".join(f"'{r.code}__{c.code}'" for r, c in keys)
    sql = (
        "WITH o AS (SELECT report_id, \"row\" || '__' || \"column\" AS k, value FROM v_outcomes_harmonised WHERE {reports}),\n"
        f"p AS (PIVOT o ON k IN ({inlist}) USING max(value) GROUP BY report_id)\n"
        "SELECT r.report_id, r.agency, r.region, r.region_code, r.year, r.format, r.scope, p.* EXCLUDE (report_id)\n"
        "FROM reports r JOIN p USING (report_id)"
    )  # {reports}: the range of reports being pivoted (``true`` for all)
    return sql, comments


REPORT_BATCH = 100_000
MEMORY_LIMIT = "4GB"  # DuckDB's own (its default is 80% of the machine: 20 GB measured at 1,000,000 reports); beyond it, it spills


@dataclass(frozen=True)
class Stored:
    """A view stored as a table when the warehouse is built, because computing it on every read is too slow
    at national scale (measured at 1,000,000 reports: ``SELECT * FROM v_facts`` 30 s as a join of 200 million
    facts, ``v_region_year_totals`` 64 s, pivoting ``v_applications_wide`` 70 s).  Columns of few distinct
    values are stored as ENUM types: DuckDB hands them to a client as dictionary arrays (categoricals in
    pandas and polars), which halved the time to read ``v_facts`` to the end; in SQL they compare, ``LIKE``
    and concatenate as text."""

    table: str
    order: str | None = None  # ORDER BY of the stored rows (None: the order of the query, facts in key order)
    enums: dict[str, str] = field(default_factory=dict)  # column -> the query giving its values
    by_report: bool = False  # built a range of reports at a time (a pivot of every report at once spilled 14 GB)


def _distinct(table: str, column: str) -> str:
    return f'SELECT DISTINCT "{column}" FROM {table} WHERE "{column}" IS NOT NULL ORDER BY 1'


STORED: dict[str, Stored] = {
    "v_facts": Stored("facts_labelled", None, {
        "region": _distinct("reports", "region"), "region_code": _distinct("reports", "region_code"),
        "format": _distinct("reports", "format"), "scope": _distinct("reports", "scope"),
        "section": _distinct("facts", "section"), "row": _distinct("facts", "row"), "column": _distinct("facts", "column"),
        "section_label": _distinct("code_sections", "label_en"),
        "row_label_zh": _distinct("code_rows", "label_zh"), "row_label_en": _distinct("code_rows", "label_en"),
        "column_label_zh": _distinct("code_columns", "label_zh"), "column_label_en": _distinct("code_columns", "label_en"),
    }),
    "v_region_year_totals": Stored("region_year_totals", 'region_code, year, "row", "column", basis'),
    "v_applications_wide": Stored("applications_wide", "report_id", by_report=True),
}


def _store(con: duckdb.DuckDBPyConnection, stored: Stored, sql: str) -> None:
    for col, values in stored.enums.items():
        con.execute(f'CREATE TYPE "{stored.table}__{col}" AS ENUM ({values})')
    cast = ", ".join(f'"{c}"::"{stored.table}__{c}" AS "{c}"' for c in stored.enums)
    select = f"SELECT * REPLACE ({cast}) FROM ({sql})" if cast else f"SELECT * FROM ({sql})"
    order = f" ORDER BY {stored.order}" if stored.order else ""
    if not stored.by_report:
        con.execute(f"CREATE TABLE {stored.table} AS {select}{order}")
        return
    # ranges of REPORT_BATCH reports, in report_id order: each range's rows are made and appended in order
    if "{reports}" not in sql:
        raise ValueError(f"{stored.table} is built by report ranges: its query needs a {{reports}} filter")
    bounds = [b for (b,) in con.execute(
        f"SELECT report_id FROM (SELECT report_id, row_number() OVER (ORDER BY report_id) - 1 AS i FROM reports) "
        f"WHERE i % {REPORT_BATCH} = 0 ORDER BY report_id").fetchall()]
    # the range goes inside the query (a filter outside a PIVOT is not pushed into it: every range pivoted everything)
    con.execute(f"CREATE TABLE {stored.table} AS {select.replace('{reports}', 'false')}")
    for lo, hi in zip(bounds, [*bounds[1:], None]):
        where = "report_id >= ?" + (" AND report_id < ?" if hi is not None else "")
        con.execute(f"INSERT INTO {stored.table} {select.replace('{reports}', where)}{order}", [lo, *([hi] if hi is not None else [])])


def _q(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def build_warehouse(parquet_dir: Path, db_path: Path) -> Path:
    """Build the warehouse from the Parquet tables; returns its path."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f".{db_path.name}.tmp")
    tmp.unlink(missing_ok=True)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    spill = db_path.with_name(f".{db_path.name}.spill")
    con = duckdb.connect(str(tmp), config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill)})
    try:
        wide_sql, wide_comments = _wide_sql()
        descriptions: dict[str, str] = {}
        for name, table in ALL_TABLES.items():  # the dataset's tables and the code tables, all from Parquet
            src = parquet_dir / f"{name}.parquet"
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet({_q(str(src))})")
            con.execute(f"COMMENT ON TABLE {name} IS {_q(table.description)}")
            for f in table.fields:
                con.execute(f'COMMENT ON COLUMN {name}."{f.name}" IS {_q(f.description)}')
                descriptions.setdefault(f.name, f.description)
        views = {**VIEWS, "v_applications_wide": (WIDE_COMMENT, wide_sql)}
        for name, (comment, sql) in views.items():
            stored = STORED.get(name)
            if stored is None:
                con.execute(f"CREATE VIEW {name} AS {sql}")
                continue
            _store(con, stored, sql)
            con.execute(f"COMMENT ON TABLE {stored.table} IS {_q(f'{comment} ({name}, stored when the warehouse is built.)')}")
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM {stored.table}")
        for name, (comment, _sql) in views.items():
            con.execute(f"COMMENT ON VIEW {name} IS {_q(comment)}")
            for (col,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index", [name]
            ).fetchall():
                text = wide_comments.get(col) or LABEL_COLUMNS.get(col) or descriptions.get(col)
                if text is None:
                    raise KeyError(f"view {name}: column {col} has no description")
                for target in (name, *([STORED[name].table] if name in STORED else [])):
                    con.execute(f'COMMENT ON COLUMN {target}."{col}" IS {_q(text)}')
        con.execute("CHECKPOINT")
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    os.chmod(tmp, 0o644)
    os.replace(tmp, db_path)
    return db_path


class EmptyQuery(ValueError):
    """A query text with no statement in it."""


class ReadOnlyQuery(ValueError):
    """A statement that would write, read a file, load an extension or change a setting: refused, nothing was run."""


# Statements that change something by their kind: refused before any statement of the text runs.  The connection
# is the guard for everything else (a function reading a file, a PRAGMA, a statement kind DuckDB adds later).
WRITING_STATEMENTS = {
    "COPY": "COPY writes or reads files", "EXPORT": "EXPORT DATABASE writes files", "ATTACH": "ATTACH opens another database",
    "DETACH": "DETACH changes the databases open", "LOAD": "INSTALL and LOAD add extensions", "SET": "SET, RESET and USE change settings",
    "INSERT": "INSERT writes", "UPDATE": "UPDATE writes", "DELETE": "DELETE writes", "CREATE": "CREATE writes",
    "DROP": "DROP writes", "ALTER": "ALTER and COMMENT ON write", "VACUUM": "VACUUM and ANALYZE write",
}
# How the connection of a query is opened: read-only; no file, network or extension reached from SQL (the
# warehouse file itself is opened before); and the configuration locked, so no statement can undo any of it.
QUERY_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "lock_configuration": True,  # last: the settings above cannot be changed by SET, RESET or PRAGMA
}
_REFUSALS = ("file system operations are disabled", "disabled through configuration", "configuration has been locked",
             "attached in read-only mode", "in read-only mode")


def query(db_path: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Run one query read-only; returns column names and rows."""
    return queries(db_path, sql)[-1]


def _refused(e: Exception) -> bool:
    return isinstance(e, duckdb.PermissionException) or any(r in str(e) for r in _REFUSALS)


def queries(db_path: Path, sql: str) -> list[tuple[list[str], list[tuple]]]:
    """Run every statement of ``sql`` read-only, in order; returns (column names, rows) of each.

    Only the warehouse's own tables and views are read: a statement that would write (to the warehouse or a
    file), read a file, reach the network, load an extension or change a setting is a :class:`ReadOnlyQuery`;
    one of a writing kind (:data:`WRITING_STATEMENTS`) is refused before any statement of the text runs.  An
    empty text (or only comments) is an :class:`EmptyQuery`: there is nothing to run.
    """
    con = duckdb.connect(str(db_path), read_only=True, config=dict(QUERY_CONFIG))
    try:
        statements = con.extract_statements(sql)
        if not statements:
            raise EmptyQuery("the query is empty: give one or more SQL statements")
        for i, st in enumerate(statements, 1):
            try:
                why = WRITING_STATEMENTS.get(st.type.name)
            except ValueError:  # a kind the Python client has no name for (UPDATE EXTENSIONS): never a plain read
                why = "a statement of a kind xxgk query does not run"
            if why:
                raise ReadOnlyQuery(f"xxgk query only reads the warehouse's tables and views: statement {i} refused ({why}); nothing was run")
        out = []
        for st in statements:
            try:
                cur = con.execute(st)
                names = [d[0] for d in cur.description or []]
                out.append((names, cur.fetchall() if names else []))
            except duckdb.Error as e:
                if _refused(e):
                    raise ReadOnlyQuery(f"xxgk query only reads the warehouse's tables and views: {str(e).strip().splitlines()[0]}") from None
                raise
        return out
    finally:
        con.close()
