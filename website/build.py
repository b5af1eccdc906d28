"""Build a release's offline site: ``build_site(release_dir)`` writes ``<release>/site/`` (or ``out``).

The site is static files only (``index.html``, ``app.js``, ``style.css``, vendored pdf.js, a CJK subset font)
plus JSON data files cut from the release's ``xxgk.duckdb``; any static file server (``python -m http.server``
in the release folder) serves it offline, with hash routes (``#/body/<id>``, ``#/report/<id>``).  It is
assembled in a hidden sibling folder and renamed into place, so a reader never sees half a site, and its
bytes depend only on the release (sorted keys, no build time written).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from website.codes import load_codes, register_indexes
from website.export import body_sql, register_shards, report_sql, write_shards, write_sliced
from website.schema_probe import probe
from website.search import write_places, write_search
from website.shards import TARGET_PER_SHARD, write_json
from website.summaries import dictionary, overview, validation

STATIC = Path(__file__).resolve().parent / "static"
FONT_DIR = Path(__file__).resolve().parents[1] / "synth" / "fonts"  # Noto Serif SC subset (OFL), its one home
FONT_FILES = ("NotoSerifSC-xxgk.ttf", "OFL.txt")
DB_NAME = "xxgk.duckdb"


@dataclass(frozen=True)
class SiteSummary:
    """What was built: where, how many files and bytes, how many body and report pages, and how long it took."""

    path: Path
    files: int
    bytes: int
    bodies: int
    reports: int
    seconds: float


def build_site(release_dir: Path, out: Path | None = None, *, version: str | None = None,
               memory_limit: str | None = None) -> SiteSummary:
    """Write the site of the release in ``release_dir`` into ``out`` (default ``release_dir/site``), replacing it whole.

    ``version`` names the release on the pages (default: the folder's name; the release hook passes it, because
    the folder being assembled has a temporary name).  Files the release writes after its site (README,
    CITATION.cff, SHA256SUMS) are read by the browser from the release folder when the site is inside it.
    ``memory_limit`` (DuckDB's, e.g. ``"6GB"``) caps what the export holds in memory; the rest spills to a
    temporary folder outside the release (default: DuckDB's, 80 % of the machine's memory).
    """
    started = time.perf_counter()
    release_dir = Path(release_dir).resolve()
    out = Path(out) if out is not None else release_dir / "site"
    version = version or release_dir.name
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}-tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        shutil.copytree(STATIC, tmp, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
        (tmp / "fonts").mkdir(exist_ok=True)
        for name in FONT_FILES:
            shutil.copyfile(FONT_DIR / name, tmp / "fonts" / name)
        con = duckdb.connect(str(release_dir / DB_NAME), read_only=True)
        spill = Path(tempfile.mkdtemp(prefix="xxgk-site-"))  # DuckDB's spill files: never inside the release
        try:
            con.execute("SET temp_directory = ?", [str(spill)])
            if memory_limit:
                con.execute("SET memory_limit = ?", [memory_limit])
            con.execute("SET preserve_insertion_order = false")  # every output order is an explicit ORDER BY
            con.execute("SET TimeZone = 'UTC'")  # instants (fetched_at) printed the same on every machine, not in its zone
            inside = out.resolve().parent == release_dir
            bodies, reports = _write_data(con, release_dir, tmp, version, inside)
        finally:
            con.close()
            shutil.rmtree(spill, ignore_errors=True)
        _publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    files = nbytes = 0
    for p in out.rglob("*"):
        if p.is_file():
            files += 1
            nbytes += p.stat().st_size
    return SiteSummary(out, files, nbytes, bodies, reports, round(time.perf_counter() - started, 3))


def _write_data(con: duckdb.DuckDBPyConnection, release_dir: Path, root: Path, version: str,
                inside: bool) -> tuple[int, int]:
    schema = probe(con)
    codes = load_codes(con, schema)
    register_indexes(con, codes)
    depths = {
        "reports": register_shards(con, "report", "reports", "report_id", TARGET_PER_SHARD["reports"]),
        "bodies": register_shards(con, "body", "agencies", "agency_id", TARGET_PER_SHARD["bodies"]),
    }
    _, _, n_reports = write_sliced(con, report_sql(schema), root, "reports", "site_report_shard")
    _, _, n_bodies = write_shards(con, body_sql(schema), root, "bodies")
    depths["places"], _, _ = write_places(con, root)
    write_search(con, schema, root)
    write_json(root, "data/codes.json", codes)
    write_json(root, "data/dictionary.json", dictionary(con, schema, codes))
    write_json(root, "data/validation.json", validation(con))
    write_json(root, "data/overview.json", {**overview(con, schema, release_dir, version), "shards": depths,
                                            "release_root": "../" if inside else None})
    return n_bodies, n_reports


def release_hook(folder: Path, data_dir: Path) -> None:
    """``extras`` of :func:`warehouse.release.make_release`: the site of the release being assembled in ``folder``.

    The folder is named ``.tmp-<version>-<pid>`` while it is assembled (warehouse/release.py); the version is read
    from that name so the pages name the release they will be published as.
    """
    m = re.match(r"^\.tmp-(v[0-9.]+)-[0-9]+$", folder.name)
    build_site(folder, version=m.group(1) if m else None)


def _publish(tmp: Path, out: Path) -> None:
    """Swap the assembled folder into place: the old site is moved aside first, then removed."""
    for p in [tmp, *tmp.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    old = out.parent / f".{out.name}-old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    os.rename(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
