"""The main job: documents in, Parquet tables out.  Plain functions, called by ``xxgk`` and Dagster."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from parsers.media import parse_path
from parsers.model import ParseResult
from warehouse.parquet import tables_from_results, write_tables

SUFFIXES = {".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".doc", ".wps"}


def find_documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def parse_all(paths: Iterable[Path]) -> list[ParseResult]:
    """Parse every document; a bad one is recorded with its error and the rest go on."""
    return [parse_path(p) for p in paths]


def build_parquet(documents: Iterable[Path], out_dir: Path) -> dict[str, Path]:
    results = parse_all(documents)
    return write_tables(tables_from_results(results), out_dir)


def demo(data_dir: Path) -> int:
    samples = data_dir / "samples"
    out = data_dir / "out" / "parquet"
    docs = find_documents(samples)
    results = parse_all(docs)
    tables = tables_from_results(results)
    paths = write_tables(tables, out)
    print(f"parsed {len(docs)} sample documents from {samples}")
    for name, path in paths.items():
        print(f"  {name:<10} {tables[name].height:>6} rows  {path}")
    errors = [r for r in results if r.errors]
    failed = tables["checks"].filter(~tables["checks"]["passed"])
    print(f"{len(errors)} documents with errors, {failed.height} failed identity checks")
    for row in failed.iter_rows(named=True):
        print(f"  {row['report_id']}: {row['name']}: {row['detail']}")
    return 0
