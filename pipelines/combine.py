"""Spools → the dataset's tables, in DuckDB: dedup, canonical choice, agreement and checks across years.

The rules are those of the in-memory build (:func:`pipelines.dataset.report_rows`, the reference, kept
for small inputs and as the test oracle; a test holds the two equal on the test corpora):

- the same bytes fetched twice are one document (the first in input order);
- a report's canonical document has the fewest problems, then the most numbers, then HTML > Word > PDF,
  then the smallest SHA-256; its facts and checks are the report's;
- every other document is compared with it, fact by fact (value and note);
- a report's ``index_no`` / ``publisher`` are its documents' first, in canonical order (the page's own
  索引号 before the list page's);
- an article page's ``missing_tables`` is dropped when its attachment has the tables;
- across years, per body, what one year carried over the next must have received.

DuckDB works within ``memory_limit`` and spills to ``temp`` beyond it, so memory is flat in the number of
documents; each table is streamed out in key order as Arrow batches to one Parquet file (pyarrow's writer:
the same bytes whatever the machine's core count).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from identity.divisions import region_rows
from identity.romanize import agency as romanized_agency
from identity.romanize import region_columns
from parsers.checks import continuity_check
from parsers.model import ParseResult
from parsers.vocabulary import APPLICANT_COLUMNS
from warehouse.schema import TABLES

from .dataset import ARCHIVE_PREFIX, CONTINUITY_ROWS, SOURCES_FOLDER, SourceDocument, typed
from .spool import spool_results, spool_schemas

MEMORY_LIMIT = "3GB"  # DuckDB's own; the build's peak stays well under the 8 GB a national build may use
BATCH_ROWS = 250_000

_SQL_TYPES = {pl.String: "VARCHAR", pl.Int32: "INTEGER", pl.Int64: "BIGINT", pl.Float64: "DOUBLE", pl.Boolean: "BOOLEAN", pl.Date: "DATE",
              pl.Datetime: "TIMESTAMPTZ"}


def _cols(name: str, alias: str = "", **made: str) -> str:
    """The table's columns, in order, each cast to its declared type (``made``: a column's expression, when it is
    made here rather than read)."""
    pre = f"{alias}." if alias else ""
    exprs = {f.name: made.get(f.name, f'{pre}"{f.name}"') for f in TABLES[name].fields}
    return ", ".join(f'CAST({exprs[f.name]} AS {_SQL_TYPES[type(f.dtype)]}) AS "{f.name}"' for f in TABLES[name].fields)


# documents.source_file (pipelines.dataset.source_file): a report's canonical document, archived by a harvest
_SOURCE_FILE = (f"CASE WHEN d.sha256 IN (SELECT canonical_sha256 FROM cand WHERE rnk = 1 AND canonical_sha256 IS NOT NULL) "
                f"AND regexp_full_match(d.path, '{ARCHIVE_PREFIX}' || substr(d.sha256, 1, 2) || '/' || d.sha256 || '[^/]*') "
                f"THEN '{SOURCES_FOLDER}/' || substr(d.sha256, 1, 2) || '/' || regexp_extract(d.path, '[^/]+$') END")


# per table: the query that makes it from the work tables below (columns cast and ordered by _cols)
QUERIES: dict[str, str] = {
    "documents": f"SELECT {_cols('documents', 'd', source_file=_SOURCE_FILE)} FROM docs d ORDER BY d.sha256 NULLS FIRST, d.spool, d.ord",
    "reports": f"""
        SELECT {_cols('reports', 'r')} FROM (
            SELECT k.*, a.n_documents, a.documents_agree,
                   coalesce(a.page_index_no, a.list_index_no) AS index_no, a.publisher
            FROM cand k JOIN (
                SELECT c.report_id, count(*) AS n_documents, bool_and(rd.agrees IS DISTINCT FROM false) AS documents_agree,
                       arg_min(c.page_index_no, c.rnk) FILTER (WHERE c.page_index_no IS NOT NULL) AS page_index_no,
                       arg_min(c.list_index_no, c.rnk) FILTER (WHERE c.list_index_no IS NOT NULL) AS list_index_no,
                       arg_min(c.page_publisher, c.rnk) FILTER (WHERE c.page_publisher IS NOT NULL) AS publisher
                FROM cand c JOIN rd USING (spool, ord) GROUP BY c.report_id
            ) a USING (report_id)
            WHERE k.rnk = 1
        ) r ORDER BY r.report_id""",
    "facts": f"SELECT {_cols('facts', 'f')} FROM cf f ORDER BY f.rk, f.pos",
    "checks": f"""SELECT {_cols('checks', 'c')} FROM (
                      SELECT c.*, 0 AS later, c.seq AS pos FROM spool_checks c JOIN canon k USING (spool, ord)
                      UNION ALL BY NAME SELECT *, 1 AS later FROM continuity) c
                  ORDER BY c.report_id, c.name, c.later, c.pos""",
    "problems": f"""SELECT {_cols('problems', 'p')} FROM spool_problems p JOIN cand c USING (spool, ord) JOIN canon k ON k.report_id = c.report_id
                    WHERE CASE WHEN p.identity THEN c.rnk = 1
                               ELSE NOT (p.kind = 'missing_tables' AND c.rnk > 1 AND k.n_facts > 0) END
                    ORDER BY p.report_id, p.identity, c.rnk, p.seq""",
    "report_documents": f"SELECT {_cols('report_documents', 'r')} FROM rd r ORDER BY r.report_id, r.sha256",
    "narratives": f"SELECT {_cols('narratives', 'n')} FROM spool_narratives n JOIN canon k USING (spool, ord) ORDER BY n.report_id, n.section",
    "agencies": f"""SELECT {_cols('agencies', 'a', name_pinyin="NULL", name_en="NULL")} FROM (  -- the names romanised in Python
                        SELECT l.agency_id, l.agency_name AS name, l.region_code, l.region, l.agency_level AS level,
                               l.agency_kind AS kind, s.first_year, s.last_year, s.n_reports
                        FROM (SELECT * FROM reps QUALIFY row_number() OVER (
                                  PARTITION BY agency_id ORDER BY coalesce(year, 0) DESC, coalesce(canonical_sha256, '') DESC) = 1) l
                        JOIN (SELECT agency_id, min(nullif(year, 0)) AS first_year, max(nullif(year, 0)) AS last_year,
                                     count(*) AS n_reports FROM reps GROUP BY agency_id) s USING (agency_id)
                    ) a ORDER BY a.agency_id""",
    "agency_names": f"""SELECT {_cols('agency_names', 'n')} FROM (
                            SELECT agency_id, nullif(coalesce(agency, ''), '') AS printed_name,
                                   nullif(min(coalesce(year, 0)), 0) AS first_year, nullif(max(coalesce(year, 0)), 0) AS last_year
                            FROM reps GROUP BY agency_id, coalesce(agency, '')
                        ) n ORDER BY n.agency_id, n.printed_name NULLS FIRST""",
}

# the work tables the queries read, in order (spool_* are views over the spools' Parquet parts)
STEPS = (
    # the same bytes fetched from two URLs are one document: the first in input order
    "CREATE TABLE docs AS SELECT * FROM spool_documents QUALIFY row_number() OVER (PARTITION BY dedup ORDER BY spool, ord) = 1",
    """CREATE TABLE cand AS SELECT c.*, row_number() OVER (
           PARTITION BY c.report_id ORDER BY c.n_problems, -c.n_numbers, c.media_rank, coalesce(c.canonical_sha256, ''), c.spool, c.ord) AS rnk
       FROM spool_candidates c SEMI JOIN docs d USING (spool, ord)""",
    "CREATE TABLE canon AS SELECT report_id, spool, ord, n_facts, row_number() OVER (ORDER BY report_id) AS rk FROM cand WHERE rnk = 1",
    # the reports' facts, stored before they are sorted: sorting straight from the Parquet scan ran out of memory
    "CREATE TABLE cf AS SELECT f.*, k.rk FROM spool_facts f JOIN canon k USING (spool, ord)",
    # every other document of a report against its canonical one, fact by fact
    """CREATE TABLE rd AS
       WITH others AS (SELECT c.spool, c.ord, k.spool AS cspool, k.ord AS cord FROM cand c JOIN canon k USING (report_id) WHERE c.rnk > 1),
       mine AS (SELECT o.spool, o.ord, f.section, f."row", f."column", f.value, f.note
                FROM others o JOIN spool_facts f USING (spool, ord)),
       theirs AS (SELECT o.spool, o.ord, f.section, f."row", f."column", f.value, f.note
                  FROM others o JOIN spool_facts f ON f.spool = o.cspool AND f.ord = o.cord),
       cmp AS (SELECT coalesce(m.spool, t.spool) AS spool, coalesce(m.ord, t.ord) AS ord,
                      count(*) FILTER (WHERE m.section IS NOT NULL AND t.section IS NOT NULL) AS compared,
                      count(*) FILTER (WHERE m.section IS NOT NULL AND t.section IS NOT NULL
                                       AND (m.value IS DISTINCT FROM t.value OR m.note IS DISTINCT FROM t.note)) AS differing,
                      count(*) FILTER (WHERE t.section IS NULL) AS only_here,
                      count(*) FILTER (WHERE m.section IS NULL) AS only_canon
               FROM mine m FULL JOIN theirs t
                 ON m.spool = t.spool AND m.ord = t.ord AND m.section = t.section AND m."row" = t."row" AND m."column" = t."column"
               GROUP BY ALL)
       SELECT c.spool, c.ord, c.report_id, c.canonical_sha256 AS sha256, c.media_type, c.rnk = 1 AS canonical,
              CASE WHEN c.rnk = 1 THEN c.n_facts ELSE coalesce(x.compared, 0) END AS facts_compared,
              coalesce(x.differing, 0) AS facts_differing, coalesce(x.only_here, 0) AS only_here,
              coalesce(x.only_canon, 0) AS only_in_canonical,
              CASE WHEN c.n_facts = 0 THEN NULL
                   ELSE coalesce(x.differing, 0) = 0 AND coalesce(x.only_here, 0) = 0 AND coalesce(x.only_canon, 0) = 0 END AS agrees
       FROM cand c LEFT JOIN cmp x USING (spool, ord)""",
    "CREATE TABLE reps AS SELECT agency_id, year, agency, agency_name, region_code, region, agency_level, agency_kind, "
    "canonical_sha256 FROM cand WHERE rnk = 1 AND agency_id IS NOT NULL",
)

# carried over, per body and consecutive years (the canonical documents' printed, not derived, facts)
CONTINUITY_PAIRS = f"""
    WITH cf AS (
        SELECT f.report_id, c.agency_id, c.year, f."row", f."column", last(f.value ORDER BY f.pos) AS value
        FROM cf f JOIN cand c USING (spool, ord)
        WHERE c.agency_id IS NOT NULL AND c.year IS NOT NULL AND f.section = 'applications'
          AND f."row" IN ({", ".join(f"'{r}'" for r in CONTINUITY_ROWS)}) AND NOT f.derived
          AND f."column" IN ({", ".join(f"'{c.code}'" for c in APPLICANT_COLUMNS)})
        GROUP BY ALL)
    SELECT now.report_id, now."column", now.year, before.value AS before, now.value AS now
    FROM cf now JOIN cf before ON before.agency_id = now.agency_id AND before.year = now.year - 1 AND before."column" = now."column"
    WHERE now."row" = 'carried_over_prev' AND before."row" = 'carried_over_next'
      AND now.value IS NOT NULL AND before.value IS NOT NULL
"""


def combine(spools: Sequence[Path], out: Path, *, memory_limit: str = MEMORY_LIMIT, threads: int | None = None) -> dict[str, int]:
    """Write ``out/<table>.parquet`` for every dataset table from the spools (in their order); returns row counts."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".combine-") as tmp:
        con = duckdb.connect(str(Path(tmp) / "combine.duckdb"), config={"memory_limit": memory_limit, "temp_directory": str(Path(tmp) / "spill"),
                                     "preserve_insertion_order": True, **({"threads": threads} if threads else {})})
        try:
            for name in spool_schemas():
                parts = " UNION ALL BY NAME ".join(f"SELECT {i} AS spool, * FROM read_parquet('{_esc(s / name)}/*.parquet')"
                                                   for i, s in enumerate(spools))
                con.execute(f"CREATE VIEW spool_{name} AS {parts}")
            for step in STEPS:
                con.execute(step)
            _continuity(con)
            counts = {name: _write(con, name, QUERIES[name], out) for name in QUERIES if name != "agencies"}
            counts["agencies"] = _write_frame(_romanized_agencies(con.sql(QUERIES["agencies"]).pl()), out / "agencies.parquet")
            counts["regions"] = _write_frame(typed(TABLES["regions"].schema, region_columns(region_rows())).sort("code"),
                                             out / "regions.parquet")
        finally:
            con.close()
    return counts


def _romanized_agencies(df: pl.DataFrame) -> pl.DataFrame:
    """The agencies with their names in pinyin and English (identity.romanize: the in-memory build's function)."""
    names = [romanized_agency(n, c) for n, c in zip(df["name"].to_list(), df["region_code"].to_list(), strict=True)]
    return df.with_columns(pl.Series("name_pinyin", [r.pinyin for r in names], pl.String()),
                           pl.Series("name_en", [r.en for r in names], pl.String())).cast(TABLES["agencies"].schema)


def _continuity(con: duckdb.DuckDBPyConnection) -> None:
    """The continuity checks, made by the same function as the in-memory build's (its wording, its tolerance),
    a chunk of pairs at a time."""
    schema = {**TABLES["checks"].schema, "pos": pl.Int64()}
    empty = typed(schema, []).to_arrow()  # noqa: F841 - read by the statement below
    con.execute("CREATE OR REPLACE TABLE continuity AS SELECT * FROM empty")
    pairs = con.cursor()
    pairs.execute(CONTINUITY_PAIRS)
    while chunk := pairs.fetchmany(100_000):
        rows = []
        for rid, col, year, before, now in chunk:
            c = continuity_check(col, year, before, now)
            rows.append({"report_id": rid, "name": c.name, "passed": c.passed, "detail": c.detail, "pos": 0})
        frame = typed(schema, rows).to_arrow()  # noqa: F841 - read by the statement below
        con.execute("INSERT INTO continuity SELECT * FROM frame")
    pairs.close()


def _esc(p: Path) -> str:
    return str(p).replace("'", "''")


def _write(con: duckdb.DuckDBPyConnection, name: str, sql: str, out: Path) -> int:
    """Stream the query's rows to ``out/<name>.parquet`` in batches (atomically: temp file, then rename)."""
    schema = typed(TABLES[name].schema, []).to_arrow().schema
    reader = con.sql(sql).to_arrow_reader(BATCH_ROWS)
    target = out / f"{name}.parquet"
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=out)
    os.close(fd)
    n = 0
    try:
        with pq.ParquetWriter(tmp, schema, compression="zstd") as w:
            for batch in reader:
                w.write_table(pa.Table.from_batches([batch]).cast(schema))
                n += batch.num_rows
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return n


def _write_frame(df: pl.DataFrame, path: Path) -> int:
    from warehouse.parquet import write_atomic

    write_atomic(df, path)
    return df.height


def build_tables_streaming(results: Iterable[ParseResult], sources: Sequence[SourceDocument], out: Path) -> dict[str, int]:
    """The tables from parse results made elsewhere: spooled (reduced in this process), then combined."""
    spool = spool_results(results, sources, out / ".spool")
    try:
        return combine([spool], out)
    finally:
        shutil.rmtree(spool, ignore_errors=True)
