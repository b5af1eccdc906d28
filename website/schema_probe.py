"""What the release's DuckDB file holds: tables, views and their columns, so optional columns are used only when present.

Why: releases made before a column existed (``documents.source_file``, ``code_rows.parent``, ``regions.name_pinyin``…)
must still get a site; the site reads the schema at build time instead of assuming one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb


@dataclass(frozen=True)
class Schema:
    """Column names per table or view (``columns["documents"]`` = ``{"sha256", "url", …}``)."""

    columns: dict[str, frozenset[str]] = field(default_factory=dict)

    def has(self, relation: str, column: str | None = None) -> bool:
        cols = self.columns.get(relation)
        return cols is not None and (column is None or column in cols)

    def optional(self, relation: str, column: str, expr: str, alias: str, default: str = "NULL") -> str:
        """``expr AS alias`` when ``relation.column`` exists, else ``default AS alias`` (a SELECT item)."""
        return f"{expr if self.has(relation, column) else default} AS {alias}"


def probe(con: duckdb.DuckDBPyConnection) -> Schema:
    rows = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal"
    ).fetchall()
    cols: dict[str, set[str]] = {}
    for table, column in rows:
        cols.setdefault(table, set()).add(column)
    return Schema({t: frozenset(c) for t, c in cols.items()})
