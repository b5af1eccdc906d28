"""Parsed reports to Parquet with a fixed schema per table, written atomically.

Fixed schemas so that an empty build, or a build where every value of a column happens to be null,
still produces the same column types researchers' code expects.  Atomic (temp file in the same
folder, then rename) so that a killed run never leaves a half-written table behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from parsers.model import ParseResult

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "documents": {
        "path": pl.String(),
        "sha256": pl.String(),
        "media_type": pl.String(),
        "report_id": pl.String(),
        "outcome": pl.String(),  # parsed | error
        "error": pl.String(),
    },
    "reports": {
        "report_id": pl.String(),
        "agency": pl.String(),
        "region": pl.String(),
        "region_code": pl.String(),
        "year": pl.Int32(),
        "format": pl.String(),
        "scope": pl.String(),
        "published_on": pl.Date(),
        "title": pl.String(),
        "contact_phone": pl.String(),
        "contact_email": pl.String(),
        "source_path": pl.String(),
        "source_url": pl.String(),
        "sha256": pl.String(),
        "media_type": pl.String(),
        "fetched_at": pl.String(),
    },
    "facts": {
        "report_id": pl.String(),
        "section": pl.String(),
        "row": pl.String(),
        "column": pl.String(),
        "value": pl.Float64(),
        "raw": pl.String(),
        "note": pl.String(),
        "derived": pl.Boolean(),
        "sha256": pl.String(),
        "line": pl.Int32(),
        "page": pl.Int32(),
        "table_no": pl.Int32(),
        "row_no": pl.Int32(),
        "cell_no": pl.Int32(),
    },
    "checks": {
        "report_id": pl.String(),
        "name": pl.String(),
        "passed": pl.Boolean(),
        "detail": pl.String(),
    },
    "problems": {
        "report_id": pl.String(),
        "kind": pl.String(),
        "section": pl.String(),
        "row": pl.String(),
        "detail": pl.String(),
    },
}


def tables_from_results(results: Iterable[ParseResult]) -> dict[str, pl.DataFrame]:
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in SCHEMAS}
    for r in results:
        m = r.report
        rid = m.report_id
        rows["documents"].append(
            {
                "path": r.path,
                "sha256": m.sha256,
                "media_type": m.media_type,
                "report_id": rid if r.ok else None,
                "outcome": "parsed" if r.ok else "error",
                "error": "; ".join(r.errors) or None,
            }
        )
        if not r.ok:
            continue
        rows["reports"].append(
            {k: getattr(m, k) for k in SCHEMAS["reports"] if k not in ("report_id", "published_on")}
            | {"report_id": rid, "published_on": m.published_on}
        )
        for f in r.facts:
            loc = f.location
            rows["facts"].append(
                {
                    "report_id": rid,
                    "section": f.section,
                    "row": f.row,
                    "column": f.column,
                    "value": None if f.value is None else float(f.value),
                    "raw": f.raw,
                    "note": f.note,
                    "derived": f.derived,
                    "sha256": m.sha256,
                    "line": loc.line,
                    "page": loc.page,
                    "table_no": loc.table,
                    "row_no": loc.row,
                    "cell_no": loc.cell,
                }
            )
        rows["checks"] += [{"report_id": rid, "name": c.name, "passed": c.passed, "detail": c.detail} for c in r.checks]
        rows["problems"] += [
            {"report_id": rid, "kind": p.kind, "section": p.section, "row": p.row, "detail": p.detail} for p in r.problems
        ]
    out: dict[str, pl.DataFrame] = {}
    for name, schema in SCHEMAS.items():
        data = rows[name]
        if name == "reports":
            df = pl.DataFrame(data, schema={**schema, "published_on": pl.String()}, orient="row" if not data else None)
            df = df.with_columns(pl.col("published_on").str.to_date(strict=False))
        else:
            df = pl.DataFrame(data, schema=schema)
        out[name] = df.select(list(schema))
    return out


def write_atomic(df: pl.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        df.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_tables(tables: dict[str, pl.DataFrame], out_dir: Path) -> dict[str, Path]:
    paths = {}
    for name, df in tables.items():
        p = out_dir / f"{name}.parquet"
        write_atomic(df, p)
        paths[name] = p
    return paths
