"""The main job as plain functions: documents → parsed reports → Parquet → DuckDB → release.

``xxgk`` and the Dagster assets both call these; Dagster stays a thin layer over them.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import shutil
from collections.abc import Sequence
from pathlib import Path

from archive.layout import Layout
from archive.locks import data_dir_lock
from pipelines.coverage import portal_runs_frame
from warehouse import generations
from warehouse.codes import code_frames
from warehouse.database import build_warehouse, query
from warehouse.parquet import write_tables
from warehouse.release import NothingChanged, Refused, ReleaseInvalid, make_release

from .dataset import SourceDocument
from .output import Progress, format_table
from .combine import combine
from .parallel import DEFAULT_TIMEOUT
from .spool import spool_documents, spool_size
from .sources import Listing, SourceError, documents_in

__all__ = ["BuildInvalid", "Layout", "NothingChanged", "Refused", "ReleaseInvalid", "SourceError", "build", "build_from_spools", "release", "demo"]

EXAMPLE_QUERY = (
    "SELECT agency, year, format, granted__total AS granted, processed_total__total AS processed\n"
    "FROM v_applications_wide ORDER BY year, agency"
)


class BuildInvalid(Exception):
    """The new generation failed its own verification (a warehouse that does not match its Parquet tables)."""


def build(
    layout: Layout, sources: Sequence[SourceDocument], *, wait: float = 0.0, allow_shrink: bool = False,
    progress: Progress | None = None, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, int]:
    """Parse the documents (new ones only: cached by SHA-256; in a pool of ``workers`` processes) into a new
    generation of Parquet tables and warehouse, and make it current — unless it would shrink the dataset
    (:class:`Refused`).  Memory stays flat in the number of documents: results are spooled to Parquet as they
    come (:mod:`pipelines.spool`) and combined in DuckDB (:mod:`pipelines.combine`).

    One build or release of a data directory at a time: a second one waits ``wait`` seconds, then
    refuses with :class:`archive.locks.Busy` (harvests of portals may run meanwhile).  No documents
    at all is a :class:`SourceError` and changes nothing.
    """
    if not sources:
        raise SourceError("no documents to build from: nothing was changed")
    with data_dir_lock(layout.root, wait):
        gen = generations.stage(layout.root)
        with generations.writing(gen):  # a full disk: one line, the staging folder removed, nothing replaced
            spool = spool_documents(sources, gen.path / "spool", layout.parsed, workers=workers, timeout=timeout, progress=progress)
            counts = _switch_in(layout, gen, [spool], len(sources), allow_shrink)
    return counts


def build_from_spools(layout: Layout, spools: Sequence[Path], *, wait: float = 0.0, allow_shrink: bool = False) -> dict[str, int]:
    """A new generation from spools parsed beforehand (one per portal: the Dagster partitions of the parse step,
    possibly on other machines), combined in the order given; made current as :func:`build` does."""
    if not spools:
        raise SourceError("no parsed documents to build from: nothing was changed")
    with data_dir_lock(layout.root, wait):
        gen = generations.stage(layout.root)
        with generations.writing(gen):
            return _switch_in(layout, gen, spools, sum(spool_size(s) for s in spools), allow_shrink, keep_spools=True)


def _switch_in(layout: Layout, gen: generations.Generation, spools: Sequence[Path], documents: int, allow_shrink: bool,
               *, keep_spools: bool = False) -> dict[str, int]:
    """Spools → tables, warehouse, verification, the shrink guard, and the switch (or a refusal)."""
    counts = combine(spools, gen.parquet)
    if not keep_spools:
        for spool in spools:
            shutil.rmtree(spool)
    write_tables({**code_frames(), "portal_runs": portal_runs_frame(layout.raw)}, gen.parquet)
    build_warehouse(gen.parquet, gen.db)
    meta = generations.describe(gen, documents=documents)
    gen.meta = meta
    broken = generations.verify(gen)
    if broken:
        kept = generations.refuse(layout.root, gen, meta, "; ".join(broken))
        raise BuildInvalid(f"the new build is not whole ({'; '.join(broken[:5])}); nothing was replaced; kept in {kept.path}")
    before = generations.current(layout.root)
    why = generations.shrinkage(before.counts, meta["counts"]) if before else None
    if why and not allow_shrink:
        kept = generations.refuse(layout.root, gen, meta, why)
        raise Refused(
            f"this build would shrink the dataset against the current build ({before.meta.get('id')}): {why}. "
            f"Nothing was replaced; the refused build is kept in {kept.path} for inspection. "
            "If the fall is intended, build again with --allow-shrink."
        )
    generations.commit(layout.root, gen, {**meta, "allowed_shrink": why} if why else meta)
    return counts


def release(layout: Layout, today: dt.date | None = None, *, wait: float = 0.0, allow_shrink: bool = False) -> Path:
    """Publish the current generation as a new version (see :func:`warehouse.release.make_release`)."""
    with data_dir_lock(layout.root, wait):
        gen = generations.current(layout.root)
        if gen is None:
            raise SourceError(f"no complete build in {layout.root}: run `xxgk build` first")
        from website.build import release_hook  # every release ships its offline site (site/)

        return make_release(gen, layout.releases, today=today, allow_shrink=allow_shrink, extras=release_hook)


def folder_sources(folder: Path, listing: Listing | None = None) -> list[SourceDocument]:
    """The documents of a folder (by content), each named by its path relative to the folder."""
    listing = listing or documents_in(folder)
    return [SourceDocument(str(p), size=p.stat().st_size, ref=p.relative_to(folder).as_posix()) for p in listing.documents]


def outcomes(layout: Layout) -> dict[str, int]:
    """Documents of the current build by outcome (parsed, error, needs_ocr, not_a_report), from the current generation's
    own database (never a foreign ``xxgk.duckdb`` the data directory may hold)."""
    current = generations.current(layout.root)
    if current is None:
        return {}
    con = duckdb.connect(str(current.db), read_only=True)
    try:
        return dict(con.execute("SELECT outcome, count(*) FROM documents GROUP BY outcome").fetchall())
    finally:
        con.close()


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
        harvested = {}
        with Progress("harvest (portals)", len(portals)) as bar:
            for p in portals:
                harvested[p.id] = harvest_portal(p, layout, timeout=300)
                bar.advance()
    print(format_summary(harvested))
    sources = archived_sources(layout.raw, portals)
    with Progress("parse and build (documents)", len(sources)) as bar:
        counts = build(layout, sources, progress=bar)
    try:
        rel = release(layout)
        released = f"{rel}  (latest -> {rel.name})"
    except NothingChanged as e:
        released = str(e)
    print(f"\nparsed {len(sources)} archived documents from {layout.raw}:")
    for name, n in counts.items():
        print(f"  {name:<17}{n:>6} rows")
    names, rows = query(layout.db, "SELECT count(*) FROM v_failed_checks")
    print(f"warehouse: {layout.db}  ({rows[0][0]} report(s) with failed identity checks: SELECT * FROM v_failed_checks)")
    print(f"release:   {released}")
    print(f"\nexample: uv run xxgk query --data-dir {data_dir} \"{EXAMPLE_QUERY.replace(chr(10), ' ')}\"")
    print(format_table(*query(layout.db, EXAMPLE_QUERY)))
    return 0
