"""Generations: every build is a complete, self-consistent folder (Parquet tables + DuckDB) switched in at once.

A build writes ``generations/.staging-gNNNNNN/``; when the Parquet tables and the warehouse are both
complete, a ``generation.json`` is written last, the folder is renamed to ``generations/gNNNNNN`` and
the ``current`` symlink is replaced atomically (``os.replace`` of a symlink).  Readers and releases
resolve ``current`` once and read one generation: a build killed at any point leaves the previous
generation current and nothing half-written that anyone reads.  ``parquet`` and ``xxgk.duckdb`` in
the data directory are fixed symlinks through ``current`` so paths researchers type never change.

Only the holder of the data directory's writer lock (:func:`archive.locks.data_dir_lock`) calls
:func:`stage`, :func:`commit` and :func:`refuse`.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from warehouse.release import DB_NAME

META = "generation.json"
LINKS = {"parquet": "current/parquet", DB_NAME: f"current/{DB_NAME}"}  # the fixed paths researchers type, xxgk's own
SHRINK_LIMIT = 0.10  # a build or release losing more than this share of reports or facts needs --allow-shrink
GUARDED = ("reports", "facts")
KEEP = 2  # the current generation and the one before it (a reader may still have it open)

log = logging.getLogger(__name__)
DONE, REFUSED, STAGING = re.compile(r"g\d{6}"), re.compile(r"refused-g\d{6}"), re.compile(r"\.staging-g\d{6}")


@dataclass
class Generation:
    path: Path
    meta: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.path.name.removeprefix(".staging-")

    @property
    def parquet(self) -> Path:
        return self.path / "parquet"

    @property
    def db(self) -> Path:
        return self.path / DB_NAME

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.meta.get("counts", {}))


def folder(root: Path) -> Path:
    return root / "generations"


def current(root: Path) -> Generation | None:
    """The generation ``current`` points at, resolved once; or a data directory of the old layout
    (``parquet/`` and ``xxgk.duckdb`` as plain files), read as a generation of its own; or None."""
    link = root / "current"
    if link.is_symlink():
        target = link.resolve()
        if (target / META).is_file():
            return Generation(target, json.loads((target / META).read_text(encoding="utf-8")))
        return None
    old = root / "parquet"
    if old.is_dir() and not old.is_symlink() and (root / DB_NAME).is_file() and all((old / f"{t}.parquet").is_file() for t in GUARDED):
        try:
            return Generation(root, {"id": "legacy", "counts": row_counts(old, GUARDED)})
        except Exception:  # noqa: BLE001 - not xxgk's tables after all (a folder of the user's own): no generation
            return None
    return None


def row_counts(parquet: Path, tables: tuple[str, ...] | None = None) -> dict[str, int]:
    """Rows of each Parquet table in a folder (all of them, or ``tables``), from the files' metadata."""
    import polars as pl

    paths = sorted(parquet.glob("*.parquet")) if tables is None else [parquet / f"{t}.parquet" for t in tables]
    return {p.stem: pl.scan_parquet(p).select(pl.len()).collect().item() for p in paths}


def _next_id(root: Path) -> str:
    numbers = [int(m.group(1)) for p in folder(root).iterdir() if (m := re.search(r"g(\d{6})$", p.name))]
    return f"g{max(numbers, default=0) + 1:06d}"


def stage(root: Path) -> Generation:
    """A new, empty staging folder (stale ones from killed builds are removed first)."""
    _current_is_ours(root)
    gens = folder(root)
    gens.mkdir(parents=True, exist_ok=True)
    for stale in gens.iterdir():
        if STAGING.fullmatch(stale.name):
            shutil.rmtree(stale, ignore_errors=True)
    path = gens / f".staging-{_next_id(root)}"
    (path / "parquet").mkdir(parents=True)
    return Generation(path)


class WriteFailed(OSError):
    """Writing the new generation failed (a full disk, a quota, a read-only or failing file system): the staging
    folder is removed to give its space back; nothing current was changed.  An ``OSError``, so the command line
    says it in one line (exit 2)."""


_WRITE_ERRNOS = {errno.ENOSPC: "No space left on device", errno.EDQUOT: "Disk quota exceeded",
                 errno.EROFS: "Read-only file system", errno.EIO: "Input/output error", errno.EFBIG: "File too large"}


def write_failure(e: BaseException) -> WriteFailed | None:
    """``e`` as a :class:`WriteFailed` when it says the file system refused a write, whichever library raised it
    (an ``OSError``; DuckDB's ``IOException``; polars' and pyarrow's errors carrying the OS's words); else None."""
    if isinstance(e, WriteFailed):
        return e
    if isinstance(e, OSError) and e.errno in _WRITE_ERRNOS:
        return WriteFailed(e.errno, e.strerror or _WRITE_ERRNOS[e.errno], e.filename)
    text = str(e)
    for code, words in _WRITE_ERRNOS.items():
        if words.lower() in text.lower() or f"os error {code})" in text:
            return WriteFailed(code, words, text.strip().splitlines()[0][:300] if text.strip() else None)
    return None


@contextmanager
def writing(gen: Generation):
    """Around everything a build writes into ``gen``: a write the file system refuses becomes one
    :class:`WriteFailed` (``error: No space left on device: …``), and the half-written staging folder is removed."""
    try:
        yield gen
    except BaseException as e:
        failed = write_failure(e)
        if failed is None:
            raise
        shutil.rmtree(gen.path, ignore_errors=True)
        raise WriteFailed(failed.errno, f"{failed.strerror} while writing the new build; nothing was replaced",
                          failed.filename) from e


def describe(gen: Generation, **meta: object) -> dict:
    """The generation's record: row counts, the SHA-256 of every Parquet table (what a release compares, and
    checks its copies against) and of the DuckDB file."""
    from warehouse.release import sha256_file, table_hashes

    return {"id": gen.id, "counts": row_counts(gen.parquet), "tables_sha256": table_hashes(gen.parquet),
            "db_sha256": sha256_file(gen.db), **meta}


def verify(gen: Generation) -> list[str]:
    """What is wrong with a staged generation (empty when nothing): the warehouse must hold every table
    with exactly its Parquet file's rows, and every view must run.  Checked before it can become current."""
    import duckdb

    from warehouse.schema import ALL_TABLES

    problems: list[str] = []
    counts = gen.counts or row_counts(gen.parquet)
    try:
        con = duckdb.connect(str(gen.db), read_only=True)
    except duckdb.Error as e:
        return [f"the warehouse cannot be opened: {e}"]
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        for name in ALL_TABLES:
            if name not in counts:
                problems.append(f"{name}.parquet is missing")
            elif name not in tables:
                problems.append(f"the warehouse has no table {name}")
            elif (n := con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]) != counts[name]:
                problems.append(f"{name}: {n} rows in the warehouse, {counts[name]} in Parquet")
        for (view,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall():
            try:
                con.execute(f'SELECT * FROM "{view}" LIMIT 0')
            except duckdb.Error as e:
                problems.append(f"view {view} does not run: {e}")
    finally:
        con.close()
    return problems


def _write_meta(path: Path, meta: dict) -> None:
    tmp = path / f".{META}.tmp"
    tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path / META)


def commit(root: Path, gen: Generation, meta: dict) -> Generation:
    """Make the staged generation current, atomically; prune generations no reader needs any more."""
    _write_meta(gen.path, {**meta, "status": "current"})
    final = folder(root) / gen.id
    os.rename(gen.path, final)
    tmp_link = root / f".current-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    tmp_link.symlink_to(final.relative_to(root))
    _current_is_ours(root)
    os.replace(tmp_link, root / "current")
    for name, target in LINKS.items():
        link = root / name
        if os.path.lexists(link):
            if not ours(root, name):  # never removed: reported, and the build is reached through current/ instead
                log.warning("left %s as it is: not xxgk's (xxgk makes it a link to %s); the new build is in %s",
                            link, target, root / target)
            continue
        link.symlink_to(target)
    _prune(root, keep=final)
    return Generation(final, meta)


def refuse(root: Path, gen: Generation, meta: dict, why: str) -> Generation:
    """Keep a refused build for inspection (``generations/refused-gNNNNNN``), never current."""
    _write_meta(gen.path, {**meta, "status": "refused", "why": why})
    final = folder(root) / f"refused-{gen.id}"
    shutil.rmtree(final, ignore_errors=True)
    os.rename(gen.path, final)
    return Generation(final, meta)


def ours(root: Path, name: str) -> bool:
    """Whether ``root/name`` (``parquet`` or ``xxgk.duckdb``) is what xxgk made there: its link through ``current``.

    Anything else at that name — a folder or file of the user's own, a link of theirs, or a data directory of the
    old layout (plain ``parquet/`` and ``xxgk.duckdb``, made before xxgk recorded what it made) — is not xxgk's to
    remove or replace: a build leaves it and says so.
    """
    link = root / name
    return link.is_symlink() and os.readlink(link) == LINKS[name]


def _current_is_ours(root: Path) -> None:
    """``current`` is replaced by every build: only when it is xxgk's link into ``generations/`` (or not there)."""
    link = root / "current"
    if os.path.lexists(link) and not (link.is_symlink() and os.readlink(link).startswith("generations/")):
        raise FileExistsError(errno.EEXIST, "the data directory holds a 'current' that is not xxgk's link to its build "
                              "(move it away; nothing was changed)", str(link))


def _prune(root: Path, keep: Path) -> None:
    """Generations no reader needs any more: only folders named as xxgk names them (``gNNNNNN``, ``refused-gNNNNNN``)."""
    done = sorted(p for p in folder(root).iterdir() if p.is_dir() and not p.is_symlink() and DONE.fullmatch(p.name))
    for old in done[:-KEEP]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)
    for refused in folder(root).iterdir():
        if REFUSED.fullmatch(refused.name) and refused.is_dir() and not refused.is_symlink() and refused.name < f"refused-{keep.name}":
            shutil.rmtree(refused, ignore_errors=True)


def shrinkage(before: dict[str, int], after: dict[str, int], limit: float = SHRINK_LIMIT) -> str | None:
    """Why ``after`` is a sharp fall from ``before`` (None when it is not): the guard of builds and releases."""
    falls = []
    for table in GUARDED:
        old, new = before.get(table, 0), after.get(table, 0)
        if old and new < old * (1 - limit):
            falls.append(f"{table} {old} → {new} ({(new - old) / old:+.0%})")
    return "; ".join(falls) or None
