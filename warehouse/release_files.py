"""What a release ships besides its tables: the views as Parquet, the documents its reports cite, checksums, modes.

Written into the release's hidden temporary folder before it is renamed into place (:mod:`warehouse.release`),
so a reader never sees a release without them.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

VIEWS_FOLDER = "views"
SOURCES_FOLDER = "sources"  # the same name pipelines.dataset writes into documents.source_file
FILE_MODE, DIR_MODE = 0o644, 0o755  # world-readable: a web server or another user serves and reads the release
SUMS = "SHA256SUMS"

# DuckDB's column types as Frictionless field types (an ENUM is text; anything else unknown is "any")
_FRICTIONLESS = {"VARCHAR": "string", "INTEGER": "integer", "BIGINT": "integer", "HUGEINT": "integer", "SMALLINT": "integer",
                 "TINYINT": "integer", "UBIGINT": "integer", "UINTEGER": "integer", "DOUBLE": "number", "FLOAT": "number",
                 "BOOLEAN": "boolean", "DATE": "date", "TIMESTAMP WITH TIME ZONE": "datetime", "TIMESTAMP": "datetime"}


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class ViewFile:
    """A view of the warehouse shipped as Parquet, with what describes it in the DuckDB file (its comments, which
    :func:`warehouse.database.build_warehouse` writes from the declarations of views and columns)."""

    name: str
    path: str  # relative to the release folder
    description: str
    fields: tuple[tuple[str, str, str], ...]  # (name, frictionless type, description)
    rows: int


def frictionless_type(duckdb_type: str) -> str:
    if duckdb_type.startswith("ENUM("):
        return "string"
    if duckdb_type.startswith("DECIMAL"):
        return "number"
    return _FRICTIONLESS.get(duckdb_type, "any")


def export_views(db: Path, folder: Path, ordered: set[str]) -> list[ViewFile]:
    """Every view of the warehouse ``db`` as ``folder/views/<view>.parquet``; returns their descriptions.

    ENUM columns are written as text.  A view stored as a table (``ordered``: its rows already in a fixed order)
    is written in that order; any other view's rows are sorted on all their columns, so the file holds the same
    rows in the same order on every machine, whatever DuckDB's thread count.
    """
    out_dir = folder / VIEWS_FOLDER
    out_dir.mkdir()
    con = duckdb.connect(str(db), read_only=True, config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    out: list[ViewFile] = []
    try:
        views = con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal AND database_name = current_database() "
                            "ORDER BY view_name").fetchall()
        for name, comment in views:
            cols = con.execute("SELECT column_name, data_type, comment FROM duckdb_columns() WHERE table_name = ? "
                               "AND database_name = current_database() ORDER BY column_index", [name]).fetchall()
            texts = [f'"{c}"::VARCHAR AS "{c}"' for c, t, _ in cols if t.startswith("ENUM(")]
            select = f'SELECT * REPLACE ({", ".join(texts)}) FROM "{name}"' if texts else f'SELECT * FROM "{name}"'
            order = "" if name in ordered else " ORDER BY ALL"
            target = out_dir / f"{name}.parquet"
            con.execute(f"COPY ({select}{order}) TO '{_sql(str(target))}' (FORMAT parquet, COMPRESSION zstd)")
            rows = con.execute(f"SELECT count(*) FROM '{_sql(str(target))}'").fetchone()[0]
            fields = tuple((c, frictionless_type(t), d or "") for c, t, d in cols)
            out.append(ViewFile(name, f"{VIEWS_FOLDER}/{name}.parquet", comment or "", fields, rows))
    finally:
        con.close()
    return out


def _sql(s: str) -> str:
    return s.replace("'", "''")


class SourcesMissing(Exception):
    """A document the release's tables say it ships is not in the archive: the release would break its word."""


def ship_sources(folder: Path, data_dir: Path) -> tuple[int, int, int]:
    """Put every document ``documents.source_file`` names into the release (``folder/sources/…``) from the data
    directory's archive (``documents.path``): a hard link when the archive is on the same file system and its file
    is already world-readable (a link shares the file's mode), else a copy.  Returns (files, bytes, linked).

    Raises :class:`SourcesMissing` when one is not in the archive (or is not the bytes its name says: checked by
    size against documents.bytes where known).
    """
    docs = pl.read_parquet(folder / "documents.parquet", columns=["path", "source_file", "bytes"]).filter(
        pl.col("source_file").is_not_null()).unique("source_file", keep="first").sort("source_file")
    files = size = linked = 0
    missing: list[str] = []
    for path, rel, n_bytes in docs.iter_rows():
        src, dst = data_dir / path, folder / rel
        if not src.is_file() or (n_bytes is not None and src.stat().st_size != n_bytes):
            missing.append(f"{rel} (from {path})")
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if stat.S_IMODE(src.stat().st_mode) == FILE_MODE and _link(src, dst):
            linked += 1
        else:
            shutil.copyfile(src, dst)
        files += 1
        size += dst.stat().st_size
    if missing:
        raise SourcesMissing(f"{len(missing)} document(s) the release cites are not in the archive: " + "; ".join(missing[:5]))
    return files, size, linked


def _link(src: Path, dst: Path) -> bool:
    """A hard link, or False where the file system cannot make one (another device, links not supported)."""
    try:
        os.link(src, dst)
    except OSError as e:
        if e.errno in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            return False
        raise
    return True


def release_files(folder: Path) -> list[Path]:
    """Every file of the release folder, by relative path (sorted)."""
    return sorted((p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()), key=lambda p: p.relative_to(folder).as_posix())


def is_source(rel: str) -> bool:
    """A shipped document: ``sources/<2 hex>/<64 hex>[.ext]``, its name its SHA-256."""
    parts = rel.split("/")
    return len(parts) == 3 and parts[0] == SOURCES_FOLDER and len(parts[2]) >= 64 and parts[2][:2] == parts[1] and \
        all(c in "0123456789abcdef" for c in parts[2][:64])


def checksums(folder: Path) -> str:
    """``SHA256SUMS`` of every file of the release but itself (``sha256sum -c`` reads it).  A shipped document's
    line is written from its name, which is its SHA-256 (the archive stored it under it), without reading it again."""
    lines = []
    for p in release_files(folder):
        rel = p.relative_to(folder).as_posix()
        if rel == SUMS:
            continue
        lines.append(f"{p.name[:64] if is_source(rel) else sha256_file(p)}  {rel}")
    return "\n".join(lines) + "\n"


def set_modes(folder: Path) -> None:
    """Files 0644, folders 0755 (a hard-linked document is 0644 already: its mode is the archive file's)."""
    for p in folder.rglob("*"):
        if p.is_dir():
            p.chmod(DIR_MODE)
        elif stat.S_IMODE(p.stat().st_mode) != FILE_MODE:
            p.chmod(FILE_MODE)
    folder.chmod(DIR_MODE)


def folder_size(folder: Path) -> tuple[int, int]:
    """(files, bytes) under ``folder``."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)
