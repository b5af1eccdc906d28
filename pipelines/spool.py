"""Parse results on disk, in columnar form, as they are produced: the input of the streaming build.

A national corpus (1.2 million documents, ~240 million facts) never fits in memory as parse results.
So each result is *reduced*, in the pool worker that parsed it, to the rows it can contribute — its
``documents`` row, and, if it is a report, its candidate ``reports`` row with its rank for the canonical
choice, its facts, checks and problems — and the main process only appends those rows to Parquet parts
of a *spool* folder.  Which document of a report is canonical, whether its documents agree, and the
checks across years are decided afterwards over all spools at once, in SQL (:mod:`pipelines.combine`).

A spool is complete when its ``spool.json`` exists (written last, the folder renamed into place), so a
killed run never leaves a spool that looks whole.  Several spools (one per Dagster partition, one per
machine) are combined as one: ``ord`` (input order within a spool) and the spool's own order break ties
exactly as one long run would.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from parsers.model import ParseResult

from .sources import printable_text
from .dataset import (
    SourceDocument,
    check_rows,
    document_row,
    fact_rows,
    identity_problem_rows,
    media_rank,
    narrative_rows,
    prepare,
    problem_rows,
    report_row,
    typed,
)

if TYPE_CHECKING:
    import polars as pl

    from .output import Progress

Reduced = dict[str, list[dict[str, object]]]
MANIFEST = "spool.json"
FORMAT = 6  # the spool tables' layout (6: documents.source_file, fetched_at an instant); a spool of another format (written before an upgrade) is not complete
FLUSH_DOCUMENTS = 500  # documents per Parquet part: ~100,000 facts, ~100 MB of rows at most


def spool_schemas() -> dict[str, dict[str, pl.DataType]]:
    """Each spool table: the dataset table's columns plus what the combination needs."""
    import polars as pl

    from warehouse.schema import TABLES

    ordinal = {"ord": pl.Int64()}
    reports = dict(TABLES["reports"].schema)
    for k in ("index_no", "publisher", "n_documents", "documents_agree"):  # decided over all the report's documents
        reports.pop(k)
    return {
        "documents": {**ordinal, "dedup": pl.String(), **TABLES["documents"].schema},
        "candidates": {
            **ordinal, **reports, "media_type": pl.String(), "n_problems": pl.Int64(), "n_numbers": pl.Int64(),
            "media_rank": pl.Int64(), "n_facts": pl.Int64(), "page_index_no": pl.String(), "list_index_no": pl.String(),
            "page_publisher": pl.String(),
        },
        "facts": {**ordinal, "pos": pl.Int64(), **TABLES["facts"].schema},
        "checks": {**ordinal, "seq": pl.Int64(), **TABLES["checks"].schema},
        "narratives": {**ordinal, **TABLES["narratives"].schema},
        "problems": {**ordinal, "seq": pl.Int64(), "identity": pl.Boolean(), **TABLES["problems"].schema},
    }


def printable(row: dict[str, object]) -> dict[str, object]:
    """The row with every string valid UTF-8: a file name that is not (its bytes, as os.fsdecode's surrogates) is kept
    with those bytes escaped (``\\xff``), so the document is still a row, named as it is on disk."""
    bad = [k for k, v in row.items() if isinstance(v, str) and not v.isascii() and printable_text(v) != v]
    if not bad:
        return row
    return {**row, **{k: printable_text(row[k]) for k in bad}}  # type: ignore[arg-type]


def reduce(r: ParseResult, s: SourceDocument, ord: int) -> Reduced:
    """The rows one parsed document can contribute, before anyone knows the report's other documents."""
    prepare(r, s)
    doc = document_row(r, s)
    out: Reduced = {"documents": [{"ord": ord, "dedup": r.report.sha256 or f"missing:{r.path}", **doc}]}
    rid = doc["report_id"]
    if not (r.ok and rid):
        return out
    rid = str(rid)
    m = r.report
    candidate = report_row(rid, r, s)
    for k in ("index_no", "publisher", "n_documents", "documents_agree"):
        candidate.pop(k)
    out["candidates"] = [{
        "ord": ord, **candidate, "media_type": m.media_type,
        # the canonical choice's rank (pipelines.dataset._rank): fewest problems, most numbers, HTML > Word > PDF, SHA-256
        "n_problems": len(r.problems), "n_numbers": sum(f.value is not None for f in r.facts),
        "media_rank": media_rank(r),
        "n_facts": len({(f.section, f.row, f.column) for f in r.facts}),
        "page_index_no": m.page_meta.get("index_no") or None, "list_index_no": s.index_no or None,
        "page_publisher": m.page_meta.get("publisher") or None,
    }]
    # numbered in key order (code points: the order DuckDB and polars sort strings in), so that the facts
    # table is sorted on two integers (report, pos) rather than four strings
    facts = sorted(fact_rows(rid, r), key=lambda f: (f["section"], f["row"], f["column"]))
    out["facts"] = [{"ord": ord, "pos": i, **f} for i, f in enumerate(facts)]
    out["checks"] = [{"ord": ord, "seq": i, **c} for i, c in enumerate(check_rows(rid, r))]
    out["narratives"] = [{"ord": ord, **n} for n in narrative_rows(rid, r)]
    out["problems"] = [{"ord": ord, "seq": i, "identity": False, **p} for i, p in enumerate(problem_rows(rid, r))] + [
        {"ord": ord, "seq": i, "identity": True, **p} for i, p in enumerate(identity_problem_rows(rid, r))
    ]
    return out


def reduce_path(path: str, cache: str | None, source: SourceDocument, ord: int) -> Reduced:
    """What a pool worker runs: parse one document (through the cache) and reduce it."""
    from .parallel import parse_one

    return reduce(parse_one(path, cache, source.url, source.images), source, ord)


class SpoolWriter:
    """Appends reduced documents to Parquet parts; :meth:`close` makes the spool complete, atomically."""

    def __init__(self, folder: Path, flush_every: int = FLUSH_DOCUMENTS) -> None:
        self.folder = folder
        self.staging = folder.with_name(f".{folder.name}.partial")
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)
        self.schemas = spool_schemas()
        self.buffer: dict[str, list[dict[str, object]]] = {name: [] for name in self.schemas}
        self.pending = 0
        self.flush_every = flush_every
        self.parts = 0
        self.documents = 0

    def add(self, reduced: Reduced) -> None:
        for name, rows in reduced.items():
            self.buffer[name] += rows
        self.pending += 1
        self.documents += 1
        if self.pending >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        for name, rows in self.buffer.items():
            if rows:
                rows = [printable(r) for r in rows]
                (self.staging / name).mkdir(exist_ok=True)
                typed(self.schemas[name], rows).write_parquet(self.staging / name / f"{self.parts:06d}.parquet", compression="zstd")
            self.buffer[name] = []
        self.parts += 1
        self.pending = 0

    def close(self) -> Path:
        """Write what is left and the manifest, then put the spool in place (replacing an older one)."""
        self.flush()
        for name, schema in self.schemas.items():  # every table has at least one part, so a glob never comes up empty
            if not (self.staging / name).exists():
                (self.staging / name).mkdir()
                typed(schema, []).write_parquet(self.staging / name / "empty.parquet")
        (self.staging / MANIFEST).write_text(json.dumps({"format": FORMAT, "documents": self.documents}) + "\n")
        old = self.folder.with_name(f".{self.folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(self.staging, self.folder)
        shutil.rmtree(old, ignore_errors=True)
        return self.folder


def spool_results(results: Iterable[ParseResult], sources: Sequence[SourceDocument], folder: Path) -> Path:
    """Spool parse results made elsewhere (reduced here, in this process)."""
    src = {s.path: s for s in sources}
    writer = SpoolWriter(folder)
    for i, r in enumerate(results):
        writer.add(reduce(r, src.get(r.path, SourceDocument(r.path)), i))
    return writer.close()


def spool_documents(
    sources: Sequence[SourceDocument], folder: Path, cache: Path | None, *, workers: int | None = None,
    timeout: float | None = None, progress: Progress | None = None, isolate: bool = True,
) -> Path:
    """Parse and reduce the documents in the pool (input order kept) into the spool ``folder``.  ``isolate``
    parses in a pool even with one worker, so the time limit and memory cap hold (a Dagster step that
    leaves the fan-out to the executor)."""
    from .parallel import DEFAULT_TIMEOUT, failed, pool_map

    writer = SpoolWriter(folder)
    cache_dir = str(cache) if cache is not None else None
    tasks = [(s.path, cache_dir, s, i) for i, s in enumerate(sources)]
    for reduced in pool_map(reduce_path, tasks, lambda t, why: reduce(failed(t[0], why), t[2], t[3]), workers=workers,
                            timeout=timeout or DEFAULT_TIMEOUT, progress=progress, isolate=isolate):
        writer.add(reduced)
    return writer.close()


def complete(folder: Path) -> bool:
    """Whether the folder is a whole spool of this version's format (its manifest is written last): a spool
    written by an older reduce step must be parsed again, not combined with the new ones."""
    try:
        return json.loads((folder / MANIFEST).read_text()).get("format") == FORMAT
    except (OSError, ValueError):
        return False


def spool_size(folder: Path) -> int:
    """How many documents the spool holds (from its manifest)."""
    return int(json.loads((folder / MANIFEST).read_text())["documents"])
