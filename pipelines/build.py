"""The main job as plain functions: documents → parsed reports → Parquet → DuckDB → release.

``xxgk`` and the Dagster assets both call these; Dagster stays a thin layer over them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path

from archive.layout import Layout
from archive.locks import data_dir_lock
from parsers.media import parse_path
from parsers.model import ParseResult
from warehouse.database import build_warehouse, format_table, query
from warehouse.parquet import write_tables
from warehouse.release import make_release

from .dataset import SourceDocument, build_tables

SUFFIXES = {".txt", ".md", ".html", ".htm", ".shtml", ".pdf", ".docx", ".doc", ".wps"}
EXAMPLE_QUERY = (
    "SELECT agency, year, format, granted__total AS granted, processed_total__total AS processed\n"
    "FROM v_applications_wide ORDER BY year, agency"
)


def find_documents(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def parse_all(paths: Iterable[Path | str], cache: Path | None = None) -> list[ParseResult]:
    """Parse every document; a bad one is recorded with its error and the rest go on.

    With a cache folder, documents parsed before by the same parser version are not parsed again.
    """
    if cache is None:
        return [parse_path(p) for p in paths]
    from .parse_cache import parse_cached

    return [parse_cached(Path(p), cache)[0] for p in paths]


def build(layout: Layout, sources: Sequence[SourceDocument], *, wait: float = 0.0) -> dict[str, int]:
    """Parse the documents (new ones only: cached by SHA-256), write the Parquet tables and the warehouse.

    One build or release of a data directory at a time: a second one waits ``wait`` seconds, then
    refuses with :class:`archive.locks.Busy` (harvests of portals may run meanwhile).
    """
    with data_dir_lock(layout.root, wait):
        results = parse_all((s.path for s in sources), cache=layout.parsed)
        tables = build_tables(results, sources)
        write_tables(tables, layout.parquet)
        build_warehouse(layout.parquet, layout.db)
    return {name: df.height for name, df in tables.items()}


def release(layout: Layout, today: dt.date | None = None, *, wait: float = 0.0) -> Path:
    with data_dir_lock(layout.root, wait):
        return make_release(layout.parquet, layout.db, layout.releases, today=today)


def folder_sources(folder: Path) -> list[SourceDocument]:
    return [SourceDocument(str(p), size=p.stat().st_size) for p in find_documents(folder)]


DEMO_PORT = 28765  # a fixed port keeps the demo's URLs, and so its archive, the same from run to run


def _demo_server():  # noqa: ANN202 - a DemoPortal
    from synth.demo_portal import DemoPortal

    try:
        return DemoPortal(port=DEMO_PORT)
    except OSError:  # taken: any free port (the demo then re-harvests under new URLs)
        return DemoPortal()


def demo(data_dir: Path, samples: Path | None = None) -> int:
    """The main job, offline, on the demo portal: harvest over HTTP, parse, warehouse, release, a query.

    The demo portal (``synth/demo_portal.py``) serves the sample reports as a Hanweb and a gkmlpt
    portal on 127.0.0.1 for the length of the run.
    """
    from .crawl import format_summary, harvest_portal
    from .harvest import archived_sources
    from portals.registry import load_portals

    layout = Layout(data_dir)
    registry = Path(__file__).resolve().parents[1] / "data" / "portals.demo.yaml"
    with _demo_server() as server:
        portals = load_portals(registry, base=server.base)
        print(f"demo portal on {server.base}; harvesting {len(portals)} portals …", flush=True)
        harvested = {p.id: harvest_portal(p, layout, timeout=300) for p in portals}
    print(format_summary(harvested))
    sources = archived_sources(layout.raw, portals)
    counts = build(layout, sources)
    rel = release(layout)
    print(f"\nparsed {len(sources)} archived documents from {layout.raw}:")
    for name, n in counts.items():
        print(f"  {name:<17}{n:>6} rows")
    names, rows = query(layout.db, "SELECT count(*) FROM v_failed_checks")
    print(f"warehouse: {layout.db}  ({rows[0][0]} report(s) with failed identity checks: SELECT * FROM v_failed_checks)")
    print(f"release:   {rel}  (latest -> {rel.name})")
    print(f"\nexample: uv run xxgk query --data-dir {data_dir} \"{EXAMPLE_QUERY.replace(chr(10), ' ')}\"")
    print(format_table(*query(layout.db, EXAMPLE_QUERY)))
    return 0
