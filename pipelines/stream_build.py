"""The dataset's tables built with memory flat in the number of documents.

A national corpus (1.2 million documents, ~240 million facts) never fits in memory as parse results
or row dicts.  The build makes two passes:

1. every parse result, as the pool yields it, is prepared (identified with its portal's context) and
   reduced to its ``documents`` row and a few fields per report candidate — its rank for the canonical
   choice, its continuity facts, and where its full result is cached; then it is dropped;
2. reports are taken in ``report_id`` order, a batch at a time: their documents' results are read back
   from the parse cache, and the same per-report rules as the in-memory build
   (:func:`pipelines.dataset.report_rows`) write one Parquet part per table per batch.

Parts are written in key order, so the tables are their parts concatenated (streamed by polars), never
sorted as a whole.  The rows are exactly those of :func:`pipelines.dataset.build_tables` (a test
compares both on the test corpora).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from identity.divisions import region_rows
from parsers.model import Fact, ParseResult
from warehouse.schema import TABLES

from .dataset import (
    AgencyRecord,
    SourceDocument,
    _rank,
    agency_rows,
    continuity_facts,
    continuity_rows,
    documents,
    frame,
    prepare,
    report_rows,
)
from .parse_cache import cache_entry

BATCH_REPORTS = 2000  # reports per part: ~400,000 facts, a few hundred MB at most
DOC_BATCH = 50_000  # documents rows per part


@dataclass
class Candidate:
    """One parsed document of a report, reduced to what the canonical choice and continuity need."""

    rank: tuple
    sha256: str
    path: str
    agency_id: str | None
    year: int | None
    continuity: list[Fact] = field(default_factory=list)


class Parts:
    """Parquet parts of each table, written in order, concatenated at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.n: dict[str, int] = {}
        self.rows: dict[str, int] = {}

    def write(self, name: str, rows: list[dict[str, object]]) -> None:
        """One part: the rows with the table's schema, sorted by its key within the part (as the in-memory build)."""
        if not rows:
            return
        df = frame(name, rows)
        i = self.n.get(name, 0)
        (self.folder / name).mkdir(exist_ok=True)
        df.write_parquet(self.folder / name / f"{i:06d}.parquet", compression="zstd", statistics=False)
        self.n[name] = i + 1
        self.rows[name] = self.rows.get(name, 0) + df.height

    def combine(self, name: str, out: Path, *, sort_whole: bool = False) -> int:
        """The table: its parts in order (or, for a small table keyed otherwise, sorted as a whole)."""
        files = sorted((self.folder / name).glob("*.parquet")) if (self.folder / name).exists() else []
        tmp = out.with_name(f".{out.name}.tmp")
        if not files:
            frame(name, []).write_parquet(tmp, compression="zstd", statistics=True)
        elif sort_whole:
            df = pl.concat([pl.read_parquet(f) for f in files])
            frame_sorted = df.sort(list(TABLES[name].primary_key)) if TABLES[name].primary_key else df
            frame_sorted.write_parquet(tmp, compression="zstd", statistics=True)
        else:
            pl.concat([pl.scan_parquet(f) for f in files]).sink_parquet(tmp, compression="zstd", statistics=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
        return self.rows.get(name, 0)


def _from_cache(cache: Path, c: Candidate) -> ParseResult:
    """The full result again, from the parse cache (parsed again if the entry is gone)."""
    try:
        result = ParseResult.from_dict(json.loads(gzip.decompress(cache_entry(cache, c.sha256).read_bytes())))
    except (OSError, ValueError):
        from .parallel import parse_one

        return parse_one(c.path, str(cache))
    result.path = c.path
    result.report.source_path = c.path
    return result


def build_tables_streaming(
    results: Iterable[ParseResult], sources: Sequence[SourceDocument], out: Path, cache: Path, *, batch: int = BATCH_REPORTS,
) -> dict[str, int]:
    """Write the dataset's tables (``out/<table>.parquet``) from parse results streamed once; returns row counts.

    Every result must be in ``cache`` (the build parses through it), so that pass 2 can read it back.
    """
    src = {s.path: s for s in sources}
    parts = Parts(out / ".parts")
    candidates: dict[str, list[Candidate]] = {}
    doc_rows: list[dict[str, object]] = []
    for r, row in documents(results, src):  # pass 1: one result at a time
        doc_rows.append(row)
        if len(doc_rows) >= DOC_BATCH:
            parts.write("documents", doc_rows)
            doc_rows = []
        if r.ok and row["report_id"]:
            m = r.report
            candidates.setdefault(str(row["report_id"]), []).append(
                Candidate(_rank(r), str(m.sha256), r.path, m.agency_id, m.year, continuity_facts(r)))
    parts.write("documents", doc_rows)

    # the canonical document of each report decides its continuity facts (the ranking is the in-memory build's)
    for cands in candidates.values():
        cands.sort(key=lambda c: c.rank)
    extra_checks = continuity_rows((rid, c[0].agency_id, c[0].year, c[0].continuity) for rid, c in candidates.items())

    agencies: list[AgencyRecord] = []
    rids = sorted(candidates)
    for start in range(0, len(rids), batch):  # pass 2: a batch of reports at a time, in report_id order
        rows: dict[str, list[dict[str, object]]] = {name: [] for name in TABLES}
        for rid in rids[start:start + batch]:
            docs = [_from_cache(cache, c) for c in candidates[rid]]
            for d in docs:
                prepare(d, src.get(d.path, SourceDocument(d.path)))
            best = report_rows(rid, docs, src, rows)
            rows["checks"] += extra_checks.get(rid, [])
            agencies.append(AgencyRecord.of(best.report))
        for name in ("reports", "facts", "checks", "report_documents", "problems"):  # problems has no key: report order
            parts.write(name, rows[name])
        for rid in rids[start:start + batch]:
            candidates.pop(rid, None)

    agency, names = agency_rows(agencies)
    parts.write("agencies", agency)
    parts.write("agency_names", names)
    parts.write("regions", region_rows())
    counts = {}
    for name in TABLES:
        counts[name] = parts.combine(name, out / f"{name}.parquet", sort_whole=name in ("documents", "agencies", "agency_names", "regions"))
    shutil.rmtree(parts.folder, ignore_errors=True)
    return counts
